using Nmsg.Tests.Support;

namespace Nmsg.Tests;

/// <summary>Every valid binary vector decodes to the payloads nmsgtool 1.3.3 printed for it.</summary>
public class VectorDecodeTests
{
    public static TheoryData<string> Binaries => Vectors.ValidBinaryData();

    [Theory]
    [MemberData(nameof(Binaries))]
    public void Decodes_to_the_payload_headers_nmsgtool_printed(string vector)
    {
        ReadOutcome outcome = Decoding.ReadAll(Vectors.Read(vector));
        Assert.Null(outcome.Error);
        Assert.Equal(0, outcome.Statistics.CrcFailures);
        Assert.Equal(0, outcome.Statistics.TruncatedTailBytes);

        string json = Path.ChangeExtension(vector, ".json");
        var actual = outcome.Messages.Select(Vectors.HeaderOf).ToList();

        // nmsgtool's presentation output of the file, or (where it printed nothing for a payload it could not
        // format, as for an empty ipconn) of the same input sent straight to presentation.
        var pres = new[] { ".pres", ".direct.pres" }
            .Select(ext => Path.ChangeExtension(vector, ext))
            .Where(p => File.Exists(Vectors.PathOf(p)))
            .Select(Vectors.PresHeaders)
            .FirstOrDefault(h => h.Count > 0);

        if (File.Exists(Vectors.PathOf(json)) && Vectors.ManifestExitCode(json) == 0)
            Assert.Equal(Vectors.JsonHeaders(json), actual);
        else if (pres is not null)
            Assert.Equal(pres.Select(p => p.Header), actual); // nmsgtool -J failed on this file
        else
            Assert.Equal(0, Vectors.ManifestExitCode(vector) == 0 ? -1 : outcome.Messages.Count); // a failed, empty product

        // The presentation header's first field is the payload length: check it against ours too.
        if (pres is not null)
            Assert.Equal(pres.Select(p => p.Length), outcome.Messages.Select(m => m.Payload.Length));
    }

    [Fact]
    public void The_vector_set_is_the_one_expected()
    {
        // Guards the theory above against silently testing nothing (e.g. vectors not copied to the output).
        Assert.Equal(68, Vectors.ValidBinaries().Count());
        Assert.True(Vectors.ValidBinaries().Sum(v => Decoding.ReadAll(Vectors.Read(v)).Messages.Count) > 3000);
    }

    [Fact]
    public void Fragmented_and_compressed_vectors_report_their_structure()
    {
        // frag/encode-random-m512-z: 8 fragment containers (flags 0x03) forming 2 sets of 4 (INSPECT.txt).
        ReadOutcome o = Decoding.ReadAll(Vectors.Read("frag/encode-random-m512-z.nmsg"));
        Assert.Equal(2, o.Messages.Count);
        Assert.Equal(8, o.Statistics.Fragments);
        Assert.Equal(2, o.Statistics.FragmentSetsCompleted);
        Assert.Equal(2, o.Statistics.ContainersReceived);
        Assert.Equal(0, o.Statistics.FragmentSetsPending);

        // Interleaved and reversed sets reassemble too.
        foreach (string v in new[] { "frag/logline-big-m512-interleaved.nmsg", "frag/logline-big-m512-reversed.nmsg" })
        {
            ReadOutcome r = Decoding.ReadAll(Vectors.Read(v));
            Assert.Equal(Vectors.JsonHeaders(Path.ChangeExtension(v, ".json")).Count, r.Messages.Count);
            Assert.Equal(0, r.Statistics.FragmentsDropped);
        }
    }
}
