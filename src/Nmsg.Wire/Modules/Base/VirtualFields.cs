using System.Buffers.Binary;
using Google.Protobuf;

namespace Nmsg.Modules.Base;

/// <summary>Derived fields of base:ncap (SPEC §8.1).</summary>
internal static class NcapFields
{
    private static Ncap Typed(NmsgMessage m) => m.Get<Ncap>();

    /// <summary>Decoded view of an ncap payload.</summary>
    internal readonly record struct View(bool Ok, ReadOnlyMemory<byte> Src, ReadOnlyMemory<byte> Dst, int Proto,
        int SrcPort, int DstPort, bool HasPorts, ReadOnlyMemory<byte> UdpPayload, bool IsUdp);

    internal static View Decode(NmsgMessage m)
    {
        Ncap n = Typed(m);
        if (n.Type == NcapType.Legacy)
        {
            bool ports = n.HasLtype && n.Ltype is NcapLegacyType.Udp or NcapLegacyType.Tcp;
            int proto = !n.HasLtype ? 0 : n.Ltype switch { NcapLegacyType.Udp => 17, NcapLegacyType.Tcp => 6, _ => 1 };
            return new View(n.HasLtype, n.Srcip.Memory, n.Dstip.Memory, proto, (int)n.Lint0, (int)n.Lint1, ports,
                n.Payload.Memory, n.HasLtype && n.Ltype == NcapLegacyType.Udp);
        }
        if (!IpPackets.TryParse(n.Payload.Memory, out IpPackets.Datagram d))
            return default;
        if (IpPackets.TryGetUdp(d, out ushort sp, out ushort dp, out ReadOnlyMemory<byte> udp))
            return new View(true, d.Src, d.Dst, d.Protocol, sp, dp, true, udp, true);
        return new View(true, d.Src, d.Dst, d.Protocol, 0, 0, false, default, false);
    }

    public static bool SrcIp(NmsgMessage m, int index, out NmsgFieldValue value)
    {
        View v = Decode(m);
        value = new NmsgFieldValue(v.Src);
        return index == 0 && v.Ok && !v.Src.IsEmpty;
    }

    public static bool DstIp(NmsgMessage m, int index, out NmsgFieldValue value)
    {
        View v = Decode(m);
        value = new NmsgFieldValue(v.Dst);
        return index == 0 && v.Ok && !v.Dst.IsEmpty;
    }

    public static bool SrcPort(NmsgMessage m, int index, out NmsgFieldValue value)
    {
        View v = Decode(m);
        value = new NmsgFieldValue((ulong)v.SrcPort);
        return index == 0 && v.Ok && v.HasPorts;
    }

    public static bool DstPort(NmsgMessage m, int index, out NmsgFieldValue value)
    {
        View v = Decode(m);
        value = new NmsgFieldValue((ulong)v.DstPort);
        return index == 0 && v.Ok && v.HasPorts;
    }

    public static bool Proto(NmsgMessage m, int index, out NmsgFieldValue value)
    {
        View v = Decode(m);
        value = new NmsgFieldValue((ulong)v.Proto);
        return index == 0 && v.Ok;
    }

    public static bool Dns(NmsgMessage m, int index, out NmsgFieldValue value)
    {
        View v = Decode(m);
        value = new NmsgFieldValue(v.UdpPayload);
        return index == 0 && v.Ok && v.IsUdp && (v.SrcPort is 53 or 5353 || v.DstPort is 53 or 5353);
    }
}

/// <summary>Derived fields of base:dnsqr (SPEC §8.1).</summary>
internal static class DnsQRFields
{
    public static bool Delay(NmsgMessage m, int index, out NmsgFieldValue value)
    {
        value = default;
        DnsQRView q = DnsQRView.Of(m);
        if (index != 0 || q.Type != (int)DnsQRType.UdpQueryResponse || q.QueryTimeSec.Count != 1 || q.QueryTimeNsec.Count != 1
            || q.ResponseTimeSec.Count < 1 || q.ResponseTimeSec.Count != q.ResponseTimeNsec.Count)
            return false;
        // Seconds and nanoseconds apart, then combined, so that the difference keeps its precision.
        double max = double.MinValue;
        for (int i = 0; i < q.ResponseTimeSec.Count; i++)
        {
            double delay = (q.ResponseTimeSec[i] - q.QueryTimeSec[0]) + (q.ResponseTimeNsec[i] - (double)q.QueryTimeNsec[0]) / 1e9;
            max = Math.Max(max, delay);
        }
        value = NmsgFieldValue.FromDouble(max);
        return true;
    }

