namespace Nmsg.Dns;

/// <summary>
/// The wdns mnemonic tables (generated in wdns from the <c>WDNS_TYPE_*</c>, <c>WDNS_CLASS_*</c>, <c>WDNS_R_*</c>
/// and <c>WDNS_OP_*</c> constants; SPEC §8.4.2): names for RR types, classes, rcodes and opcodes, and the
/// case-insensitive reverse lookups with the generic <c>TYPE&lt;n&gt;</c> / <c>CLASS&lt;n&gt;</c> forms.
/// </summary>
public static class DnsMnemonics
{
    // wdns.h.in order; "_" in the C constant name becomes "-" (NSAP_PTR -> NSAP-PTR).
    private static readonly (ushort Value, string Name)[] s_types =
    [
        (1, "A"), (2, "NS"), (3, "MD"), (4, "MF"), (5, "CNAME"), (6, "SOA"), (7, "MB"), (8, "MG"), (9, "MR"),
        (10, "NULL"), (11, "WKS"), (12, "PTR"), (13, "HINFO"), (14, "MINFO"), (15, "MX"), (16, "TXT"), (17, "RP"),
        (18, "AFSDB"), (19, "X25"), (20, "ISDN"), (21, "RT"), (22, "NSAP"), (23, "NSAP-PTR"), (24, "SIG"),
        (25, "KEY"), (26, "PX"), (27, "GPOS"), (28, "AAAA"), (29, "LOC"), (30, "NXT"), (31, "EID"), (32, "NIMLOC"),
        (33, "SRV"), (34, "ATMA"), (35, "NAPTR"), (36, "KX"), (37, "CERT"), (38, "A6"), (39, "DNAME"), (40, "SINK"),
        (41, "OPT"), (42, "APL"), (43, "DS"), (44, "SSHFP"), (45, "IPSECKEY"), (46, "RRSIG"), (47, "NSEC"),
        (48, "DNSKEY"), (49, "DHCID"), (50, "NSEC3"), (51, "NSEC3PARAM"), (52, "TLSA"), (55, "HIP"), (56, "NINFO"),
        (57, "RKEY"), (58, "TALINK"), (59, "CDS"), (60, "CDNSKEY"), (61, "OPENPGPKEY"), (62, "CSYNC"), (64, "SVCB"),
        (65, "HTTPS"), (99, "SPF"), (100, "UINFO"), (101, "UID"), (102, "GID"), (103, "UNSPEC"), (104, "NID"),
        (105, "L32"), (106, "L64"), (107, "LP"), (108, "EUI48"), (109, "EUI64"), (249, "TKEY"), (250, "TSIG"),
        (251, "IXFR"), (252, "AXFR"), (253, "MAILB"), (254, "MAILA"), (255, "ANY"), (256, "URI"), (257, "CAA"),
        (32768, "TA"), (32769, "DLV"),
    ];

    private static readonly (ushort Value, string Name)[] s_classes =
    [
        (1, "IN"), (3, "CH"), (4, "HS"), (254, "NONE"), (255, "ANY"),
    ];

    private static readonly string?[] s_typeByValue = BuildTypeTable();

    // Mnemonic to type, case-insensitive, looked up by span; the first entry of a name wins, as in the list scan.
    private static readonly System.Collections.Frozen.FrozenDictionary<string, ushort>.AlternateLookup<ReadOnlySpan<char>> s_typeByName =
        BuildTypeLookup();

    private static readonly string?[] s_rcodes =
    [
        "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH",
        "NOTZONE", null, null, null, null, null, "BADVERS",
    ];

    private static readonly string?[] s_opcodes = ["QUERY", "IQUERY", "STATUS", null, "NOTIFY", "UPDATE"];

    /// <summary>The wdns mnemonic of an RR type (<c>"A"</c>, <c>"NSAP-PTR"</c>, <c>"HTTPS"</c>, …), or null if wdns has none.</summary>
    public static string? TypeName(ushort type)
    {
        if (type < s_typeByValue.Length)
            return s_typeByValue[type];
        return type switch
        {
            32768 => "TA",
            32769 => "DLV",
            _ => null,
        };
    }

    /// <summary>The wdns mnemonic of a class: IN, CH, HS, NONE or ANY; null otherwise.</summary>
    public static string? ClassName(ushort rrclass) => rrclass switch
    {
        1 => "IN",
        3 => "CH",
        4 => "HS",
        254 => "NONE",
        255 => "ANY",
        _ => null,
    };

    // The mnemonics as the formatters write them, plain and in JSON quotes (all ASCII, none needing an escape).
    private static readonly Nmsg.Internal.ShortText?[] s_typeText = Texts(s_typeByValue, quoted: false);
    private static readonly Nmsg.Internal.ShortText?[] s_typeJson = Texts(s_typeByValue, quoted: true);
    private static readonly Nmsg.Internal.ShortText?[] s_rcodeText = Texts(s_rcodes, quoted: false);
    private static readonly Nmsg.Internal.ShortText?[] s_rcodeJson = Texts(s_rcodes, quoted: true);
    private static readonly Nmsg.Internal.ShortText?[] s_opcodeText = Texts(s_opcodes, quoted: false);
    private static readonly Nmsg.Internal.ShortText?[] s_opcodeJson = Texts(s_opcodes, quoted: true);
    private static readonly Nmsg.Internal.ShortText s_in = Nmsg.Internal.ShortText.Ascii("IN");
    private static readonly Nmsg.Internal.ShortText s_inJson = Nmsg.Internal.ShortText.Ascii("\"IN\"");

