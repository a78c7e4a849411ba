using System.Buffers.Binary;

namespace Nmsg.Modules.Base;

/// <summary>Just enough IPv4/IPv6/UDP parsing for the derived fields of ncap and dnsqr.</summary>
internal static class IpPackets
{
    public const int Udp = 17, Tcp = 6, Icmp = 1;

    /// <summary>An IP datagram's addresses, protocol and transport bytes (the first fragment's, for fragments).</summary>
    public readonly record struct Datagram(ReadOnlyMemory<byte> Src, ReadOnlyMemory<byte> Dst, int Protocol,
        ReadOnlyMemory<byte> Transport, bool IsFragment, int FragmentOffset, bool MoreFragments, uint Id);

    public static bool TryParse(ReadOnlyMemory<byte> packet, out Datagram d)
    {
        d = default;
        ReadOnlySpan<byte> p = packet.Span;
        if (p.Length < 1)
            return false;
        int version = p[0] >> 4;
        if (version == 4)
        {
            if (p.Length < 20)
                return false;
            int ihl = (p[0] & 0x0F) * 4;
            int total = BinaryPrimitives.ReadUInt16BigEndian(p[2..]);
            if (ihl < 20 || total < ihl || total > p.Length)
                return false;
            ushort frag = BinaryPrimitives.ReadUInt16BigEndian(p[6..]);
            int offset = (frag & 0x1FFF) * 8;
            bool more = (frag & 0x2000) != 0;
            d = new Datagram(packet.Slice(12, 4), packet.Slice(16, 4), p[9], packet[ihl..total], more || offset != 0, offset, more,
                BinaryPrimitives.ReadUInt16BigEndian(p[4..]));
            return true;
        }
        if (version == 6)
        {
            if (p.Length < 40)
                return false;
            int payloadLength = BinaryPrimitives.ReadUInt16BigEndian(p[4..]);
            if (40 + payloadLength > p.Length)
                return false;
            int next = p[6];
            int at = 40, end = 40 + payloadLength;
            bool isFragment = false, more = false;
            int offset = 0;
            uint id = 0;
            // Skip extension headers: hop-by-hop 0, routing 43, fragment 44, destination options 60.
            while (next is 0 or 43 or 44 or 60)
            {
                if (end - at < 8)
                    return false;
                int hdrNext = p[at];
                int len;
                if (next == 44)
                {
                    ushort fo = BinaryPrimitives.ReadUInt16BigEndian(p[(at + 2)..]);
                    offset = fo & 0xFFF8;
                    more = (fo & 1) != 0;
                    id = BinaryPrimitives.ReadUInt32BigEndian(p[(at + 4)..]);
                    isFragment = true;
                    len = 8;
                }
                else
                {
                    len = (p[at + 1] + 1) * 8;
                }
                if (end - at < len)
                    return false;
                at += len;
                next = hdrNext;
            }
            d = new Datagram(packet.Slice(8, 16), packet.Slice(24, 16), next, packet[at..end], isFragment, offset, more, id);
            return true;
        }
        return false;
    }

    /// <summary>
    /// Reassembles the transport bytes of one or more packets of the same datagram (in any order) and returns the
    /// datagram with its whole transport; false if pieces are missing or inconsistent.
    /// </summary>
    public static bool TryReassemble(IReadOnlyList<ReadOnlyMemory<byte>> packets, out Datagram whole)
    {
        if (packets.Count == 1)
            return TryParse(packets[0], out whole) && !whole.IsFragment;
        return TryReassembleMany(packets, out whole);
    }

    /// <summary>
    /// <see cref="TryReassemble"/> of no packet or several, in a method of its own: its list, sort and Datagram
    /// locals (which hold references) made the prolog zero ~300 bytes of frame for the common single packet too.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static bool TryReassembleMany(IReadOnlyList<ReadOnlyMemory<byte>> packets, out Datagram whole)
    {
        whole = default;
        if (packets.Count == 0)
            return false;
        var parts = new List<Datagram>(packets.Count);
        foreach (var pkt in packets)
        {
            if (!TryParse(pkt, out Datagram d))
                return false;
            parts.Add(d);
        }
        parts.Sort((a, b) => a.FragmentOffset.CompareTo(b.FragmentOffset));
        if (parts[0].FragmentOffset != 0 || parts[^1].MoreFragments)
            return false;
        int total = parts[^1].FragmentOffset + parts[^1].Transport.Length;
        byte[] buffer = new byte[total];
        int covered = 0;
        foreach (Datagram d in parts)
        {
            if (d.FragmentOffset > covered || d.FragmentOffset + d.Transport.Length > total)
                return false;
            d.Transport.Span.CopyTo(buffer.AsSpan(d.FragmentOffset));
            covered = Math.Max(covered, d.FragmentOffset + d.Transport.Length);
        }
        whole = parts[0] with { Transport = buffer, IsFragment = false, MoreFragments = false };
        return true;
    }

    /// <summary>The UDP payload of a datagram whose protocol is UDP, bounded by the UDP length field.</summary>
    public static bool TryGetUdp(in Datagram d, out ushort srcPort, out ushort dstPort, out ReadOnlyMemory<byte> payload)
    {
        srcPort = dstPort = 0;
        payload = default;
        ReadOnlySpan<byte> t = d.Transport.Span;
        if (d.Protocol != Udp || t.Length < 8)
            return false;
        srcPort = BinaryPrimitives.ReadUInt16BigEndian(t);
        dstPort = BinaryPrimitives.ReadUInt16BigEndian(t[2..]);
        int len = BinaryPrimitives.ReadUInt16BigEndian(t[4..]);
        if (len < 8 || len > t.Length)
            len = t.Length;
        payload = d.Transport[8..len];
        return true;
    }

    /// <summary>Verifies the UDP checksum over the pseudo-header, header and data: null if absent (0), else whether it holds.</summary>
    public static bool? VerifyUdpChecksum(in Datagram d)
    {
        ReadOnlySpan<byte> t = d.Transport.Span;
        if (t.Length < 8)
            return false;
        if (BinaryPrimitives.ReadUInt16BigEndian(t[6..]) == 0)
            return null;
        ulong sum = 0;
        sum = Add(sum, d.Src.Span);
        sum = Add(sum, d.Dst.Span);
        sum += (uint)Udp;
        sum += (uint)t.Length;
        sum = Add(sum, t);
        while (sum >> 16 != 0)
            sum = (sum & 0xFFFF) + (sum >> 16);
        return sum == 0xFFFF;
    }

    private static ulong Add(ulong sum, ReadOnlySpan<byte> data)
    {
        int i = 0;
        for (; i + 1 < data.Length; i += 2)
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        if (i < data.Length)
            sum += (uint)data[i] << 8;
        return sum;
    }
}
