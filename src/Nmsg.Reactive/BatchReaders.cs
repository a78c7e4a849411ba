using System.Threading.Channels;
using Nmsg.Containers;
using Nmsg.Transports;

namespace Nmsg.Reactive;

/// <summary>
/// A file or stream input, optionally paced to a byte rate. A container's messages are handed out 1,024 at a time
/// (so only that many message objects are alive per batch), while the next container is read and parsed on another
/// core: parsing and checking a container is most of the reading work, and handing out its messages is cheap.
/// </summary>
internal sealed class StreamBatchReader(NmsgStreamReader reader, NmsgFileSourceOptions options) : INmsgBatchReader
{
    private PendingPayloads _current = new();
    private PendingPayloads _next = new();
    private ContainerLease? _lease; // the hold on the pooled body of the batch just read
    private Task<bool>? _parsing;
    private bool _ended;
    private long _startedAt;
    private long _startBytes = -1;

    public async ValueTask<int> ReadBatchAsync(List<NmsgMessage> output, TimeSpan timeout, CancellationToken cancellationToken)
    {
        while (_current.Remaining == 0)
        {
            if (_ended)
                return -1;
            // The container parsed ahead, or (first, or when pacing) the next one now; an error it hit is thrown
            // here, after every message before it.
            bool more = _parsing is { } parsing
                ? await parsing.ConfigureAwait(false)
                : await reader.ReadPendingAsync(_next, cancellationToken).ConfigureAwait(false);
            _parsing = null;
            if (!more)
            {
                _ended = true;
                return -1;
            }
            (_current, _next) = (_next, _current);
            if (options.ByteRate > 0)
                await PaceAsync(cancellationToken).ConfigureAwait(false); // paced: no reading ahead of the rate
            else
                StartParsing(cancellationToken);
        }
        return _current.Take(output, NmsgStreamReader.SliceSize, out _lease);
    }

    public void UseBufferPool(ContainerBufferPool pool) => reader.BufferPool = pool;

    public ContainerLease? TakeBatchLease()
    {
        ContainerLease? lease = _lease;
        _lease = null;
        return lease;
    }

    private void StartParsing(CancellationToken cancellationToken)
    {
        PendingPayloads next = _next;
        _parsing = Task.Run(() => reader.ReadPendingAsync(next, cancellationToken).AsTask(), CancellationToken.None);
    }

    // Sleep so that container bytes are consumed at the target rate (nmsgtool -B).
    private async ValueTask PaceAsync(CancellationToken cancellationToken)
    {
        TimeProvider time = options.TimeProvider;
        if (_startBytes < 0)
        {
            _startBytes = 0;
            _startedAt = time.GetTimestamp();
        }
        double due = (double)reader.Position / options.ByteRate;
        TimeSpan wait = TimeSpan.FromSeconds(due) - time.GetElapsedTime(_startedAt);
        if (wait > TimeSpan.Zero)
            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
    }

    // Messages are handed out from a container parsed ahead: the input's own read-ahead would add nothing.
    public bool ReadAhead => false;

