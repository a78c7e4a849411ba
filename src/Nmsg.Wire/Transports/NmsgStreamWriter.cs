using Nmsg.Containers;
using Nmsg.Internal;

namespace Nmsg.Transports;

/// <summary>Options of a <see cref="NmsgStreamWriter"/>.</summary>
public sealed record NmsgWriterOptions
{
    /// <summary>The defaults: nmsgtool's file output (1 MiB containers, buffered, uncompressed).</summary>
    public static NmsgWriterOptions Default { get; } = new();

    /// <summary>How containers are packed.</summary>
    public NmsgEncoderOptions Encoder { get; init; } = NmsgEncoderOptions.Default;

    /// <summary>
    /// When set, a partly filled container is written once its first payload is this old, so a slow stream does
    /// not sit in the buffer (libnmsg has no such timer).
    /// </summary>
    public TimeSpan? FlushInterval { get; init; }

    /// <summary>The clock of <see cref="FlushInterval"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>
/// Writes messages to a file or byte stream as NMSG containers. Disposing flushes: every message accepted by
/// <see cref="WriteAsync"/> or <see cref="Write"/> reaches the stream, or the failure is thrown to the caller.
/// Calls must not overlap (the optional flush timer is synchronized internally).
/// </summary>
public sealed class NmsgStreamWriter : IAsyncDisposable, IDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly NmsgContainerEncoder _encoder;
    private readonly SemaphoreSlim? _gate;
    private readonly ITimer? _timer;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private long _firstPendingAt;
    private Exception? _fault;
    private bool _disposed;

    /// <summary>Writes to <paramref name="stream"/>.</summary>
    public NmsgStreamWriter(Stream stream, NmsgWriterOptions? options = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= NmsgWriterOptions.Default;
        _stream = stream;
        _leaveOpen = leaveOpen;
        _encoder = new NmsgContainerEncoder(options.Encoder);
        _time = options.TimeProvider;
        if (options.FlushInterval is TimeSpan interval)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero, nameof(options.FlushInterval));
            _interval = interval;
            _gate = new SemaphoreSlim(1, 1);
            TimeSpan period = interval / 4 > TimeSpan.FromMilliseconds(1) ? interval / 4 : TimeSpan.FromMilliseconds(1);
            _timer = _time.CreateTimer(static s => ((NmsgStreamWriter)s!).OnTimer(), this, period, period);
        }
    }

    /// <summary>Creates (or truncates) a file and writes to it.</summary>
    public static NmsgStreamWriter CreateFile(string path, NmsgWriterOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var stream = OutputFile.Create(path);
        return new NmsgStreamWriter(stream, options);
    }

    /// <summary>The container encoder (statistics: containers and payloads written).</summary>
    public NmsgContainerEncoder Encoder => _encoder;

    /// <summary>Writes one message (synchronously; containers go to the stream as they fill).</summary>
    public void Write(NmsgMessage message)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _gate?.Wait();
        try
        {
            ThrowIfFaulted();
            Accept(message);
            if (_encoder.HasReady)
                Drain();
        }
        finally
        {
            _gate?.Release();
        }
    }

    /// <summary>Writes one message; completes synchronously unless a container has to go to the stream.</summary>
    public ValueTask WriteAsync(NmsgMessage message, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_gate is null)
        {
            Accept(message);
            return _encoder.HasReady ? DrainAsync(cancellationToken) : default;
        }
        return WriteLockedAsync(message, cancellationToken);
    }

    private async ValueTask WriteLockedAsync(NmsgMessage message, CancellationToken cancellationToken)
    {
        await _gate!.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfFaulted();
            Accept(message);
            if (_encoder.HasReady)
                await DrainAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Writes the partly filled container and flushes the stream.</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _gate?.Wait();
        try
        {
            ThrowIfFaulted();
            _encoder.Flush();
            Drain();
            _stream.Flush();
        }
        finally
        {
            _gate?.Release();
        }
    }

    /// <summary>Writes the partly filled container and flushes the stream.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_gate is not null)
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfFaulted();
            _encoder.Flush();
            await DrainAsync(cancellationToken).ConfigureAwait(false);
            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate?.Release();
        }
    }

    private void Accept(NmsgMessage message)
    {
        if (_timer is not null && _encoder.PendingCount == 0)
            _firstPendingAt = _time.GetTimestamp();
        _encoder.Add(message);
    }

    private void Drain()
    {
        try
        {
            _stream.Write(_encoder.Ready.Span);
        }
        catch (Exception e)
        {
            _fault ??= e;
            throw;
        }
        _encoder.ConsumeReady();
    }

    private async ValueTask DrainAsync(CancellationToken cancellationToken)
    {
        if (!_encoder.HasReady)
            return;
        try
        {
            await _stream.WriteAsync(_encoder.Ready, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _fault ??= e;
            throw;
        }
        _encoder.ConsumeReady();
    }

    private void OnTimer()
    {
        // Never block the timer thread on a busy writer: the next tick will try again.
        if (_disposed || !_gate!.Wait(0))
            return;
        try
        {
            if (_encoder.PendingCount > 0 && _time.GetElapsedTime(_firstPendingAt) >= _interval)
            {
                _encoder.Flush();
                Drain();
                _stream.Flush();
            }
        }
        catch (Exception)
        {
            // Recorded by Drain; the writer's next call reports it.
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// After a write to the stream failed, the writer is faulted: the failure was reported to the call that met it
    /// (or, for a timed flush, is reported by the next call) and every later call fails with it.
    /// </summary>
    private void ThrowIfFaulted()
    {
        if (_fault is { } e)
            throw new IOException("an earlier write to the NMSG output failed; messages not yet written are lost", e);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        if (_timer is not null)
            await _timer.DisposeAsync().ConfigureAwait(false);
        try
        {
            if (_fault is null)
                await FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            _disposed = true;
            _encoder.Dispose();
            _gate?.Dispose();
            if (!_leaveOpen)
                await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
            return;
        _timer?.Dispose();
        try
        {
            if (_fault is null)
                Flush();
        }
        finally
        {
            _disposed = true;
            _encoder.Dispose();
            _gate?.Dispose();
            if (!_leaveOpen)
                _stream.Dispose();
        }
    }
}
