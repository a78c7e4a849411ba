using Nmsg.Containers;
using Nmsg.Sequencing;
using Nmsg.Transports;

namespace Nmsg.Tests;

/// <summary>Loss accounting exactly as libnmsg's _input_seqsrc_update (SPEC §2.5).</summary>
public class SequenceTrackerTests
{
    private static readonly NmsgPeer Alice = NmsgPeer.FromEndPoint(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 4000));
    private static readonly NmsgPeer Bob = NmsgPeer.FromEndPoint(new System.Net.IPEndPoint(System.Net.IPAddress.IPv6Loopback, 4000));

    private static (SequenceTracker Tracker, NmsgInputStatistics Stats) Create(TimeProvider? time = null)
    {
        var stats = new NmsgInputStatistics();
        return (new SequenceTracker(NmsgLimits.Default, stats, time), stats);
    }

    [Fact]
    public void Skipping_8_then_6_numbers_counts_14_lost()
    {
        // The reference's own test: sequence 0..9, jump to 18 (8 skipped), then to 27 (6 skipped).
        var (t, stats) = Create();
        foreach (uint s in new uint[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 18, 19, 20, 27 })
            t.Update(new NmsgSequence(s, 42), Alice);
        Assert.Equal(14, stats.ContainersLost);
        Assert.Equal(14ul, t.GetSources().Single().Lost);
    }

    [Fact]
    public void A_new_sequence_id_is_a_new_source_not_a_loss()
    {
        var (t, stats) = Create();
        t.Update(new NmsgSequence(0, 1), Alice);
        t.Update(new NmsgSequence(1, 1), Alice);
        t.Update(new NmsgSequence(500, 2), Alice); // the sender restarted
        t.Update(new NmsgSequence(501, 2), Alice);
        Assert.Equal(0, stats.ContainersLost);
        Assert.Equal(2, t.SourceCount);
    }

    [Fact]
    public void Spec_walkthrough_gaps_duplicates_and_restarts()
    {
        var (t, stats) = Create();
        uint[] lost = [.. new uint[] { 0, 1, 5, 6, 6, 7 }.Select(s => t.Update(new NmsgSequence(s, 7), Alice))];
        Assert.Equal(new uint[] { 0, 0, 3, 0, 0, 0 }, lost);
        Assert.Equal(1, stats.SequenceResets); // the duplicate 6 is an "implausibly large delta": reset, not counted
        foreach (uint s in new uint[] { 100, 101, 104 })
            t.Update(new NmsgSequence(s, 8), Alice);
        Assert.Equal(5, stats.ContainersLost);
    }

    [Fact]
    public void Senders_are_tracked_apart_and_wraparound_is_a_small_gap()
    {
        var (t, stats) = Create();
        t.Update(new NmsgSequence(uint.MaxValue - 1, 9), Alice);
        t.Update(new NmsgSequence(1, 9), Alice); // skipped MaxValue and 0
        t.Update(new NmsgSequence(10, 9), Bob);  // Bob's first container: no loss
        Assert.Equal(2, stats.ContainersLost);
        Assert.Equal(2, t.SourceCount);
    }

    [Fact]
    public void The_number_of_sources_is_bounded_and_silent_sources_expire()
    {
        var time = new ManualTimeProvider();
        var stats = new NmsgInputStatistics();
        var t = new SequenceTracker(NmsgLimits.Default with { MaxSequenceSources = 8 }, stats, time);
        for (ulong id = 0; id < 100; id++)
            t.Update(new NmsgSequence(0, id), Alice);
        Assert.Equal(8, t.SourceCount);

        time.Advance(TimeSpan.FromSeconds(121));
        t.Update(new NmsgSequence(0, 1000), Alice);
        Assert.Equal(1, t.SourceCount);
    }
}

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private long _ticks = 1_000_000;
    private readonly List<ManualTimer> _timers = [];

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public override DateTimeOffset GetUtcNow() => new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(GetTimestamp());

    public void Advance(TimeSpan by)
    {
        Interlocked.Add(ref _ticks, by.Ticks);
        ManualTimer[] timers;
        lock (_timers)
            timers = [.. _timers];
        foreach (ManualTimer t in timers)
            t.Fire(GetTimestamp());
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state, GetTimestamp() + dueTime.Ticks, period);
        lock (_timers)
            _timers.Add(timer);
        return timer;
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state, long due, TimeSpan period) : ITimer
    {
        private long _due = due;
        private TimeSpan _period = period;
        private bool _disposed;

        public void Fire(long now)
        {
            while (!_disposed && _due <= now)
            {
                callback(state);
                if (_period <= TimeSpan.Zero)
                {
                    _disposed = true;
                    break;
                }
                _due += _period.Ticks;
            }
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            _due = owner.GetTimestamp() + dueTime.Ticks;
            _period = period;
            return true;
        }

        public void Dispose()
        {
            _disposed = true;
            lock (owner._timers)
                owner._timers.Remove(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }
    }
}
