using System.Buffers.Binary;

namespace Nmsg.Dns;

/// <summary>
/// wdns <c>edns_options.c</c> (SPEC §8.4.3): dig-like text of one EDNS option. Each option starts on a new line
/// ("\n" then the text) inside the OPT rdata text; the message dump prefixes each line with "; " and the JSON
/// form lists the lines as strings.
/// </summary>
internal static class EdnsOptionText
{
    private const ushort ClientSubnet = 8;
    private const ushort ExtendedDnsError = 15;

    // RFC 8914 §5.2 purposes for INFO-CODE 0..24.
    private static readonly string[] s_edePurpose =
    [
        "Other Error", "Unsupported DNSKEY Algorithm", "Unsupported DS Digest Type", "Stale Answer", "Forged Answer",
        "DNSSEC Indeterminate", "DNSSEC Bogus", "Signature Expired", "Signature Not Yet Valid", "DNSKEY Missing",
        "RRSIGs Missing", "No Zone Key Bit Set", "NSEC Missing", "Cached Error", "Not Ready", "Blocked", "Censored",
        "Filtered", "Prohibited", "Stale NXDomain Answer", "Not Authoritative", "Not Supported",
        "No Reachable Authority", "Network Error", "Invalid Data",
    ];

    public static void AppendCode(ref ByteBuilder b, ushort code)
    {
        b.Append((byte)'\n');
        switch (code)
        {
            case ClientSubnet:
                b.Append("CLIENT-SUBNET:"u8);
                break;
            case ExtendedDnsError:
                b.Append("EDE:"u8);
                break;
            default:
                b.Append("OPT="u8);
                b.AppendDecimal(code);
                b.Append((byte)':');
                break;
        }
    }

    /// <summary>The option data after its name; false where wdns returns a parse error.</summary>
    public static bool AppendData(ref ByteBuilder b, ushort code, scoped ReadOnlySpan<byte> data)
    {
        b.Append((byte)' ');
        switch (code)
        {
            case ClientSubnet:
                {
                    if (data.Length < 4)
                        return false;
                    ushort family = BinaryPrimitives.ReadUInt16BigEndian(data);
                    byte sourcePrefix = data[2];
                    byte scopePrefix = data[3];
                    ReadOnlySpan<byte> addr = data[4..];
                    if (addr.IsEmpty || (family != 1 && family != 2) || (family == 1 && addr.Length > 4) ||
                        (family == 2 && addr.Length > 16))
                    {
                        return false;
                    }
                    Span<byte> full = stackalloc byte[16];
                    full.Clear();
                    addr.CopyTo(full);
                    IpText.Append(ref b, family == 1 ? full[..4] : full);
                    b.Append((byte)'/');
                    b.AppendDecimal(sourcePrefix);
                    b.Append((byte)'/');
                    b.AppendDecimal(scopePrefix);
                    return true;
                }
            case ExtendedDnsError:
                {
                    if (data.Length < 2)
                        return false;
                    ushort infoCode = BinaryPrimitives.ReadUInt16BigEndian(data);
                    b.AppendDecimal(infoCode);
                    if (infoCode < s_edePurpose.Length)
                    {
                        b.Append(" ("u8);
                        b.AppendAscii(s_edePurpose[infoCode]);
                        b.Append((byte)')');
                    }
                    b.Append(": ("u8);
                    AppendPrintable(ref b, data[2..]);
                    b.Append((byte)')');
                    return true;
                }
            default:
                foreach (byte x in data)
                {
                    b.AppendHexLower(x);
                    b.Append((byte)' ');
                }
                b.Append("(\""u8);
                AppendPrintable(ref b, data);
                b.Append("\")"u8);
                return true;
        }
    }

    // C isprint() in the C locale: 0x20..0x7E; everything else as '.'.
    private static void AppendPrintable(ref ByteBuilder b, scoped ReadOnlySpan<byte> data)
    {
        foreach (byte x in data)
            b.Append(x >= 0x20 && x <= 0x7E ? x : (byte)'.');
    }
}
