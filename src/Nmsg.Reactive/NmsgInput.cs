using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Runtime.CompilerServices;
using Nmsg.Containers;
using Nmsg.Sequencing;

namespace Nmsg.Reactive;

/// <summary>
/// Opens one read of an input: fills batches of messages. A reader that cannot wait for data (a socket) honours the
/// timeout; others may ignore it.
/// </summary>
public interface INmsgBatchReader : IAsyncDisposable
{
    /// <summary>
    /// Appends the next messages to <paramref name="output"/>. Returns how many (0 when the timeout passed first),
    /// or -1 at the end of the input. Throws the input's fatal error after every good message before it.
    /// </summary>
    ValueTask<int> ReadBatchAsync(List<NmsgMessage> output, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Per-sender sequence statistics of this read, for inputs that track sequence numbers.</summary>
    IReadOnlyList<SequenceSourceStatistics> SequenceSources => [];

    /// <summary>
    /// True when the observable path should read the next batch on another thread while the previous one is
    /// delivered: the reader decodes or parses on the thread that calls it (files, text), and its messages are new
    /// objects that nothing changes after they are returned. Socket readers already read in the background.
    /// </summary>
    bool ReadAhead => false;

    /// <summary>
    /// Lets the reader take the bodies of plain containers from <paramref name="pool"/>; its batches then come with a
    /// hold on their body (<see cref="TakeBatchLease"/>). Readers that cannot do this ignore it.
    /// </summary>
    internal void UseBufferPool(ContainerBufferPool pool)
    {
    }

    /// <summary>The hold on the pooled body the last batch's messages point into, for the caller to release; or null.</summary>
    internal ContainerLease? TakeBatchLease() => null;
}

/// <summary>
/// An NMSG input: a cold <see cref="IObservable{T}"/> of messages (each subscription opens the file or binds the
/// socket, and disposing it closes them) that also reads as an <see cref="IAsyncEnumerable{T}"/> with real
/// backpressure through <see cref="ReadAllAsync"/>. It implements only <see cref="IObservable{T}"/>, so LINQ's
/// <c>Where</c> is never ambiguous between System.Linq and System.Reactive.Linq.
/// </summary>
public sealed class NmsgInput : IObservable<NmsgMessage>
{
    private readonly Func<NmsgInputStatistics, INmsgBatchReader> _open;
    private readonly IObservable<NmsgMessage> _observable;
    private readonly List<INmsgBatchReader> _readers = [];

    /// <summary>Creates an input from a reader factory (each subscription or enumeration opens one reader).</summary>
    /// <param name="name">A name for logs, metrics and errors (a path, a socket spec…).</param>
    /// <param name="open">Opens a reader that counts into the statistics it is given.</param>
    public NmsgInput(string name, Func<NmsgInputStatistics, INmsgBatchReader> open)
        : this(name, open, new NmsgInputStatistics(), register: true)
    {
    }

    private NmsgInput(string name, Func<NmsgInputStatistics, INmsgBatchReader> open, NmsgInputStatistics statistics, bool register)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(open);
        Name = name;
        _open = open;
        Statistics = statistics;
        _observable = Observable.Create<NmsgMessage>(RunAsync);
        if (register)
            NmsgMetrics.Register(this);
    }

    /// <summary>
    /// This input with only the messages <paramref name="predicate"/> keeps: libnmsg's per-input filters
    /// (<c>nmsg_input_set_filter_msgtype</c>, <c>_source</c>, <c>_operator</c>, <c>_group</c>) and any other test.
    /// Unlike an Rx <c>Where</c>, the result is still an <see cref="NmsgInput"/>: it filters each batch as it is
    /// read, shares this input's <see cref="Statistics"/> (which count messages before the filter), and
    /// <see cref="NmsgIo"/> reads it without a per-message observer chain.
    /// </summary>
    public NmsgInput Where(Func<NmsgMessage, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        Func<NmsgInputStatistics, INmsgBatchReader> open = _open;
        return new NmsgInput(Name, stats => new FilteringBatchReader(open(stats), predicate), Statistics, register: false)
        {
            ReadTimeout = ReadTimeout,
        };
    }

    /// <summary>The input's name (a path, a socket spec…).</summary>
    public string Name { get; }

    /// <summary>The counters of this input, summed over every subscription and enumeration.</summary>
    public NmsgInputStatistics Statistics { get; }

