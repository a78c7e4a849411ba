using System.Globalization;
using Nmsg.Dns;
using Nmsg.Modules;

namespace Nmsg.Text;

/// <summary>The custom parsers of SPEC §8.3 (DNS names, types, classes, rdata, rcodes, protocols, SIE times, hex).</summary>
internal static class FieldParsers
{
    /// <summary>Whether a field's value is given as text to a custom parser (JSON input then requires a string).</summary>
    public static bool HasParser(NmsgField f) => f.HasTextParser;

    /// <summary>Whether fields of this format take a custom parser (<see cref="NmsgField.HasTextParser"/>, kept per field).</summary>
    internal static bool HasParser(NmsgFieldFormat format) => format is NmsgFieldFormat.DnsName or NmsgFieldFormat.DnsType or NmsgFieldFormat.SieDnsType
        or NmsgFieldFormat.DnsClass or NmsgFieldFormat.SieDnsClass or NmsgFieldFormat.DnsRdata or NmsgFieldFormat.Rcode
        or NmsgFieldFormat.IpProto or NmsgFieldFormat.SieTime or NmsgFieldFormat.Hex;

    /// <summary>
    /// The common custom-parsed fields straight from the UTF-8 bytes of an unescaped ASCII JSON string, without a
    /// string: true with the same value <see cref="Parse"/> gives; false where that needs the text (other formats,
    /// non-ASCII text, long values) or fails (then <see cref="Parse"/> is asked, and gives the reason).
    /// </summary>
    /// <remarks>
    /// Each format is read by a method of its own: one method with all their stack buffers and value temporaries
    /// had its prolog zero them at every call.
    /// </remarks>
    public static bool TryParseAscii(NmsgField f, ReadOnlySpan<byte> ascii, PayloadBuilder builder, out NmsgFieldValue value)
        => f.Format switch
        {
            NmsgFieldFormat.DnsName => TryDnsName(ascii, builder, out value),
            NmsgFieldFormat.DnsRdata => TryRdata(ascii, builder, out value),
            NmsgFieldFormat.DnsType or NmsgFieldFormat.SieDnsType or NmsgFieldFormat.DnsClass or NmsgFieldFormat.Rcode
                => TryMnemonic(f.Format, ascii, out value),
            NmsgFieldFormat.IpProto => TryIpProto(ascii, out value),
            _ => Fail(out value),
        };

    /// <summary>
    /// <see cref="TryParseAscii"/> adding the value to <paramref name="builder"/> (false: nothing added), without a
    /// value in between where it can: a name is written where the builder keeps it, a number added as its bits.
    /// </summary>
    public static bool TryAddAscii(NmsgField f, ReadOnlySpan<byte> ascii, PayloadBuilder builder)
    {
        // No NmsgFieldValue (it holds a reference) among this method's locals: the prolog would zero it, and the
        // frame around it, at every call (a dnsqr line makes four). The common mnemonics are numbers at once.
        switch (f.Format)
        {
            case NmsgFieldFormat.DnsName:
                return TryAddDnsName(f, ascii, builder);
            case NmsgFieldFormat.DnsType or NmsgFieldFormat.SieDnsType or NmsgFieldFormat.DnsClass or NmsgFieldFormat.Rcode:
                if (!TryCommonMnemonic(f.Format, ascii, out ushort common))
                    return TryAddValue(f, ascii, builder);
                builder.AddBits(f, common);
                return true;
            case NmsgFieldFormat.IpProto:
                if (!TryIpProtoNumber(ascii, out uint proto))
                    return false;
                builder.AddBits(f, proto);
                return true;
            case NmsgFieldFormat.DnsRdata:
                return TryAddValue(f, ascii, builder);
            default:
                return false;
        }
    }

    /// <summary>
    /// <see cref="TryAddAscii"/>'s other ways (the uncommon mnemonics, rdata): the value <see cref="TryParseAscii"/>
    /// makes, added, in a method of its own for its NmsgFieldValue local.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static bool TryAddValue(NmsgField f, ReadOnlySpan<byte> ascii, PayloadBuilder builder)
    {
        if (!TryParseAscii(f, ascii, builder, out NmsgFieldValue value))
            return false;
        if (f.Format == NmsgFieldFormat.DnsRdata)
            builder.Add(f, value);
        else
            builder.AddBits(f, value.Bits);
        return true;
    }

    private static bool TryAddDnsName(NmsgField f, ReadOnlySpan<byte> ascii, PayloadBuilder builder)
    {
        int nul = ascii.IndexOf((byte)0);
        Span<byte> wire = builder.ReserveBytes(f, 255, likelyLength: 127); // most names are shorter than 128 bytes
        int len = DnsNames.ParseWire(nul >= 0 ? ascii[..nul] : ascii, wire);
        if (len < 0)
            return false;
        builder.CommitBytes(f, len);
        return true;
    }

