using Nmsg.Containers;

namespace Nmsg.Reactive;

/// <summary>A filter's verdict on one message (libnmsg's filter chain).</summary>
public enum NmsgFilterVerdict
{
    /// <summary>No opinion: ask the next filter, or apply the default policy.</summary>
    Decline,

    /// <summary>Keep the message; later filters are not asked.</summary>
    Accept,

    /// <summary>Discard the message.</summary>
    Drop,
}

/// <summary>Why a stream was closed.</summary>
public enum NmsgCloseReason
{
    /// <summary>An input ended.</summary>
    EndOfInput,

    /// <summary>An output reached the count limit.</summary>
    Count,

    /// <summary>An output reached the end of its interval.</summary>
    Interval,

    /// <summary>The run stopped (cancellation, or every output reached its limit).</summary>
    Stop,
}

/// <summary>A close event: which stream, and why.</summary>
/// <param name="Reason">Why.</param>
/// <param name="IsInput">An input (true) or an output.</param>
/// <param name="Name">The stream's name.</param>
/// <param name="Sink">For outputs, the sink that was closed.</param>
public sealed record NmsgCloseEvent(NmsgCloseReason Reason, bool IsInput, string Name, NmsgSink? Sink);

/// <summary>Totals of a run (libnmsg's <c>nmsg_io_get_stats</c>, plus filtering and errors).</summary>
/// <param name="PayloadsIn">Messages read from every input.</param>
/// <param name="PayloadsOut">Messages written to outputs (a mirrored message counts once per output).</param>
/// <param name="Filtered">Messages dropped by the filter chain.</param>
/// <param name="ContainersReceived">Containers decoded by the inputs that count them.</param>
/// <param name="ContainersLost">Containers lost (sequence gaps) on those inputs.</param>
/// <param name="Errors">Input and output errors met (an output error stops the run).</param>
public sealed record NmsgIoStatistics(long PayloadsIn, long PayloadsOut, long Filtered, long ContainersReceived, long ContainersLost,
    IReadOnlyList<Exception> Errors);

/// <summary>Ready-made filters for <see cref="NmsgIo.Filter"/>.</summary>
public static class NmsgFilters
{
    /// <summary>
    /// Systematic sampling, like the reference's <c>sample</c> filter with <c>count=k</c>: one message in every
    /// <paramref name="count"/> goes on (declined, so later filters and the policy still apply), the rest are
    /// dropped. Thread-safe.
    /// </summary>
    public static Func<NmsgMessage, NmsgFilterVerdict> Sample(long count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        long seen = -1;
        return _ => Interlocked.Increment(ref seen) % count == 0 ? NmsgFilterVerdict.Decline : NmsgFilterVerdict.Drop;
    }

    /// <summary>Uniform random sampling (<c>sample</c> with <c>random=p</c>): each message goes on with probability <paramref name="probability"/>.</summary>
    public static Func<NmsgMessage, NmsgFilterVerdict> SampleRandom(double probability, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(probability, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(probability, 1.0);
        Random r = random ?? Random.Shared;
        var gate = new Lock();
        return _ =>
        {
            double x;
            lock (gate)
                x = r.NextDouble();
            return x < probability ? NmsgFilterVerdict.Decline : NmsgFilterVerdict.Drop;
        };
    }
}

/// <summary>
/// The nmsg_io engine: many inputs read concurrently, a filter chain with verdicts and a default policy, outputs
/// fed by stripe (round-robin per input, the default) or mirror, per-output count and epoch-aligned interval
/// limits that either stop the output or rotate it (close, callback, reopen), totals, and a graceful stop that
/// flushes every output. An output's I/O error stops the run, as in libnmsg 1.3.
/// </summary>
public sealed class NmsgIo
{
    private readonly List<IObservable<NmsgMessage>> _inputs = [];
    private readonly List<NmsgInputStatistics> _inputStatistics = [];
    private readonly List<(NmsgSink? Sink, Func<NmsgSink>? Open)> _outputs = [];
    private readonly List<Func<NmsgMessage, NmsgFilterVerdict>> _filters = [];
    private readonly List<Action<NmsgCloseEvent>> _onClose = [];
    private NmsgFilterVerdict _policy = NmsgFilterVerdict.Accept;
    private bool _mirror;
    private long _count;
    private TimeSpan _interval;
    private bool _randomize;
    private TimeProvider _time = TimeProvider.System;
    private Random _random = Random.Shared;
    private bool _reuseBuffers;
    private Run? _run;

