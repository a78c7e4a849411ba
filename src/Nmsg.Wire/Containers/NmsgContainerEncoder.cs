using System.Buffers.Binary;
using Nmsg.Checksums;
using Nmsg.Compression;
using Nmsg.Framing;
using Nmsg.Internal;
using Nmsg.Protobuf;

namespace Nmsg.Containers;

/// <summary>Options of a <see cref="NmsgContainerEncoder"/>.</summary>
public sealed record NmsgEncoderOptions
{
    /// <summary>Defaults for a file output: 1 MiB containers, buffered, not compressed, not sequenced.</summary>
    public static NmsgEncoderOptions Default { get; } = new();

    /// <summary>
    /// Container budget in bytes (libnmsg's bufsz), clamped into [512, 1048576]. nmsgtool uses 1048576 for files
    /// and 8192 (<c>--mtu</c>) for UDP.
    /// </summary>
    public int BufferSize { get; init; } = NmsgConstants.MaxBufferSize;

    /// <summary>zlib-compress each container (nmsgtool <c>-z</c>).</summary>
    public bool Compress { get; init; }

    /// <summary>
    /// The deflate implementation for <see cref="Compress"/>: <see cref="NmsgDeflater.Fast"/> (default), or
    /// <see cref="NmsgDeflater.Reference"/> for bytes identical to nmsgtool's at about half the speed.
    /// </summary>
    public NmsgDeflater Deflater { get; init; }

    /// <summary>Pack many payloads per container (default); false sends one payload per container (<c>--unbuffered</c>).</summary>
    public bool Buffered { get; init; } = true;

    /// <summary>Write <c>sequence</c>/<c>sequence_id</c> (libnmsg does for UDP and ZMQ outputs).</summary>
    public bool Sequenced { get; init; }

    /// <summary>The 64-bit sequence id; random when null.</summary>
    public ulong? SequenceId { get; init; }

    /// <summary>The first sequence number.</summary>
    public uint InitialSequence { get; init; }

    /// <summary>Overwrites every payload's source (<c>--setsource</c>); null leaves it.</summary>
    public uint? SetSource { get; init; }

    /// <summary>Overwrites every payload's operator (<c>--setoperator</c>); null leaves it.</summary>
    public uint? SetOperator { get; init; }

    /// <summary>Overwrites every payload's group (<c>--setgroup</c>); null leaves it.</summary>
    public uint? SetGroup { get; init; }

    /// <summary>Source of fragment ids; <see cref="Random.Shared"/> when null (tests pass a seeded one).</summary>
    public Random? Random { get; init; }

    /// <summary>The budget after clamping.</summary>
    public int EffectiveBufferSize => Math.Clamp(BufferSize, NmsgConstants.MinBufferSize, NmsgConstants.MaxBufferSize);
}

/// <summary>
/// Packs messages into framed containers exactly as libnmsg's output does (SPEC §1.3): the same size estimate
/// and packing rules (so uncompressed output is byte-identical to nmsgtool's), payload CRCs, sequencing, zlib,
/// and fragmentation of a payload too large for one container (SPEC §3.2, with the exact-multiple bug fixed and
/// never the headerless datagram of SPEC §10.1). A pure, synchronous state machine: after each
/// <see cref="Add"/> or <see cref="Flush"/>, containers ready to send are in <see cref="Ready"/>, one after the
/// other, ending at <see cref="ReadyEnds"/>; the transport sends them and calls <see cref="ConsumeReady"/>.
/// Not thread-safe.
/// </summary>
public sealed class NmsgContainerEncoder : IDisposable
{
    private const int EmptyEstimate = NmsgConstants.HeaderSize;

    private readonly int _bufsz;
    private readonly bool _compress;
    private readonly bool _buffered;
    private readonly bool _sequenced;
    private readonly ulong _sequenceId;
    private readonly NmsgEncoderOptions _options;
    private readonly Random _random;
    private readonly bool _setAny; // --setsource/--setoperator/--setgroup

