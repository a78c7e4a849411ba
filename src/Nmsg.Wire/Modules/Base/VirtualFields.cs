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
        DnsQR q = m.Get<DnsQR>();
        if (index != 0 || q.Type != DnsQRType.UdpQueryResponse || q.QueryTimeSec.Count != 1 || q.QueryTimeNsec.Count != 1
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
        DnsQR q = m.Get<DnsQR>();
        if (index != 0 || q.ResponsePacket.Count == 0)
            return false;
        if (q.HasUdpChecksum)
        {
            value = new NmsgFieldValue((ulong)(int)q.UdpChecksum);
            return true;
        }
        Base.UdpChecksum result;
        if (q.ResolverAddressZeroed || !IpPackets.TryReassemble(Packets(q.ResponsePacket), out IpPackets.Datagram d) || d.Protocol != IpPackets.Udp)
            result = Base.UdpChecksum.Error;
        else
            result = IpPackets.VerifyUdpChecksum(d) switch { null => Base.UdpChecksum.Absent, true => Base.UdpChecksum.Correct, false => Base.UdpChecksum.Incorrect };
        value = new NmsgFieldValue((ulong)(int)result);
        return true;
    }

    public static bool Query(NmsgMessage m, int index, out NmsgFieldValue value)
    {
        value = default;
        DnsQR q = m.Get<DnsQR>();
        if (index != 0 || q.QueryPacket.Count != 1)
            return false;
        return Udp(Packets(q.QueryPacket), out value);
    }

    public static bool Response(NmsgMessage m, int index, out NmsgFieldValue value)
    {
        value = default;
        DnsQR q = m.Get<DnsQR>();
        if (index != 0 || q.ResponsePacket.Count == 0)
            return false;
        return Udp(Packets(q.ResponsePacket), out value);
    }

    private static bool Udp(IReadOnlyList<ReadOnlyMemory<byte>> packets, out NmsgFieldValue value)
    {
        value = default;
        if (!IpPackets.TryReassemble(packets, out IpPackets.Datagram d) || !IpPackets.TryGetUdp(d, out _, out _, out ReadOnlyMemory<byte> payload))
            return false;
        value = new NmsgFieldValue(payload);
        return true;
    }

    private static ReadOnlyMemory<byte>[] Packets(Google.Protobuf.Collections.RepeatedField<ByteString> packets)
    {
        var list = new ReadOnlyMemory<byte>[packets.Count];
        for (int i = 0; i < list.Length; i++)
            list[i] = packets[i].Memory;
        return list;
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