    /// <summary>Adds an input; an <see cref="NmsgInput"/> also contributes its container counters.</summary>
    public NmsgIo AddInput(IObservable<NmsgMessage> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _inputs.Add(input);
        if (input is NmsgInput n)
            _inputStatistics.Add(n.Statistics);
        return this;
    }

    /// <summary>
    /// Adds an input whose container counters live elsewhere, e.g. <c>source.WhereType(...)</c> counted by
    /// <c>source.Statistics</c>.
    /// </summary>
    public NmsgIo AddInput(IObservable<NmsgMessage> input, NmsgInputStatistics statistics)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(statistics);
        _inputs.Add(input);
        _inputStatistics.Add(statistics);
        return this;
    }

    /// <summary>Adds outputs; at a count or interval limit each one is closed and not reopened.</summary>
    public NmsgIo AddOutput(params NmsgSink[] outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        foreach (NmsgSink s in outputs)
            _outputs.Add((s ?? throw new ArgumentException("null output", nameof(outputs)), null));
        return this;
    }

    /// <summary>
    /// Adds a rotating output: opened now, and at each count or interval limit closed and opened again (nmsgtool's
    /// <c>-k</c>, e.g. with <see cref="NmsgSink.KickFile"/>).
    /// </summary>
    public NmsgIo AddOutput(Func<NmsgSink> open)
    {
        ArgumentNullException.ThrowIfNull(open);
        _outputs.Add((null, open));
        return this;
    }

    /// <summary>Sends every message to every output instead of striping.</summary>
    public NmsgIo Mirror(bool mirror = true)
    {
        _mirror = mirror;
        return this;
    }

    /// <summary>Appends a filter to the chain. Filters may be called from several inputs at once.</summary>
    public NmsgIo Filter(Func<NmsgMessage, NmsgFilterVerdict> filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        _filters.Add(filter);
        return this;
    }

    /// <summary>The verdict when every filter declines (nmsgtool <c>--policy</c>); default accept.</summary>
    public NmsgIo Policy(NmsgFilterVerdict verdict)
    {
        if (verdict == NmsgFilterVerdict.Decline)
            throw new ArgumentException("the default policy is accept or drop", nameof(verdict));
        _policy = verdict;
        return this;
    }

    /// <summary>Each output stops (or rotates) after <paramref name="count"/> payloads (nmsgtool <c>-c</c>).</summary>
    public NmsgIo Count(long count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _count = count;
        return this;
    }

    /// <summary>
    /// Each output stops (or rotates) at the end of every epoch-aligned <paramref name="interval"/> (nmsgtool
    /// <c>-t</c>), at a random point inside it with <paramref name="randomize"/> (<c>-R</c>).
    /// </summary>
    public NmsgIo Interval(TimeSpan interval, bool randomize = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _interval = interval;
        _randomize = randomize;
        return this;
    }

    /// <summary>Called for every close: inputs at their end, outputs at a limit or at the stop.</summary>
    public NmsgIo OnClose(Action<NmsgCloseEvent> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        _onClose.Add(callback);
        return this;
    }

