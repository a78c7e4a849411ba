namespace Nmsg.Transports;

/// <summary>
/// Paces events (containers sent) to a rate, shared by every output that holds it, as nmsgtool shares one limiter
/// across the ports of <c>-s addr/port..port,rate,freq</c>. Event k of a run is due at start + k/rate; a caller
/// that is early waits, one that is late goes at once, and after a pause at most <see cref="Burst"/> events catch
/// up at full speed. Thread-safe.
/// </summary>
public sealed class NmsgRateLimiter
{
    private readonly TimeProvider _time;
    private readonly long _period;
    private readonly long _burstTicks;
    private readonly Lock _lock = new();
    private long _next;
    private bool _started;

    /// <summary>Creates a limiter of <paramref name="rate"/> events per second.</summary>
    /// <param name="rate">Events per second, at least 1.</param>
    /// <param name="burst">Events allowed to catch up after a pause (nmsgtool's <c>freq</c>, default 10).</param>
    /// <param name="timeProvider">The clock (virtual in tests).</param>
    public NmsgRateLimiter(int rate, int burst = NmsgSocketSpec.DefaultFrequency, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rate, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        _time = timeProvider ?? TimeProvider.System;
        Rate = rate;
        Burst = burst;
        _period = Math.Max(1, _time.TimestampFrequency / rate);
        _burstTicks = _period * (burst - 1);
    }

    /// <summary>Events per second.</summary>
    public int Rate { get; }

    /// <summary>Events that may catch up at once after a pause.</summary>
    public int Burst { get; }

    /// <summary>Reserves the next slot and returns how long the caller must wait before using it (zero: go now).</summary>
    public TimeSpan Reserve()
    {
        long now = _time.GetTimestamp();
        long due;
        lock (_lock)
        {
            if (!_started || _next < now - _burstTicks)
            {
                _next = _started ? now - _burstTicks : now;
                _started = true;
            }
            due = _next;
            _next += _period;
        }
        return due <= now ? TimeSpan.Zero : _time.GetElapsedTime(now, due);
    }

    /// <summary>Reserves a slot and blocks until it is due.</summary>
    public void Wait()
    {
        TimeSpan delay = Reserve();
        if (delay > TimeSpan.Zero)
            Task.Delay(delay, _time).Wait();
    }

    /// <summary>Reserves a slot and waits asynchronously until it is due.</summary>
    public Task WaitAsync(CancellationToken cancellationToken = default)
    {
        TimeSpan delay = Reserve();
        return delay > TimeSpan.Zero ? Task.Delay(delay, _time, cancellationToken) : Task.CompletedTask;
    }
}