    private static Nmsg.Internal.ShortText?[] Texts(string?[] names, bool quoted)
    {
        var texts = new Nmsg.Internal.ShortText?[names.Length];
        for (int i = 0; i < names.Length; i++)
        {
            if (names[i] is { } name)
                texts[i] = Nmsg.Internal.ShortText.Ascii(quoted ? "\"" + name + "\"" : name);
        }
        return texts;
    }

    /// <summary><see cref="TypeName"/> as text for types below 258 (the rest: null, use the name).</summary>
    internal static Nmsg.Internal.ShortText? TypeText(ushort type) => type < s_typeText.Length ? s_typeText[type] : null;

    /// <summary><see cref="TypeName"/> in JSON quotes for types below 258 (the rest: null, use the name).</summary>
    internal static Nmsg.Internal.ShortText? TypeJson(ushort type) => type < s_typeJson.Length ? s_typeJson[type] : null;

    /// <summary><see cref="ClassName"/> as text for IN (the rest: null, use the name).</summary>
    internal static Nmsg.Internal.ShortText? ClassText(ushort rrclass) => rrclass == 1 ? s_in : null;

    /// <summary><see cref="ClassName"/> in JSON quotes for IN (the rest: null, use the name).</summary>
    internal static Nmsg.Internal.ShortText? ClassJson(ushort rrclass) => rrclass == 1 ? s_inJson : null;

    // The header flags a DNS message's text lists, in wdns order, and their mask in the header's flags word.
    private static readonly (ushort Mask, string Name)[] s_flags =
        [(0x8000, "qr"), (0x0400, "aa"), (0x0200, "tc"), (0x0100, "rd"), (0x0080, "ra"), (0x0020, "ad"), (0x0010, "cd")];

    // Every combination of the seven flags, written out: the dump's " qr rd ra" and the JSON's ["qr","rd","ra"].
    private static readonly Nmsg.Internal.ShortText[] s_flagsText = FlagTexts(json: false);
    private static readonly Nmsg.Internal.ShortText[] s_flagsJson = FlagTexts(json: true);

    private static Nmsg.Internal.ShortText[] FlagTexts(bool json)
    {
        var texts = new Nmsg.Internal.ShortText[1 << 7];
        for (int index = 0; index < texts.Length; index++)
        {
            var text = new System.Text.StringBuilder(json ? "[" : "");
            for (int k = 0; k < s_flags.Length; k++)
            {
                if ((index & (0x40 >> k)) == 0)
                    continue;
                if (json)
                    text.Append(text.Length > 1 ? ",\"" : "\"").Append(s_flags[k].Name).Append('"');
                else
                    text.Append(' ').Append(s_flags[k].Name);
            }
            if (json)
                text.Append(']');
            texts[index] = Nmsg.Internal.ShortText.Ascii(text.ToString());
        }
        return texts;
    }

    /// <summary>The seven flags of a header's flags word as an index of the tables above (qr the highest bit).</summary>
    private static int FlagIndex(ushort flags) => ((flags >> 9) & 0x40) | ((flags >> 5) & 0x3C) | ((flags >> 4) & 0x03);

    /// <summary>The set header flags as the dump writes them, each after a space (" qr rd ra"; empty if none).</summary>
    internal static Nmsg.Internal.ShortText FlagsText(ushort flags) => s_flagsText[FlagIndex(flags)];

    /// <summary>The set header flags as a JSON array (["qr","rd","ra"]; [] if none).</summary>
    internal static Nmsg.Internal.ShortText FlagsJson(ushort flags) => s_flagsJson[FlagIndex(flags)];

    /// <summary><see cref="RcodeName"/> as text, or null.</summary>
    internal static Nmsg.Internal.ShortText? RcodeText(int rcode) => (uint)rcode < (uint)s_rcodeText.Length ? s_rcodeText[rcode] : null;

    /// <summary><see cref="RcodeName"/> in JSON quotes, or null.</summary>
    internal static Nmsg.Internal.ShortText? RcodeJson(int rcode) => (uint)rcode < (uint)s_rcodeJson.Length ? s_rcodeJson[rcode] : null;

    /// <summary><see cref="OpcodeName"/> as text, or null.</summary>
    internal static Nmsg.Internal.ShortText? OpcodeText(int opcode) => (uint)opcode < (uint)s_opcodeText.Length ? s_opcodeText[opcode] : null;

    /// <summary><see cref="OpcodeName"/> in JSON quotes, or null.</summary>
    internal static Nmsg.Internal.ShortText? OpcodeJson(int opcode) => (uint)opcode < (uint)s_opcodeJson.Length ? s_opcodeJson[opcode] : null;