    /// <summary>
    /// Reuses the bodies of the plain containers of <see cref="NmsgInput"/> file and stream inputs once every output
    /// has let go of their messages, instead of a new array per container (about 1 MiB each; the dead ones wait for
    /// a full collection): 5-10 MB less peak memory for <c>nmsg -r … -w</c>. The built-in sinks say when they let go;
    /// a message written to any other sink (a callback, a sink of your own) keeps its container body from reuse, so
    /// outputs stay safe. Filters are not tracked: a filter (<see cref="Filter"/>, <see cref="NmsgInput.Where"/>) must
    /// not keep a message, or memory pointing into its payload, after it returns.
    /// </summary>
    public NmsgIo ReuseBuffers(bool reuse = true)
    {
        _reuseBuffers = reuse;
        return this;
    }

    /// <summary>The clock of interval limits (virtual in tests).</summary>
    public NmsgIo WithTimeProvider(TimeProvider timeProvider)
    {
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        return this;
    }

    /// <summary>The randomness of <c>-R</c> offsets.</summary>
    public NmsgIo WithRandom(Random random)
    {
        _random = random ?? throw new ArgumentNullException(nameof(random));
        return this;
    }

    /// <summary>The totals so far of the current or last run.</summary>
    public NmsgIoStatistics Statistics => _run?.Totals() ?? new NmsgIoStatistics(0, 0, 0, 0, 0, []);

    /// <summary>
    /// Runs until every input ends, every output reaches its limit, an output fails, or
    /// <paramref name="cancellationToken"/> is cancelled; then closes and flushes every output and returns the
    /// totals. Input errors are collected in <see cref="NmsgIoStatistics.Errors"/> (an <see cref="NmsgInput"/>'s as an
    /// <see cref="IOException"/> naming the input, with the error inside); the run goes on with the other inputs.
    /// An <see cref="NmsgInput"/> (filtered with <see cref="NmsgInput.Where"/> if need be) is read batch by batch,
    /// which costs far less per message than an observed input.
    /// </summary>
    public async Task<NmsgIoStatistics> RunAsync(CancellationToken cancellationToken = default)
    {
        if (_inputs.Count == 0)
            throw new InvalidOperationException("add at least one input");
        if (_outputs.Count == 0)
            throw new InvalidOperationException("add at least one output");
        var run = new Run(this);
        _run = run;
        return await run.ExecuteAsync(cancellationToken).ConfigureAwait(false);
    }

    private sealed class Run
    {
        private readonly NmsgIo _io;
        private readonly Slot[] _slots;
        private readonly Func<NmsgMessage, NmsgFilterVerdict>[] _filters;
        private readonly CancellationTokenSource _stop = new();
        private readonly List<Exception> _errors = [];
        private readonly List<Task> _closing = [];
        private readonly Lock _gate = new();
        private readonly List<InputObserver> _observers = [];
        private long _filtered;
        private int _slotsDone;
        private readonly bool _mirror;
        private readonly bool _acceptByDefault;
        private readonly bool _timed;
        private readonly long _countLimit;
        private readonly ContainerBufferPool? _pool;
        private ITimer? _timer;

        public Run(NmsgIo io)
        {
            _io = io;
            _mirror = io._mirror;
            _acceptByDefault = io._policy == NmsgFilterVerdict.Accept;
            _timed = io._interval > TimeSpan.Zero;
            _countLimit = io._count;
            _filters = [.. io._filters];
            _pool = io._reuseBuffers ? new ContainerBufferPool() : null;
            _slots = new Slot[io._outputs.Count];
            for (int i = 0; i < _slots.Length; i++)
            {
                (NmsgSink? sink, Func<NmsgSink>? open) = io._outputs[i];
                _slots[i] = new Slot(this, sink ?? open!(), open);
            }
        }

        public NmsgIoStatistics Totals()
        {
            long containers = 0, lost = 0;
            foreach (NmsgInputStatistics stats in _io._inputStatistics)
            {
                containers += stats.ContainersReceived;
                lost += stats.ContainersLost;
            }
            Exception[] errors;
            lock (_gate)
                errors = [.. _errors];
            long payloadsIn = 0, payloadsOut = 0;
            lock (_gate)
            {
                foreach (InputObserver o in _observers)
                    payloadsIn += o.Received;
            }
            foreach (Slot s in _slots)
                payloadsOut += s.Written;
            return new NmsgIoStatistics(payloadsIn, payloadsOut, Interlocked.Read(ref _filtered), containers, lost, errors);
        }