    /// <summary>How long a socket read waits before housekeeping; the observable path uses it too.</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Per-sender sequence statistics (containers, losses, next expected number per sequence id and sender) of the
    /// reads open now; empty for inputs that do not track sequence numbers (files, text).
    /// </summary>
    public IReadOnlyList<SequenceSourceStatistics> SequenceSources
    {
        get
        {
            lock (_readers)
            {
                if (_readers.Count == 1)
                    return _readers[0].SequenceSources;
                var all = new List<SequenceSourceStatistics>();
                foreach (INmsgBatchReader r in _readers)
                    all.AddRange(r.SequenceSources);
                return all;
            }
        }
    }

    /// <inheritdoc />
    public IDisposable Subscribe(IObserver<NmsgMessage> observer) => _observable.Subscribe(observer);

    private INmsgBatchReader Open()
    {
        INmsgBatchReader reader = _open(Statistics);
        lock (_readers)
            _readers.Add(reader);
        return reader;
    }

    private void Closed(INmsgBatchReader reader)
    {
        lock (_readers)
            _readers.Remove(reader);
    }

    private async Task RunAsync(IObserver<NmsgMessage> observer, CancellationToken cancellationToken)
    {
        await PumpAsync(batch =>
        {
            for (int i = 0; i < batch.Count && !cancellationToken.IsCancellationRequested; i++)
                observer.OnNext(batch[i]);
        }, cancellationToken).ConfigureAwait(false);
        observer.OnCompleted();
    }

    /// <summary>
    /// Opens one read and hands each batch to <paramref name="deliver"/> (on one thread at a time, in order) until
    /// the input ends or <paramref name="cancellationToken"/> is cancelled. Inputs that can read ahead decode the
    /// next batch on another core meanwhile. A fatal input error is thrown after every batch before it.
    /// </summary>
    internal Task PumpAsync(Action<List<NmsgMessage>> deliver, CancellationToken cancellationToken)
        => PumpAsync((batch, _) => deliver(batch), null, cancellationToken);

