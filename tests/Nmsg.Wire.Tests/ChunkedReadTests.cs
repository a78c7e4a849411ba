using Nmsg.Containers;
using Nmsg.Tests.Support;
using Nmsg.Transports;

namespace Nmsg.Tests;

/// <summary>
/// A stream reader hands out a container's messages a slice at a time (so that only a slice of message objects is
/// alive), yet a container is still parsed and checked in full before any of its messages is handed out.
/// </summary>
public class ChunkedReadTests
{
    private static async Task<List<NmsgMessage>> ReadInSlicesAsync(byte[] stream, int max, List<int>? sliceSizes = null)
    {
        using var reader = new NmsgStreamReader(new MemoryStream(stream));
        var all = new List<NmsgMessage>();
        var slice = new List<NmsgMessage>();
        while (await reader.ReadMessagesAsync(slice, max))
        {
            sliceSizes?.Add(slice.Count);
            all.AddRange(slice);
            slice.Clear();
        }
        return all;
    }

    private static async Task<List<NmsgMessage>> ReadWholeAsync(byte[] stream)
    {
        using var reader = new NmsgStreamReader(new MemoryStream(stream));
        var all = new List<NmsgMessage>();
        while (await reader.ReadContainerAsync(all))
        {
        }
        return all;
    }

    private static string Describe(NmsgMessage m)
    {
        string crc = m.TryGetWireCrc(out uint c) ? c.ToString("x8") : "-";
        return $"{m} {Convert.ToHexString(m.Payload.Span)} {m.HasPayloadField} {crc}";
    }

    [Theory]
    [InlineData("multi/ipconn-1000.nmsg", 7)]
    [InlineData("multi/ipconn-1000.z.nmsg", 1000)]
    [InlineData("multi/mixed.nmsg", 1)]
    [InlineData("multi/mixed.z.nmsg", 3)]
    [InlineData("multi/concat-plain-zlib.nmsg", 2)]
    public async Task Slices_of_a_container_are_the_messages_read_whole(string vector, int max)
    {
        byte[] data = Support.Vectors.Read(vector);
        var sizes = new List<int>();
        List<NmsgMessage> sliced = await ReadInSlicesAsync(data, max, sizes);
        List<NmsgMessage> whole = await ReadWholeAsync(data);
        Assert.NotEmpty(whole);
        Assert.Equal(whole.Select(Describe), sliced.Select(Describe));
        Assert.All(sizes, n => Assert.InRange(n, 1, max));
    }

    private static byte[] Container(int payloads, Func<int, bool> goodCrc, int bad = -1)
        => Envelopes.Framed(Envelopes.Container(payloads, goodCrc, bad));

    private static int NumberOf(NmsgMessage m) => Envelopes.NumberOf(m);

    [Fact]
    public async Task A_container_malformed_at_its_last_payload_yields_none_of_its_messages_even_in_slices()
    {
        byte[] stream = [.. Container(10, _ => true), .. Container(100, _ => true, bad: 99)];
        using var reader = new NmsgStreamReader(new MemoryStream(stream));
        var got = new List<NmsgMessage>();
        var slice = new List<NmsgMessage>();
        var error = await Assert.ThrowsAsync<NmsgFormatException>(async () =>
        {
            while (await reader.ReadMessagesAsync(slice, 5))
            {
                got.AddRange(slice);
                slice.Clear();
            }
        });
        Assert.Equal(NmsgErrorReason.ProtobufInvalid, error.Reason);
        Assert.Equal(Enumerable.Range(0, 10), got.Select(NumberOf));
        Assert.Empty(slice);
        Assert.Equal(1, reader.Statistics.ContainersReceived);
    }

    [Fact]
    public async Task Crc_mismatches_are_dropped_across_slices_and_counted_once()
    {
        byte[] stream = [.. Container(1000, i => i % 3 != 0), .. Container(50, i => i != 49)];
        using var reader = new NmsgStreamReader(new MemoryStream(stream));
        var got = new List<NmsgMessage>();
        var slice = new List<NmsgMessage>();
        while (await reader.ReadMessagesAsync(slice, 64))
        {
            Assert.InRange(slice.Count, 1, 64);
            got.AddRange(slice);
            slice.Clear();
        }
        int[] expected = [.. Enumerable.Range(0, 1000).Where(i => i % 3 != 0), .. Enumerable.Range(0, 49)];
        Assert.Equal(expected, got.Select(NumberOf));
        Assert.Equal(334 + 1, reader.Statistics.CrcFailures);
        Assert.Equal(expected.Length, reader.Statistics.Payloads);
        Assert.All(got, m => Assert.True(m.TryGetWireCrc(out _)));
    }
}
