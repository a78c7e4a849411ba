using Nmsg.Tests.Support;

namespace Nmsg.Tests;

/// <summary>
/// The stream reader gives the same result however the bytes are cut into segments: every valid vector split
/// in two at every position (sampled for the larger files), and cut into 1-byte segments.
/// </summary>
public class SegmentationTests
{
    public static TheoryData<string> Binaries => Vectors.ValidBinaryData();

    /// <summary>Every position for files up to this size; beyond it, the positions listed by <see cref="SplitPoints"/>.</summary>
    private const int ExhaustiveLimit = 4096;

    private static IEnumerable<int> SplitPoints(byte[] data)
    {
        if (data.Length <= ExhaustiveLimit)
            return Enumerable.Range(1, Math.Max(0, data.Length - 1));
        // Every position in the first container's header region and around every container boundary, plus a
        // seeded sample elsewhere.
        var points = new SortedSet<int>(Enumerable.Range(1, 80));
        int at = 0;
        foreach (byte[] c in Decoding.SplitContainers(data))
        {
            for (int d = -12; d <= 12; d++)
            {
                if (at + d > 0 && at + d < data.Length)
                    points.Add(at + d);
            }
            at += c.Length;
        }
        var rng = new Random(data.Length);
        for (int i = 0; i < 300; i++)
            points.Add(rng.Next(1, data.Length));
        return points;
    }

    [Theory]
    [MemberData(nameof(Binaries))]
    public void Two_segment_splits_give_identical_results(string vector)
    {
        byte[] data = Vectors.Read(vector);
        string expected = Decoding.ReadAll(data).Fingerprint();
        foreach (int cut in SplitPoints(data))
        {
            var pipe = new SegmentedPipeReader(TestSegment.Build(data, [cut]));
            string actual = Decoding.ReadAll(pipe).Fingerprint();
            Assert.True(expected == actual, $"{vector}: split at {cut} differs");
        }
    }

    [Theory]
    [MemberData(nameof(Binaries))]
    public void One_byte_segments_give_identical_results(string vector)
    {
        byte[] data = Vectors.Read(vector);
        string expected = Decoding.ReadAll(data).Fingerprint();
        var pipe = new SegmentedPipeReader(TestSegment.Build(data, [.. Enumerable.Range(1, Math.Max(0, data.Length - 1))]));
        Assert.Equal(expected, Decoding.ReadAll(pipe).Fingerprint());
    }

    [Fact]
    public void Malformed_files_fail_the_same_way_in_1_byte_segments()
    {
        foreach (string file in Directory.EnumerateFiles(Vectors.PathOf("malformed"), "*.nmsg"))
        {
            byte[] data = File.ReadAllBytes(file);
            string expected = Decoding.ReadAll(data).Fingerprint();
            var pipe = new SegmentedPipeReader(TestSegment.Build(data, [.. Enumerable.Range(1, Math.Max(0, data.Length - 1))]));
            Assert.True(expected == Decoding.ReadAll(pipe).Fingerprint(), file);
        }
    }
}
