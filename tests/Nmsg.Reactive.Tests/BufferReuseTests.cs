using System.Runtime.InteropServices;
using Nmsg.Containers;
using Nmsg.Text;
using Nmsg.Transports;

namespace Nmsg.Reactive.Tests;

/// <summary>
/// <see cref="NmsgIo.ReuseBuffers"/>: container bodies are used again, and never while an output still needs the
/// messages that point into them.
/// </summary>
public class BufferReuseTests
{
    /// <summary>A file of many small containers (2 KB each: about 45 messages).</summary>
    private static async Task<byte[]> SmallContainers(int messages)
    {
        var stream = new MemoryStream();
        await using (var writer = new NmsgStreamWriter(stream, new NmsgWriterOptions { Encoder = new() { BufferSize = 2048 } }, leaveOpen: true))
        {
            for (int i = 0; i < messages; i++)
                writer.Write(Support.Numbered(i));
        }
        return stream.ToArray();
    }

    private static void AssertSamePayloads(List<NmsgMessage> expected, List<NmsgMessage> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
            Assert.True(expected[i].Payload.Span.SequenceEqual(actual[i].Payload.Span), $"message {i}");
    }

    /// <summary>The messages as read without any reuse, with their payloads copied.</summary>
    private static async Task<List<NmsgMessage>> Expected(byte[] file)
    {
        var all = new List<NmsgMessage>();
        await using var reader = new NmsgStreamReader(new MemoryStream(file));
        await foreach (NmsgMessage m in reader.ReadAllAsync())
            all.Add(new NmsgMessage(m.Vid, m.MsgType, m.Time, m.Payload.ToArray()));
        return all;
    }

    private static byte[] Json(IEnumerable<NmsgMessage> messages)
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        foreach (NmsgMessage m in messages)
            NmsgJson.Format(m, output, NmsgTextOptions.Default);
        return output.WrittenSpan.ToArray();
    }

    // The arrays the messages' payloads are slices of, counted by a filter that keeps no message.
    private static Func<NmsgMessage, NmsgFilterVerdict> CountBodies(HashSet<byte[]> bodies)
        => m =>
        {
            if (MemoryMarshal.TryGetArray(m.Payload, out ArraySegment<byte> segment))
            {
                lock (bodies)
                    bodies.Add(segment.Array!);
            }
            return NmsgFilterVerdict.Decline;
        };

    [Fact]
    public async Task AFileOutputUsesAFewBodiesForEveryContainer()
    {
        byte[] file = await SmallContainers(12_000);
        List<NmsgMessage> expected = await Expected(file);
        var binary = new MemoryStream();
        var bodies = new HashSet<byte[]>(ReferenceEqualityComparer.Instance);
        NmsgIoStatistics stats = await new NmsgIo()
            .ReuseBuffers()
            .AddInput(NmsgSource.Stream(() => new MemoryStream(file)))
            .Filter(CountBodies(bodies))
            .AddOutput(NmsgSink.Stream(binary, leaveOpen: true))
            .RunAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Empty(stats.Errors);
        Assert.True(stats.ContainersReceived > 250, $"{stats.ContainersReceived} containers");
        // Without reuse every container has a body of its own (see below); here the one being handed out, the one
        // parsed ahead, and a few that were free at the time.
        Assert.True(bodies.Count <= 8, $"{bodies.Count} bodies for {stats.ContainersReceived} containers");
        AssertSamePayloads(expected, await Expected(binary.ToArray()));
    }

    [Fact]
    public async Task ParallelTextHoldsTheBodiesOfTheMessagesItHasNotFormatted()
    {
        // Text batches (about 1,500 ipconn messages, 35 containers) wait for a slow stream while the reader goes on
        // and reuses the bodies the file output let go of: a body of a message not yet formatted must not be one.
        byte[] file = await SmallContainers(100_000);
        List<NmsgMessage> expected = await Expected(file);
        var binary = new MemoryStream();
        var text = new SlowStream(delayMs: 5);
        var bodies = new HashSet<byte[]>(ReferenceEqualityComparer.Instance);
        NmsgIoStatistics stats = await new NmsgIo()
            .ReuseBuffers()
            .AddInput(NmsgSource.Stream(() => new MemoryStream(file)))
            .Filter(CountBodies(bodies))
            .AddOutput(NmsgSink.Stream(binary, leaveOpen: true), NmsgSink.Json(text, new NmsgTextSinkOptions { Parallelism = 2 }, leaveOpen: true))
            .Mirror()
            .RunAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Empty(stats.Errors);
        // The pool keeps only a few free bodies, and a text batch lets go of 35 at once: some are reused, which is
        // what this test needs.
        Assert.True(bodies.Count < stats.ContainersReceived * 95 / 100, $"{bodies.Count} bodies for {stats.ContainersReceived} containers");
        Assert.Equal(Json(expected), text.ToArray());
        AssertSamePayloads(expected, await Expected(binary.ToArray()));
    }

    [Fact]
    public async Task MessagesKeptByACallbackAreNeverOverwritten()
    {
        byte[] file = await SmallContainers(12_000);
        List<NmsgMessage> expected = await Expected(file);
        var kept = new List<NmsgMessage>();
        var bodies = new HashSet<byte[]>(ReferenceEqualityComparer.Instance);
        NmsgIoStatistics stats = await new NmsgIo()
            .ReuseBuffers()
            .AddInput(NmsgSource.Stream(() => new MemoryStream(file)))
            .Filter(CountBodies(bodies))
            .AddOutput(NmsgSink.Callback(kept.Add), NmsgSink.Stream(new MemoryStream()))
            .Mirror()
            .RunAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Empty(stats.Errors);
        // The callback may keep anything: no body it saw is used again.
        Assert.Equal(stats.ContainersReceived, bodies.Count);
        AssertSamePayloads(expected, kept);
    }

    [Fact]
    public async Task WithoutReuseEveryContainerHasABodyOfItsOwn()
    {
        byte[] file = await SmallContainers(12_000);
        var bodies = new HashSet<byte[]>(ReferenceEqualityComparer.Instance);
        NmsgIoStatistics stats = await new NmsgIo()
            .AddInput(NmsgSource.Stream(() => new MemoryStream(file)))
            .Filter(CountBodies(bodies))
            .AddOutput(NmsgSink.Stream(new MemoryStream()))
            .RunAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(stats.ContainersReceived, bodies.Count);
    }
}
