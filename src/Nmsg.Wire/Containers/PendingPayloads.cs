using Nmsg.Checksums;
using Nmsg.Protobuf;

namespace Nmsg.Containers;

/// <summary>The envelope fields of one payload, parsed but not yet made into an <see cref="NmsgMessage"/>.</summary>
internal struct PayloadHeader
{
    public long Seconds;
    public uint Vid, MsgType, Nanoseconds, Source, Operator, Group, WireCrc;
    public int PayloadOffset, PayloadLength;
    public byte Present;
    public bool HasCrc;
}

/// <summary>
/// One container's payloads, parsed and checked in full (so a malformed container yields nothing at all, as in
/// libnmsg), then handed out as messages a slice at a time. Only the messages handed out exist as objects: a reader
/// that takes a thousand at a time keeps a thousand alive, not the tens of thousands a 1 MiB container holds, which
/// is what every garbage collection would otherwise have to mark and move. Reused container after container.
/// </summary>
internal sealed class PendingPayloads
{
    private PayloadHeader[] _headers = new PayloadHeader[64];
    private ReadOnlyMemory<byte> _nmsg;
    private ContainerLease? _lease; // the reader's hold on a pooled body, while payloads of it are pending
    private bool _unheld; // messages of the pooled body went out without a hold: it must never be reused
    private int _count;
    private int _next;

    /// <summary>Payloads parsed and not yet taken.</summary>
    public int Remaining => _count - _next;

    /// <summary>
    /// Parses a serialized <c>Nmsg</c> and checks its payload CRCs; replaces whatever was pending. Payloads whose CRC
    /// entry does not match are dropped. On a malformed envelope it throws and nothing is pending.
    /// </summary>
    /// <returns>The number of payloads dropped for a CRC mismatch.</returns>
    public int Parse(ReadOnlyMemory<byte> nmsg, ref uint[] crcScratch, out NmsgSequence? sequence)
    {
        Clear();
        ReadOnlySpan<byte> span = nmsg.Span;
        var reader = new ProtoReader(span);
        int count = 0;
        int crcCount = 0;
        uint seq = 0;
        ulong seqId = 0;
        bool hasSeq = false, hasSeqId = false;

        while (reader.TryReadTag(out int field, out WireType wt))
        {
            switch (field)
            {
                case 1 when wt == WireType.LengthDelimited:
                    var (offset, length) = reader.ReadLengthDelimited();
                    if (count == _headers.Length)
                        Array.Resize(ref _headers, count * 2);
                    NmsgEnvelope.ParsePayload(span, offset, length, ref _headers[count]);
                    count++;
                    break;
                case 2 when wt == WireType.Varint:
                    AddCrc(ref crcScratch, ref crcCount, (uint)reader.ReadVarint());
                    break;
                case 2 when wt == WireType.LengthDelimited:
                    // Packed form: accepted on read although protobuf-c never writes it.
                    var (po, pl) = reader.ReadLengthDelimited();
                    var packed = new ProtoReader(span.Slice(po, pl));
                    while (!packed.End)
                        AddCrc(ref crcScratch, ref crcCount, (uint)packed.ReadVarint());
                    break;
                case 3 when wt == WireType.Varint:
                    seq = (uint)reader.ReadVarint();
                    hasSeq = true;
                    break;
                case 4 when wt == WireType.Varint:
                    seqId = reader.ReadVarint();
                    hasSeqId = true;
                    break;
                case 1 or 2 or 3 or 4:
                    ThrowHelper.Protobuf($"Nmsg field {field} has wire type {(int)wt}");
                    break;
                default:
                    reader.Skip(wt);
                    break;
            }
        }
        sequence = hasSeq && hasSeqId ? new NmsgSequence(seq, seqId) : null;
        int dropped = crcCount == 0 ? 0 : VerifyCrcs(span, ref count, crcScratch.AsSpan(0, crcCount));
        _nmsg = nmsg;
        _count = count;
        return dropped;
    }

