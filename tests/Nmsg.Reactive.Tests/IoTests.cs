using System.Reactive.Linq;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using Nmsg.Containers;
using Nmsg.Transports;

namespace Nmsg.Reactive.Tests;

public sealed partial class IoTests : IDisposable
{
    private static readonly string Ipconn1000 = Support.Vector("multi/ipconn-1000.nmsg");
    private readonly string _dir = Directory.CreateTempSubdirectory("nmsg-io-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StripeAndMirrorDistributeAndCount(bool mirror)
    {
        var a = new List<int>();
        var b = new List<int>();
        NmsgIoStatistics stats = await new NmsgIo()
            .AddInput(NmsgSource.File(Ipconn1000))
            .AddOutput(NmsgSink.Callback(m => a.Add(Support.NumberOf(m))), NmsgSink.Callback(m => b.Add(Support.NumberOf(m))))
            .Mirror(mirror)
            .RunAsync();
        Assert.Equal(1000, stats.PayloadsIn);
        Assert.Equal(mirror ? 2000 : 1000, stats.PayloadsOut);
        Assert.Equal(1, stats.ContainersReceived);
        Assert.Empty(stats.Errors);
        Assert.Equal(mirror ? 1000 : 500, a.Count);
        Assert.Equal(mirror ? 1000 : 500, b.Count);
        if (!mirror)
            Assert.Empty(a.Intersect(b));
    }

    [Theory]
    [InlineData(NmsgFilterVerdict.Drop)]
    [InlineData(NmsgFilterVerdict.Accept)]
    public async Task TheFilterChainHonoursVerdictsAndTheDefaultPolicy(NmsgFilterVerdict policy)
    {
        NmsgMessage[] messages = [.. Enumerable.Range(0, 100).Select(i => Support.Numbered(i))];
        var kept = new List<int>();
        NmsgIoStatistics stats = await new NmsgIo()
            .AddInput(NmsgSource.From(messages))
            .AddOutput(NmsgSink.Callback(m => kept.Add(Support.NumberOf(m))))
            .Filter(m => Support.NumberOf(m) % 10 == 0 ? NmsgFilterVerdict.Accept : NmsgFilterVerdict.Decline)
            .Filter(m => Support.NumberOf(m) % 2 == 0 ? NmsgFilterVerdict.Drop : NmsgFilterVerdict.Decline)
            .Policy(policy)
            .RunAsync();
        IEnumerable<int> expected = Enumerable.Range(0, 100).Where(i => i % 10 == 0 || (policy == NmsgFilterVerdict.Accept && i % 2 == 1));
        Assert.Equal(expected, kept);
        Assert.Equal(100 - kept.Count, stats.Filtered);
    }

    [Fact]
    public async Task SystematicSamplingKeepsOneInK()
    {
        int n = 0;
        await new NmsgIo().AddInput(NmsgSource.File(Ipconn1000)).AddOutput(NmsgSink.Callback(_ => n++))
            .Filter(NmsgFilters.Sample(10)).RunAsync();
        Assert.Equal(100, n);
    }

    [Fact]
    public async Task ACountLimitStopsEachOutput()
    {
        var events = new List<NmsgCloseEvent>();
        int a = 0, b = 0;
        NmsgIoStatistics stats = await new NmsgIo()
            .AddInput(NmsgSource.File(Ipconn1000))
            .AddOutput(NmsgSink.Callback(_ => a++), NmsgSink.Callback(_ => b++))
            .Count(100)
            .OnClose(events.Add)
            .RunAsync();
        Assert.Equal((100, 100), (a, b));
        Assert.Equal(200, stats.PayloadsOut);
        Assert.Equal(2, events.Count(e => !e.IsInput && e.Reason == NmsgCloseReason.Count));
    }

    [Fact]
    public async Task CountRotationWritesKickFilesWithTheReferenceNames()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 10, 59, 30, TimeSpan.Zero));
        var closedQueue = new System.Collections.Concurrent.ConcurrentQueue<string>();
        string basePath = Path.Combine(_dir, "out");
        var options = new NmsgKickFileOptions { TimeProvider = time, OnClosed = closedQueue.Enqueue };
        NmsgIoStatistics stats = await new NmsgIo()
            .AddInput(NmsgSource.File(Ipconn1000))
            .AddOutput(() =>
            {
                time.Advance(TimeSpan.FromMilliseconds(1.5)); // distinct names, as real time gives
                return NmsgSink.KickFile(basePath, options);
            })
            .Count(300)
            .RunAsync();
        Assert.Equal(1000, stats.PayloadsOut);
        string[] closed = [.. closedQueue.Order()];
        Assert.Equal(4, closed.Length); // 300 + 300 + 300, and the last 100 at the end of input
        Assert.Empty(Directory.GetFiles(_dir, "*.part"));
        Assert.Equal(closed, Directory.GetFiles(_dir).Order());
        Assert.All(closed, f => Assert.Matches(KickName(), Path.GetFileName(f)));
        Assert.Equal("out.20261122.1059.1795345170.001500000.nmsg", Path.GetFileName(closed[0]));
        int[] counts = [.. closed.Select(f => NmsgSource.File(f).ToEnumerable().Count())];
        Assert.Equal([300, 300, 300, 100], counts);
        byte[][] original = [.. NmsgSource.File(Ipconn1000).ToEnumerable().Select(m => m.Payload.ToArray())];
        byte[][] rotated = [.. closed.SelectMany(f => NmsgSource.File(f).ToEnumerable()).Select(m => m.Payload.ToArray())];
        Assert.Equal(original, rotated);
    }

    [Fact]
    public async Task KickFilesOpenedInTheSameClockTickGetDistinctNames()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 10, 59, 30, TimeSpan.Zero));
        var options = new NmsgKickFileOptions { TimeProvider = time, Format = NmsgFileFormat.Json };
        string basePath = Path.Combine(_dir, "same");
        NmsgSink a = NmsgSink.KickFile(basePath, options);
        NmsgSink b = NmsgSink.KickFile(basePath, options);
        Assert.NotEqual(a.Name, b.Name);
        await a.DisposeAsync();
        await b.DisposeAsync();
        await Task.WhenAll(a.Completion, b.Completion);
        Assert.Equal(["same.20261122.1059.1795345170.000000000.json", "same.20261122.1059.1795345170.000000001.json"],
            Directory.GetFiles(_dir).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task AWrappedInputStillCountsItsContainersInTheTotals()
    {
        NmsgInput source = NmsgSource.File(Support.Vector("multi/ipconn-1000.z.nmsg"));
        NmsgIoStatistics stats = await new NmsgIo()
            .AddInput(source.WhereType("base", "ipconn"), source.Statistics)
            .AddOutput(NmsgSink.Callback(_ => { }))
            .RunAsync();
        Assert.Equal((1000L, 1L), (stats.PayloadsOut, stats.ContainersReceived));
    }

    [GeneratedRegex(@"^out\.\d{8}\.\d{4}\.\d+\.\d{9}\.nmsg$")]
    private static partial Regex KickName();

    [Fact]
    public async Task IntervalRotationHappensOnTheEpochBoundaryInVirtualTime()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 10, 59, 30, TimeSpan.Zero));
        var feed = Channel.CreateUnbounded<NmsgMessage>();
        var closes = new List<NmsgCloseEvent>();
        var files = new List<List<int>>();
        NmsgSink Open()
        {
            var file = new List<int>();
            lock (files)
                files.Add(file);
            return NmsgSink.Callback(m => file.Add(Support.NumberOf(m)));
        }
        Task<NmsgIoStatistics> run = new NmsgIo()
            .AddInput(NmsgSource.From(ct => feed.Reader.ReadAllAsync(ct)))
            .AddOutput(Open)
            .Interval(TimeSpan.FromHours(1))
            .WithTimeProvider(time)
            .OnClose(e =>
            {
                lock (closes)
                    closes.Add(e);
            })
            .RunAsync();
        for (int i = 0; i < 3; i++)
            await feed.Writer.WriteAsync(Support.Numbered(i));
        await Support.Eventually(() => Volatile.Read(ref files) is { Count: 1 } f && f[0].Count == 3);
        time.Advance(TimeSpan.FromSeconds(29));
        lock (closes)
            Assert.Empty(closes);
        time.Advance(TimeSpan.FromSeconds(1)); // 11:00:00: the timer rotates without waiting for traffic
        await Support.Eventually(() =>
        {
            lock (closes)
                return closes.Count == 1;
        });
        for (int i = 3; i < 5; i++)
            await feed.Writer.WriteAsync(Support.Numbered(i));
        feed.Writer.Complete();
        NmsgIoStatistics stats = await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(5, stats.PayloadsOut);
        Assert.Equal([[0, 1, 2], [3, 4]], files);
        Assert.Equal(NmsgCloseReason.Interval, closes[0].Reason);
    }

    [Fact]
    public async Task AnOutputFailureStopsTheRunAndIsReported()
    {
        var broken = new FailingStream(failAfterBytes: 100);
        NmsgIoStatistics stats = await new NmsgIo()
            .AddInput(NmsgSource.File(Ipconn1000))
            .AddOutput(NmsgSink.Presentation(broken, new NmsgTextSinkOptions { Unbuffered = true }))
            .RunAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotEmpty(stats.Errors);
        Assert.IsType<IOException>(stats.Errors[0]);
        Assert.True(stats.PayloadsOut < 1000);
    }

    [Fact]
    public async Task CancellationStopsGracefullyAndFlushesEveryOutput()
    {
        await using NmsgUdpReceiver receiver = Support.Listen();
        string path = Path.Combine(_dir, "flushed.nmsg");
        using var cts = new CancellationTokenSource();
        Task<NmsgIoStatistics> run = new NmsgIo().AddInput(NmsgSource.Udp(receiver)).AddOutput(NmsgSink.File(path)).RunAsync(cts.Token);
        await using (NmsgSink sink = NmsgSink.Udp(Support.SpecOf(receiver)))
        {
            for (int i = 0; i < 50; i++)
                sink.OnNext(Support.Numbered(i));
        }
        await Support.Eventually(() => receiver.Statistics.Payloads == 50);
        await Task.Delay(50);
        cts.Cancel();
        NmsgIoStatistics stats = await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(50, stats.PayloadsOut);
        // The file output buffered all 50 in one container and wrote it on the way out.
        Assert.Equal(Enumerable.Range(0, 50), NmsgSource.File(path).ToEnumerable().Select(Support.NumberOf));
    }

    [Fact]
    public void TheRateLimiterPacesInVirtualTime()
    {
        var time = new FakeTimeProvider();
        var limiter = new NmsgRateLimiter(10, burst: 3, time);
        Assert.Equal(TimeSpan.Zero, limiter.Reserve());
        Assert.Equal(TimeSpan.FromMilliseconds(100), limiter.Reserve());
        Assert.Equal(TimeSpan.FromMilliseconds(200), limiter.Reserve());
        time.Advance(TimeSpan.FromSeconds(10));
        // After a pause, at most `burst` slots catch up at once, then the pace resumes.
        Assert.Equal(TimeSpan.Zero, limiter.Reserve());
        Assert.Equal(TimeSpan.Zero, limiter.Reserve());
        Assert.Equal(TimeSpan.Zero, limiter.Reserve());
        Assert.Equal(TimeSpan.FromMilliseconds(100), limiter.Reserve());
    }

    [Fact]
    public async Task TheUdpFlushIntervalSendsAPartialContainerInVirtualTime()
    {
        await using NmsgUdpReceiver receiver = Support.Listen();
        var time = new FakeTimeProvider();
        var options = NmsgUdpSenderOptions.Default with { FlushInterval = TimeSpan.FromSeconds(1), TimeProvider = time };
        using NmsgUdpSender sender = NmsgUdpSender.Connect(receiver.LocalEndPoints[0], options);
        sender.Write(Support.Numbered(1));
        time.Advance(TimeSpan.FromMilliseconds(900));
        Assert.Equal(0, sender.DatagramsSent);
        time.Advance(TimeSpan.FromMilliseconds(350));
        Assert.Equal(1, sender.DatagramsSent);
        await using NmsgMessageReader reader = NmsgSource.Udp(receiver).OpenReader();
        NmsgMessage? m = await reader.TryReadAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, Support.NumberOf(m!));
    }

    [Fact]
    public async Task TheAsyncCallbackSinkHandlesEveryMessageInOrderBeforeCompleting()
    {
        var handled = new List<int>();
        NmsgSink sink = NmsgSink.Callback(async (m, ct) =>
        {
            await Task.Yield();
            handled.Add(Support.NumberOf(m));
        }, capacity: 4);
        for (int i = 0; i < 100; i++)
            sink.OnNext(Support.Numbered(i));
        sink.OnCompleted();
        await sink.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(Enumerable.Range(0, 100), handled);

        NmsgSink failing = NmsgSink.Callback((m, ct) => Support.NumberOf(m) == 3 ? throw new InvalidDataException("boom") : ValueTask.CompletedTask);
        for (int i = 0; i < 10; i++)
            failing.OnNext(Support.Numbered(i));
        await failing.DisposeAsync();
        IOException e = await Assert.ThrowsAsync<IOException>(() => failing.Completion);
        Assert.IsType<InvalidDataException>(e.InnerException!.InnerException);
    }

    [Fact]
    public async Task ASinkFaultsOnAnIoErrorAndCountsWhatItRejects()
    {
        var broken = new FailingStream(failAfterBytes: 0);
        NmsgSink sink = NmsgSink.Stream(broken, new NmsgWriterOptions { Encoder = new NmsgEncoderOptions { Buffered = false } });
        sink.OnNext(Support.Numbered(0));
        sink.OnNext(Support.Numbered(1));
        Assert.NotNull(sink.Fault);
        Assert.Equal(2, sink.Rejected);
        await Assert.ThrowsAsync<IOException>(() => sink.WriteAsync(Support.Numbered(2)).AsTask());
        await sink.DisposeAsync();
        await Assert.ThrowsAsync<IOException>(() => sink.Completion);
    }

    internal sealed class FailingStream(long failAfterBytes) : Stream
    {
        private long _written;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _written;
        public override long Position { get => _written; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_written + buffer.Length > failAfterBytes)
                throw new IOException("disk full");
            _written += buffer.Length;
        }
    }
}