    // The container being filled: 10 reserved header bytes, then "0a len NmsgPayload" records.
    private PooledBufferWriter _current = new(16384);
    private uint[] _crcs = new uint[256];
    private int _count;
    private int _estimate = EmptyEstimate;

    // Sealed, framed containers waiting for the transport.
    private PooledBufferWriter _ready = new(16384);
    private readonly PooledBufferWriter _scratch = new(4096);
    private readonly List<int> _readyEnds = [];

    private uint _sequence;

    /// <summary>Creates an encoder.</summary>
    public NmsgContainerEncoder(NmsgEncoderOptions? options = null)
    {
        _options = options ?? NmsgEncoderOptions.Default;
        _bufsz = _options.EffectiveBufferSize;
        _compress = _options.Compress;
        _buffered = _options.Buffered;
        _sequenced = _options.Sequenced;
        _random = _options.Random ?? Random.Shared;
        _sequenceId = _options.SequenceId ?? RandomSequenceId();
        _sequence = _options.InitialSequence;
        _setAny = _options.SetSource is not null || _options.SetOperator is not null || _options.SetGroup is not null;
        _current.Advance(NmsgConstants.HeaderSize);
    }

    /// <summary>The options in force.</summary>
    public NmsgEncoderOptions Options => _options;

    /// <summary>The sequence id written when sequenced.</summary>
    public ulong SequenceId => _sequenceId;

    /// <summary>The next sequence number.</summary>
    public uint NextSequence => _sequence;

    /// <summary>Payloads in the container being filled.</summary>
    public int PendingCount => _count;

    /// <summary>Framed containers ready to send, back to back.</summary>
    public ReadOnlyMemory<byte> Ready => _ready.WrittenMemory;

    /// <summary>End offset in <see cref="Ready"/> of each ready container.</summary>
    public IReadOnlyList<int> ReadyEnds => _readyEnds;

    /// <summary>Whether containers are waiting in <see cref="Ready"/>.</summary>
    public bool HasReady => _readyEnds.Count > 0;

    /// <summary>Containers sealed so far.</summary>
    public long ContainersWritten { get; private set; }

    /// <summary>Payloads accepted so far.</summary>
    public long PayloadsWritten { get; private set; }

    /// <summary>Forgets the ready containers once the transport has sent them.</summary>
    public void ConsumeReady()
    {
        _ready.Clear();
        _readyEnds.Clear();
    }

    /// <summary>Seals the container being filled, if it holds anything, into <see cref="Ready"/>.</summary>
    public void Flush()
    {
        if (_count > 0)
            Seal(fragmentIfOverfull: false);
    }

