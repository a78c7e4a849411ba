using Nmsg.Modules.Dnstap;
using static Nmsg.Modules.NmsgFieldFlags;
using static Nmsg.Modules.NmsgFieldFormat;
using T = Nmsg.Modules.NmsgFieldType;

namespace Nmsg.Modules.Base;

/// <summary>The base vendor's modules (vid 1), with the field tables of SPEC §8.1.</summary>
public static class BaseModules
{
    /// <summary>Vendor id of base.</summary>
    public const uint VendorId = 1;

    /// <summary>Vendor name.</summary>
    public const string VendorName = "base";

    internal static readonly NmsgEnum NcapTypeEnum = new("NcapType", (0, "IPV4"), (1, "IPV6"), (2, "Legacy"));
    internal static readonly NmsgEnum NcapLegacyTypeEnum = new("NcapLegacyType", (0, "UDP"), (1, "TCP"), (2, "ICMP"));
    internal static readonly NmsgEnum EmailTypeEnum = new("EmailType", (0, "unknown"), (1, "spamtrap"), (2, "rej_network"), (3, "rej_content"), (4, "rej_user"));
    internal static readonly NmsgEnum LinktypeEnum = new("Linktype", (0, "anchor"), (1, "redirect"));
    internal static readonly NmsgEnum HttpTypeEnum = new("HttpType", (0, "unknown"), (1, "sinkhole"));
    internal static readonly NmsgEnum DnsQRTypeEnum = new("DnsQRType", (0, "UDP_INVALID"), (1, "UDP_QUERY_RESPONSE"), (2, "UDP_UNANSWERED_QUERY"),
        (3, "UDP_UNSOLICITED_RESPONSE"), (4, "TCP"), (5, "ICMP"), (6, "UDP_QUERY_ONLY"), (7, "UDP_RESPONSE_ONLY"));
    internal static readonly NmsgEnum UdpChecksumEnum = new("UdpChecksum", (0, "ERROR"), (1, "ABSENT"), (2, "INCORRECT"), (3, "CORRECT"));
    internal static readonly NmsgEnum EncodeTypeEnum = new("EncodeType", (0, "TEXT"), (1, "JSON"), (2, "YAML"), (3, "MSGPACK"), (4, "XML"));
    internal static readonly NmsgEnum PacketTypeEnum = new("PacketType", (1, "IP"));
    internal static readonly NmsgEnum DnstapTypeEnum = new("Dnstap.Type", (1, "MESSAGE"));
    internal static readonly NmsgEnum DnstapMessageTypeEnum = new("Message.Type", (1, "AUTH_QUERY"), (2, "AUTH_RESPONSE"), (3, "RESOLVER_QUERY"),
        (4, "RESOLVER_RESPONSE"), (5, "CLIENT_QUERY"), (6, "CLIENT_RESPONSE"), (7, "FORWARDER_QUERY"), (8, "FORWARDER_RESPONSE"),
        (9, "STUB_QUERY"), (10, "STUB_RESPONSE"), (11, "TOOL_QUERY"), (12, "TOOL_RESPONSE"));
    internal static readonly NmsgEnum SocketFamilyEnum = new("SocketFamily", (1, "INET"), (2, "INET6"));
    internal static readonly NmsgEnum SocketProtocolEnum = new("SocketProtocol", (1, "UDP"), (2, "TCP"));

    /// <summary>All base modules, in libnmsg's registration order.</summary>
    public static IReadOnlyList<NmsgModule> All { get; } = Build();

    private static NmsgModule Module(uint type, string name, Google.Protobuf.Reflection.MessageDescriptor d, Action<FieldTable> fields)
        => FieldTable.Module(VendorId, VendorName, type, name, d, fields);

