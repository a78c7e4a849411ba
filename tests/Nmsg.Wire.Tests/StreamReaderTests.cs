using Nmsg.Containers;
using Nmsg.Framing;
using Nmsg.Tests.Support;
using Nmsg.Transports;

namespace Nmsg.Tests;

/// <summary>
/// The stream reader stages small containers and reads a large plain body straight into its own array; whatever the
/// staging size and however the stream splits its reads, it must yield what the containers hold and count a
/// truncated tail exactly.
/// </summary>
public class StreamReaderTests
{
    private static string Describe(NmsgMessage m) => $"{m} {Convert.ToHexString(m.Payload.Span)}";

    // The independent expectation: split the file by its headers and decode each container on its own.
    private static List<string> DecodeEachContainer(byte[] data, out long completeBytes)
    {
        var expected = new List<string>();
        using var decoder = new NmsgContainerDecoder(new NmsgDecoderOptions { TrackSequence = false, ExpireFragmentSets = false });
        int at = 0;
        while (at < data.Length && NmsgFramer.TryReadHeader(data.AsSpan(at), true, NmsgLimits.Default.MaxContainerLength, at, out NmsgHeader h)
               && at + h.HeaderSize + h.Length <= data.Length)
        {
            var output = new List<NmsgMessage>();
            decoder.Decode(h, data.AsMemory(at + h.HeaderSize, h.Length).ToArray(), output);
            expected.AddRange(output.Select(Describe));
            at += h.HeaderSize + h.Length;
        }
        completeBytes = at;
        return expected;
    }

    private static async Task<(List<string> Messages, NmsgInputStatistics Stats)> ReadAsync(Stream stream, int readSize)
    {
        await using var reader = new NmsgStreamReader(stream, new NmsgReaderOptions { ReadSize = readSize });
        var got = new List<string>();
        await foreach (NmsgMessage m in reader.ReadAllAsync())
            got.Add(Describe(m));
        return (got, reader.Statistics);
    }

    [Theory]
    [InlineData("multi/ipconn-1000.nmsg")]
    [InlineData("multi/ipconn-1000.z.nmsg")]
    [InlineData("multi/mixed.z.nmsg")]
    [InlineData("multi/concat-plain-zlib.nmsg")]
    [InlineData("frag/encode-random-m512-z.nmsg")]
    public async Task Every_staging_size_and_read_split_yields_the_containers_messages(string vector)
    {
        byte[] data = Support.Vectors.Read(vector);
        List<string> expected = DecodeEachContainer(data, out long complete);
        Assert.Equal(data.Length, complete);
        Assert.NotEmpty(expected);
        foreach (int readSize in new[] { 4096, 65536, 1 << 20 })
        {
            foreach (int step in new[] { 1, 7, 4096, int.MaxValue })
            {
                Stream stream = step == int.MaxValue ? new MemoryStream(data) : new DribbleStream(data, step);
                (List<string> got, NmsgInputStatistics stats) = await ReadAsync(stream, readSize);
                Assert.Equal(expected, got);
                Assert.Equal(data.Length, stats.Bytes);
                Assert.Equal(0, stats.TruncatedTailBytes);
            }
        }
    }

    [Fact]
    public async Task A_truncated_tail_is_counted_to_the_byte_at_every_cut()
    {
        // Two plain containers and a compressed one: cuts land in headers, small bodies and a large body.
        byte[] data = [.. Support.Vectors.Read("multi/ipconn-1000.nmsg"), .. Support.Vectors.Read("multi/ipconn-1000.z.nmsg"),
            .. Support.Vectors.Read("multi/mixed.nmsg")];
        var random = new Random(5);
        var cuts = new SortedSet<int> { 0, 1, 5, 6, 9, 10, 11, data.Length - 1, data.Length };
        while (cuts.Count < 60)
            cuts.Add(random.Next(data.Length));
        foreach (int cut in cuts)
        {
            byte[] prefix = data[..cut];
            List<string> expected = DecodeEachContainer(prefix, out long complete);
            (List<string> got, NmsgInputStatistics stats) = await ReadAsync(new DribbleStream(prefix, 5000), 4096);
            Assert.Equal(expected, got);
            Assert.Equal(cut - complete, stats.TruncatedTailBytes);
            Assert.Equal(complete, stats.Bytes);

            await using var strict = new NmsgStreamReader(new MemoryStream(prefix), new NmsgReaderOptions { ThrowOnTruncatedTail = true });
            if (cut == complete)
            {
                await foreach (NmsgMessage _ in strict.ReadAllAsync())
                {
                }
            }
            else
            {
                var e = await Assert.ThrowsAsync<NmsgFormatException>(async () =>
                {
                    await foreach (NmsgMessage _ in strict.ReadAllAsync())
                    {
                    }
                });
                Assert.Equal(NmsgErrorReason.Truncated, e.Reason);
                Assert.Equal(complete, e.Offset);
            }
        }
    }

    [Fact]
    public async Task Raw_containers_are_the_files_bytes()
    {
        byte[] data = [.. Support.Vectors.Read("multi/ipconn-1000.z.nmsg"), .. Support.Vectors.Read("multi/ipconn-1000.nmsg")];
        await using var reader = new NmsgStreamReader(new DribbleStream(data, 3000), new NmsgReaderOptions { ReadSize = 4096 });
        var rebuilt = new List<byte>();
        await foreach (NmsgContainer c in reader.ReadContainersAsync())
        {
            byte[] header = new byte[NmsgConstants.HeaderSize];
            NmsgHeader.WriteV2(header, c.Header.Flags, c.Header.Length);
            rebuilt.AddRange(header);
            rebuilt.AddRange(c.Body.ToArray());
        }
        Assert.Equal(data, rebuilt);
    }
}
