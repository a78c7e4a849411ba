using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Nmsg.Protobuf;

namespace Nmsg.Containers;

/// <summary>The <c>sequence</c>/<c>sequence_id</c> pair of a container, when both are present.</summary>
public readonly record struct NmsgSequence(uint Sequence, ulong SequenceId);

/// <summary>A parsed <c>NmsgFragment</c> (SPEC §2.1); <see cref="Fragment"/> is a slice of the container.</summary>
public readonly record struct NmsgFragmentInfo(uint Id, uint Current, uint Last, ReadOnlyMemory<byte> Fragment, uint? Crc);

/// <summary>
/// Parses the <c>NmsgPayload</c> and <c>NmsgFragment</c> protobuf envelopes without copying payload bytes (the
/// <c>Nmsg</c> envelope around payloads is <see cref="PendingPayloads.Parse"/>).
/// </summary>
internal static class NmsgEnvelope
{
    /// <summary>
    /// Parses one <c>NmsgPayload</c> (at <paramref name="offset"/>, <paramref name="length"/> bytes, in
    /// <paramref name="nmsg"/>) into <paramref name="h"/>; the payload field is kept as its offset in
    /// <paramref name="nmsg"/>.
    /// </summary>
    internal static void ParsePayload(ReadOnlySpan<byte> nmsg, int offset, int length, ref PayloadHeader h)
    {
        if (!TryParseCanonical(nmsg.Slice(offset, length), offset, ref h))
            ParseAnyLayout(nmsg, offset, length, ref h);
    }

    /// <summary>
    /// The layout every encoder writes (libnmsg's protobuf-c and ours): vid, msgtype, time_sec, time_nsec, then the
    /// optional payload, source, operator and group, each at most once, in field order, with one-byte keys. Parsed
    /// straight through with the position in a local; anything else (another order, a repeat, an unknown field, a
    /// truncation) returns false, and the general parser decides, errors included.
    /// </summary>
    internal static bool TryParseCanonical(ReadOnlySpan<byte> p, int offset, ref PayloadHeader h)
    {
        if (p.Length < 10 || p[0] != 0x08)
            return false;
        int pos = 1;
        if (!ProtoReader.TryDecodeVarint(p, ref pos, out ulong vid) || pos >= p.Length || p[pos] != 0x10)
            return false;
        pos++;
        if (!ProtoReader.TryDecodeVarint(p, ref pos, out ulong msgtype) || pos >= p.Length || p[pos] != 0x18)
            return false;
        pos++;
        if (!ProtoReader.TryDecodeVarint(p, ref pos, out ulong sec) || p.Length - pos < 5 || p[pos] != 0x25)
            return false;
        uint nsec = BinaryPrimitives.ReadUInt32LittleEndian(p.Slice(pos + 1, 4));
        pos += 5;
        byte present = 0;
        int payloadOffset = 0, payloadLength = 0;
        ulong source = 0, op = 0, group = 0;
        if (pos < p.Length && p[pos] == 0x2A)
        {
            pos++;
            if (!ProtoReader.TryDecodeVarint(p, ref pos, out ulong len) || len > (ulong)(p.Length - pos))
                return false;
            payloadOffset = pos;
            payloadLength = (int)len;
            pos += payloadLength;
            present = 8;
        }
        if (pos < p.Length && p[pos] == 0x38)
        {
            pos++;
            if (!ProtoReader.TryDecodeVarint(p, ref pos, out source))
                return false;
            present |= 1;
        }
        if (pos < p.Length && p[pos] == 0x40)
        {
            pos++;
            if (!ProtoReader.TryDecodeVarint(p, ref pos, out op))
                return false;
            present |= 2;
        }
        if (pos < p.Length && p[pos] == 0x48)
        {
            pos++;
            if (!ProtoReader.TryDecodeVarint(p, ref pos, out group))
                return false;
            present |= 4;
        }
        if (pos != p.Length)
            return false;
        Fill(ref h, (uint)vid, (uint)msgtype, (long)sec, nsec, offset + payloadOffset, payloadLength,
            (uint)source, (uint)op, (uint)group, present);
        return true;
    }