    /// <summary>Adds one message; seals containers into <see cref="Ready"/> as the packing rules say.</summary>
    public void Add(NmsgMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        uint vid = message.Vid, msgtype = message.MsgType;
        ulong sec = (ulong)message.Time.Seconds;
        ReadOnlySpan<byte> payload = message.Payload.Span;
        bool hasPayload = message.HasPayloadField;
        byte present = message.PresenceBits;
        uint source = message.RawSource, op = message.RawOperator, group = message.RawGroup;
        if (_setAny)
        {
            if (_options.SetSource is uint s) { source = s; present |= 1; }
            if (_options.SetOperator is uint o) { op = o; present |= 2; }
            if (_options.SetGroup is uint g) { group = g; present |= 4; }
        }

        int headerFields = 1 + ProtoWriter.VarintSize(vid) + 1 + ProtoWriter.VarintSize(msgtype)
            + 1 + ProtoWriter.VarintSize(sec) + 5
            + ((present & 1) != 0 ? 1 + ProtoWriter.VarintSize(source) : 0)
            + ((present & 2) != 0 ? 1 + ProtoWriter.VarintSize(op) : 0)
            + ((present & 4) != 0 ? 1 + ProtoWriter.VarintSize(group) : 0);
        int len = payload.Length;
        // libnmsg's payload_size(): as if the payload field were present and empty, plus the payload and the
        // extra length bytes for >= 128 and >= 16384.
        long estimate = headerFields + 2L + len + (len >= 128 ? 1 : 0) + (len >= 16384 ? 1 : 0);
        if (estimate > int.MaxValue / 2)
            ThrowHelper.Format(NmsgErrorReason.MessageTooLarge, $"payload of {len} bytes is too large to encode");
        int n = (int)estimate;

        if (_estimate != EmptyEstimate && (long)_estimate + n + 32 >= _bufsz)
            Seal(fragmentIfOverfull: false);

        int size = headerFields + (hasPayload ? 1 + ProtoWriter.VarintSize((uint)len) + len : 0);
        Span<byte> dst = _current.GetSpan(1 + 5 + size);
        int at = 0;
        dst[at++] = 0x0A;
        ProtoWriter.WriteVarint(dst, ref at, (uint)size);
        dst[at++] = 0x08;
        ProtoWriter.WriteVarint(dst, ref at, vid);
        dst[at++] = 0x10;
        ProtoWriter.WriteVarint(dst, ref at, msgtype);
        dst[at++] = 0x18;
        ProtoWriter.WriteVarint(dst, ref at, sec);
        dst[at++] = 0x25;
        BinaryPrimitives.WriteUInt32LittleEndian(dst.Slice(at, 4), message.Time.Nanoseconds);
        at += 4;
        if (hasPayload)
        {
            dst[at++] = 0x2A;
            ProtoWriter.WriteVarint(dst, ref at, (uint)len);
            payload.CopyTo(dst.Slice(at, len));
            at += len;
        }
        if ((present & 1) != 0) { dst[at++] = 0x38; ProtoWriter.WriteVarint(dst, ref at, source); }
        if ((present & 2) != 0) { dst[at++] = 0x40; ProtoWriter.WriteVarint(dst, ref at, op); }
        if ((present & 4) != 0) { dst[at++] = 0x48; ProtoWriter.WriteVarint(dst, ref at, group); }
        _current.Advance(at);

        if (_count == _crcs.Length)
            Array.Resize(ref _crcs, _crcs.Length * 2);
        _crcs[_count++] = message.TryGetWireCrc(out uint wireCrc) ? wireCrc : Crc32C.ComputeWire(payload);
        PayloadsWritten++;

        _estimate += n + 2 + (n >= 128 ? 1 : 0) + (n >= 16384 ? 1 : 0) + (n >= 1 << 21 ? 1 : 0) + 6;
        int seqReserve = _sequenced ? NmsgConstants.SequenceReserve : 0;
        if ((long)_estimate + seqReserve > _bufsz)
            Seal(fragmentIfOverfull: true);
        else if (!_buffered)
            Seal(fragmentIfOverfull: false);
    }