    private static void AddCrc(ref uint[] scratch, ref int count, uint value)
    {
        if (count == scratch.Length)
            Array.Resize(ref scratch, Math.Max(16, scratch.Length * 2));
        scratch[count++] = value;
    }

    /// <summary>
    /// Checks payload i against CRC entry i where there is one (SPEC §2.3); drops mismatches in one compacting
    /// pass, so a container of nothing but bad CRCs costs linear time.
    /// </summary>
    private int VerifyCrcs(ReadOnlySpan<byte> nmsg, ref int count, ReadOnlySpan<uint> crcs)
    {
        PayloadHeader[] headers = _headers;
        int n = Math.Min(count, crcs.Length);
        int write = 0;
        for (int i = 0; i < count; i++)
        {
            if (i < n)
            {
                ref PayloadHeader h = ref headers[i];
                if (Crc32C.ComputeWire(nmsg.Slice(h.PayloadOffset, h.PayloadLength)) != crcs[i])
                    continue;
                h.WireCrc = crcs[i];
                h.HasCrc = true;
            }
            if (write != i)
                headers[write] = headers[i];
            write++;
        }
        int dropped = count - write;
        count = write;
        return dropped;
    }

    /// <summary>
    /// The pending payloads point into a pooled body: this holds it (taking over the caller's hold) until the last
    /// payload is taken or <see cref="Clear"/>. Without payloads pending it is released at once.
    /// </summary>
    public void Own(ContainerLease lease)
    {
        if (_count == _next)
        {
            lease.Release();
            return;
        }
        DropLease();
        _lease = lease;
    }

    /// <summary>
    /// <see cref="Take(List{NmsgMessage}, int)"/>, and a hold on the pooled body the messages point into for the
    /// caller to release when it has let go of them (null when the body is not pooled).
    /// </summary>
    public int Take(List<NmsgMessage> output, int max, out ContainerLease? lease)
    {
        lease = _unheld ? null : _lease;
        if (lease is not null && _count - _next > max)
            lease.Hold(); // more slices to come: the reader keeps its own hold
        else
            _lease = null; // the last slice (or none is pooled): the reader's hold, if any, passes to the caller
        return Take(output, max, holding: true);
    }

    /// <summary>Appends up to <paramref name="max"/> of the pending payloads to <paramref name="output"/> as messages.</summary>
    /// <returns>How many were appended.</returns>
    public int Take(List<NmsgMessage> output, int max) => Take(output, max, holding: false);

    private int Take(List<NmsgMessage> output, int max, bool holding)
    {
        int n = Math.Min(max, _count - _next);
        PayloadHeader[] headers = _headers;
        ReadOnlyMemory<byte> nmsg = _nmsg;
        for (int i = _next, end = _next + n; i < end; i++)
        {
            ref PayloadHeader h = ref headers[i];
            var m = new NmsgMessage(h.Vid, h.MsgType, h.Seconds, h.Nanoseconds,
                (h.Present & 8) != 0 ? nmsg.Slice(h.PayloadOffset, h.PayloadLength) : default,
                h.Source, h.Operator, h.Group, h.Present);
            if (h.HasCrc)
                m.SetVerifiedWireCrc(h.WireCrc);
            output.Add(m);
        }
        _next += n;
        if (_next == _count)
        {
            _nmsg = default; // the container's buffer now lives only as long as its messages
            _count = _next = 0;
        }
        if (!holding && n > 0 && _lease is not null)
            _unheld = true;
        if (_count == 0)
            DropLease();
        return n;
    }

    /// <summary>Forgets whatever is pending (and the hold on its pooled body).</summary>
    public void Clear()
    {
        _nmsg = default;
        _count = _next = 0;
        DropLease();
    }

    // Lets go of the reader's hold: the body is reused once the messages' holders let go too, unless some of its
    // messages went out without a hold, in which case it is left to the GC.
    private void DropLease()
    {
        ContainerLease? lease = _lease;
        bool unheld = _unheld;
        _lease = null;
        _unheld = false;
        if (lease is not null && !unheld)
            lease.Release();
    }
}