    // Any field order, repeats, unknown fields; throws on a malformed envelope.
    internal static void ParseAnyLayout(ReadOnlySpan<byte> nmsg, int offset, int length, ref PayloadHeader h)
    {
        var reader = new ProtoReader(nmsg.Slice(offset, length));
        uint vid = 0, msgtype = 0, nsec = 0, source = 0, op = 0, group = 0;
        long sec = 0;
        byte present = 0;
        int required = 0;
        int payloadOffset = 0, payloadLength = 0;
        while (reader.TryReadTag(out int field, out WireType wt))
        {
            // On the key (field and wire type together): one jump per field in the layout every encoder writes.
            switch (((ulong)field << 3) | (ulong)wt)
            {
                case 0x08:
                    vid = (uint)reader.ReadVarint();
                    required |= 1;
                    break;
                case 0x10:
                    msgtype = (uint)reader.ReadVarint();
                    required |= 2;
                    break;
                case 0x18:
                    sec = (long)reader.ReadVarint();
                    required |= 4;
                    break;
                case 0x25:
                    nsec = reader.ReadFixed32();
                    required |= 8;
                    break;
                case 0x2A:
                    (payloadOffset, payloadLength) = reader.ReadLengthDelimited();
                    present |= 8;
                    break;
                case 0x38:
                    source = (uint)reader.ReadVarint();
                    present |= 1;
                    break;
                case 0x40:
                    op = (uint)reader.ReadVarint();
                    present |= 2;
                    break;
                case 0x48:
                    group = (uint)reader.ReadVarint();
                    present |= 4;
                    break;
                default:
                    if (field is <= 5 or 7 or 8 or 9)
                        ThrowHelper.Protobuf($"NmsgPayload field {field} has wire type {(int)wt}");
                    reader.Skip(wt);
                    break;
            }
        }
        if (required != 15)
            ThrowHelper.Protobuf("NmsgPayload lacks a required field (vid, msgtype, time_sec or time_nsec)");
        Fill(ref h, vid, msgtype, sec, nsec, offset + payloadOffset, payloadLength, source, op, group, present);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Fill(ref PayloadHeader h, uint vid, uint msgtype, long sec, uint nsec, int payloadOffset,
        int payloadLength, uint source, uint op, uint group, byte present)
    {
        h.Vid = vid;
        h.MsgType = msgtype;
        h.Seconds = sec;
        h.Nanoseconds = nsec;
        h.PayloadOffset = payloadOffset;
        h.PayloadLength = payloadLength;
        h.Source = source;
        h.Operator = op;
        h.Group = group;
        h.Present = present;
        h.HasCrc = false;
    }

    /// <summary>Parses an <c>NmsgFragment</c>; throws <see cref="NmsgFormatException"/> (FragmentInvalid) when it is not one.</summary>
    public static NmsgFragmentInfo ParseFragment(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            var reader = new ProtoReader(bytes.Span);
            uint id = 0, current = 0, last = 0, crc = 0;
            bool hasCrc = false;
            int required = 0;
            ReadOnlyMemory<byte> fragment = default;
            while (reader.TryReadTag(out int field, out WireType wt))
            {
                switch (field)
                {
                    case 1 when wt == WireType.Varint: id = (uint)reader.ReadVarint(); required |= 1; break;
                    case 2 when wt == WireType.Varint: current = (uint)reader.ReadVarint(); required |= 2; break;
                    case 3 when wt == WireType.Varint: last = (uint)reader.ReadVarint(); required |= 4; break;
                    case 4 when wt == WireType.LengthDelimited:
                        var (o, l) = reader.ReadLengthDelimited();
                        fragment = bytes.Slice(o, l);
                        required |= 8;
                        break;
                    case 5 when wt == WireType.Varint: crc = (uint)reader.ReadVarint(); hasCrc = true; break;
                    case <= 5:
                        ThrowHelper.Protobuf($"NmsgFragment field {field} has wire type {(int)wt}");
                        break;
                    default: reader.Skip(wt); break;
                }
            }
            if (required != 15)
                ThrowHelper.Protobuf("NmsgFragment lacks a required field (id, current, last or fragment)");
            return new NmsgFragmentInfo(id, current, last, fragment, hasCrc ? crc : null);
        }
        catch (NmsgFormatException e) when (e.Reason == NmsgErrorReason.ProtobufInvalid)
        {
            throw new NmsgFormatException(NmsgErrorReason.FragmentInvalid, "invalid NmsgFragment: " + e.Message, inner: e);
        }
    }
}