    private static bool Fail(out NmsgFieldValue value)
    {
        value = default;
        return false;
    }

    [System.Runtime.CompilerServices.SkipLocalsInit] // the stack buffer is written before it is read
    private static bool TryDnsName(ReadOnlySpan<byte> ascii, PayloadBuilder builder, out NmsgFieldValue value)
    {
        value = default;
        int nul = ascii.IndexOf((byte)0);
        Span<byte> wire = stackalloc byte[255];
        int len = DnsNames.ParseWire(nul >= 0 ? ascii[..nul] : ascii, wire);
        if (len < 0)
            return false;
        value = new NmsgFieldValue(builder.Copy(wire[..len]));
        return true;
    }

    private static bool TryRdata(ReadOnlySpan<byte> ascii, PayloadBuilder builder, out NmsgFieldValue value)
    {
        value = default;
        NmsgField? tf = builder.Module.RrTypeField, cf = builder.Module.RrClassField;
        if (tf is null || cf is null || builder.First(tf) is not { } t || builder.First(cf) is not { } c
            || !DnsRdata.TryParseUtf8((ushort)t.Bits, (ushort)c.Bits, ascii, out ReadOnlyMemory<byte> rdata))
            return false;
        value = new NmsgFieldValue(rdata);
        return true;
    }

    [System.Runtime.CompilerServices.SkipLocalsInit] // the stack buffer is written before it is read
    private static bool TryMnemonic(NmsgFieldFormat format, ReadOnlySpan<byte> ascii, out NmsgFieldValue value)
    {
        value = default;
        if (TryCommonMnemonic(format, ascii, out ushort common))
        {
            value = new NmsgFieldValue(common);
            return true;
        }
        if (ascii.Length > 32)
            return false;
        Span<char> text = stackalloc char[32];
        text = text[..System.Text.Encoding.ASCII.GetChars(ascii, text)];
        ushort n;
        switch (format)
        {
            case NmsgFieldFormat.DnsType or NmsgFieldFormat.SieDnsType:
                if (!DnsMnemonics.TryParseType(text, out n) || n == 0)
                    return false;
                break;
            case NmsgFieldFormat.DnsClass:
                if (!DnsMnemonics.TryParseClass(text, out n) || n == 0)
                    return false;
                break;
            default:
                if (!DnsMnemonics.TryParseRcode(text, out n))
                    return false;
                break;
        }
        value = new NmsgFieldValue(n);
        return true;
    }

    private static bool TryIpProto(ReadOnlySpan<byte> ascii, out NmsgFieldValue value)
    {
        bool ok = TryIpProtoNumber(ascii, out uint proto);
        value = ok ? new NmsgFieldValue(proto) : default;
        return ok;
    }

    /// <summary>The names Parse knows, compared as its upper-casing compares ASCII; numbers go to Parse.</summary>
    private static bool TryIpProtoNumber(ReadOnlySpan<byte> ascii, out uint proto)
    {
        proto = ascii.Length switch
        {
            3 when System.Text.Ascii.EqualsIgnoreCase(ascii, "UDP"u8) => 17,
            3 when System.Text.Ascii.EqualsIgnoreCase(ascii, "TCP"u8) => 6,
            4 when System.Text.Ascii.EqualsIgnoreCase(ascii, "ICMP"u8) => 1,
            _ => uint.MaxValue,
        };
        return proto != uint.MaxValue;
    }

    /// <summary>
    /// The commonest mnemonics, as written (upper case), compared as bytes: the value <see cref="DnsMnemonics"/>
    /// gives them, without widening the text to chars or a case-insensitive lookup. False for anything else.
    /// </summary>
    internal static bool TryCommonMnemonic(NmsgFieldFormat format, ReadOnlySpan<byte> ascii, out ushort value)
    {
        value = format switch
        {
            NmsgFieldFormat.DnsClass => ascii.SequenceEqual("IN"u8) ? (ushort)1 : (ushort)0,
            NmsgFieldFormat.Rcode => ascii.Length switch
            {
                7 when ascii.SequenceEqual("NOERROR"u8) => 0,
                8 when ascii.SequenceEqual("NXDOMAIN"u8) => 3,
                8 when ascii.SequenceEqual("SERVFAIL"u8) => 2,
                7 when ascii.SequenceEqual("REFUSED"u8) => 5,
                _ => ushort.MaxValue,
            },
            NmsgFieldFormat.DnsType or NmsgFieldFormat.SieDnsType => ascii.Length switch
            {
                1 when ascii[0] == (byte)'A' => 1,
                2 when ascii.SequenceEqual("NS"u8) => 2,
                2 when ascii.SequenceEqual("MX"u8) => 15,
                2 when ascii.SequenceEqual("DS"u8) => 43,
                3 when ascii.SequenceEqual("SOA"u8) => 6,
                3 when ascii.SequenceEqual("PTR"u8) => 12,
                3 when ascii.SequenceEqual("TXT"u8) => 16,
                3 when ascii.SequenceEqual("SRV"u8) => 33,
                4 when ascii.SequenceEqual("AAAA"u8) => 28,
                5 when ascii.SequenceEqual("CNAME"u8) => 5,
                5 when ascii.SequenceEqual("RRSIG"u8) => 46,
                5 when ascii.SequenceEqual("HTTPS"u8) => 65,
                6 when ascii.SequenceEqual("DNSKEY"u8) => 48,
                _ => 0,
            },
            _ => 0,
        };
        return format == NmsgFieldFormat.Rcode ? value != ushort.MaxValue : value != 0;
    }