    public static bool UdpChecksum(NmsgMessage m, int index, out NmsgFieldValue value)
    {
        value = default;
        DnsQRView q = DnsQRView.Of(m);
        if (index != 0 || q.ResponsePackets.Count == 0)
            return false;
        if (q.HasUdpChecksum)
        {
            value = new NmsgFieldValue((ulong)q.UdpChecksum);
            return true;
        }
        Base.UdpChecksum result;
        if (q.ResolverAddressZeroed || !IpPackets.TryReassemble(q.ResponsePackets, out IpPackets.Datagram d) || d.Protocol != IpPackets.Udp)
            result = Base.UdpChecksum.Error;
        else
            result = IpPackets.VerifyUdpChecksum(d) switch { null => Base.UdpChecksum.Absent, true => Base.UdpChecksum.Correct, false => Base.UdpChecksum.Incorrect };
        value = new NmsgFieldValue((ulong)(int)result);
        return true;
    }

    public static bool Query(NmsgMessage m, int index, out NmsgFieldValue value)
    {
        value = default;
        DnsQRView q = DnsQRView.Of(m);
        if (index != 0 || q.QueryPackets.Count != 1 || !q.Query(out ReadOnlyMemory<byte> dns))
            return false;
        value = new NmsgFieldValue(dns);
        return true;
    }

    public static bool Response(NmsgMessage m, int index, out NmsgFieldValue value)
    {
        value = default;
        DnsQRView q = DnsQRView.Of(m);
        if (index != 0 || q.ResponsePackets.Count == 0 || !q.Response(out ReadOnlyMemory<byte> dns))
            return false;
        value = new NmsgFieldValue(dns);
        return true;
    }
}

/// <summary>
/// The dnsqr fields the derived fields read, taken once per message: from the payload bytes directly (no protobuf
/// object, no copies of the packets), or from the typed payload when one is decoded or set, or where the bytes hold
/// anything unusual (then protobuf's own parser decides, as before). The query and response DNS messages are
/// reassembled once. One instance per thread, kept for the last message seen.
/// </summary>
internal sealed class DnsQRView
{
    [ThreadStatic]
    private static DnsQRView? t_view;

    private NmsgMessage? _message;
    private ReadOnlyMemory<byte> _payload;
    private sbyte _query, _response; // 0 not yet, 1 found, -1 none
    private ReadOnlyMemory<byte> _queryDns, _responseDns;

    public readonly List<ReadOnlyMemory<byte>> QueryPackets = [];
    public readonly List<ReadOnlyMemory<byte>> ResponsePackets = [];
    public readonly List<long> QueryTimeSec = [];
    public readonly List<int> QueryTimeNsec = [];
    public readonly List<long> ResponseTimeSec = [];
    public readonly List<int> ResponseTimeNsec = [];
    public int Type;
    public bool HasUdpChecksum;
    public int UdpChecksum;
    public bool ResolverAddressZeroed;

    public static DnsQRView Of(NmsgMessage m)
    {
        DnsQRView v = t_view ??= new DnsQRView();
        if (m.CachedTyped is DnsQR typed)
        {
            // A typed payload may have been changed in place since: read it every time.
            v.From(typed);
            v._message = null;
            return v;
        }
        if (ReferenceEquals(v._message, m) && v._payload.Equals(m.Payload))
            return v;
        v._message = null;
        // While a formatter prints the message, its payload is already indexed: no second pass over the bytes.
        PayloadFields formatting = PayloadFields.ForThread();
        if (!(formatting.IsLoadedFor(m) ? v.TryFromFields(formatting) : v.TryFromBytes(m.Payload)))
            v.From(m.Get<DnsQR>());
        else
        {
            v._message = m;
            v._payload = m.Payload;
        }
        return v;
    }

