using Nmsg.Tests.Support;
using Nmsg.Transports;

namespace Nmsg.Tests;

/// <summary>
/// Every file of vectors/malformed against what nmsgtool 1.3.3 did with it (malformed/RESULTS.tsv and NOTES.txt).
/// </summary>
public class MalformedTests
{
    /// <summary>Expected outcome at the wire level: messages delivered, then the error (null = clean end).</summary>
    private sealed record Expectation(int Messages, NmsgErrorReason? Error);

    /// <summary>
    /// What a file's reference outcome means for a wire reader. nmsgtool's reason (from -dd) maps to our reason:
    /// "incorrect magic number" → BadMagic, "incorrect version number" → BadVersion, "inflate() failed" →
    /// InflateFailed, "parse error" → ProtobufInvalid (FragmentInvalid for a fragment container).
    /// </summary>
    private static readonly Dictionary<string, NmsgErrorReason> ReasonOfFailingFiles = new()
    {
        ["bad-magic-lowercase"] = NmsgErrorReason.BadMagic,
        ["bad-magic"] = NmsgErrorReason.BadMagic,
        ["bad-version-0"] = NmsgErrorReason.BadVersion,
        ["bad-version-3"] = NmsgErrorReason.BadVersion,
        ["corrupt-zlib"] = NmsgErrorReason.InflateFailed,
        ["zlib-ulen-too-big"] = NmsgErrorReason.InflateFailed,
        ["zlib-ulen-too-small"] = NmsgErrorReason.InflateFailed,
        ["zlib-ulen-zero"] = NmsgErrorReason.InflateFailed,
        ["zlib-truncated-stream"] = NmsgErrorReason.InflateFailed,
        ["plain-flag-on-zlib-body"] = NmsgErrorReason.ProtobufInvalid,
        ["garbage-body"] = NmsgErrorReason.ProtobufInvalid,
        ["length-too-small"] = NmsgErrorReason.ProtobufInvalid,
        ["frag-flag-on-plain-body"] = NmsgErrorReason.FragmentInvalid,
        ["trailing-garbage"] = NmsgErrorReason.BadMagic,
        ["valid-then-bad-magic"] = NmsgErrorReason.BadMagic,
        // What nmsgtool -z -m 512 sends for a payload that compresses below the MTU: no NMSG header (SPEC §10.1).
        ["BUG-logline-big-m512-z-headerless"] = NmsgErrorReason.BadMagic,
    };

    /// <summary>
    /// Where the wire-level outcome differs from the reference's printed count, and why. Each is either a crash of
    /// the reference (we give a typed error or counted drop), a payload the reference's formatter skipped (the
    /// wire layer still delivers it), or our deliberate fragment CRC check.
    /// </summary>
    private static readonly Dictionary<string, Expectation> Deviations = new()
    {
        // Reference: SIGSEGV on an empty (zero-length, zero-payload) container. It is valid protobuf: zero messages.
        ["length-zero-alone"] = new(0, null),
        ["length-zero-then-valid"] = new(4, null),
        // Reference: abort on a length beyond its 2 MiB buffer. Ours: a typed limit error before allocating.
        ["length-too-large-3MiB"] = new(0, NmsgErrorReason.LimitExceeded),
        ["length-too-large-ffffffff"] = new(0, NmsgErrorReason.LimitExceeded),
        // Reference: tries to inflate into an allocation sized by the first 4 body bytes (0x789c.. and 0x0a20..,
        // about 2 GiB and 170 MiB) and fails to inflate. Ours: the same stop at the same offset, reported as the
        // limit violation it is, before allocating.
        ["zlib-missing-ulen-prefix"] = new(0, NmsgErrorReason.LimitExceeded),
        ["zlib-flag-on-plain-body"] = new(0, NmsgErrorReason.LimitExceeded),
        // Reference: out-of-bounds write then abort. Ours: the bad piece is dropped and counted; the set never completes.
        ["frag-current-gt-last"] = new(0, null),
        // Reference pres output skips the undecodable first payload; both payloads are well-formed at the wire level.
        ["undecodable-ipconn-payload"] = new(2, null),
        // Reference never checks the fragment CRC and decodes the set; ours drops it (counted). See the test below.
        ["frag-wrong-crc-all-pieces"] = new(0, null),
    };

