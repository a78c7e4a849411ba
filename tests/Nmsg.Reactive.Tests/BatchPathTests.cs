using System.Reactive.Linq;
using Microsoft.Extensions.Time.Testing;
using Nmsg.Containers;
using Nmsg.Transports;

namespace Nmsg.Reactive.Tests;

/// <summary>
/// NmsgIo reads an <see cref="NmsgInput"/> batch by batch; any other observable message by message. The two paths
/// must distribute, filter, limit and count alike.
/// </summary>
public sealed class BatchPathTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nmsg-batch-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // 5,000 numbered messages in containers of about 4 KiB (well over a hundred batches).
    private async Task<string> ManyContainersAsync()
    {
        string path = Path.Combine(_dir, "many.nmsg");
        var options = new NmsgWriterOptions { Encoder = new NmsgEncoderOptions { BufferSize = 4096 } };
        await using (NmsgSink sink = NmsgSink.File(path, options))
        {
            for (int i = 0; i < 5000; i++)
                sink.OnNext(Support.Numbered(i));
        }
        return path;
    }

    // Where each container of an NMSG file ends (v2 headers: 10 bytes, the length at byte 6).
    private static List<int> ContainerEnds(byte[] bytes)
    {
        var ends = new List<int>();
        for (int at = 0; at < bytes.Length;)
        {
            at += 10 + (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(at + 6));
            ends.Add(at);
        }
        return ends;
    }

    public static TheoryData<int, bool, long, bool, bool> Shapes => new()
    {
        { 1, false, 0, false, false },
        { 1, false, 1234, false, false },
        { 2, false, 0, false, false },
        { 3, false, 700, true, false },
        { 2, true, 0, true, true },
        { 2, true, 2500, false, true },
        { 1, false, 0, true, true },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task TheBatchPathWritesWhatTheObservedPathWrites(int outputs, bool mirror, long count, bool filter, bool dropByDefault)
    {
        string path = await ManyContainersAsync();

        async Task<(List<int>[] Outputs, NmsgIoStatistics Stats)> RunAsync(bool batch)
        {
            NmsgInput input = NmsgSource.File(path);
            var lists = new List<int>[outputs];
            var sinks = new NmsgSink[outputs];
            for (int i = 0; i < outputs; i++)
            {
                List<int> list = lists[i] = [];
                sinks[i] = NmsgSink.Callback(m => list.Add(Support.NumberOf(m)));
            }
            NmsgIo io = new NmsgIo()
                .AddInput(batch ? input : input.Select(m => m), input.Statistics)
                .AddOutput(sinks)
                .Mirror(mirror);
            if (count > 0)
                io.Count(count);
            if (filter)
            {
                io.Filter(m => Support.NumberOf(m) % 7 == 0 ? NmsgFilterVerdict.Drop : NmsgFilterVerdict.Decline);
                io.Filter(m => Support.NumberOf(m) % 3 == 0 ? NmsgFilterVerdict.Accept : NmsgFilterVerdict.Decline);
            }
            if (dropByDefault)
                io.Policy(NmsgFilterVerdict.Drop);
            NmsgIoStatistics stats = await io.RunAsync().WaitAsync(TimeSpan.FromSeconds(30));
            return (lists, stats);
        }

        (List<int>[] observed, NmsgIoStatistics o) = await RunAsync(batch: false);
        (List<int>[] batched, NmsgIoStatistics b) = await RunAsync(batch: true);

        // An independent expectation for the simple shapes, so both paths cannot be wrong together.
        if (outputs == 1 && !filter && !dropByDefault)
            Assert.Equal(Enumerable.Range(0, count > 0 ? (int)count : 5000), batched[0]);
        for (int i = 0; i < outputs; i++)
            Assert.Equal(observed[i], batched[i]);
        Assert.Equal(o.PayloadsOut, b.PayloadsOut);
        Assert.Empty(b.Errors);
        // Once every output reached its limit the run stops; how much was read and filtered by then is a race.
        if (count == 0)
        {
            Assert.Equal((5000L, 5000L), (o.PayloadsIn, b.PayloadsIn));
            Assert.Equal(o.Filtered, b.Filtered);
        }
    }

    [Fact]
    public async Task AnInputErrorIsReportedNamingTheInputAfterEveryGoodMessage()
    {
        string good = await ManyContainersAsync();
        byte[] bytes = await File.ReadAllBytesAsync(good);
        // The first two containers, then one with a broken magic number.
        int cut = ContainerEnds(bytes)[1];
        byte[] broken = (byte[])bytes.Clone();
        broken[cut] = (byte)'X';
        string path = Path.Combine(_dir, "broken.nmsg");
        await File.WriteAllBytesAsync(path, broken);

        // What the two good containers hold, read on their own.
        string head = Path.Combine(_dir, "head.nmsg");
        await File.WriteAllBytesAsync(head, bytes.AsSpan(0, cut).ToArray());
        int expected = 0;
        await foreach (NmsgMessage _ in NmsgSource.File(head).ReadAllAsync())
            expected++;

        var seen = new List<int>();
        NmsgIoStatistics stats = await new NmsgIo()
            .AddInput(NmsgSource.File(path))
            .AddOutput(NmsgSink.Callback(m => seen.Add(Support.NumberOf(m))))
            .RunAsync().WaitAsync(TimeSpan.FromSeconds(30));

        IOException error = Assert.IsType<IOException>(Assert.Single(stats.Errors));
        Assert.StartsWith($"input {path}: ", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<NmsgException>(error.InnerException);
        // Every message of the two good containers, in order, and nothing after.
        Assert.InRange(expected, 2, 4999);
        Assert.Equal(Enumerable.Range(0, expected), seen);
        Assert.Equal(seen.Count, stats.PayloadsOut);
    }

    [Fact]
    public async Task WhereFiltersEachBatchAndSharesTheInputsStatistics()
    {
        string path = await ManyContainersAsync();
        NmsgInput input = NmsgSource.File(path);
        NmsgInput thirds = input.Where(m => Support.NumberOf(m) % 3 == 0);
        var expected = Enumerable.Range(0, 5000).Where(i => i % 3 == 0).ToList();

        var pulled = new List<int>();
        await foreach (NmsgMessage m in thirds.ReadAllAsync())
            pulled.Add(Support.NumberOf(m));
        Assert.Equal(expected, pulled);

        List<int> observed = [.. (await thirds.ToList()).Select(Support.NumberOf)];
        Assert.Equal(expected, observed);

        var written = new List<int>();
        NmsgIoStatistics stats = await new NmsgIo()
            .AddInput(thirds)
            .AddOutput(NmsgSink.Callback(m => written.Add(Support.NumberOf(m))))
            .RunAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(expected, written);
        Assert.Equal(expected.Count, stats.PayloadsIn); // as nmsgtool: input filters act before payloads are counted in

        // Three reads, every message decoded each time, all counted by the one input.
        Assert.Same(input.Statistics, thirds.Statistics);
        Assert.Equal(3 * 5000, input.Statistics.Payloads);
        Assert.Equal(stats.ContainersReceived, input.Statistics.ContainersReceived);
    }

    [Fact]
    public async Task ByteRatePacingHoldsEachContainerUntilItsBytesAreDue()
    {
        // nmsgtool -B: a container's messages come once the bytes through its end are due at the rate, and a paced
        // input does not read ahead of the rate.
        string path = await ManyContainersAsync();
        byte[] bytes = await File.ReadAllBytesAsync(path);
        List<int> ends = ContainerEnds(bytes);
        var counts = new List<int>(); // messages in each container, read unpaced
        string one = Path.Combine(_dir, "one.nmsg");
        for (int i = 0, start = 0; i < 3; start = ends[i], i++)
        {
            await File.WriteAllBytesAsync(one, bytes.AsSpan(start, ends[i] - start).ToArray());
            counts.Add((await NmsgSource.File(one).ToList()).Count);
        }

        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 6, 0, 0, TimeSpan.Zero));
        const long rate = 1000; // bytes per second
        NmsgInput paced = NmsgSource.File(path, new NmsgFileSourceOptions { ByteRate = rate, TimeProvider = time });
        int seen = 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Task reading = Task.Run(async () =>
        {
            await foreach (NmsgMessage _ in paced.ReadAllAsync(cts.Token))
                Interlocked.Increment(ref seen);
        });

        await Task.Delay(200);
        Assert.Equal(0, Volatile.Read(ref seen)); // the first container's bytes are not due yet
        int expected = 0;
        for (int i = 0; i < 3; i++)
        {
            // Just short of the container's due time: nothing more; at it: the whole container.
            TimeSpan due = TimeSpan.FromSeconds((double)ends[i] / rate);
            time.Advance(due - (time.GetUtcNow() - new DateTimeOffset(2026, 11, 23, 6, 0, 0, TimeSpan.Zero)) - TimeSpan.FromMilliseconds(5));
            await Task.Delay(100);
            Assert.Equal(expected, Volatile.Read(ref seen));
            time.Advance(TimeSpan.FromMilliseconds(5));
            expected += counts[i];
            await Support.Eventually(() => Volatile.Read(ref seen) == expected);
        }
        cts.Cancel();
        await reading.ContinueWith(_ => { }, TaskScheduler.Default);
    }
}
