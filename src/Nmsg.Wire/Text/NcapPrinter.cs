using Nmsg.Dns;
using Nmsg.Internal;
using Nmsg.Modules.Base;

namespace Nmsg.Text;

/// <summary>base:ncap's payload printer (SPEC §8.1): addresses and ports of a UDP datagram, then its DNS dump.</summary>
internal static class NcapPrinter
{
    public static bool Print(NmsgMessage m, PooledBufferWriter w, byte[] endline)
    {
        NcapFields.View v = NcapFields.Decode(m);
        if (!v.Ok)
        {
            w.Ascii("payload: <DECODING ERROR>");
            w.Write(endline);
            return true;
        }
        w.Ascii("payload:");
        w.Write(endline);
        if (!v.IsUdp)
            return true;
        w.Byte((byte)'[');
        IpText.TryFormat(v.Src.Span, w);
        w.Ascii("].");
        w.UInt((ulong)v.SrcPort);
        w.Ascii(" [");
        IpText.TryFormat(v.Dst.Span, w);
        w.Ascii("].");
        w.UInt((ulong)v.DstPort);
        w.Ascii(" udp [");
        w.UInt((ulong)v.UdpPayload.Length);
        w.Byte((byte)']');
        w.Write(endline);
        if (v.SrcPort is 53 or 5353 || v.DstPort is 53 or 5353)
        {
            if (!DnsMessageText.TryFormat(v.UdpPayload.Span, w))
            {
                w.Ascii("<ERROR: DNS parse failed>");
                w.Write(endline);
            }
        }
        w.Byte((byte)'\n');
        return true;
    }
}
