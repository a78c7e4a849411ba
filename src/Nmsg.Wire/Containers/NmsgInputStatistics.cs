namespace Nmsg.Containers;

/// <summary>
/// Counters of one input. Written by the input's reading thread only; readable from any thread.
/// </summary>
public sealed class NmsgInputStatistics
{
    internal long ContainersField;
    internal long PayloadsField;
    internal long BytesField;
    internal long CrcFailuresField;
    internal long MalformedField;
    internal long ContainersLostField;
    internal long SequenceResetsField;
    internal long FragmentsField;
    internal long FragmentsDroppedField;
    internal long FragmentSetsCompletedField;
    internal long FragmentSetsExpiredField;
    internal long FragmentSetsEvictedField;
    internal long FragmentCrcFailuresField;
    internal long FragmentSetsPendingField;
    internal long FragmentBytesPendingField;
    internal long TruncatedTailBytesField;
    internal long DatagramsField;
    internal long QueueDropsField;

    /// <summary>Containers decoded into payloads (a reassembled fragment set counts once), like libnmsg's container_recvs.</summary>
    public long ContainersReceived => Volatile.Read(ref ContainersField);

    /// <summary>Payloads delivered.</summary>
    public long Payloads => Volatile.Read(ref PayloadsField);

    /// <summary>Container bytes read, headers included.</summary>
    public long Bytes => Volatile.Read(ref BytesField);

    /// <summary>Payloads dropped because their CRC-32C did not match.</summary>
    public long CrcFailures => Volatile.Read(ref CrcFailuresField);

    /// <summary>Containers (datagrams) dropped as malformed by an input that keeps going after one.</summary>
    public long MalformedContainers => Volatile.Read(ref MalformedField);

    /// <summary>Containers missing from sequence numbers (libnmsg's container_drops).</summary>
    public long ContainersLost => Volatile.Read(ref ContainersLostField);

    /// <summary>Times a sequence source was reset by an implausible jump (duplicate or reordered container).</summary>
    public long SequenceResets => Volatile.Read(ref SequenceResetsField);

    /// <summary>Fragment containers received.</summary>
    public long Fragments => Volatile.Read(ref FragmentsField);

    /// <summary>Fragments discarded: duplicates, <c>current &gt; last</c>, a <c>last</c> that disagrees with its set, or over the limits.</summary>
    public long FragmentsDropped => Volatile.Read(ref FragmentsDroppedField);

    /// <summary>Fragment sets reassembled.</summary>
    public long FragmentSetsCompleted => Volatile.Read(ref FragmentSetsCompletedField);

    /// <summary>Incomplete fragment sets discarded for age.</summary>
    public long FragmentSetsExpired => Volatile.Read(ref FragmentSetsExpiredField);

    /// <summary>Incomplete fragment sets discarded to stay within the pending-set or pending-byte limits.</summary>
    public long FragmentSetsEvicted => Volatile.Read(ref FragmentSetsEvictedField);

    /// <summary>Reassembled sets dropped because the whole-blob CRC did not match.</summary>
    public long FragmentCrcFailures => Volatile.Read(ref FragmentCrcFailuresField);

    /// <summary>Incomplete fragment sets held now.</summary>
    public long FragmentSetsPending => Volatile.Read(ref FragmentSetsPendingField);

    /// <summary>Bytes held by incomplete fragment sets now.</summary>
    public long FragmentBytesPending => Volatile.Read(ref FragmentBytesPendingField);

    /// <summary>Bytes of an incomplete container at the end of a stream (ignored, as nmsgtool does).</summary>
    public long TruncatedTailBytes => Volatile.Read(ref TruncatedTailBytesField);

    /// <summary>Datagrams received by a socket input (good or not).</summary>
    public long Datagrams => Volatile.Read(ref DatagramsField);

    /// <summary>Containers a socket input dropped because its queue to the consumer was full.</summary>
    public long QueueDrops => Volatile.Read(ref QueueDropsField);

    /// <summary>Counts a datagram received.</summary>
    public void CountDatagram(long bytes)
    {
        Interlocked.Increment(ref DatagramsField);
        Interlocked.Add(ref BytesField, bytes);
    }

    /// <summary>Counts payloads read by an input that has no container decoder (JSON, presentation, fan-in).</summary>
    public void CountPayloads(long count) => Interlocked.Add(ref PayloadsField, count);

    /// <summary>Counts a container dropped because the consumer's queue was full.</summary>
    public void CountQueueDrop() => Interlocked.Increment(ref QueueDropsField);

    /// <summary>Counts a datagram or container dropped as malformed.</summary>
    public void CountMalformed() => Interlocked.Increment(ref MalformedField);

    /// <summary>A consistent-enough copy of every counter (each read atomically, not all at one instant).</summary>
    public NmsgStatisticsSnapshot Snapshot() => new(
        ContainersReceived, ContainersLost, Payloads, Bytes, Datagrams, CrcFailures, MalformedContainers, QueueDrops,
        Fragments, FragmentsDropped, FragmentSetsCompleted, FragmentSetsExpired, FragmentSetsEvicted, FragmentCrcFailures,
        FragmentSetsPending, FragmentBytesPending, SequenceResets, TruncatedTailBytes);

    /// <inheritdoc />
    public override string ToString()
        => $"containers={ContainersReceived} payloads={Payloads} bytes={Bytes} lost={ContainersLost} crc_failures={CrcFailures} " +
           $"malformed={MalformedContainers} fragments={Fragments} fragment_sets={FragmentSetsCompleted} pending={FragmentSetsPending} " +
           $"expired={FragmentSetsExpired} evicted={FragmentSetsEvicted} fragments_dropped={FragmentsDropped} " +
           $"datagrams={Datagrams} queue_drops={QueueDrops}";
}

/// <summary>The counters of one input at one moment (see <see cref="NmsgInputStatistics"/> for each meaning).</summary>
public readonly record struct NmsgStatisticsSnapshot(
    long ContainersReceived,
    long ContainersLost,
    long Payloads,
    long Bytes,
    long Datagrams,
    long CrcFailures,
    long MalformedContainers,
    long QueueDrops,
    long Fragments,
    long FragmentsDropped,
    long FragmentSetsCompleted,
    long FragmentSetsExpired,
    long FragmentSetsEvicted,
    long FragmentCrcFailures,
    long FragmentSetsPending,
    long FragmentBytesPending,
    long SequenceResets,
    long TruncatedTailBytes);