        public async Task<NmsgIoStatistics> ExecuteAsync(CancellationToken cancellationToken)
        {
            using CancellationTokenRegistration link = cancellationToken.Register(() => _stop.Cancel());
            if (_io._interval > TimeSpan.Zero)
            {
                foreach (Slot s in _slots)
                    s.IntervalEnd = NextEnd();
                _timer = _io._time.CreateTimer(_ => CheckIntervals(), null, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100));
            }

            var subscriptions = new List<IDisposable>();
            var inputsDone = new Task[_io._inputs.Count];
            for (int i = 0; i < inputsDone.Length; i++)
            {
                IObservable<NmsgMessage> input = _io._inputs[i];
                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                inputsDone[i] = done.Task;
                var observer = new InputObserver(this, input, done);
                lock (_gate)
                    _observers.Add(observer);
                if (input is NmsgInput batches)
                {
                    // An NmsgInput is read batch by batch, without a per-message observer chain.
                    observer.StartPump(batches);
                    continue;
                }
                // Subscribe off this thread: an input may deliver synchronously inside Subscribe.
                IDisposable subscription = await Task.Run(() => input.Subscribe(observer)).ConfigureAwait(false);
                lock (_gate)
                    subscriptions.Add(subscription);
            }

            try
            {
                await Task.WhenAll(inputsDone).WaitAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped: cancellation, limits, or an output failure.
            }
            _stop.Cancel();
            foreach (IDisposable s in subscriptions)
                s.Dispose();
            // Batch inputs stop at the next batch; none may write once the outputs close.
            foreach (InputObserver o in _observers)
                await o.Pumped.ConfigureAwait(false);
            if (_timer is not null)
                await _timer.DisposeAsync().ConfigureAwait(false);

            foreach (Slot slot in _slots)
                slot.Close(NmsgCloseReason.Stop, reopen: false);
            Task[] closing;
            lock (_gate)
                closing = [.. _closing];
            foreach (Task t in closing)
            {
                try
                {
                    await t.ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    AddError(e);
                }
            }
            return Totals();
        }

        private DateTimeOffset NextEnd()
            => NmsgOperators.IntervalEnd(_io._time.GetUtcNow(), _io._interval,
                _io._randomize ? NmsgOperators.RandomOffset(_io._interval, _io._random) : TimeSpan.Zero);

        private void CheckIntervals()
        {
            DateTimeOffset now = _io._time.GetUtcNow();
            foreach (Slot s in _slots)
                s.CheckInterval(now);
        }

        public void AddError(Exception e)
        {
            lock (_gate)
                _errors.Add(e);
        }

        public void Closed(NmsgCloseEvent e, Task completion)
        {
            lock (_gate)
                _closing.Add(completion);
            foreach (Action<NmsgCloseEvent> callback in _io._onClose)
            {
                try
                {
                    callback(e);
                }
                catch (Exception error)
                {
                    AddError(error);
                }
            }
        }

        public void SlotDone()
        {
            if (Interlocked.Increment(ref _slotsDone) == _slots.Length)
                _stop.Cancel();
        }

        public void OutputFailed(Exception e)
        {
            AddError(e);
            _stop.Cancel();
        }

        private sealed class InputObserver(Run run, IObservable<NmsgMessage> input, TaskCompletionSource done) : IObserver<NmsgMessage>
        {
            private int _next;
            private long _received;
            private Task _pumped = Task.CompletedTask;

            // Written by this input's loop only (OnNext is never concurrent), read by Totals.
            public long Received => Volatile.Read(ref _received);