    public bool Query(out ReadOnlyMemory<byte> dns)
    {
        if (_query == 0)
            _query = Udp(QueryPackets, out _queryDns) ? (sbyte)1 : (sbyte)-1;
        dns = _queryDns;
        return _query > 0;
    }

    public bool Response(out ReadOnlyMemory<byte> dns)
    {
        if (_response == 0)
            _response = Udp(ResponsePackets, out _responseDns) ? (sbyte)1 : (sbyte)-1;
        dns = _responseDns;
        return _response > 0;
    }

    private static bool Udp(List<ReadOnlyMemory<byte>> packets, out ReadOnlyMemory<byte> payload)
    {
        payload = default;
        return IpPackets.TryReassemble(packets, out IpPackets.Datagram d) && IpPackets.TryGetUdp(d, out _, out _, out payload);
    }

    private void Reset()
    {
        QueryPackets.Clear();
        ResponsePackets.Clear();
        QueryTimeSec.Clear();
        QueryTimeNsec.Clear();
        ResponseTimeSec.Clear();
        ResponseTimeNsec.Clear();
        Type = 0;
        HasUdpChecksum = false;
        UdpChecksum = 0;
        ResolverAddressZeroed = false;
        _query = _response = 0;
        _queryDns = _responseDns = default;
    }

    private void From(DnsQR q)
    {
        Reset();
        Type = (int)q.Type;
        foreach (ByteString p in q.QueryPacket)
            QueryPackets.Add(p.Memory);
        foreach (ByteString p in q.ResponsePacket)
            ResponsePackets.Add(p.Memory);
        QueryTimeSec.AddRange(q.QueryTimeSec);
        QueryTimeNsec.AddRange(q.QueryTimeNsec);
        ResponseTimeSec.AddRange(q.ResponseTimeSec);
        ResponseTimeNsec.AddRange(q.ResponseTimeNsec);
        HasUdpChecksum = q.HasUdpChecksum;
        UdpChecksum = (int)q.UdpChecksum;
        ResolverAddressZeroed = q.ResolverAddressZeroed;
    }

    /// <summary>
    /// Reads the fields straight from the bytes; false (for the protobuf parser to decide) if the payload is not
    /// well-formed, lacks a required field, or holds a field of interest with an unexpected wire type.
    /// </summary>
    private bool TryFromBytes(ReadOnlyMemory<byte> payload)
    {
        PayloadFields fields = _fields ??= new PayloadFields();
        try
        {
            // Groups and malformed input throw here: protobuf's parser decides then.
            fields.Load(payload, module: null);
        }
        catch (NmsgFormatException)
        {
            return false;
        }
        return TryFromFields(fields);
    }

    private PayloadFields? _fields;

    /// <summary>Reads the fields from an index of the payload; false as <see cref="TryFromBytes"/>.</summary>
    private bool TryFromFields(PayloadFields fields)
    {
        Reset();
        ReadOnlyMemory<byte> payload = fields.Payload;
        int required = 0;
        foreach (ref readonly PayloadFields.Entry e in fields.Entries)
        {
            int field = e.Number;
            Nmsg.Protobuf.WireType wt = e.Wire;
            switch (field)
            {
                case 1 when wt == Nmsg.Protobuf.WireType.Varint:
                    Type = (int)e.Bits;
                    required |= 1 << field;
                    break;
                case 2 or 3 when wt == Nmsg.Protobuf.WireType.LengthDelimited:
                case 4 or 5 or 6 or 7 when wt == Nmsg.Protobuf.WireType.Varint:
                    required |= 1 << field;
                    break;
                case 12 or 15 when wt == Nmsg.Protobuf.WireType.LengthDelimited:
                    (field == 12 ? QueryPackets : ResponsePackets).Add(payload.Slice(e.Offset, e.Length));
                    break;
                case 13 or 16 when wt == Nmsg.Protobuf.WireType.Varint:
                    (field == 13 ? QueryTimeSec : ResponseTimeSec).Add((long)e.Bits);
                    break;
                case 14 or 17 when wt == Nmsg.Protobuf.WireType.Fixed32:
                    (field == 14 ? QueryTimeNsec : ResponseTimeNsec).Add((int)e.Bits);
                    break;
                case 21 when wt == Nmsg.Protobuf.WireType.Varint:
                    HasUdpChecksum = true;
                    UdpChecksum = (int)e.Bits;
                    break;
                case 22 when wt == Nmsg.Protobuf.WireType.Varint:
                    ResolverAddressZeroed = e.Bits != 0;
                    break;
                case 1 or 2 or 3 or 4 or 5 or 6 or 7 or 12 or 13 or 14 or 15 or 16 or 17 or 21 or 22:
                    return false; // packed repeated or a wire type protobuf treats as unknown: its parser decides
            }
        }
        return required == 0b1111_1110;
    }
}

