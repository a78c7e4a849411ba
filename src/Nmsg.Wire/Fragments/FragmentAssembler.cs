using System.Buffers;
using Nmsg.Checksums;
using Nmsg.Containers;
using Nmsg.Transports;

namespace Nmsg.Fragments;

/// <summary>
/// Reassembles fragment sets (SPEC §3.4) keyed by (id, crc, sender), in any order and interleaved, with every
/// anomaly the reference crashes on turned into a counted drop, and memory bounded by <see cref="NmsgLimits"/>.
/// Pieces are copied into pooled buffers, so a container's buffer may be reused once its fragment is added.
/// Not thread-safe: one assembler belongs to one input.
/// </summary>
public sealed class FragmentAssembler : IDisposable
{
    // Bytes charged per held piece beyond its data, so that many tiny pieces cannot hide their cost.
    private const int PieceOverhead = 64;

    private readonly NmsgLimits _limits;
    private readonly NmsgInputStatistics _stats;
    private readonly TimeProvider _time;
    private readonly Dictionary<Key, Set> _sets = [];
    private readonly LinkedList<Set> _byAge = new();
    private long _pendingBytes;

    /// <summary>Creates an assembler that reports into <paramref name="statistics"/>.</summary>
    public FragmentAssembler(NmsgLimits limits, NmsgInputStatistics statistics, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(statistics);
        limits.Validate();
        _limits = limits;
        _stats = statistics;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>
    /// Whether a reassembled blob must match the fragment <c>crc</c> (the reference never checks it). Default true.
    /// </summary>
    public bool VerifyCrc { get; init; } = true;

    /// <summary>Whether sets older than <see cref="NmsgLimits.FragmentSetTimeout"/> are discarded. Default true.</summary>
    public bool ExpireByAge { get; init; } = true;

    /// <summary>Incomplete sets held.</summary>
    public int PendingSets => _sets.Count;

    /// <summary>Bytes charged to incomplete sets.</summary>
    public long PendingBytes => _pendingBytes;

    /// <summary>
    /// Adds one fragment. Returns the reassembled blob (a new array exactly the blob's size) when this piece
    /// completes its set, otherwise null. Invalid pieces are counted in the statistics and ignored.
    /// </summary>
    public byte[]? Add(in NmsgFragmentInfo fragment, NmsgPeer sender)
    {
        Interlocked.Increment(ref _stats.FragmentsField);
        if (ExpireByAge)
            Collect();

        if (fragment.Current > fragment.Last || fragment.Last >= (uint)_limits.MaxFragmentsPerSet
            || fragment.Fragment.Length > _limits.MaxMessageLength)
        {
            Drop();
            return null;
        }

        var key = new Key(fragment.Id, fragment.Crc ?? 0, sender);
        if (!_sets.TryGetValue(key, out Set? set))
        {
            if (fragment.Last == 0)
                return Complete(fragment.Fragment.ToArray(), fragment.Crc);
            set = new Set(key, fragment.Last, _time.GetTimestamp());
            set.Node = _byAge.AddLast(set);
            _sets.Add(key, set);
        }
        else if (set.Last != fragment.Last || set.Pieces.ContainsKey(fragment.Current))
        {
            Drop();
            return null;
        }

        int length = fragment.Fragment.Length;
        if (set.DataBytes + length > _limits.MaxMessageLength)
        {
            Drop();
            Remove(set);
            return null;
        }
        byte[] piece = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        fragment.Fragment.Span.CopyTo(piece);
        set.Pieces.Add(fragment.Current, new Piece(piece, length));
        set.DataBytes += length;
        set.Charged += length + PieceOverhead;
        _pendingBytes += length + PieceOverhead;

        if (set.Pieces.Count == (int)set.Last + 1)
        {
            byte[] blob = GC.AllocateUninitializedArray<byte>(set.DataBytes);
            int at = 0;
            for (uint i = 0; i <= set.Last; i++)
            {
                Piece p = set.Pieces[i];
                p.Buffer.AsSpan(0, p.Length).CopyTo(blob.AsSpan(at));
                at += p.Length;
            }
            uint? crc = fragment.Crc;
            Remove(set);
            return Complete(blob, crc);
        }

        EnforceMemoryLimits(set);
        Publish();
        return null;
    }

    /// <summary>Discards sets older than the timeout; returns how many.</summary>
    public int Collect()
    {
        if (_byAge.First is null)
            return 0;
        long now = _time.GetTimestamp();
        int expired = 0;
        while (_byAge.First is { } oldest && _time.GetElapsedTime(oldest.Value.FirstSeen, now) >= _limits.FragmentSetTimeout)
        {
            Remove(oldest.Value);
            expired++;
        }
        if (expired > 0)
            Interlocked.Add(ref _stats.FragmentSetsExpiredField, expired);
        return expired;
    }

    /// <summary>Discards every incomplete set (counted as expired), e.g. at the end of a stream.</summary>
    public void Clear()
    {
        int n = _sets.Count;
        while (_byAge.First is { } oldest)
            Remove(oldest.Value);
        if (n > 0)
            Interlocked.Add(ref _stats.FragmentSetsExpiredField, n);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        while (_byAge.First is { } oldest)
            Remove(oldest.Value);
    }

    private byte[]? Complete(byte[] blob, uint? crc)
    {
        Publish();
        if (VerifyCrc && crc is uint expected && Crc32C.ComputeWire(blob) != expected)
        {
            Interlocked.Increment(ref _stats.FragmentCrcFailuresField);
            return null;
        }
        Interlocked.Increment(ref _stats.FragmentSetsCompletedField);
        return blob;
    }

    private void EnforceMemoryLimits(Set keep)
    {
        while ((_sets.Count > _limits.MaxPendingFragmentSets || _pendingBytes > _limits.MaxPendingFragmentBytes)
               && _byAge.First is { } oldest)
        {
            Set victim = oldest.Value;
            if (victim == keep && _sets.Count == 1)
            {
                // A single set larger than the byte budget can never complete.
                Drop();
                Remove(victim);
                Interlocked.Increment(ref _stats.FragmentSetsEvictedField);
                return;
            }
            if (victim == keep)
                victim = oldest.Next!.Value;
            Remove(victim);
            Interlocked.Increment(ref _stats.FragmentSetsEvictedField);
        }
    }

    private void Drop() => Interlocked.Increment(ref _stats.FragmentsDroppedField);

    private void Remove(Set set)
    {
        _sets.Remove(set.Key);
        if (set.Node is not null)
            _byAge.Remove(set.Node);
        set.Node = null;
        foreach (Piece p in set.Pieces.Values)
            ArrayPool<byte>.Shared.Return(p.Buffer);
        set.Pieces.Clear();
        _pendingBytes -= set.Charged;
        Publish();
    }

    private void Publish()
    {
        Volatile.Write(ref _stats.FragmentSetsPendingField, _sets.Count);
        Volatile.Write(ref _stats.FragmentBytesPendingField, _pendingBytes);
    }

    private readonly record struct Key(uint Id, uint Crc, NmsgPeer Sender);

    private readonly record struct Piece(byte[] Buffer, int Length);

    private sealed class Set(Key key, uint last, long firstSeen)
    {
        public Key Key { get; } = key;
        public uint Last { get; } = last;
        public long FirstSeen { get; } = firstSeen;
        public Dictionary<uint, Piece> Pieces { get; } = [];
        public int DataBytes { get; set; }
        public long Charged { get; set; }
        public LinkedListNode<Set>? Node { get; set; }
    }
}