            /// <summary>Completes when a batch input's loop has ended (at once for observed inputs).</summary>
            public Task Pumped => Volatile.Read(ref _pumped);

            /// <summary>
            /// Reads an <see cref="NmsgInput"/> batch by batch on the thread pool. Its fatal error is reported as an
            /// <see cref="IOException"/> that names the input, like an output's.
            /// </summary>
            public void StartPump(NmsgInput source) => Volatile.Write(ref _pumped, Task.Run(() => PumpCoreAsync(source)));

            private async Task PumpCoreAsync(NmsgInput source)
            {
                try
                {
                    await source.PumpAsync(OnBatch, run._pool, run._stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (run._stop.IsCancellationRequested)
                {
                    // Stopped.
                }
                catch (Exception e)
                {
                    run.AddError(new IOException($"input {source.Name}: {e.Message}", e));
                }
                if (run._stop.IsCancellationRequested)
                    done.TrySetResult(); // stopped, not ended: no close event, as for an observed input
                else
                    Finish();
            }

            private void OnBatch(List<NmsgMessage> batch, ContainerLease? lease)
            {
                if (run._stop.IsCancellationRequested)
                    return;
                Volatile.Write(ref _received, _received + batch.Count);
                int n = batch.Count;
                if (run._filters.Length > 0 || !run._acceptByDefault)
                {
                    // Keep what passes, in place.
                    int kept = 0;
                    for (int i = 0; i < n; i++)
                    {
                        NmsgMessage m = batch[i];
                        if (run.Pass(m))
                            batch[kept++] = m;
                    }
                    if (kept < n)
                        Interlocked.Add(ref run._filtered, n - kept);
                    n = kept;
                }
                Slot[] slots = run._slots;
                if (run._mirror || slots.Length == 1)
                {
                    foreach (Slot s in slots)
                        s.WriteBatch(batch, n, lease);
                    return;
                }
                for (int i = 0; i < n && !run._stop.IsCancellationRequested; i++)
                    Stripe(batch[i], lease);
            }

            public void OnNext(NmsgMessage value)
            {
                if (run._stop.IsCancellationRequested)
                    return;
                Volatile.Write(ref _received, _received + 1);
                if (!run.Pass(value))
                {
                    Interlocked.Increment(ref run._filtered);
                    return;
                }
                Slot[] slots = run._slots;
                if (run._mirror)
                {
                    foreach (Slot s in slots)
                        s.Write(value);
                    return;
                }
                Stripe(value);
            }

            // Stripe: the next output that still takes messages.
            private void Stripe(NmsgMessage value, ContainerLease? lease = null)
            {
                Slot[] slots = run._slots;
                for (int tries = 0; tries < slots.Length; tries++)
                {
                    Slot s = slots[_next];
                    _next = _next + 1 == slots.Length ? 0 : _next + 1;
                    if (s.Write(value, lease))
                        return;
                }
            }

            public void OnError(Exception error)
            {
                run.AddError(error);
                Finish();
            }

            public void OnCompleted() => Finish();

            private void Finish()
            {
                run.Closed(new NmsgCloseEvent(NmsgCloseReason.EndOfInput, true, input.ToString() ?? "input", null), Task.CompletedTask);
                done.TrySetResult();
            }
        }

        private bool Pass(NmsgMessage message)
        {
            if (_filters.Length == 0)
                return _acceptByDefault;
            foreach (Func<NmsgMessage, NmsgFilterVerdict> f in _filters)
            {
                switch (f(message))
                {
                    case NmsgFilterVerdict.Accept:
                        return true;
                    case NmsgFilterVerdict.Drop:
                        return false;
                }
            }
            return _acceptByDefault;
        }

        private sealed class Slot(Run run, NmsgSink sink, Func<NmsgSink>? open)
        {
            private readonly Lock _lock = new();
            private NmsgSink _sink = sink;
            private long _count;
            private long _written;
            private bool _done;

            public long Written => Volatile.Read(ref _written);

            public DateTimeOffset IntervalEnd { get; set; } = DateTimeOffset.MaxValue;

            public bool Write(NmsgMessage message, ContainerLease? lease = null)
            {
                lock (_lock)
                {
                    if (_done)
                        return false;
                    if (run._timed && run._io._time.GetUtcNow() >= IntervalEnd)
                    {
                        Limit(NmsgCloseReason.Interval);
                        if (_done)
                            return false;
                    }
                    KeepFromReuse(lease);
                    _sink.OnNext(message, lease);
                    if (_sink.Fault is { } fault)
                    {
                        run.OutputFailed(new IOException($"output {_sink.Name} failed", fault));
                        _done = true;
                        return false;
                    }
                    Volatile.Write(ref _written, _written + 1);
                    if (run._countLimit > 0 && ++_count >= run._countLimit)
                        Limit(NmsgCloseReason.Count);
                    return true;
                }
            }

            /// <summary>
            /// Writes the first <paramref name="count"/> messages of a batch under one lock, as many calls of
            /// <see cref="Write"/> would: limits are applied at the same messages.
            /// </summary>
            public void WriteBatch(List<NmsgMessage> batch, int count, ContainerLease? lease = null)
            {
                if (run._timed)
                {
                    // The clock is read per message; rare enough to take the general path.
                    for (int i = 0; i < count; i++)
                        Write(batch[i], lease);
                    return;
                }
                lock (_lock)
                {
                    int at = 0;
                    while (at < count && !_done)
                    {
                        int chunk = count - at;
                        if (run._countLimit > 0)
                            chunk = (int)Math.Min(chunk, run._countLimit - _count);
                        KeepFromReuse(lease); // the sink may have been reopened at a limit
                        int written = _sink.OnNextBatch(batch, at, chunk, lease);
                        Volatile.Write(ref _written, _written + written);
                        _count += written;
                        at += written;
                        if (_sink.Fault is { } fault)
                        {
                            run.OutputFailed(new IOException($"output {_sink.Name} failed", fault));
                            _done = true;
                            return;
                        }
                        if (written < chunk)
                            return; // the sink was closed under us
                        if (run._countLimit > 0 && _count >= run._countLimit)
                            Limit(NmsgCloseReason.Count);
                    }
                }
            }

            // A sink that may keep messages without holding their container body: hold it for good, so it is never
            // reused (the GC takes it once the sink lets go, as without a pool).
            private void KeepFromReuse(ContainerLease? lease)
            {
                if (lease is not null && !_sink.ReleasesMessages)
                    lease.Hold();
            }

            public void CheckInterval(DateTimeOffset now)
            {
                lock (_lock)
                {
                    if (!_done && now >= IntervalEnd)
                        Limit(NmsgCloseReason.Interval);
                }
            }

            private void Limit(NmsgCloseReason reason) => CloseLocked(reason, reopen: open is not null);

            public void Close(NmsgCloseReason reason, bool reopen)
            {
                lock (_lock)
                {
                    if (!_done)
                        CloseLocked(reason, reopen);
                }
            }

            private void CloseLocked(NmsgCloseReason reason, bool reopen)
            {
                NmsgSink closing = _sink;
                run.Closed(new NmsgCloseEvent(reason, false, closing.Name, closing), closing.CloseAsync().ContinueWith(
                    t => closing.Completion, TaskScheduler.Default).Unwrap());
                if (reopen && !run._stop.IsCancellationRequested)
                {
                    try
                    {
                        _sink = open!();
                    }
                    catch (Exception e)
                    {
                        _done = true;
                        run.OutputFailed(e);
                        return;
                    }
                    _count = 0;
                    if (run._io._interval > TimeSpan.Zero)
                        IntervalEnd = run.NextEnd();
                    return;
                }
                _done = true;
                if (reason != NmsgCloseReason.Stop)
                    run.SlotDone();
            }
        }
    }
}
