using Nmsg.Containers;

namespace Nmsg.Reactive;

/// <summary>
/// Where messages go: an <see cref="IObserver{T}"/> of messages that owns its I/O. Completing the sequence
/// (<see cref="OnCompleted"/>, <see cref="OnError"/>) or disposing the sink flushes everything it accepted and
/// closes it; <see cref="Completion"/> then completes, or faults with the first I/O error (or the upstream error).
/// After an I/O error the sink is faulted: later messages are counted in <see cref="Rejected"/>, never silently
/// lost. Thread-safe: several sources may write to one sink.
/// </summary>
public abstract partial class NmsgSink : IObserver<NmsgMessage>, IAsyncDisposable, IDisposable
{
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _closing;
    private long _written;
    private long _rejected;
    private Exception? _fault;
    private bool _closed;

    /// <summary>Creates a sink.</summary>
    protected NmsgSink(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Name = name;
        NmsgMetrics.Register(this);
    }

    /// <summary>Serializes writes, flushes and closing.</summary>
    protected Lock Gate { get; } = new();

    /// <summary>The output's name (a path, a socket spec…).</summary>
    public string Name { get; }

    /// <summary>Messages accepted.</summary>
    public long Written => Volatile.Read(ref _written);

    /// <summary>Messages offered after the sink faulted or closed (not written).</summary>
    public long Rejected => Volatile.Read(ref _rejected);

    /// <summary>Completes once the sink is closed and flushed; faults with the first I/O or upstream error.</summary>
    public Task Completion => _completion.Task;

    /// <summary>The I/O error that faulted the sink, if any.</summary>
    public Exception? Fault => Volatile.Read(ref _fault);

    /// <summary>Writes one message (buffered as the sink's options say).</summary>
    public void OnNext(NmsgMessage value) => OnNext(value, null);

    /// <summary>
    /// <see cref="OnNext(NmsgMessage)"/> for a message that points into a pooled container body: a sink that keeps
    /// it after this returns holds <paramref name="lease"/> until it lets go.
    /// </summary>
    internal void OnNext(NmsgMessage value, ContainerLease? lease)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (Gate)
        {
            if (_closed || _fault is not null)
            {
                _rejected++;
                return;
            }
            try
            {
                WriteCore(value, lease);
                _written++;
            }
            catch (Exception e)
            {
                _fault = e;
                _rejected++;
            }
        }
    }

    /// <summary>
    /// Writes <paramref name="count"/> messages of <paramref name="batch"/> from <paramref name="start"/> under one
    /// lock, as that many <see cref="OnNext(NmsgMessage)"/> calls would. Returns how many were written: fewer when the sink is
    /// closed or faults (the rest are counted in <see cref="Rejected"/>).
    /// </summary>
    internal int OnNextBatch(List<NmsgMessage> batch, int start, int count, ContainerLease? lease)
    {
        lock (Gate)
        {
            int i = 0;
            if (!_closed && _fault is null)
            {
                try
                {
                    for (; i < count; i++)
                        WriteCore(batch[start + i], lease);
                }
                catch (Exception e)
                {
                    _fault = e;
                }
            }
            _written += i;
            _rejected += count - i;
            return i;
        }
    }

    /// <summary>Writes one message and reports a failure to the caller (an <see cref="IOException"/>).</summary>
    /// <exception cref="IOException">The sink is faulted or closed.</exception>
    public ValueTask WriteAsync(NmsgMessage message, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        OnNext(message);
        if (Volatile.Read(ref _fault) is { } fault)
            return ValueTask.FromException(new IOException($"output {Name} failed", fault));
        if (_closed)
            return ValueTask.FromException(new ObjectDisposedException(Name, "the output is closed"));
        return default;
    }

    /// <summary>Sends or writes whatever is buffered.</summary>
    /// <exception cref="IOException">The sink is faulted.</exception>
    public void Flush()
    {
        lock (Gate)
        {
            if (_closed)
                return;
            if (_fault is null)
            {
                try
                {
                    FlushCore();
                }
                catch (Exception e)
                {
                    _fault = e;
                }
            }
            if (_fault is not null)
                throw new IOException($"output {Name} failed", _fault);
        }
    }

    /// <summary>Flushes and closes; the sequence is over.</summary>
    public void OnCompleted() => _ = CloseAsync(null);

    /// <summary>Flushes and closes; <see cref="Completion"/> faults with <paramref name="error"/>.</summary>
    public void OnError(Exception error) => _ = CloseAsync(error);

    /// <summary>Flushes and closes (idempotent); returns <see cref="Completion"/>'s outcome without throwing for upstream errors.</summary>
    public Task CloseAsync() => CloseAsync(null);

    private Task CloseAsync(Exception? upstream)
    {
        lock (Gate)
        {
            if (_closing is not null)
                return _closing;
            _closed = true;
            _closing = CloseAndCompleteAsync(upstream);
            return _closing;
        }
    }

    private async Task CloseAndCompleteAsync(Exception? upstream)
    {
        try
        {
            await CloseCoreAsync(_fault is null).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _fault ??= e;
        }
        if (_fault is { } fault)
            _completion.TrySetException(new IOException($"output {Name} failed", fault));
        else if (upstream is not null)
            _completion.TrySetException(upstream);
        else
            _completion.TrySetResult();
    }

    /// <summary>Writes one message; called under <see cref="Gate"/>, never after close or a fault.</summary>
    protected abstract void WriteCore(NmsgMessage message);

    /// <summary>
    /// <see cref="WriteCore(NmsgMessage)"/> with the hold on the pooled body the message points into (or null). A
    /// sink that keeps messages after writing them overrides this to hold <paramref name="lease"/> meanwhile.
    /// </summary>
    internal virtual void WriteCore(NmsgMessage message, ContainerLease? lease) => WriteCore(message);

    /// <summary>
    /// True for a sink that keeps no message after <see cref="WriteCore(NmsgMessage, ContainerLease?)"/> returns
    /// without holding its lease (the built-in file, text and UDP sinks), so that <see cref="NmsgIo.ReuseBuffers"/>
    /// may reuse container bodies. False for callbacks and sinks defined elsewhere: they may keep anything.
    /// </summary>
    internal virtual bool ReleasesMessages => false;

    /// <summary>Flushes buffered output; called under <see cref="Gate"/>.</summary>
    protected abstract void FlushCore();

    /// <summary>Flushes (when <paramref name="flush"/>, i.e. not faulted) and releases the output. Called once.</summary>
    protected abstract ValueTask CloseCoreAsync(bool flush);

    /// <summary>Closes and flushes; an I/O error stays in <see cref="Completion"/> rather than being thrown here.</summary>
    public async ValueTask DisposeAsync()
    {
        await CloseAsync(null).ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>Closes and flushes, blocking; prefer <see cref="DisposeAsync"/>.</summary>
    public void Dispose()
    {
        CloseAsync(null).GetAwaiter().GetResult();
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
