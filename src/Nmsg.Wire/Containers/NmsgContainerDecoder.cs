using Nmsg.Compression;
using Nmsg.Fragments;
using Nmsg.Framing;
using Nmsg.Sequencing;
using Nmsg.Transports;

namespace Nmsg.Containers;

/// <summary>Options of a <see cref="NmsgContainerDecoder"/>.</summary>
public sealed record NmsgDecoderOptions
{
    /// <summary>The defaults: limits as <see cref="NmsgLimits.Default"/>, no sequence tracking, fragment CRCs checked.</summary>
    public static NmsgDecoderOptions Default { get; } = new();

    /// <summary>Bounds on everything read.</summary>
    public NmsgLimits Limits { get; init; } = NmsgLimits.Default;

    /// <summary>Track sequence numbers per sender and count lost containers (on for network inputs in libnmsg).</summary>
    public bool TrackSequence { get; init; }

    /// <summary>
    /// Check each reassembled fragment set against its <c>crc</c> and drop it (counted) on mismatch. libnmsg never
    /// checks; turn this off to accept what it accepts.
    /// </summary>
    public bool VerifyFragmentCrc { get; init; } = true;

    /// <summary>Discard incomplete fragment sets after <see cref="NmsgLimits.FragmentSetTimeout"/> (libnmsg does for network inputs only).</summary>
    public bool ExpireFragmentSets { get; init; } = true;

    /// <summary>The clock for fragment and sequence-source expiry.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>
/// Turns container data parts into messages (SPEC §1.2 unpacking): fragment reassembly, inflating, parsing the
/// <c>Nmsg</c> envelope, payload CRC checks and sequence tracking. A pure, synchronous state machine: transports
/// hand it bytes. Not thread-safe; one decoder belongs to one input.
/// </summary>
public sealed class NmsgContainerDecoder : IDisposable
{
    private readonly NmsgDecoderOptions _options;
    private readonly FragmentAssembler _fragments;
    private readonly SequenceTracker? _sequences;
    private uint[] _crcScratch = new uint[64];
    private readonly PendingPayloads _pending = new();

    /// <summary>Creates a decoder with its own statistics.</summary>
    public NmsgContainerDecoder(NmsgDecoderOptions? options = null)
        : this(options, new NmsgInputStatistics())
    {
    }

    /// <summary>
    /// Creates a decoder that counts into <paramref name="statistics"/>, which several decoders of one input (one
    /// per stage, or one per socket of a port range) may share.
    /// </summary>
    public NmsgContainerDecoder(NmsgDecoderOptions? options, NmsgInputStatistics statistics)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        Statistics = statistics;
        _options = options ?? NmsgDecoderOptions.Default;
        _options.Limits.Validate();
        _fragments = new FragmentAssembler(_options.Limits, Statistics, _options.TimeProvider)
        {
            VerifyCrc = _options.VerifyFragmentCrc,
            ExpireByAge = _options.ExpireFragmentSets,
        };
        if (_options.TrackSequence)
            _sequences = new SequenceTracker(_options.Limits, Statistics, _options.TimeProvider);
    }

    /// <summary>The counters of this input.</summary>
    public NmsgInputStatistics Statistics { get; }

    /// <summary>The options in force.</summary>
    public NmsgDecoderOptions Options => _options;

    /// <summary>The fragment assembler (for periodic <see cref="FragmentAssembler.Collect"/> by idle transports).</summary>
    public FragmentAssembler Fragments => _fragments;

    /// <summary>Per-sender sequence statistics, when tracking is on.</summary>
    public IReadOnlyList<SequenceSourceStatistics> SequenceSources => _sequences?.GetSources() ?? [];

    /// <summary>
    /// Decodes one container's data part and appends its messages to <paramref name="output"/>.
    /// </summary>
    /// <param name="header">The container header.</param>
    /// <param name="body">
    /// The data part. For a plain container the messages' payloads are slices of it, so it must stay unchanged
    /// for as long as they are used; compressed and fragment bodies are not referenced after the call.
    /// </param>
    /// <param name="output">Receives the messages.</param>
    /// <param name="sender">The peer it came from (keys fragments and sequence sources).</param>
    /// <returns>The number of messages appended (0 for a fragment that does not complete its set).</returns>
    /// <exception cref="NmsgException">The container is malformed; nothing was appended.</exception>
    public int Decode(in NmsgHeader header, ReadOnlyMemory<byte> body, List<NmsgMessage> output, NmsgPeer sender = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        Interlocked.Add(ref Statistics.BytesField, header.HeaderSize + body.Length);
        return DecodePayloads(new NmsgContainer(header, body, sender), output);
    }

    /// <summary>
    /// The fragment stage: a container that is not a fragment comes back as it is; a fragment is held until its
    /// set is complete, and the piece that completes it returns the whole container (its blob in a new array,
    /// still compressed if the set was). Invalid pieces are counted drops.
    /// </summary>
    /// <returns>False while the fragment's set is incomplete (or the piece was dropped).</returns>
    /// <exception cref="NmsgException">The fragment envelope itself is malformed.</exception>
    public bool Reassemble(in NmsgContainer container, out NmsgContainer whole)
    {
        if (!container.IsFragment)
        {
            whole = container;
            return true;
        }
        NmsgFragmentInfo fragment = NmsgEnvelope.ParseFragment(container.Body);
        byte[]? blob = _fragments.Add(fragment, container.Sender);
        if (blob is null)
        {
            whole = default;
            return false;
        }
        NmsgHeader header = container.Header with { Flags = container.Header.Flags & ~NmsgContainerFlags.Fragment, Length = blob.Length };
        whole = new NmsgContainer(header, blob, container.Sender);
        return true;
    }