    public static TheoryData<string, int, int> Rows()
    {
        var data = new TheoryData<string, int, int>();
        foreach (string line in File.ReadLines(Vectors.PathOf("malformed/RESULTS.tsv")).Skip(1))
        {
            string[] c = line.Split('\t');
            data.Add(c[0], int.Parse(c[1], System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(c[2], System.Globalization.CultureInfo.InvariantCulture));
        }
        return data;
    }

    [Fact]
    public void Every_malformed_file_has_a_result_row()
    {
        var files = Directory.EnumerateFiles(Vectors.PathOf("malformed"), "*.nmsg").Select(Path.GetFileNameWithoutExtension).Order().ToList();
        Assert.Equal(43, files.Count);
        Assert.Equal(files, Rows().Select(r => (string)r[0]).Where(f => f.StartsWith("malformed/", StringComparison.Ordinal))
            .Select(Path.GetFileNameWithoutExtension).Order().ToList());
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Outcome_matches_nmsgtool(string file, int referenceExit, int referencePayloads)
    {
        byte[] data = Vectors.Read(file);
        string name = Path.GetFileNameWithoutExtension(file);
        Expectation expected;
        if (Deviations.TryGetValue(name, out Expectation? deviation))
        {
            expected = deviation;
        }
        else
        {
            Assert.True(referenceExit is 0 or 1, $"{name}: the reference crashed ({referenceExit}); it needs a documented deviation");
            expected = new Expectation(referencePayloads, referenceExit == 0 ? null : ReasonOfFailingFiles[name]);
        }

        ReadOutcome outcome = Decoding.ReadAll(data);
        Assert.Equal(expected.Messages, outcome.Messages.Count);
        Assert.Equal(expected.Error, outcome.Error?.Reason);
        if (outcome.Error is { } e)
        {
            Assert.True(e.Offset >= 0, "a stream error names its byte offset");
            Assert.Contains($"offset {e.Offset}", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Errors_name_the_offset_of_the_bad_container()
    {
        Assert.Equal(191, Decoding.ReadAll(Vectors.Read("malformed/valid-then-bad-magic.nmsg")).Error!.Offset);
        Assert.Equal(191, Decoding.ReadAll(Vectors.Read("malformed/trailing-garbage.nmsg")).Error!.Offset);
        Assert.Equal(0, Decoding.ReadAll(Vectors.Read("malformed/corrupt-zlib.nmsg")).Error!.Offset);
    }

    [Fact]
    public void Crashing_inputs_become_counted_drops_or_typed_errors()
    {
        ReadOutcome gtLast = Decoding.ReadAll(Vectors.Read("malformed/frag-current-gt-last.nmsg"));
        Assert.True(gtLast.Statistics.FragmentsDropped >= 1);

        var limit = Assert.IsType<NmsgLimitException>(Decoding.ReadAll(Vectors.Read("malformed/length-too-large-ffffffff.nmsg")).Error);
        Assert.Equal(0xFFFFFFFFL, limit.Value);
        Assert.Equal(nameof(NmsgLimits.MaxContainerLength), limit.LimitName);
    }

    [Fact]
    public void A_wrong_fragment_crc_is_dropped_by_default_and_accepted_like_nmsgtool_on_request()
    {
        byte[] data = Vectors.Read("malformed/frag-wrong-crc-all-pieces.nmsg");
        ReadOutcome strict = Decoding.ReadAll(data);
        Assert.Empty(strict.Messages);
        Assert.Equal(1, strict.Statistics.FragmentCrcFailures);

        ReadOutcome lenient = Decoding.ReadAll(data, new NmsgReaderOptions { VerifyFragmentCrc = false });
        Assert.Single(lenient.Messages);
        Assert.Equal(1, lenient.Statistics.FragmentSetsCompleted);
    }

    [Fact]
    public void A_crc_mismatch_drops_only_that_payload()
    {
        ReadOutcome o = Decoding.ReadAll(Vectors.Read("malformed/crc-mismatch-payload2.nmsg"));
        Assert.Equal(3, o.Messages.Count);
        Assert.Equal(1, o.Statistics.CrcFailures);
        Assert.Null(o.Error);
    }

    [Fact]
    public void A_truncated_tail_ends_quietly_by_default_and_fails_on_request()
    {
        byte[] data = Vectors.Read("malformed/truncated-body.nmsg");
        ReadOutcome quiet = Decoding.ReadAll(data);
        Assert.Null(quiet.Error);
        Assert.Equal(data.Length, quiet.Statistics.TruncatedTailBytes);

        ReadOutcome strict = Decoding.ReadAll(data, new NmsgReaderOptions { ThrowOnTruncatedTail = true });
        Assert.Equal(NmsgErrorReason.Truncated, strict.Error?.Reason);
        Assert.Equal(0, strict.Error!.Offset);
    }
}
