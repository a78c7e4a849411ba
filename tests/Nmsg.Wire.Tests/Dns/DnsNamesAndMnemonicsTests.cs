using System.Buffers;
using System.Text;
using Nmsg.Dns;
using static Nmsg.Tests.Dns.DnsTestSupport;

namespace Nmsg.Tests.Dns;

/// <summary>Domain names (SPEC §8.4.1, wdns <c>domain_to_str.c</c>, <c>str_to_name.c</c>) and the mnemonic tables.</summary>
public class DnsNamesAndMnemonicsTests
{
    [Theory]
    // wdns t/test-name_to_str.c
    [InlineData("03 667369 02 696f 00", "fsi.io.")]
    [InlineData("04 61626364 03 667369 02 494f 00", "abcd.fsi.IO.")]
    [InlineData("05 4d69786564 03 667369 02 494f 00", "Mixed.fsi.IO.")]
    [InlineData("07 74657374696e67 08 747261696c696e67 04 64617461 03 667369 02 696f 00 04 61626364", "testing.trailing.data.fsi.io.")]
    // SPEC §8.4.1 escapes, by hand
    [InlineData("00", ".")]
    [InlineData("03 612e62 00", "a\\.b.")]
    [InlineData("03 615c62 00", "a\\\\b.")]
    [InlineData("03 612062 00", "a\\032b.")]
    [InlineData("04 00ff7f21 00", "\\000\\255\\127!.")]
    [InlineData("01 7e 00", "~.")]
    [InlineData("03 616263", "abc.")] // no root label: wdns stops at the end of the data
    // The one-pass path for plain names: a quote is plain in DNS text; a plain label before one that is not.
    [InlineData("03 612262 00", "a\"b.")]
    [InlineData("03 616263 01 20 00", "abc.\\032.")]
    public void Formats_names_like_wdns(string hex, string text)
    {
        byte[] wire = Hex(hex);
        Assert.Equal(text, DnsTestSupport.Text(w => Assert.True(DnsNames.TryFormat(wire, w))));
        Assert.Equal(text, DnsTestSupport.Text(w => DnsNames.FormatLenient(wire, w)));
        Assert.Equal(text, DnsNames.ToString(wire));
    }

    [Fact]
    public void Malformed_names_are_refused_by_TryFormat_but_printed_by_the_lenient_form()
    {
        var w = new ArrayBufferWriter<byte>();
        Assert.False(DnsNames.TryFormat([], w));
        Assert.False(DnsNames.TryFormat(Hex("05 6162"), w)); // label past the end
        Assert.False(DnsNames.TryFormat(new byte[256], w));   // over 255 bytes
        Assert.Equal(0, w.WrittenCount);
        Assert.Null(DnsNames.ToString([]));
        // What nmsg's DNSNAME printer shows for the same bytes (wdns_domain_to_str never fails).
        Assert.Equal("ab.", DnsTestSupport.Text(x => DnsNames.FormatLenient(Hex("05 6162"), x)));
        Assert.Equal(".", DnsTestSupport.Text(x => DnsNames.FormatLenient([], x)));
    }

    [Theory]
    // wdns t/test-str_to_name.c, t/test-str_to_rdata.c (CNAME cases), SPEC §8.3 (case kept) and by hand.
    [InlineData("fsi.io", "03667369 02696f 00")]
    [InlineData("FsI.io", "03467349 02696f 00")]
    [InlineData("Example.COM.", "07 4578616d706c65 03 434f4d 00")]
    [InlineData(".", "00")]
    [InlineData("", "00")]
    [InlineData("a\\.b.", "03 612e62 00")]
    [InlineData("a\\\\b", "03 615c62 00")]
    [InlineData("\\065\\032z", "03 41207a 00")]
    [InlineData("x.\\000", "01 78 01 00 00")]
    [InlineData("caf\u00e9.", "05 636166c3a9 00")]
    public void Parses_names_like_wdns(string text, string hex)
    {
        Assert.True(DnsNames.TryParse(text, out byte[] wire));
        Assert.Equal(Convert.ToHexString(Hex(hex)), Convert.ToHexString(wire));
    }

    [Theory]
    [InlineData("fsi.io..")]
    [InlineData(".a")]
    [InlineData("a..b")]
    [InlineData("a\\")]
    [InlineData("a\\25")]
    [InlineData("\\256")]
    [InlineData("\\12a")]
    public void Refuses_bad_names(string text)
    {
        Assert.False(DnsNames.TryParse(text, out byte[] wire));
        Assert.Empty(wire);
    }

