using Nmsg.Containers;
using Nmsg.Transports;

namespace Nmsg.Sequencing;

/// <summary>Per-sender sequence statistics (libnmsg's nmsg_seqsrc).</summary>
/// <param name="Sender">Who sent the containers.</param>
/// <param name="SequenceId">The sender's random 64-bit sequence id.</param>
/// <param name="Containers">Containers received since the source was created or last reset.</param>
/// <param name="Lost">Containers missing from the sequence since then.</param>
/// <param name="NextExpected">The sequence number expected next.</param>
public readonly record struct SequenceSourceStatistics(NmsgPeer Sender, ulong SequenceId, ulong Containers, ulong Lost, uint NextExpected);

/// <summary>
/// Counts containers lost between sequenced containers of each (sequence_id, sender), exactly as libnmsg's
/// <c>_input_seqsrc_update</c> does (SPEC §2.5): a gap adds its size; a jump of more than 2^20 (a duplicate or
/// a reordered container) resets the source without counting; a new sequence_id is a new source, not a loss.
/// Sources silent for longer than <see cref="NmsgLimits.SequenceSourceTimeout"/> are forgotten, and at most
/// <see cref="NmsgLimits.MaxSequenceSources"/> are kept. Not thread-safe.
/// </summary>
public sealed class SequenceTracker
{
    /// <summary>Largest gap counted as loss (libnmsg's "implausibly large delta" threshold).</summary>
    public const uint MaxPlausibleDelta = 1048576;

    private readonly NmsgLimits _limits;
    private readonly NmsgInputStatistics _stats;
    private readonly TimeProvider _time;
    private readonly Dictionary<(ulong SequenceId, NmsgPeer Sender), Source> _sources = [];
    // Least recently seen first: eviction and expiry take from the front in O(1).
    private readonly LinkedList<Source> _byRecency = new();
    private long _lastCollect;

    /// <summary>Creates a tracker that adds losses to <paramref name="statistics"/>.</summary>
    public SequenceTracker(NmsgLimits limits, NmsgInputStatistics statistics, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(statistics);
        _limits = limits;
        _stats = statistics;
        _time = timeProvider ?? TimeProvider.System;
        _lastCollect = _time.GetTimestamp();
    }

    /// <summary>Number of sources tracked.</summary>
    public int SourceCount => _sources.Count;

    /// <summary>Accounts one received container; returns the number of containers found lost before it.</summary>
    public uint Update(NmsgSequence sequence, NmsgPeer sender)
    {
        long now = _time.GetTimestamp();
        if (_time.GetElapsedTime(_lastCollect, now) >= TimeSpan.FromSeconds(1))
        {
            Collect(now);
            _lastCollect = now;
        }

        var key = (sequence.SequenceId, sender);
        if (!_sources.TryGetValue(key, out Source? src))
        {
            if (_sources.Count >= _limits.MaxSequenceSources)
                Remove(_byRecency.First!.Value);
            src = new Source { Init = true, Key = key };
            src.Node = _byRecency.AddLast(src);
            _sources.Add(key, src);
        }
        else
        {
            _byRecency.Remove(src.Node!);
            _byRecency.AddLast(src.Node!);
        }
        src.LastSeen = now;
        src.Count++;
        uint lost = 0;
        // The first container of a source sets the expectation without counting anything.
        if (sequence.Sequence != src.Expected && !src.Init)
        {
            uint delta = sequence.Sequence - src.Expected; // modulo 2^32
            if (delta > MaxPlausibleDelta)
            {
                src.Count = 0;
                src.Lost = 0;
                Interlocked.Increment(ref _stats.SequenceResetsField);
            }
            else
            {
                lost = delta;
                src.Lost += delta;
                Interlocked.Add(ref _stats.ContainersLostField, delta);
            }
        }
        src.Init = false;
        src.Expected = sequence.Sequence + 1;
        return lost;
    }

    /// <summary>A snapshot of every tracked source.</summary>
    public IReadOnlyList<SequenceSourceStatistics> GetSources()
    {
        var list = new List<SequenceSourceStatistics>(_sources.Count);
        foreach (var (key, s) in _sources)
            list.Add(new SequenceSourceStatistics(key.Sender, key.SequenceId, s.Count, s.Lost, s.Expected));
        return list;
    }

    private void Collect(long now)
    {
        while (_byRecency.First is { } oldest && _time.GetElapsedTime(oldest.Value.LastSeen, now) >= _limits.SequenceSourceTimeout)
            Remove(oldest.Value);
    }

    private void Remove(Source source)
    {
        _sources.Remove(source.Key);
        _byRecency.Remove(source.Node!);
    }

    private sealed class Source
    {
        public bool Init;
        public uint Expected;
        public ulong Count;
        public ulong Lost;
        public long LastSeen;
        public (ulong, NmsgPeer) Key;
        public LinkedListNode<Source>? Node;
    }
}