    private static List<NmsgModule> Build() =>
    [
        Module(2, "email", Email.Descriptor, t => t
            .Add("type", T.Enum, @enum: EmailTypeEnum)
            .Add("headers", T.MLString)
            .Add("srcip", T.IP)
            .Add("srchost", T.String)
            .Add("helo", T.String)
            .Add("from", T.String)
            .Add("rcpt", T.String)
            .Add("bodyurl", T.String)
            .Add("body", T.MLString)),
        Module(4, "http", Http.Descriptor, t => t
            .Add("type", T.Enum, Required, @enum: HttpTypeEnum)
            .Add("srcip", T.IP)
            .Add("srchost", T.String)
            .Add("srcport", T.UInt16)
            .Add("dstip", T.IP)
            .Add("dstport", T.UInt16)
            .Add("request", T.MLString)
            .Add("p0f_genre", T.String)
            .Add("p0f_detail", T.String)
            .Add("p0f_dist", T.Int16)
            .Add("p0f_link", T.String)
            .Add("p0f_tos", T.String)
            .Add("p0f_fw", T.UInt16)
            .Add("p0f_nat", T.UInt16)
            .Add("p0f_real", T.UInt16)
            .Add("p0f_score", T.Int16)
            .Add("p0f_mflags", T.UInt16)
            .Add("p0f_uptime", T.Int32)),
        Module(5, "ipconn", IPConn.Descriptor, t => t
            .Add("proto", T.UInt16)
            .Add("srcip", T.IP)
            .Add("srcport", T.UInt16)
            .Add("dstip", T.IP)
            .Add("dstport", T.UInt16)),
        Module(3, "linkpair", Linkpair.Descriptor, t => t
            .Add("type", T.Enum, Required, @enum: LinktypeEnum)
            .Add("src", T.String, Required)
            .Add("dst", T.String, Required)
            .Add("headers", T.MLString)),
        Module(6, "logline", LogLine.Descriptor, t => t
            .Add("category", T.String)
            .Add("message", T.String)),
        Module(1, "ncap", Ncap.Descriptor, t => t
            .Add("type", T.Enum, Required, @enum: NcapTypeEnum)
            .Add("ltype", T.Enum, Hidden, @enum: NcapLegacyTypeEnum)
            .Add("srcip", T.IP, getter: NcapFields.SrcIp)
            .Add("dstip", T.IP, getter: NcapFields.DstIp)
            .Add("lint0", T.UInt32, Hidden)
            .Add("lint1", T.UInt32, Hidden)
            .Virtual("srcport", T.UInt16, NcapFields.SrcPort)
            .Virtual("dstport", T.UInt16, NcapFields.DstPort)
            .Virtual("proto", T.UInt16, NcapFields.Proto)
            .Add("payload", T.Bytes, Required, NcapPayload)
            .Virtual("dns", T.Bytes, NcapFields.Dns, NoPrint)),
        Module(7, "dns", Dns.Descriptor, t => t
            .Add("qname", T.Bytes, format: DnsName)
            .Add("qclass", T.UInt16, format: DnsClass)
            .Add("qtype", T.UInt16, format: DnsType)
            .Add("section", T.UInt16)
            .Add("rrname", T.Bytes, format: DnsName)
            .Add("rrclass", T.UInt16, format: DnsClass)
            .Add("rrtype", T.UInt16, format: DnsType)
            .Add("rrttl", T.UInt32)
            .Add("rdata", T.Bytes, format: DnsRdata)),
        Module(8, "pkt", Pkt.Descriptor, t => t
            .Add("len_frame", T.UInt32)
            .Add("payload", T.Bytes, Required)),
        Module(9, "dnsqr", DnsQR.Descriptor, t => t
            .Add("type", T.Enum, @enum: DnsQRTypeEnum)
            .Add("query_ip", T.IP)
            .Add("response_ip", T.IP)
            .Add("proto", T.UInt16, format: IpProto)
            .Add("query_port", T.UInt16)
            .Add("response_port", T.UInt16)
            .Add("id", T.UInt16)
            .Add("qname", T.Bytes, format: DnsName)
            .Add("qclass", T.UInt16, format: DnsClass)
            .Add("qtype", T.UInt16, format: DnsType)
            .Add("rcode", T.UInt16, format: Rcode)
            .Add("query_packet", T.Bytes, NoPrint)
            .Add("query_time_sec", T.Int64, NoPrint)
            .Add("query_time_nsec", T.Int32, NoPrint)
            .Add("response_packet", T.Bytes, NoPrint)
            .Add("response_time_sec", T.Int64, NoPrint)
            .Add("response_time_nsec", T.Int32, NoPrint)
            .Add("timeout", T.Double)
            .Virtual("delay", T.Double, DnsQRFields.Delay)
            .Add("udp_checksum", T.Enum, @enum: UdpChecksumEnum, getter: DnsQRFields.UdpChecksum)
            .Add("resolver_address_zeroed", T.Bool)
            .Virtual("query", T.Bytes, DnsQRFields.Query, format: DnsMessage)
            .Virtual("query_json", T.Bytes, DnsQRFields.Query, FormatRaw | NoPrint, DnsMessageJson)
            .Virtual("response", T.Bytes, DnsQRFields.Response, format: DnsMessage)
            .Virtual("response_json", T.Bytes, DnsQRFields.Response, FormatRaw | NoPrint, DnsMessageJson)
            .Virtual("dns", T.Bytes, DnsQRFields.Response, NoPrint)
            .Add("tcp", T.Bytes, NoPrint)
            .Add("icmp", T.Bytes, NoPrint)),
        Module(10, "xml", Xml.Descriptor, t => t
            .Add("xmltype", T.String, Required)
            .Add("xmlpayload", T.Bytes, Required)),
        Module(11, "encode", Encode.Descriptor, t => t
            .Add("type", T.Enum, Required, @enum: EncodeTypeEnum)
            .Add("payload", T.Bytes, Required | FormatRaw, EncodePayload)),
        Module(12, "packet", Packet.Descriptor, t => t
            .Add("payload_type", T.Enum, @enum: PacketTypeEnum)
            .Add("payload", T.Bytes)),
        Module(13, "dnstap", Dnstap.Dnstap.Descriptor, t => t
            .Add("identity", T.Bytes)
            .Add("version", T.Bytes)
            .Add("extra", T.Bytes)
            .Add("type", T.Enum, Required, @enum: DnstapTypeEnum)
            .Virtual("message_type", T.UInt32, DnstapFields.MessageType, format: EnumName, @enum: DnstapMessageTypeEnum)
            .Virtual("socket_family", T.UInt32, DnstapFields.SocketFamily, format: EnumName, @enum: SocketFamilyEnum)
            .Virtual("socket_protocol", T.UInt32, DnstapFields.SocketProtocol, format: EnumName, @enum: SocketProtocolEnum)
            .Virtual("query_address", T.IP, DnstapFields.QueryAddress)
            .Virtual("query_port", T.UInt32, DnstapFields.QueryPort)
            .Virtual("query_time_sec", T.UInt64, DnstapFields.QueryTimeSec)
            .Virtual("query_time_nsec", T.UInt32, DnstapFields.QueryTimeNsec)
            .Virtual("query_message", T.Bytes, DnstapFields.QueryMessage, format: DnsMessage)
            .Virtual("query_json", T.Bytes, DnstapFields.QueryMessage, FormatRaw | NoPrint, DnsMessageJson)
            .Virtual("response_address", T.IP, DnstapFields.ResponseAddress)
            .Virtual("response_port", T.UInt32, DnstapFields.ResponsePort)
            .Virtual("response_time_sec", T.UInt64, DnstapFields.ResponseTimeSec)
            .Virtual("response_time_nsec", T.UInt32, DnstapFields.ResponseTimeNsec)
            .Virtual("query_zone", T.Bytes, DnstapFields.QueryZone, format: DnsName)
            .Virtual("response_message", T.Bytes, DnstapFields.ResponseMessage, format: DnsMessage)
            .Virtual("response_json", T.Bytes, DnstapFields.ResponseMessage, FormatRaw | NoPrint, DnsMessageJson)
            .Virtual("id", T.UInt16, DnstapFields.Id)
            .Virtual("qname", T.Bytes, DnstapFields.QName, format: DnsName)
            .Virtual("qclass", T.UInt16, DnstapFields.QClass, format: DnsClass)
            .Virtual("qtype", T.UInt16, DnstapFields.QType, format: DnsType)
            .Virtual("rcode", T.UInt16, DnstapFields.Rcode, format: Rcode)),
        Module(14, "dnsobs", DnsObs.Descriptor, t => t
            .Add("time", T.UInt64, Required)
            .Add("response_ip", T.IP, Required)
            .Add("qname", T.Bytes, Required, DnsName)
            .Add("qtype", T.UInt16, Required, DnsType)
            .Add("qclass", T.UInt16, Required, DnsClass)
            .Add("rcode", T.UInt16, Required, Rcode)
            .Add("response", T.Bytes, format: DnsMessage)
            .Virtual("response_json", T.Bytes, DnsObsFields.Response, FormatRaw | NoPrint, DnsMessageJson)
            .Add("query_zone", T.Bytes, format: DnsName)
            .Add("geoid", T.Bytes)
            .Add("sensor_id", T.UInt32, format: Hex)),
    ];
}