    public async ValueTask DisposeAsync()
    {
        // Never dispose the reader under a parse in flight.
        if (_parsing is { } parsing)
            await parsing.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
        await reader.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>
/// An input-level filter (<see cref="NmsgInput.Where"/>): drops the messages the predicate rejects from each batch
/// in place. A batch whose every message was dropped counts as an empty read, not as the end.
/// </summary>
internal sealed class FilteringBatchReader(INmsgBatchReader inner, Func<NmsgMessage, bool> predicate) : INmsgBatchReader
{
    public async ValueTask<int> ReadBatchAsync(List<NmsgMessage> output, TimeSpan timeout, CancellationToken cancellationToken)
    {
        int before = output.Count;
        int n = await inner.ReadBatchAsync(output, timeout, cancellationToken).ConfigureAwait(false);
        if (n <= 0)
            return n;
        int write = before;
        for (int i = before; i < output.Count; i++)
        {
            NmsgMessage m = output[i];
            if (predicate(m))
                output[write++] = m;
        }
        output.RemoveRange(write, output.Count - write);
        return write - before;
    }

    public IReadOnlyList<Nmsg.Sequencing.SequenceSourceStatistics> SequenceSources => inner.SequenceSources;

    public bool ReadAhead => inner.ReadAhead;

    public void UseBufferPool(ContainerBufferPool pool) => inner.UseBufferPool(pool);

    public ContainerLease? TakeBatchLease() => inner.TakeBatchLease();

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}

/// <summary>A UDP input: batches of decoded containers, with the read timeout for housekeeping.</summary>
internal sealed class UdpBatchReader(NmsgUdpReceiver receiver, bool ownsReceiver = true) : INmsgBatchReader
{
    public ValueTask<int> ReadBatchAsync(List<NmsgMessage> output, TimeSpan timeout, CancellationToken cancellationToken)
        => receiver.ReadBatchAsync(output, timeout, cancellationToken);

    public IReadOnlyList<Nmsg.Sequencing.SequenceSourceStatistics> SequenceSources => receiver.SequenceSources;

    public ValueTask DisposeAsync() => ownsReceiver ? receiver.DisposeAsync() : default;
}

/// <summary>An async sequence of messages (JSON, presentation, user data); timeouts do not apply.</summary>
internal sealed class EnumerableBatchReader : INmsgBatchReader
{
    private readonly IAsyncEnumerator<NmsgMessage> _enumerator;
    private readonly CancellationTokenSource _cancel = new();
    private readonly NmsgInputStatistics _stats;
    private readonly IDisposable? _owned;
    private Task<bool>? _pending;

    /// <summary>
    /// Whether the next batch is read while the previous one is delivered: true for the text parsers, which make new
    /// messages; false for a caller's sequence, which may reuse one message object.
    /// </summary>
    public bool ReadAhead { get; init; } = true;

    public EnumerableBatchReader(Func<CancellationToken, IAsyncEnumerable<NmsgMessage>> source, NmsgInputStatistics stats, IDisposable? owned)
    {
        _enumerator = source(_cancel.Token).GetAsyncEnumerator(_cancel.Token);
        _stats = stats;
        _owned = owned;
    }

    public async ValueTask<int> ReadBatchAsync(List<NmsgMessage> output, TimeSpan timeout, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using CancellationTokenRegistration link = cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _cancel);
        int n = 0;
        // Up to 256 messages per batch, but a ready batch is never held back waiting for the next message: a
        // move that does not complete at once is kept for the next call.
        while (n < 256)
        {
            Task<bool> next;
            if (_pending is not null)
            {
                next = _pending;
                _pending = null;
            }
            else
            {
                ValueTask<bool> move = _enumerator.MoveNextAsync();
                if (move.IsCompletedSuccessfully)
                {
                    if (!move.Result)
                        return Done(n);
                    output.Add(_enumerator.Current);
                    n++;
                    continue;
                }
                next = move.AsTask();
            }
            if (!next.IsCompleted && n > 0)
            {
                _pending = next;
                break;
            }
            if (!await next.ConfigureAwait(false))
                return Done(n);
            output.Add(_enumerator.Current);
            n++;
        }
        _stats.CountPayloads(n);
        return n;
    }

    private int Done(int n)
    {
        _stats.CountPayloads(n);
        return n > 0 ? n : -1;
    }

    public async ValueTask DisposeAsync()
    {
        await _cancel.CancelAsync().ConfigureAwait(false);
        try
        {
            if (_pending is not null)
                await _pending.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
            await _enumerator.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _owned?.Dispose();
            _cancel.Dispose();
        }
    }
}

/// <summary>Fan-in: one pump per input into a bounded queue; the consumer's pace holds every pump back.</summary>
internal sealed class MergeBatchReader : INmsgBatchReader
{
    private readonly Channel<NmsgMessage[]> _queue = Channel.CreateBounded<NmsgMessage[]>(new BoundedChannelOptions(16)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pumps;
    private readonly NmsgInputStatistics _stats;

    public MergeBatchReader(NmsgInput[] inputs, NmsgInputStatistics stats)
    {
        _stats = stats;
        var pumps = new Task[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            NmsgInput input = inputs[i];
            pumps[i] = Task.Run(() => PumpAsync(input));
        }
        _pumps = Task.WhenAll(pumps).ContinueWith(t => _queue.Writer.TryComplete(t.Exception?.InnerException),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task PumpAsync(NmsgInput input)
    {
        NmsgMessageReader reader = input.OpenReader();
        await using (reader.ConfigureAwait(false))
        {
            var chunk = new List<NmsgMessage>(256);
            while (!_stop.IsCancellationRequested)
            {
                NmsgMessage? m = await reader.TryReadAsync(input.ReadTimeout, _stop.Token).ConfigureAwait(false);
                if (m is not null)
                    chunk.Add(m);
                if ((m is null || chunk.Count == 256) && chunk.Count > 0)
                {
                    await _queue.Writer.WriteAsync([.. chunk], _stop.Token).ConfigureAwait(false);
                    chunk.Clear();
                }
                if (m is null && reader.IsCompleted)
                    break;
            }
        }
    }

    public async ValueTask<int> ReadBatchAsync(List<NmsgMessage> output, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ChannelReader<NmsgMessage[]> reader = _queue.Reader;
        if (!reader.TryRead(out NmsgMessage[]? chunk))
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(timeout == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan : timeout);
            try
            {
                if (!await reader.WaitToReadAsync(cts.Token).ConfigureAwait(false))
                {
                    await reader.Completion.ConfigureAwait(false); // rethrows an input's fatal error
                    return -1;
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return 0;
            }
            if (!reader.TryRead(out chunk))
                return 0;
        }
        output.AddRange(chunk);
        _stats.CountPayloads(chunk.Length);
        return chunk.Length;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _pumps.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Cancellation of the pumps, or an error already delivered.
        }
        _stop.Dispose();
    }
}