    /// <summary>
    /// <see cref="PumpAsync(Action{List{NmsgMessage}}, CancellationToken)"/> with container bodies from
    /// <paramref name="pool"/> where the input can: each batch comes with a hold on the body its messages point into
    /// (or null), which is released when <paramref name="deliver"/> returns. So <paramref name="deliver"/> must let go
    /// of every message by then, or take a hold of its own (<see cref="ContainerLease.Hold"/>) until it does.
    /// </summary>
    internal async Task PumpAsync(Action<List<NmsgMessage>, ContainerLease?> deliver, ContainerBufferPool? pool, CancellationToken cancellationToken)
    {
        var batch = new List<NmsgMessage>(1024);
        var next = new List<NmsgMessage>(1024);
        INmsgBatchReader reader = Open();
        if (pool is not null && !reader.ReadAhead)
            reader.UseBufferPool(pool); // a reader that reads ahead would hand out holds out of turn
        Task<int>? ahead = null;
        try
        {
            await using (reader.ConfigureAwait(false))
            {
                try
                {
                    while (!cancellationToken.IsCancellationRequested)
                    {
                        int n;
                        if (ahead is null)
                        {
                            batch.Clear();
                            n = await reader.ReadBatchAsync(batch, ReadTimeout, cancellationToken).ConfigureAwait(false);
                        }
                        else
                        {
                            // The batch read while the previous one was delivered; an error it hit is thrown here,
                            // after every message before it.
                            n = await ahead.ConfigureAwait(false);
                            ahead = null;
                            (batch, next) = (next, batch);
                        }
                        if (n < 0)
                            break;
                        if (reader.ReadAhead)
                        {
                            // Decode (or parse) the next batch on another core while this one is delivered.
                            List<NmsgMessage> target = next;
                            target.Clear();
                            ahead = Task.Run(() => reader.ReadBatchAsync(target, ReadTimeout, cancellationToken).AsTask(), CancellationToken.None);
                        }
                        ContainerLease? lease = ahead is null ? reader.TakeBatchLease() : null;
                        try
                        {
                            if (batch.Count > 0)
                                deliver(batch, lease);
                        }
                        finally
                        {
                            lease?.Release();
                        }
                    }
                }
                finally
                {
                    // Never dispose the reader under a read in flight (an observer threw, or the run was cancelled).
                    if (ahead is not null)
                        await ahead.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            Closed(reader);
        }
    }

    /// <summary>
    /// Reads the input as an async sequence: the next batch is read only when the consumer asks for it.
    /// Cancellation ends the sequence quietly at the next message; a fatal input error is thrown after every good message before it.
    /// </summary>
    public IAsyncEnumerable<NmsgMessage> ReadAllAsync(CancellationToken cancellationToken = default)
        => ReadAllCoreAsync(cancellationToken);

    private async IAsyncEnumerable<NmsgMessage> ReadAllCoreAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var batch = new List<NmsgMessage>(1024);
        INmsgBatchReader reader = Open();
        using var untrack = new Untrack(this, reader);
        await using (reader.ConfigureAwait(false))
        {
            while (true)
            {
                batch.Clear();
                int n;
                try
                {
                    n = await reader.ReadBatchAsync(batch, ReadTimeout, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    yield break;
                }
                if (n < 0)
                    yield break;
                for (int i = 0; i < batch.Count; i++)
                {
                    if (cancellationToken.IsCancellationRequested)
                        yield break;
                    yield return batch[i];
                }
            }
        }
    }

    /// <summary>
    /// Opens a pull reader with timeouts, for the non-blocking style of pynmsg's <c>nmsg_nonblocking.py</c>:
    /// <c>await reader.TryReadAsync(TimeSpan.FromSeconds(1))</c> returns null when nothing arrived in time.
    /// </summary>
    public NmsgMessageReader OpenReader()
    {
        INmsgBatchReader reader = Open();
        return new NmsgMessageReader(reader, () => Closed(reader));
    }

    private sealed class Untrack(NmsgInput input, INmsgBatchReader reader) : IDisposable
    {
        public void Dispose() => input.Closed(reader);
    }

    /// <summary>Snapshots of <see cref="Statistics"/> every <paramref name="period"/> (on <paramref name="scheduler"/>, default the Rx default scheduler).</summary>
    public IObservable<NmsgStatisticsSnapshot> StatisticsSnapshots(TimeSpan period, IScheduler? scheduler = null)
        => Observable.Interval(period, scheduler ?? DefaultScheduler.Instance).Select(_ => Statistics.Snapshot());

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>A pull reader over one opened input, with per-read timeouts. Dispose to close the input.</summary>
public sealed class NmsgMessageReader : IAsyncDisposable
{
    private readonly INmsgBatchReader _reader;
    private readonly Action _closed;
    private readonly List<NmsgMessage> _batch = new(1024);
    private int _next;
    private bool _ended;

    internal NmsgMessageReader(INmsgBatchReader reader, Action closed)
    {
        _reader = reader;
        _closed = closed;
    }

    /// <summary>
    /// The next message, or null when <paramref name="timeout"/> passed first or the input ended (see
    /// <see cref="IsCompleted"/>). <see cref="Timeout.InfiniteTimeSpan"/> waits as long as it takes.
    /// </summary>
    public async ValueTask<NmsgMessage?> TryReadAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (_next < _batch.Count)
            return _batch[_next++];
        if (_ended)
            return null;
        long start = Environment.TickCount64;
        while (true)
        {
            _batch.Clear();
            _next = 0;
            TimeSpan left = timeout == Timeout.InfiniteTimeSpan ? TimeSpan.FromMilliseconds(500)
                : timeout - TimeSpan.FromMilliseconds(Environment.TickCount64 - start);
            if (left < TimeSpan.Zero)
                left = TimeSpan.Zero;
            int n = await _reader.ReadBatchAsync(_batch, left, cancellationToken).ConfigureAwait(false);
            if (n < 0)
            {
                _ended = true;
                return null;
            }
            if (_batch.Count > 0)
                return _batch[_next++];
            if (timeout != Timeout.InfiniteTimeSpan && left == TimeSpan.Zero)
                return null;
            if (timeout != Timeout.InfiniteTimeSpan && Environment.TickCount64 - start >= timeout.TotalMilliseconds)
                return null;
        }
    }

    /// <summary>The next message, waiting as long as it takes; null at the end of the input.</summary>
    public ValueTask<NmsgMessage?> ReadAsync(CancellationToken cancellationToken = default)
        => TryReadAsync(Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>Whether the input has ended.</summary>
    public bool IsCompleted => _ended && _next >= _batch.Count;

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _closed();
        return _reader.DisposeAsync();
    }
}
