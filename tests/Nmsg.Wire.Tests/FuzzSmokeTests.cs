using Nmsg.Containers;
using Nmsg.Framing;
using Nmsg.Tests.Support;
using Nmsg.Transports;

namespace Nmsg.Tests;

/// <summary>
/// A bounded mutation run over the vectors (the coverage-guided fuzzer lives in tests/Nmsg.Wire.Fuzz): whatever
/// the bytes, only <see cref="NmsgException"/> escapes, and held memory stays within the limits.
/// </summary>
public class FuzzSmokeTests
{
    private static readonly NmsgLimits Tight = NmsgLimits.Default with
    {
        MaxContainerLength = 1 << 20,
        MaxMessageLength = 4 << 20,
        MaxPendingFragmentBytes = 8 << 20,
        MaxPendingFragmentSets = 64,
    };

    private static byte[] Mutate(byte[] seed, Random rng)
    {
        var data = new List<byte>(seed);
        int edits = rng.Next(1, 6);
        for (int k = 0; k < edits && data.Count > 0; k++)
        {
            int at = rng.Next(data.Count);
            switch (rng.Next(7))
            {
                case 0: data[at] ^= (byte)(1 << rng.Next(8)); break;
                case 1: data[at] = (byte)rng.Next(256); break;
                case 2: data.RemoveRange(at, Math.Min(data.Count - at, rng.Next(1, 16))); break;
                case 3: data.InsertRange(at, Enumerable.Range(0, rng.Next(1, 16)).Select(_ => (byte)rng.Next(256))); break;
                case 4: data[at] = 0xFF; break;
                case 5: data.RemoveRange(at, data.Count - at); break;
                default:
                    // Hit a length or varint field with an extreme value.
                    foreach (byte b in new byte[] { 0xFF, 0xFF, 0xFF, 0x7F })
                    {
                        if (at < data.Count)
                            data[at++] = b;
                    }
                    break;
            }
        }
        return [.. data];
    }

    [Fact]
    public void Mutated_vectors_fail_only_with_typed_errors()
    {
        var seeds = Vectors.ValidBinaries().Select(Vectors.Read).Where(b => b.Length is > 0 and < 20_000).ToList();
        seeds.AddRange(Directory.EnumerateFiles(Vectors.PathOf("malformed"), "*.nmsg").Select(File.ReadAllBytes).Where(b => b.Length > 0));
        var rng = new Random(20261122);
        long before = GC.GetTotalMemory(forceFullCollection: true);
        using var datagramDecoder = new NmsgContainerDecoder(new NmsgDecoderOptions { Limits = Tight, TrackSequence = true });
        var sink = new List<NmsgMessage>();
        for (int i = 0; i < 4000; i++)
        {
            byte[] input = Mutate(seeds[rng.Next(seeds.Count)], rng);

            // As a stream, cut into random segments.
            var cuts = Enumerable.Range(0, rng.Next(0, 4)).Select(_ => rng.Next(0, input.Length + 1)).Order().ToList();
            Decoding.ReadAll(new SegmentedPipeReader(TestSegment.Build(input, cuts)), new NmsgReaderOptions { Limits = Tight });

            // As a datagram, through one long-lived decoder (fragment state accumulates across inputs).
            try
            {
                var body = NmsgFramer.ParseDatagram(input, Tight.MaxContainerLength, out var header);
                datagramDecoder.Decode(header, body, sink);
            }
            catch (NmsgException)
            {
                datagramDecoder.CountMalformed();
            }
            sink.Clear();
            Assert.True(datagramDecoder.Fragments.PendingBytes <= Tight.MaxPendingFragmentBytes);
            Assert.True(datagramDecoder.Fragments.PendingSets <= Tight.MaxPendingFragmentSets);
        }
        long after = GC.GetTotalMemory(forceFullCollection: true);
        Assert.True(after - before < 64L << 20, $"memory grew by {(after - before) >> 20} MiB");
        Assert.True(datagramDecoder.Statistics.MalformedContainers > 0);
    }
}