    /// <summary>The wdns rcode name (NOERROR … NOTZONE, BADVERS = 16); null if wdns has none.</summary>
    public static string? RcodeName(int rcode) => (uint)rcode < (uint)s_rcodes.Length ? s_rcodes[rcode] : null;

    /// <summary>The wdns opcode name: QUERY, IQUERY, STATUS, NOTIFY or UPDATE; null otherwise.</summary>
    public static string? OpcodeName(int opcode) => (uint)opcode < (uint)s_opcodes.Length ? s_opcodes[opcode] : null;

    /// <summary>
    /// wdns <c>wdns_str_to_rrtype</c>: a mnemonic (case-insensitive) or <c>TYPE&lt;n&gt;</c> (0..65535). Returns
    /// true for <c>TYPE0</c> with <paramref name="type"/> 0; callers that treat 0 as an error (as wdns callers do)
    /// must check.
    /// </summary>
    public static bool TryParseType(ReadOnlySpan<char> text, out ushort type)
    {
        if (s_typeByName.TryGetValue(text, out type))
            return true;
        return TryParseGeneric(text, "TYPE", out type);
    }

    /// <summary>wdns <c>wdns_str_to_rrclass</c>: IN/CH/HS/NONE/ANY (case-insensitive) or <c>CLASS&lt;n&gt;</c>.</summary>
    public static bool TryParseClass(ReadOnlySpan<char> text, out ushort rrclass)
    {
        foreach ((ushort value, string name) in s_classes)
        {
            if (text.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                rrclass = value;
                return true;
            }
        }
        return TryParseGeneric(text, "CLASS", out rrclass);
    }

    /// <summary>wdns <c>wdns_str_to_rcode</c>: an rcode name, case-insensitive (no numeric form).</summary>
    public static bool TryParseRcode(ReadOnlySpan<char> text, out ushort rcode)
    {
        for (int i = 0; i < s_rcodes.Length; i++)
        {
            if (s_rcodes[i] is { } name && text.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                rcode = (ushort)i;
                return true;
            }
        }
        rcode = 0;
        return false;
    }

    /// <summary>Appends the type mnemonic, or <c>TYPE&lt;n&gt;</c>.</summary>
    internal static void AppendType(ref ByteBuilder b, ushort type)
    {
        if (TypeText(type) is { } text)
            b.Append(text);
        else if (TypeName(type) is { } name)
        {
            b.AppendAscii(name);
        }
        else
        {
            b.Append("TYPE"u8);
            b.AppendDecimal(type);
        }
    }

    /// <summary>Appends the class mnemonic, or <c>CLASS&lt;n&gt;</c>.</summary>
    internal static void AppendClass(ref ByteBuilder b, ushort rrclass)
    {
        if (ClassText(rrclass) is { } text)
            b.Append(text);
        else if (ClassName(rrclass) is { } name)
        {
            b.AppendAscii(name);
        }
        else
        {
            b.Append("CLASS"u8);
            b.AppendDecimal(rrclass);
        }
    }

    // The generated wdns parsers: strlen > prefix, case-insensitive prefix, then strtol (base 10) over the rest,
    // which must be consumed completely and lie in 0..65535.
    private static bool TryParseGeneric(ReadOnlySpan<char> text, string prefix, out ushort value)
    {
        value = 0;
        if (text.Length <= prefix.Length || !text[..prefix.Length].Equals(prefix, StringComparison.OrdinalIgnoreCase))
            return false;
        ReadOnlySpan<char> s = text[prefix.Length..];
        int i = 0;
        while (i < s.Length && IsCSpace(s[i]))
            i++;
        bool negative = false;
        if (i < s.Length && (s[i] == '+' || s[i] == '-'))
        {
            negative = s[i] == '-';
            i++;
        }
        int digitsStart = i;
        long v = 0;
        while (i < s.Length && s[i] >= '0' && s[i] <= '9')
        {
            if (v < 1_000_000)
                v = v * 10 + (s[i] - '0');
            i++;
        }
        if (i == digitsStart || i != s.Length)
            return false;
        if (negative)
            v = -v;
        if (v < 0 || v > 65535)
            return false;
        value = (ushort)v;
        return true;
    }

    internal static bool IsCSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';

    private static System.Collections.Frozen.FrozenDictionary<string, ushort>.AlternateLookup<ReadOnlySpan<char>> BuildTypeLookup()
    {
        var byName = new Dictionary<string, ushort>(StringComparer.OrdinalIgnoreCase);
        foreach ((ushort value, string name) in s_types)
            byName.TryAdd(name, value);
        return System.Collections.Frozen.FrozenDictionary.ToFrozenDictionary(byName, StringComparer.OrdinalIgnoreCase)
            .GetAlternateLookup<ReadOnlySpan<char>>();
    }

    private static string?[] BuildTypeTable()
    {
        var table = new string?[258];
        foreach ((ushort value, string name) in s_types)
        {
            if (value < table.Length)
                table[value] = name;
        }
        return table;
    }
}