    [Fact]
    public void Name_length_limit_is_255_bytes()
    {
        string l63 = new('a', 63);
        // 63+63+63+61 characters: 1+63 + 1+63 + 1+63 + 1+61 + 1 = 255 bytes.
        Assert.True(DnsNames.TryParse($"{l63}.{l63}.{l63}.{new string('b', 61)}", out byte[] max));
        Assert.Equal(255, max.Length);
        Assert.False(DnsNames.TryParse($"{l63}.{l63}.{l63}.{new string('b', 62)}", out _));
        Assert.False(DnsNames.TryParse($"{l63}.{l63}.{l63}.{new string('b', 62)}.", out _));
        // wdns does not check the 63-byte label limit.
        Assert.True(DnsNames.TryParse(new string('c', 64), out byte[] long64));
        Assert.Equal(64, long64[0]);
    }

    [Fact]
    public void Names_round_trip_through_text()
    {
        // Every byte value in a label survives format then parse (independent of the escape table).
        for (int b = 0; b < 256; b++)
        {
            byte[] wire = [1, (byte)b, 0];
            string text = DnsNames.ToString(wire)!;
            Assert.True(DnsNames.TryParse(text, out byte[] back), text);
            Assert.Equal(wire, back);
        }
    }

    [Fact]
    public void Type_names_follow_the_wdns_table()
    {
        var expected = new Dictionary<ushort, string>
        {
            [1] = "A",
            [2] = "NS",
            [3] = "MD",
            [4] = "MF",
            [5] = "CNAME",
            [6] = "SOA",
            [7] = "MB",
            [8] = "MG",
            [9] = "MR",
            [10] = "NULL",
            [11] = "WKS",
            [12] = "PTR",
            [13] = "HINFO",
            [14] = "MINFO",
            [15] = "MX",
            [16] = "TXT",
            [17] = "RP",
            [18] = "AFSDB",
            [19] = "X25",
            [20] = "ISDN",
            [21] = "RT",
            [22] = "NSAP",
            [23] = "NSAP-PTR",
            [24] = "SIG",
            [25] = "KEY",
            [26] = "PX",
            [27] = "GPOS",
            [28] = "AAAA",
            [29] = "LOC",
            [30] = "NXT",
            [31] = "EID",
            [32] = "NIMLOC",
            [33] = "SRV",
            [34] = "ATMA",
            [35] = "NAPTR",
            [36] = "KX",
            [37] = "CERT",
            [38] = "A6",
            [39] = "DNAME",
            [40] = "SINK",
            [41] = "OPT",
            [42] = "APL",
            [43] = "DS",
            [44] = "SSHFP",
            [45] = "IPSECKEY",
            [46] = "RRSIG",
            [47] = "NSEC",
            [48] = "DNSKEY",
            [49] = "DHCID",
            [50] = "NSEC3",
            [51] = "NSEC3PARAM",
            [52] = "TLSA",
            [55] = "HIP",
            [56] = "NINFO",
            [57] = "RKEY",
            [58] = "TALINK",
            [59] = "CDS",
            [60] = "CDNSKEY",
            [61] = "OPENPGPKEY",
            [62] = "CSYNC",
            [64] = "SVCB",
            [65] = "HTTPS",
            [99] = "SPF",
            [100] = "UINFO",
            [101] = "UID",
            [102] = "GID",
            [103] = "UNSPEC",
            [104] = "NID",
            [105] = "L32",
            [106] = "L64",
            [107] = "LP",
            [108] = "EUI48",
            [109] = "EUI64",
            [249] = "TKEY",
            [250] = "TSIG",
            [251] = "IXFR",
            [252] = "AXFR",
            [253] = "MAILB",
            [254] = "MAILA",
            [255] = "ANY",
            [256] = "URI",
            [257] = "CAA",
            [32768] = "TA",
            [32769] = "DLV",
        };
        for (int t = 0; t <= ushort.MaxValue; t++)
        {
            expected.TryGetValue((ushort)t, out string? name);
            Assert.Equal(name, DnsMnemonics.TypeName((ushort)t));
            if (name is not null)
            {
                Assert.True(DnsMnemonics.TryParseType(name.ToLowerInvariant(), out ushort back));
                Assert.Equal(t, back);
            }
        }
    }

    [Theory]
    [InlineData("TYPE0", true, 0)]
    [InlineData("type65535", true, 65535)]
    [InlineData("TYPE65536", false, 0)]
    [InlineData("TYPE", false, 0)]
    [InlineData("TYPE1x", false, 0)]
    [InlineData("TYPE-1", false, 0)]
    [InlineData("nsap-ptr", true, 23)]
    [InlineData("NSAP_PTR", false, 0)]
    [InlineData("A6", true, 38)]
    [InlineData("", false, 0)]
    public void Type_parse(string text, bool ok, int value)
    {
        Assert.Equal(ok, DnsMnemonics.TryParseType(text, out ushort t));
        Assert.Equal(value, t);
    }