    /// <summary>
    /// The zlib stage: a compressed container comes back inflated into a new array of exactly the declared size
    /// (bounded by <see cref="NmsgLimits.MaxMessageLength"/>); any other container comes back as it is.
    /// </summary>
    /// <exception cref="NmsgException">The data does not inflate, or declares more than the limit.</exception>
    public NmsgContainer Decompress(in NmsgContainer container)
    {
        if (!container.IsCompressed)
            return container;
        if (container.IsFragment)
            throw new ArgumentException("reassemble a fragment before inflating it", nameof(container));
        byte[] plain = NmsgZlib.Inflate(container.Body, _options.Limits.MaxMessageLength);
        NmsgHeader header = container.Header with { Flags = container.Header.Flags & ~NmsgContainerFlags.Zlib, Length = plain.Length };
        return new NmsgContainer(header, plain, container.Sender);
    }

    /// <summary>
    /// The payload stage: parses the <c>Nmsg</c> envelope, checks payload CRCs, tracks the sequence per sender and
    /// appends the messages (slices of the plain body) to <paramref name="output"/>. A fragment or compressed
    /// container is first taken through <see cref="Reassemble"/> and <see cref="Decompress"/>, so this one call
    /// decodes anything.
    /// </summary>
    /// <returns>The number of messages appended (0 while a fragment set is incomplete).</returns>
    /// <exception cref="NmsgException">The container is malformed; nothing was appended.</exception>
    public int DecodePayloads(in NmsgContainer container, List<NmsgMessage> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        return DecodePending(container) ? _pending.Take(output, int.MaxValue) : 0;
    }

    /// <summary>
    /// <see cref="DecodePayloads"/> up to the messages: the container is parsed and checked in full and counted,
    /// and its payloads wait in <see cref="Pending"/> to be taken a slice at a time. Replaces whatever was pending.
    /// </summary>
    /// <returns>False while a fragment set is incomplete (nothing pending).</returns>
    internal bool DecodePending(in NmsgContainer container) => DecodePending(container, _pending);

    /// <summary>
    /// <see cref="DecodePending(in NmsgContainer)"/> into <paramref name="pending"/> instead of <see cref="Pending"/>
    /// (a reader that parses the next container while the last one's messages are still being taken). One call at a
    /// time per decoder.
    /// </summary>
    internal bool DecodePending(in NmsgContainer container, PendingPayloads pending) => DecodePending(container, pending, null);

    /// <summary>
    /// <see cref="DecodePending(in NmsgContainer, PendingPayloads)"/>, inflating a compressed container into a body of
    /// <paramref name="pool"/> (when given) that <paramref name="pending"/> then holds (<see cref="PendingPayloads.Own"/>),
    /// rather than into a new array: a file of 1 MiB zlib containers otherwise makes a large object per container.
    /// </summary>
    internal bool DecodePending(in NmsgContainer container, PendingPayloads pending, ContainerBufferPool? pool)
    {
        pending.Clear();
        if (!Reassemble(container, out NmsgContainer whole))
            return false;
        ContainerLease? lease = null;
        ReadOnlyMemory<byte> nmsg;
        if (pool is not null && whole.IsCompressed)
        {
            int declared = NmsgZlib.DeclaredLength(whole.Body.Span, _options.Limits.MaxMessageLength);
            lease = pool.Rent(declared);
            nmsg = lease.Array.AsMemory(0, declared);
        }
        else
        {
            nmsg = Decompress(whole).Body;
        }
        int crcFailures;
        NmsgSequence? sequence;
        try
        {
            if (lease is not null)
                NmsgZlib.InflateInto(whole.Body, lease.Array.AsSpan(0, nmsg.Length));
            crcFailures = pending.Parse(nmsg, ref _crcScratch, out sequence);
        }
        catch
        {
            lease?.Release(); // nothing of it went out
            throw;
        }
        if (lease is not null)
            pending.Own(lease);
        Interlocked.Increment(ref Statistics.ContainersField);
        Interlocked.Add(ref Statistics.PayloadsField, pending.Remaining);
        if (crcFailures > 0)
            Interlocked.Add(ref Statistics.CrcFailuresField, crcFailures);
        if (_sequences is not null && sequence is NmsgSequence s)
            _sequences.Update(s, container.Sender);
        return true;
    }

    /// <summary>The payloads of the last container decoded with <see cref="DecodePending(in NmsgContainer)"/> not yet taken.</summary>
    internal PendingPayloads Pending => _pending;

    /// <summary>Counts bytes received by a transport that feeds the stages directly.</summary>
    public void CountBytes(long bytes) => Interlocked.Add(ref Statistics.BytesField, bytes);

    /// <summary>Counts a container dropped as malformed by an input that keeps going.</summary>
    public void CountMalformed() => Statistics.CountMalformed();

    /// <inheritdoc />
    public void Dispose() => _fragments.Dispose();
}