/// <summary>Flattened and derived fields of base:dnstap (SPEC §8.1).</summary>
internal static class DnstapFields
{
    private static Dnstap.Message? Msg(NmsgMessage m) => m.Get<Dnstap.Dnstap>() is { Message: { } msg } ? msg : null;

    private static bool Number(bool has, ulong v, int index, out NmsgFieldValue value)
    {
        value = new NmsgFieldValue(v);
        return index == 0 && has;
    }

    private static bool Bytes(bool has, ByteString b, int index, out NmsgFieldValue value)
    {
        value = new NmsgFieldValue(b.Memory);
        return index == 0 && has;
    }

    public static bool MessageType(NmsgMessage m, int i, out NmsgFieldValue v) { var x = Msg(m); return Number(x is not null && x.HasType, (ulong)(x?.Type ?? 0), i, out v); }
    public static bool SocketFamily(NmsgMessage m, int i, out NmsgFieldValue v) { var x = Msg(m); return Number(x is not null && x.HasSocketFamily, (ulong)(x?.SocketFamily ?? 0), i, out v); }
    public static bool SocketProtocol(NmsgMessage m, int i, out NmsgFieldValue v) { var x = Msg(m); return Number(x is not null && x.HasSocketProtocol, (ulong)(x?.SocketProtocol ?? 0), i, out v); }
    public static bool QueryAddress(NmsgMessage m, int i, out NmsgFieldValue v) { var x = Msg(m); return Bytes(x is not null && x.HasQueryAddress, x?.QueryAddress ?? ByteString.Empty, i, out v); }
    public static bool ResponseAddress(NmsgMessage m, int i, out NmsgFieldValue v) { var x = Msg(m); return Bytes(x is not null && x.HasResponseAddress, x?.ResponseAddress ?? ByteString.Empty, i, out v); }
    public static bool QueryPort(NmsgMessage m, int i, out NmsgFieldValue v) { var x = Msg(m); return Number(x is not null && x.HasQueryPort, x?.QueryPort ?? 0, i, out v); }
    public static bool ResponsePort(NmsgMessage m, int i, out NmsgFieldValue v) { var x = Msg(m); return Number(x is not null && x.HasResponsePort, x?.ResponsePort ?? 0, i, out v); }
    public static bool QueryTimeSec(NmsgMessage m, int i, out NmsgFieldValue v) { var x = Msg(m); return Number(x is not null && x.HasQueryTimeSec, x?.QueryTimeSec ?? 0, i, out v); }
    public static bool QueryTimeNsec(NmsgMessage m, int i, out NmsgFieldValue v) { var x = Msg(m); return Number(x is not null && x.HasQueryTimeNsec, x?.QueryTimeNsec ?? 0, i, out v); }
    public static bool ResponseTimeSec(NmsgMessage m, int i, out NmsgFieldValue v) { var x = Msg(m); return Number(x is not null && x.HasResponseTimeSec, x?.ResponseTimeSec ?? 0, i, out v); }
    public static bool ResponseTimeNsec(NmsgMessage m, int i, out NmsgFieldValue v) { var x = Msg(m); return Number(x is not null && x.HasResponseTimeNsec, x?.ResponseTimeNsec ?? 0, i, out v); }
    public static bool QueryMessage(NmsgMessage m, int i, out NmsgFieldValue v) { var x = Msg(m); return Bytes(x is not null && x.HasQueryMessage, x?.QueryMessage ?? ByteString.Empty, i, out v); }
    public static bool ResponseMessage(NmsgMessage m, int i, out NmsgFieldValue v) { var x = Msg(m); return Bytes(x is not null && x.HasResponseMessage, x?.ResponseMessage ?? ByteString.Empty, i, out v); }
    public static bool QueryZone(NmsgMessage m, int i, out NmsgFieldValue v) { var x = Msg(m); return Bytes(x is not null && x.HasQueryZone, x?.QueryZone ?? ByteString.Empty, i, out v); }

