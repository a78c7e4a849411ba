using Nmsg.Checksums;
using Nmsg.Protobuf;

namespace Nmsg.Containers;

/// <summary>The <c>sequence</c>/<c>sequence_id</c> pair of a container, when both are present.</summary>
public readonly record struct NmsgSequence(uint Sequence, ulong SequenceId);

/// <summary>A parsed <c>NmsgFragment</c> (SPEC §2.1); <see cref="Fragment"/> is a slice of the container.</summary>
public readonly record struct NmsgFragmentInfo(uint Id, uint Current, uint Last, ReadOnlyMemory<byte> Fragment, uint? Crc);

/// <summary>Parses the <c>Nmsg</c> and <c>NmsgFragment</c> protobuf envelopes without copying payload bytes.</summary>
internal static class NmsgEnvelope
{
    // Field keys as they appear on the wire.
    private const byte PayloadKey = 0x0A, CrcKey = 0x10, SequenceKey = 0x18, SequenceIdKey = 0x20;

    /// <summary>
    /// Parses a serialized <c>Nmsg</c>, appending one message per payload to <paramref name="output"/> (payloads
    /// are slices of <paramref name="nmsg"/>). Payloads whose CRC entry does not match are removed and counted.
    /// </summary>
    /// <returns>The number of payloads dropped for a CRC mismatch.</returns>
    public static int Parse(ReadOnlyMemory<byte> nmsg, List<NmsgMessage> output, ref uint[] crcScratch, out NmsgSequence? sequence)
    {
        var reader = new ProtoReader(nmsg.Span);
        int first = output.Count;
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
                    output.Add(ParsePayload(nmsg.Slice(offset, length)));
                    break;
                case 2 when wt == WireType.Varint:
                    AddCrc(ref crcScratch, ref crcCount, (uint)reader.ReadVarint());
                    break;
                case 2 when wt == WireType.LengthDelimited:
                    // Packed form: accepted on read although protobuf-c never writes it.
                    var (po, pl) = reader.ReadLengthDelimited();
                    var packed = new ProtoReader(nmsg.Span.Slice(po, pl));
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
        return crcCount == 0 ? 0 : VerifyCrcs(output, first, crcScratch.AsSpan(0, crcCount));
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
    private static int VerifyCrcs(List<NmsgMessage> output, int first, ReadOnlySpan<uint> crcs)
    {
        int payloads = output.Count - first;
        int n = Math.Min(payloads, crcs.Length);
        int write = first;
        for (int i = 0; i < payloads; i++)
        {
            NmsgMessage m = output[first + i];
            if (i < n)
            {
                if (Crc32C.ComputeWire(m.Payload.Span) != crcs[i])
                    continue;
                m.SetVerifiedWireCrc(crcs[i]);
            }
            output[write++] = m;
        }
        int dropped = output.Count - write;
        if (dropped > 0)
            output.RemoveRange(write, dropped);
        return dropped;
    }

    private static NmsgMessage ParsePayload(ReadOnlyMemory<byte> bytes)
    {
        var reader = new ProtoReader(bytes.Span);
        uint vid = 0, msgtype = 0, nsec = 0, source = 0, op = 0, group = 0;
        long sec = 0;
        byte present = 0;
        int required = 0;
        ReadOnlyMemory<byte> payload = default;
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
                    var (o, l) = reader.ReadLengthDelimited();
                    payload = bytes.Slice(o, l);
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
        return new NmsgMessage(vid, msgtype, sec, nsec, payload, source, op, group, present);
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
