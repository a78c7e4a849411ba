using Nmsg.Checksums;
using Nmsg.Containers;
using Nmsg.Framing;
using Nmsg.Sequencing;
using Nmsg.Transports;

namespace Nmsg.Tests;

/// <summary>Bugs found by the fuzzer and by review, kept fixed.</summary>
public class RegressionTests
{
    [Fact]
    public void A_zlib_header_asking_for_a_preset_dictionary_is_an_inflate_failure()
    {
        // Found by the fuzzer: .NET throws ZLibException (an IOException) here, not InvalidDataException.
        byte[] body = Convert.FromHexString("00000010" + "783f" + "0000000000000000");
        using var decoder = new NmsgContainerDecoder();
        var e = Assert.Throws<NmsgFormatException>(() => decoder.Decode(new NmsgHeader(NmsgContainerFlags.Zlib, 2, body.Length), body, []));
        Assert.Equal(NmsgErrorReason.InflateFailed, e.Reason);
    }

    [Fact]
    public void The_fuzzers_regression_input_fails_only_with_typed_errors()
    {
        byte[] input = File.ReadAllBytes(Path.Combine(Support.Vectors.Root, "..", "regressions", "zlib-fdict.bin"));
        // The fuzz target's first byte chooses chunking and options; the rest is the NMSG stream.
        var outcome = Support.Decoding.ReadAll(input[1..]);
        Assert.Equal(NmsgErrorReason.InflateFailed, outcome.Error?.Reason);
    }

    private static byte[] Container(int payloads, Func<int, bool> goodCrc) => Support.Envelopes.Container(payloads, goodCrc);

    [Fact]
    public void Crc_mismatches_are_dropped_in_order_preserving_the_good_payloads()
    {
        byte[] body = Container(1000, i => i % 3 != 0);
        using var decoder = new NmsgContainerDecoder();
        var output = new List<NmsgMessage>();
        decoder.Decode(new NmsgHeader(0, 2, body.Length), body, output);
        Assert.Equal(Enumerable.Range(0, 1000).Where(i => i % 3 != 0), output.Select(m => m.Payload.Span[0] | m.Payload.Span[1] << 8));
        Assert.Equal(334, decoder.Statistics.CrcFailures);
    }

    [Fact]
    public void A_container_of_nothing_but_bad_crcs_is_dropped_whole()
    {
        // Was quadratic (one List.RemoveAt per bad payload): 100k payloads took seconds.
        byte[] body = Container(100_000, _ => false);
        using var decoder = new NmsgContainerDecoder();
        var output = new List<NmsgMessage>();
        decoder.Decode(new NmsgHeader(0, 2, body.Length), body, output);
        Assert.Empty(output);
        Assert.Equal(100_000, decoder.Statistics.CrcFailures);
    }

    [Fact]
    public void The_least_recently_seen_sequence_source_is_the_one_forgotten()
    {
        var stats = new NmsgInputStatistics();
        var tracker = new SequenceTracker(NmsgLimits.Default with { MaxSequenceSources = 3 }, stats);
        NmsgPeer p = NmsgPeer.None;
        tracker.Update(new NmsgSequence(0, 1), p);
        tracker.Update(new NmsgSequence(0, 2), p);
        tracker.Update(new NmsgSequence(0, 3), p);
        tracker.Update(new NmsgSequence(1, 1), p); // source 1 is now the most recent
        tracker.Update(new NmsgSequence(0, 4), p); // evicts source 2
        Assert.Equal(new ulong[] { 1, 3, 4 }, tracker.GetSources().Select(s => s.SequenceId).Order());
        tracker.Update(new NmsgSequence(5, 1), p); // source 1 still tracked: 2, 3, 4 lost
        Assert.Equal(3, stats.ContainersLost);
    }
}