    [Theory]
    [InlineData("IN", true, 1)]
    [InlineData("ch", true, 3)]
    [InlineData("Hs", true, 4)]
    [InlineData("NONE", true, 254)]
    [InlineData("ANY", true, 255)]
    [InlineData("CLASS0", true, 0)]
    [InlineData("class65535", true, 65535)]
    [InlineData("CLASS65536", false, 0)]
    [InlineData("CHAOS", false, 0)]
    public void Class_parse(string text, bool ok, int value)
    {
        Assert.Equal(ok, DnsMnemonics.TryParseClass(text, out ushort c));
        Assert.Equal(value, c);
    }

    [Fact]
    public void Class_rcode_and_opcode_names()
    {
        Assert.Equal(["IN", null, "CH", "HS"], new ushort[] { 1, 2, 3, 4 }.Select(DnsMnemonics.ClassName));
        Assert.Equal("NONE", DnsMnemonics.ClassName(254));
        Assert.Equal("ANY", DnsMnemonics.ClassName(255));
        Assert.Null(DnsMnemonics.ClassName(0));

        // SPEC §8.3 RCODE names.
        string?[] rcodes = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET",
            "NXRRSET", "NOTAUTH", "NOTZONE", null, null, null, null, null, "BADVERS", null];
        Assert.Equal(rcodes, Enumerable.Range(0, rcodes.Length).Select(DnsMnemonics.RcodeName));
        Assert.Null(DnsMnemonics.RcodeName(256));
        Assert.Null(DnsMnemonics.RcodeName(-1));
        Assert.True(DnsMnemonics.TryParseRcode("nxdomain", out ushort nx));
        Assert.Equal(3, nx);

        Assert.Equal(["QUERY", "IQUERY", "STATUS", null, "NOTIFY", "UPDATE", null],
            Enumerable.Range(0, 7).Select(DnsMnemonics.OpcodeName));
    }

    [Fact]
    public void Text_is_plain_ascii()
    {
        Assert.Equal("\\255.", Encoding.ASCII.GetString(Encoding.UTF8.GetBytes(DnsNames.ToString(Hex("01ff00"))!)));
    }
    [Fact]
    public void Common_mnemonics_as_bytes_read_as_the_general_parsers_read_them()
    {
        // FieldParsers' byte comparison of the commonest names against DnsMnemonics: every name it takes must give
        // the general parser's value, and it must take the ones written most (or it is never used).
        var names = new List<string> { "", "a", "Aa", "AAA", "AAAAA", "INN", "in", "In", "NOERRO", "noerror", "TYPE1", "CLASS1", "IN ", " A" };
        for (int t = 0; t <= 65535; t++)
        {
            if (DnsMnemonics.TypeName((ushort)t) is { } type)
                names.Add(type);
            if (DnsMnemonics.ClassName((ushort)t) is { } cls)
                names.Add(cls);
            if (t < 32 && DnsMnemonics.RcodeName(t) is { } rcode)
                names.Add(rcode);
        }
        int taken = 0;
        foreach (string name in names)
        {
            byte[] ascii = System.Text.Encoding.ASCII.GetBytes(name);
            if (Nmsg.Text.FieldParsers.TryCommonMnemonic(Nmsg.Modules.NmsgFieldFormat.DnsType, ascii, out ushort type))
            {
                Assert.True(DnsMnemonics.TryParseType(name, out ushort expected));
                Assert.Equal(expected, type);
                taken++;
            }
            if (Nmsg.Text.FieldParsers.TryCommonMnemonic(Nmsg.Modules.NmsgFieldFormat.DnsClass, ascii, out ushort cls))
            {
                Assert.True(DnsMnemonics.TryParseClass(name, out ushort expected));
                Assert.Equal(expected, cls);
                taken++;
            }
            if (Nmsg.Text.FieldParsers.TryCommonMnemonic(Nmsg.Modules.NmsgFieldFormat.Rcode, ascii, out ushort rcode))
            {
                Assert.True(DnsMnemonics.TryParseRcode(name, out ushort expected));
                Assert.Equal(expected, rcode);
                taken++;
            }
        }
        Assert.True(Nmsg.Text.FieldParsers.TryCommonMnemonic(Nmsg.Modules.NmsgFieldFormat.DnsType, "A"u8, out _));
        Assert.True(Nmsg.Text.FieldParsers.TryCommonMnemonic(Nmsg.Modules.NmsgFieldFormat.DnsClass, "IN"u8, out _));
        Assert.True(Nmsg.Text.FieldParsers.TryCommonMnemonic(Nmsg.Modules.NmsgFieldFormat.Rcode, "NOERROR"u8, out _));
        Assert.Equal(18, taken);
    }
}
