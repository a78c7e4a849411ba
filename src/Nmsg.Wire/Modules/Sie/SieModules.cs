using static Nmsg.Modules.NmsgFieldFlags;
using static Nmsg.Modules.NmsgFieldFormat;
using T = Nmsg.Modules.NmsgFieldType;

namespace Nmsg.Modules.Sie;

/// <summary>The SIE vendor's modules (vid 2, sie-nmsg 1.3.1), with the field tables of SPEC §8.2.</summary>
public static class SieModules
{
    /// <summary>Vendor id of SIE.</summary>
    public const uint VendorId = 2;

    /// <summary>Vendor name.</summary>
    public const string VendorName = "SIE";

    internal static readonly NmsgEnum DnsDedupeTypeEnum = new("DnsDedupeType", (0, "INSERTION"), (1, "EXPIRATION"), (2, "CHAFF"),
        (3, "AUTHORITATIVE"), (4, "MERGED"), (5, "MERGED_AUTHORITATIVE"), (6, "MERGED_INSERTION"));
    internal static readonly NmsgEnum ReputationTypeEnum = new("ReputationType", (0, "ADDRESS"), (1, "HOST"), (2, "DOMAIN"), (3, "NAMESERVER"), (4, "URI"));
    internal static readonly NmsgEnum QRTypeEnum = new("QRType", (0, "QUERY"), (1, "RESPONSE"), (2, "RESPONSE_END"), (3, "ERROR"));

    /// <summary>All SIE modules.</summary>
    public static IReadOnlyList<NmsgModule> All { get; } = Build();

    private static NmsgModule Module(uint type, string name, Google.Protobuf.Reflection.MessageDescriptor d, Action<FieldTable> fields)
        => FieldTable.Module(VendorId, VendorName, type, name, d, fields);

    /// <summary>The dnsdedupe fields, which newdomain repeats after its own two.</summary>
    private static FieldTable DedupeFields(FieldTable t) => t
            .Add("type", T.Enum, @enum: DnsDedupeTypeEnum)
            .Add("count", T.UInt32)
            .Add("time_first", T.UInt32, format: SieTime)
            .Add("time_last", T.UInt32, format: SieTime)
            .Add("zone_time_first", T.UInt32, format: SieTime)
            .Add("zone_time_last", T.UInt32, format: SieTime)
            .Add("response_ip", T.IP)
            .Add("bailiwick", T.Bytes, format: DnsName)
            .Add("rrname", T.Bytes, format: DnsName)
            .Add("rrclass", T.UInt16, format: SieDnsClass)
            .Add("rrtype", T.UInt16, format: SieDnsType)
            .Add("rrttl", T.UInt32)
            .Add("rdata", T.Bytes, format: DnsRdata)
            .Add("response", T.Bytes, format: SieDnsMessage);

    private static List<NmsgModule> Build() =>
    [
        Module(1, "dnsdedupe", DnsDedupe.Descriptor, t => DedupeFields(t)),
        Module(2, "reputation", Reputation.Descriptor, t => t
            .Add("type", T.Enum, @enum: ReputationTypeEnum)
            .Add("tag", T.String)
            .Add("value", T.String)
            .Add("address", T.IP)
            .Add("netmask", T.IP)
            .Add("host", T.String)
            .Add("domain", T.String)
            .Add("nameserver", T.String)
            .Add("uri", T.String)
            .Add("port", T.UInt32)),
        Module(3, "qr", QR.Descriptor, t => t
            .Add("type", T.Enum, @enum: QRTypeEnum)
            .Add("text", T.String)
            .Add("num_response", T.UInt32)
            .Add("more_available", T.UInt32)),
        Module(4, "delay", Delay.Descriptor, t => t
            .Add("query_ip", T.IP)
            .Add("response_ip", T.IP)
            .Add("delay", T.Double)
            .Add("response_time_sec", T.Int64)),
        Module(5, "newdomain", NewDomain.Descriptor, t => t
            .Add("domain", T.Bytes, format: DnsName)
            .Add("time_seen", T.UInt32, format: SieTime)
            .Then(DedupeFields)
            .Add("keys", T.String)
            .Add("new_domain", T.Bool)
            .Add("new_rrname", T.Bool)
            .Add("new_rrtype", T.Bool)
            .Add("new_rr", T.Bool)
            .Add("new_rrset", T.Bool)),
        Module(6, "dnsnx", DnsNX.Descriptor, t => t
            .Add("qname", T.Bytes, format: DnsName)
            .Add("qclass", T.UInt16, format: SieDnsClass)
            .Add("qtype", T.UInt16, format: SieDnsType)
            .Add("response_ip", T.IP)
            .Add("soa_rrname", T.Bytes, format: DnsName)
            .Add("response_time_sec", T.Int64, NoPrint)
            .Add("response_time_nsec", T.Int32, NoPrint)),
    ];
}