    /// <summary>Parses <paramref name="text"/> with the field's custom parser; null on success, else the reason.</summary>
    public static string? Parse(NmsgField f, string text, PayloadBuilder builder, out NmsgFieldValue value)
    {
        value = default;
        switch (f.Format)
        {
            case NmsgFieldFormat.DnsName:
                if (!DnsNames.TryParse(text, out byte[] wire))
                    return $"'{text}' is not a domain name";
                value = new NmsgFieldValue(wire);
                return null;
            case NmsgFieldFormat.DnsType or NmsgFieldFormat.SieDnsType:
                if (!DnsMnemonics.TryParseType(text, out ushort type))
                    return $"'{text}' is not a DNS type";
                if (type == 0 && (f.Format == NmsgFieldFormat.SieDnsType || !text.Equals("TYPE0", StringComparison.OrdinalIgnoreCase)))
                    return "DNS type 0";
                value = new NmsgFieldValue(type);
                return null;
            case NmsgFieldFormat.DnsClass:
                if (!DnsMnemonics.TryParseClass(text, out ushort cls))
                    return $"'{text}' is not a DNS class";
                if (cls == 0 && !text.Equals("CLASS0", StringComparison.OrdinalIgnoreCase))
                    return "DNS class 0";
                value = new NmsgFieldValue(cls);
                return null;
            case NmsgFieldFormat.SieDnsClass:
                // sie-nmsg's parser stores IN whatever it is given (SPEC §8.3); we parse for real (docs/compatibility.md).
                if (!DnsMnemonics.TryParseClass(text, out ushort sieCls) || sieCls == 0)
                    return $"'{text}' is not a DNS class";
                value = new NmsgFieldValue(sieCls);
                return null;
            case NmsgFieldFormat.DnsRdata:
                NmsgField? tf = builder.Module.FindField("rrtype"), cf = builder.Module.FindField("rrclass");
                if (tf is null || cf is null || builder.First(tf) is not { } t || builder.First(cf) is not { } c)
                    return "rdata needs rrtype and rrclass before it";
                if (!DnsRdata.TryParse((ushort)t.Bits, (ushort)c.Bits, text, out byte[] rdata, out string? error))
                    return $"bad rdata '{text}': {error}";
                value = new NmsgFieldValue(rdata);
                return null;
            case NmsgFieldFormat.Rcode:
                if (DnsMnemonics.TryParseRcode(text, out ushort rcode))
                {
                    value = new NmsgFieldValue(rcode);
                    return null;
                }
                if (uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint n) && n <= 15)
                {
                    value = new NmsgFieldValue(n);
                    return null;
                }
                return $"'{text}' is not an rcode";
            case NmsgFieldFormat.IpProto:
                uint proto = text.ToUpperInvariant() switch { "UDP" => 17, "TCP" => 6, "ICMP" => 1, _ => uint.MaxValue };
                if (proto == uint.MaxValue && (!NmsgAliases.TryParseBase0(text, out proto) || proto > 65535))
                    return $"'{text}' is not an IP protocol";
                value = new NmsgFieldValue(proto);
                return null;
            case NmsgFieldFormat.SieTime:
                if (!TimeText.TryParse(text, out long secs))
                    return $"'{text}' is not YYYY-MM-DD HH:MM:SS";
                if (secs is < 0 or > uint.MaxValue)
                    return $"'{text}' is out of range";
                value = new NmsgFieldValue((ulong)secs);
                return null;
            case NmsgFieldFormat.Hex:
                if (!uint.TryParse(text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text, NumberStyles.AllowHexSpecifier,
                        CultureInfo.InvariantCulture, out uint hex) || hex == uint.MaxValue)
                    return $"'{text}' is not a hex value";
                value = new NmsgFieldValue(hex);
                return null;
            default:
                return "no parser";
        }
    }
}