    private void Seal(bool fragmentIfOverfull)
    {
        // Finish the Nmsg body after the reserved header: the CRC entries, then the sequence fields.
        Span<byte> tail = _current.GetSpan(_count * 6 + 16);
        int at = 0;
        for (int i = 0; i < _count; i++)
        {
            tail[at++] = 0x10;
            at += ProtoWriter.WriteVarint(tail[at..], _crcs[i]);
        }
        if (_sequenced)
        {
            tail[at++] = 0x18;
            at += ProtoWriter.WriteVarint(tail[at..], _sequence);
            tail[at++] = 0x20;
            at += ProtoWriter.WriteVarint(tail[at..], _sequenceId);
            _sequence++;
        }
        _current.Advance(at);

        ReadOnlySpan<byte> body = _current.WrittenSpan[NmsgConstants.HeaderSize..];
        var flags = NmsgContainerFlags.None;
        if (_compress)
        {
            _scratch.Clear();
            NmsgZlib.Compress(body, _scratch, _options.Deflater);
            body = _scratch.WrittenSpan;
            flags |= NmsgContainerFlags.Zlib;
        }

        int maxFragment = _bufsz - NmsgConstants.FragmentOverhead;
        if (fragmentIfOverfull && body.Length > maxFragment)
        {
            WriteFragments(body, flags, maxFragment);
        }
        else if (!_compress && _ready.WrittenCount == 0)
        {
            // The container is already framed but for its header, in the bytes reserved for it: hand the buffer
            // over as the ready one instead of copying the container.
            NmsgHeader.WriteV2(_current.WrittenSpanMutable, flags, body.Length);
            (_current, _ready) = (_ready, _current);
            _readyEnds.Add(_ready.WrittenCount);
        }
        else
        {
            // Also the case libnmsg gets wrong (SPEC §10.1): an overfull payload that compresses to fit is sent
            // as one ordinary zlib container, header included.
            Span<byte> hdr = _ready.GetSpan(NmsgConstants.HeaderSize);
            NmsgHeader.WriteV2(hdr, flags, body.Length);
            _ready.Advance(NmsgConstants.HeaderSize);
            _ready.Write(body);
            _readyEnds.Add(_ready.WrittenCount);
        }

        ContainersWritten++;
        _current.Clear();
        _current.Advance(NmsgConstants.HeaderSize);
        _count = 0;
        _estimate = EmptyEstimate;
    }

    private void WriteFragments(ReadOnlySpan<byte> blob, NmsgContainerFlags flags, int maxFragment)
    {
        flags |= NmsgContainerFlags.Fragment;
        uint id = (uint)_random.NextInt64(0, 1L << 32);
        uint crc = Crc32C.ComputeWire(blob);
        // libnmsg computes last = len / max, one too many when len is an exact multiple (SPEC §3.2); we emit
        // exactly the pieces announced.
        uint last = (uint)((blob.Length + maxFragment - 1) / maxFragment - 1);
        for (uint i = 0; i <= last; i++)
        {
            int start = (int)i * maxFragment;
            ReadOnlySpan<byte> chunk = blob.Slice(start, Math.Min(maxFragment, blob.Length - start));
            int size = 1 + ProtoWriter.VarintSize(id) + 1 + ProtoWriter.VarintSize(i) + 1 + ProtoWriter.VarintSize(last)
                + 1 + ProtoWriter.VarintSize((uint)chunk.Length) + chunk.Length + 1 + ProtoWriter.VarintSize(crc);
            Span<byte> dst = _ready.GetSpan(NmsgConstants.HeaderSize + size);
            NmsgHeader.WriteV2(dst, flags, size);
            int at = NmsgConstants.HeaderSize;
            dst[at++] = 0x08;
            at += ProtoWriter.WriteVarint(dst[at..], id);
            dst[at++] = 0x10;
            at += ProtoWriter.WriteVarint(dst[at..], i);
            dst[at++] = 0x18;
            at += ProtoWriter.WriteVarint(dst[at..], last);
            dst[at++] = 0x22;
            at += ProtoWriter.WriteVarint(dst[at..], (uint)chunk.Length);
            chunk.CopyTo(dst[at..]);
            at += chunk.Length;
            dst[at++] = 0x28;
            at += ProtoWriter.WriteVarint(dst[at..], crc);
            _ready.Advance(at);
            _readyEnds.Add(_ready.WrittenCount);
        }
    }

    // Like libnmsg's nmsg_random: an id that tells senders apart, not a secret. (The cryptographic generator would
    // load OpenSSL into every process that writes a file: ~4 MB of memory and start-up time for nothing.)
    private static ulong RandomSequenceId()
    {
        Span<byte> b = stackalloc byte[8];
        Random.Shared.NextBytes(b);
        return BinaryPrimitives.ReadUInt64LittleEndian(b);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _current.Dispose();
        _ready.Dispose();
        _scratch.Dispose();
    }
}
