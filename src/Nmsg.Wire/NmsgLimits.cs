namespace Nmsg;

/// <summary>
/// Bounds enforced on everything read from a file or the network. Every length, count and size that
/// comes off the wire is checked against these before anything is allocated for it.
/// </summary>
/// <remarks>
/// The defaults accept everything nmsgtool 1.3.3 writes (containers of at most ~1 MiB, fragmented sets of
/// multi-megabyte payloads) while keeping a hostile sender from making the reader allocate more than a few
/// tens of megabytes.
/// </remarks>
public sealed record NmsgLimits
{
    /// <summary>The defaults.</summary>
    public static NmsgLimits Default { get; } = new();

    /// <summary>
    /// Largest container data part accepted (the header's length field). The reference reader's buffer is
    /// 2 MiB (NMSG_RBUFSZ) and it aborts on larger containers; writers never exceed ~1 MiB.
    /// </summary>
    public int MaxContainerLength { get; init; } = 2 * 1024 * 1024;

    /// <summary>
    /// Largest serialized <c>Nmsg</c> accepted after inflating or reassembling (the zlib length prefix and the
    /// sum of a fragment set's pieces are checked against it before allocating).
    /// </summary>
    public int MaxMessageLength { get; init; } = 16 * 1024 * 1024;

    /// <summary>Largest number of pieces in one fragment set (<c>last + 1</c>).</summary>
    public int MaxFragmentsPerSet { get; init; } = 32768;

    /// <summary>Most incomplete fragment sets held at once; the oldest is evicted (and counted) beyond it.</summary>
    public int MaxPendingFragmentSets { get; init; } = 1024;

    /// <summary>Most bytes held by incomplete fragment sets; the oldest sets are evicted (and counted) beyond it.</summary>
    public long MaxPendingFragmentBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Age after which an incomplete fragment set is discarded (the reference uses 30 s).</summary>
    public TimeSpan FragmentSetTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Most senders tracked for sequence-gap accounting; the least recently seen is forgotten beyond it.</summary>
    public int MaxSequenceSources { get; init; } = 4096;

    /// <summary>Age after which a silent sequence source is forgotten (the reference uses 120 s).</summary>
    public TimeSpan SequenceSourceTimeout { get; init; } = TimeSpan.FromSeconds(120);

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxContainerLength, 16, nameof(MaxContainerLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMessageLength, 16, nameof(MaxMessageLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFragmentsPerSet, 1, nameof(MaxFragmentsPerSet));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingFragmentSets, 1, nameof(MaxPendingFragmentSets));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingFragmentBytes, 1, nameof(MaxPendingFragmentBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSequenceSources, 1, nameof(MaxSequenceSources));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(FragmentSetTimeout, TimeSpan.Zero, nameof(FragmentSetTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(SequenceSourceTimeout, TimeSpan.Zero, nameof(SequenceSourceTimeout));
    }
}