    /// <summary>The DNS message the derived fields come from: the query if present, else the response; at least 12 bytes.</summary>
    private static ReadOnlyMemory<byte> Dns(NmsgMessage m)
    {
        Dnstap.Message? x = Msg(m);
        if (x is null)
            return default;
        ReadOnlyMemory<byte> dns = x.HasQueryMessage ? x.QueryMessage.Memory : x.HasResponseMessage ? x.ResponseMessage.Memory : default;
        return dns.Length >= 12 ? dns : default;
    }

    public static bool Id(NmsgMessage m, int i, out NmsgFieldValue v)
    {
        ReadOnlyMemory<byte> d = Dns(m);
        v = d.IsEmpty ? default : new NmsgFieldValue(BinaryPrimitives.ReadUInt16BigEndian(d.Span));
        return i == 0 && !d.IsEmpty;
    }

    public static bool Rcode(NmsgMessage m, int i, out NmsgFieldValue v)
    {
        ReadOnlyMemory<byte> d = Dns(m);
        v = d.IsEmpty ? default : new NmsgFieldValue((ulong)(d.Span[3] & 0x0F));
        return i == 0 && !d.IsEmpty;
    }

    /// <summary>The first question's name (as found, not decompressed) and the offset after it, when QDCOUNT is 1.</summary>
    private static bool Question(NmsgMessage m, out ReadOnlyMemory<byte> name, out ReadOnlyMemory<byte> rest)
    {
        name = rest = default;
        ReadOnlyMemory<byte> d = Dns(m);
        if (d.IsEmpty || BinaryPrimitives.ReadUInt16BigEndian(d.Span[4..]) != 1)
            return false;
        ReadOnlySpan<byte> s = d.Span;
        int at = 12;
        while (at < s.Length)
        {
            int len = s[at];
            if (len == 0)
            {
                at++;
                name = d[12..at];
                rest = d[at..];
                return true;
            }
            if ((len & 0xC0) != 0)
            {
                // A compression pointer ends the name as found.
                if (at + 2 > s.Length)
                    return false;
                at += 2;
                name = d[12..at];
                rest = d[at..];
                return true;
            }
            at += len + 1;
        }
        return false;
    }

    public static bool QName(NmsgMessage m, int i, out NmsgFieldValue v)
    {
        bool ok = Question(m, out ReadOnlyMemory<byte> name, out _);
        v = new NmsgFieldValue(name);
        return i == 0 && ok;
    }

    public static bool QType(NmsgMessage m, int i, out NmsgFieldValue v)
    {
        v = default;
        if (i != 0 || !Question(m, out _, out ReadOnlyMemory<byte> rest) || rest.Length < 2)
            return false;
        v = new NmsgFieldValue(BinaryPrimitives.ReadUInt16BigEndian(rest.Span));
        return true;
    }

    public static bool QClass(NmsgMessage m, int i, out NmsgFieldValue v)
    {
        v = default;
        if (i != 0 || !Question(m, out _, out ReadOnlyMemory<byte> rest) || rest.Length < 4)
            return false;
        v = new NmsgFieldValue(BinaryPrimitives.ReadUInt16BigEndian(rest.Span[2..]));
        return true;
    }
}

/// <summary>Derived fields of base:dnsobs.</summary>
internal static class DnsObsFields
{
    public static bool Response(NmsgMessage m, int index, out NmsgFieldValue value)
    {
        DnsObs o = m.Get<DnsObs>();
        value = new NmsgFieldValue(o.Response.Memory);
        return index == 0 && o.HasResponse;
    }
}
