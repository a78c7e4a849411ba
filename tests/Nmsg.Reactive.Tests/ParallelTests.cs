using Nmsg.Sequencing;
using Nmsg.Text;

namespace Nmsg.Reactive.Tests;

/// <summary>Parallel text formatting and read-ahead: the same bytes and the same order as one thread.</summary>
public class ParallelTests
{
    private static readonly NmsgTextSinkOptions Parallel4 = new() { Parallelism = 4 };

    /// <summary>Every message of every plain vector, repeated to span several batches and end in a partial one.</summary>
    private static async Task<List<NmsgMessage>> Mixed(int total)
    {
        var distinct = new List<NmsgMessage>();
        foreach (string path in Directory.GetFiles(Support.Vector("plain"), "*.nmsg").Order(StringComparer.Ordinal))
        {
            await foreach (NmsgMessage m in NmsgSource.File(path).ReadAllAsync())
                distinct.Add(m);
        }
        var all = new List<NmsgMessage>(total);
        for (int i = 0; i < total; i++)
            all.Add(distinct[i % distinct.Count]);
        return all;
    }

    private static byte[] Format(IEnumerable<NmsgMessage> messages, bool json)
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        foreach (NmsgMessage m in messages)
        {
            if (json)
                NmsgJson.Format(m, output, NmsgTextOptions.Default);
            else
                NmsgPresentation.Format(m, output, NmsgTextOptions.Default);
        }
        return output.WrittenSpan.ToArray();
    }

    [Theory]
    [InlineData(false, 4)]
    [InlineData(true, 4)]
    [InlineData(true, 2)]
    public async Task ParallelFormattingWritesTheSameBytesInTheSameOrder(bool json, int threads)
    {
        // Batches end at about 224 KB of text: this is dozens of them, more than the threads may have in flight, so
        // the submitting side waits and resumes, and the batch size follows the text per message as it changes.
        List<NmsgMessage> messages = await Mixed(50_000);
        var options = new NmsgTextSinkOptions { Parallelism = threads };
        var stream = new MemoryStream();
        NmsgSink sink = json ? NmsgSink.Json(stream, options, leaveOpen: true) : NmsgSink.Presentation(stream, options, leaveOpen: true);
        await Task.Run(async () =>
        {
            foreach (NmsgMessage m in messages)
                sink.OnNext(m);
            await sink.CloseAsync();
        }).WaitAsync(TimeSpan.FromSeconds(60)); // a lost wake-up would hang the submitting side
        Assert.True(stream.Length > 4 * 8 * 224 * 1024, $"fewer batches than four times what 4 threads may have in flight: {stream.Length}");
        Assert.Equal(Format(messages, json), stream.ToArray());
        Assert.Equal(messages.Count, sink.Written);
    }

    [Fact]
    public async Task BatchesThatFinishOutOfOrderAreWrittenInOrder()
    {
        // Each heavy batch (the largest message of the plain vectors, 512 times) is followed by light ones that the
        // other threads finish first; a slow stream makes formatted batches queue up behind the writer.
        List<NmsgMessage> distinct = await Mixed(100);
        NmsgMessage heavy = distinct.MaxBy(m => Format([m], json: true).Length)!;
        NmsgMessage light = distinct.MinBy(m => Format([m], json: true).Length)!;
        var messages = new List<NmsgMessage>();
        for (int round = 0; round < 6; round++)
        {
            messages.AddRange(Enumerable.Repeat(heavy, 512));
            messages.AddRange(Enumerable.Repeat(light, 3 * 512 + round));
        }
        var stream = new SlowStream();
        NmsgSink sink = NmsgSink.Json(stream, Parallel4, leaveOpen: true);
        await Task.Run(async () =>
        {
            foreach (NmsgMessage m in messages)
                sink.OnNext(m);
            await sink.CloseAsync();
        }).WaitAsync(TimeSpan.FromSeconds(60)); // a lost turn would hang the writers
        Assert.Equal(Format(messages, json: true), stream.ToArray());
    }

    [Fact]
    public async Task FlushWritesEveryCollectedMessage()
    {
        List<NmsgMessage> messages = await Mixed(1_500);
        var stream = new MemoryStream();
        NmsgSink sink = NmsgSink.Presentation(stream, Parallel4, leaveOpen: true);
        for (int i = 0; i < 1_100; i++)
            sink.OnNext(messages[i]);
        sink.Flush();
        Assert.Equal(Format(messages.Take(1_100), json: false), stream.ToArray());
        for (int i = 1_100; i < messages.Count; i++)
            sink.OnNext(messages[i]);
        await sink.CloseAsync();
        Assert.Equal(Format(messages, json: false), stream.ToArray());
    }

    [Fact]
    public async Task AWriteErrorInTheBackgroundFaultsTheSinkAfterAPrefixOfTheText()
    {
        List<NmsgMessage> messages = await Mixed(5_000);
        var broken = new IoTests.FailingStream(failAfterBytes: 300_000);
        NmsgSink sink = NmsgSink.Json(broken, Parallel4, leaveOpen: true);
        foreach (NmsgMessage m in messages)
            sink.OnNext(m);
        Assert.Throws<IOException>(sink.Flush); // the error of a batch written in the background
        Assert.NotNull(sink.Fault);
        sink.OnNext(messages[0]);
        Assert.True(sink.Rejected > 0);
        await sink.CloseAsync();
        await Assert.ThrowsAsync<IOException>(() => sink.Completion);
        Assert.True(broken.Length is > 0 and <= 300_000);
    }

    [Fact]
    public async Task AnOutputFailureStopsAnIoRunWithParallelFormatting()
    {
        var broken = new IoTests.FailingStream(failAfterBytes: 100_000);
        NmsgIoStatistics stats = await new NmsgIo()
            .AddInput(NmsgSource.File(Support.Vector("multi/ipconn-1000.nmsg")))
            .AddInput(NmsgSource.File(Support.Vector("multi/ipconn-1000.nmsg")))
            .AddInput(NmsgSource.File(Support.Vector("multi/ipconn-1000.nmsg")))
            .AddOutput(NmsgSink.Presentation(broken, Parallel4))
            .RunAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.NotEmpty(stats.Errors);
        Assert.IsType<IOException>(stats.Errors[0]);
        Assert.True(broken.Length <= 100_000);
    }

    [Fact]
    public void ParallelismBelowOneIsRejected()
        => Assert.Throws<ArgumentOutOfRangeException>(() => new NmsgTextSinkOptions { Parallelism = 0 });

    /// <summary>
    /// A reader that checks the read-ahead contract: one read at a time, never disposed under a read, batches
    /// delivered in the order they were read.
    /// </summary>
    private sealed class CheckingReader(int batches, int perBatch) : INmsgBatchReader
    {
        private int _reading;
        private int _next;

        public int Violations;
        public int Reads;
        public bool Disposed;

        public bool ReadAhead => true;

        public IReadOnlyList<SequenceSourceStatistics> SequenceSources => [];

        public async ValueTask<int> ReadBatchAsync(List<NmsgMessage> output, TimeSpan timeout, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _reading) != 1 || Disposed)
                Interlocked.Increment(ref Violations);
            try
            {
                await Task.Delay(1, CancellationToken.None); // a slow read, to overlap with delivery
                Interlocked.Increment(ref Reads);
                if (_next >= batches * perBatch)
                    return -1;
                for (int i = 0; i < perBatch; i++)
                    output.Add(Support.Numbered(_next++));
                return perBatch;
            }
            finally
            {
                Interlocked.Decrement(ref _reading);
            }
        }

        public ValueTask DisposeAsync()
        {
            if (Volatile.Read(ref _reading) != 0)
                Interlocked.Increment(ref Violations);
            Disposed = true;
            return default;
        }
    }

    [Fact]
    public async Task ReadAheadKeepsOrderAndReadsOneBatchAtATime()
    {
        var reader = new CheckingReader(batches: 50, perBatch: 20);
        var input = new NmsgInput("checking", _ => reader);
        var got = new List<int>();
        var done = new TaskCompletionSource();
        using (input.Subscribe(m =>
        {
            Thread.SpinWait(200); // a slow observer, so reads and deliveries overlap
            got.Add(Support.NumberOf(m));
        }, e => done.SetException(e), done.SetResult))
        {
            await done.Task.WaitAsync(TimeSpan.FromSeconds(20));
        }
        Assert.Equal(Enumerable.Range(0, 1000), got);
        Assert.Equal(0, reader.Violations);
        Assert.True(reader.Disposed);
    }

    [Fact]
    public async Task UnsubscribingDuringAReadAheadDisposesTheReaderAfterTheRead()
    {
        var reader = new CheckingReader(batches: 10_000, perBatch: 10);
        var input = new NmsgInput("checking", _ => reader);
        var some = new TaskCompletionSource();
        int count = 0;
        IDisposable subscription = input.Subscribe(m =>
        {
            if (Interlocked.Increment(ref count) == 100)
                some.TrySetResult();
        });
        await some.Task.WaitAsync(TimeSpan.FromSeconds(20));
        subscription.Dispose();
        for (int i = 0; i < 200 && !reader.Disposed; i++)
            await Task.Delay(10);
        Assert.True(reader.Disposed);
        Assert.Equal(0, reader.Violations);
    }

    [Fact]
    public async Task AnObserverThatThrowsStopsTheReadWithoutDisposingUnderARead()
    {
        var reader = new CheckingReader(batches: 100, perBatch: 10);
        var input = new NmsgInput("checking", _ => reader);
        int count = 0;
        var failed = new TaskCompletionSource<Exception>();
        using IDisposable _ = input.Subscribe(
            m =>
            {
                if (++count == 25)
                    throw new InvalidOperationException("observer failed");
            },
            e => failed.TrySetResult(e));
        for (int i = 0; i < 200 && !reader.Disposed; i++)
            await Task.Delay(10);
        Assert.True(reader.Disposed);
        Assert.Equal(0, reader.Violations);
        Assert.Equal(25, count);
    }
}
