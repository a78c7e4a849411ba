using System.Buffers;
using Nmsg.Dns;
using static Nmsg.Tests.Dns.DnsTestSupport;

namespace Nmsg.Tests.Dns;

/// <summary>
/// Rdata text both ways, per RR type. Expected text is wdns's own (its <c>t/test-rdata_to_str.c</c> and
/// <c>t/test-str_to_rdata.c</c> fixtures, nmsg's <c>tests/nmsg-dns-tests</c> output), the SPEC's verified examples,
/// or written out by hand from the field rules of SPEC §8.4.2 / wdns <c>rdata_to_ubuf.c</c>.
/// </summary>
public class DnsRdataTests
{
    // type, class, wire (hex), text: Format(wire) == text and TryParse(text) == wire.
    public static TheoryData<ushort, ushort, string, string> RoundTrips => new()
    {
        // wdns t/test-rdata_to_str.c
        { 38, 1, "00 2000 0000 0000 0000 0000 0000 dead beef", "0 2000::dead:beef" },
        { 38, 1, "01 2000 0000 0000 0000 0000 0000 dead beef 03667369 02696f 00", "1 2000::dead:beef fsi.io." },
        { 38, 1, "80 03667369 02696f 00", "128 fsi.io." },
        { 256, 1, "000a 0001" + Ascii("ftp://ftp1.example.com/public"), "10 1 \"ftp://ftp1.example.com/public\"" },
        { 16, 1, "04" + Ascii("some") + "04" + Ascii("text"), "\"some\" \"text\"" },
        { 16, 1, "08 22" + Ascii("quoted") + "22", "\"\\\"quoted\\\"\"" },
        { 16, 1, "11" + Ascii("v=spf1 .... first") + "10" + Ascii("second string..."), "\"v=spf1 .... first\" \"second string...\"" },
        { 13, 1, "1a" + Ascii("Please stop asking for ANY") + "1f" + Ascii("See draft-ietf-dnsop-refuse-any"), "\"Please stop asking for ANY\" \"See draft-ietf-dnsop-refuse-any\"" },
        { 62, 1, "00000042 0003 0004 6000 0008", "66 3 A NS AAAA" },
        { 108, 1, "abcdef010203", "ab-cd-ef-01-02-03" },
        { 109, 1, "abcdef0102030405", "ab-cd-ef-01-02-03-04-05" },
        { 61, 1, "0102030405060708", "AQIDBAUGBwg=" },
        { 43, 1, "ec45 05 01 2bb183af5f22588179a53b0a98631fad1a292118", "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118" },
        { 59, 1, "ec45 05 01 2bb183af5f22588179a53b0a98631fad1a292118", "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118" },
        { 52, 1, "00 00 01 d2abde240d7cd3ee6b4b28c54df034b97983a1d16e8a410e4561cb106618e971", "0 0 1 D2ABDE240D7CD3EE6B4B28C54DF034B97983A1D16E8A410E4561CB106618E971" },
        // SPEC §8.4.2 [V]: repstring escaping
        { 16, 1, "03 612062 03 63 22 64 01 01", "\"a b\" \"c\\\"d\" \"\\001\"" },
        // By hand from the field rules
        { 1, 1, "5db8d822", "93.184.216.34" },
        { 28, 1, "20010db8000000000000000000000001", "2001:db8::1" },
        { 2, 3, "01 61 00", "a." },
        { 3, 1, "00", "." },
        { 4, 1, "01 62 00", "b." },
        { 5, 1, "06 746172676574 00", "target." },
        { 7, 1, "01 63 00", "c." },
        { 8, 1, "01 64 00", "d." },
        { 9, 1, "01 65 00", "e." },
        { 12, 1, "01 34 01 33 01 32 01 31 07 696e2d61646472 04 61727061 00", "4.3.2.1.in-addr.arpa." },
        { 6, 1, "03 6e7331 00 04 726f6f74 00 78 95 7b 61 00001c20 00000e10 00127500 0000012c", "ns1. root. 2023062369 7200 3600 1209600 300" },
        { 10, 1, "0005ff", "0005FF" },
        { 11, 1, "c0000201 06 e000", "3221225985 6 E000" },
        { 14, 1, "02 6d62 00 03 657272 00", "mb. err." },
        { 15, 1, "000a 04 6d61696c 00", "10 mail." },
        { 17, 1, "05 61646d696e 00 03 747874 00", "admin. txt." },
        { 18, 1, "0001 04 61667364 00", "1 afsd." },
        { 19, 1, "0c 333131303631373030393536", "\"311061700956\"" },
        { 20, 1, "0f 313530383632303238303033323137 03 303034", "\"150862028003217\" \"004\"" },
        { 21, 1, "000a 05 72656c6179 00", "10 relay." },
        { 24, 1, "0001 05 02 00000e10 00000002 00000001 1234 01 61 00 abcd", "1 5 2 3600 2 1 4660 a. ABCD" },
        { 26, 1, "000a 02 6d61 00 02 6f78 00", "10 ma. ox." },
        { 30, 1, "01 6e 00 4001", "n. 4001" },
        { 33, 1, "000a 003c 13c4 03 736970 00", "10 60 5060 sip." },
        { 35, 1, "0064 000a 01 53 07 5349502b443255 00 04 5f736970 04 5f756470 00", "100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp." },
        { 36, 1, "000a 02 6b78 00", "10 kx." },
        { 39, 1, "03 6e6577 00", "new." },
        { 46, 1, "012c 08 02 00000e10 00000002 00000001 1234 00 abcd", "TYPE300 8 2 3600 2 1 4660 . q80=" },
        { 47, 1, "01 6e 00 0006 40 01 00 00 00 03  01 01 40  ff 20" + new string('0', 62) + "02", "n. A MX RRSIG NSEC CAA TYPE65534" },
        { 48, 1, "0100 03 08 0102030405", "256 3 8 AQIDBAU=" },
        // RFC 4648 §10 base32hex vectors: "foobar" = CPNMUOJ1E8, "f" = CO (no padding in wdns).
        { 50, 1, "01 01 000a 04 aabbccdd 06 666f6f626172 0006 22 00 00 00 00 02", "1 1 10 aabbccdd CPNMUOJ1E8 NS SOA RRSIG" },
        { 50, 1, "01 00 0001 00 01 66", "1 0 1 - CO" },
        { 50, 1, "01 00 0001 00 05 666f6f6261", "1 0 1 - CPNMUOJ1" },
        { 51, 1, "01 00 0000 00", "1 0 0 -" },
        { 51, 1, "01 02 0003 04 deadbeef", "1 2 3 deadbeef" },
        { 60, 1, "0101 03 0d 01020304", "257 3 13 AQIDBA==" },
        { 99, 1, "03 763d31", "\"v=1\"" },
        { 257, 1, "00 05 6973737565" + Ascii("letsencrypt.org"), "0 \"issue\" \"letsencrypt.org\"" },
        { 65, 1, "0001 00 0001 0006 026832 026833 0003 0002 01bb 0004 0004 c0000201", "1 . alpn=\"h2,h3\" port=443 ipv4hint=192.0.2.1" },
        { 64, 1, "0000 03 737663 00", "0 svc." },
        { 64, 1, "0010 00 0000 0004 0001 0003 0005 0003 000102 0006 0020 20010db8000000000000000000000001 20010db8000000000000000000000002", "16 . mandatory=alpn,port ech=AAEC ipv6hint=2001:db8::1,2001:db8::2" },
        { 65, 1, "0001 00 fde8 0003 782079", "1 . key65000=\"x y\"" },
        { 65, 1, "0001 00 0001 0004 03 612c62", "1 . alpn=\"a\\\\,b\"" },
    };

    [Theory]
    [MemberData(nameof(RoundTrips))]
    public void Formats_and_parses_both_ways(ushort type, ushort cls, string hex, string text)
    {
        byte[] wire = Hex(hex);
        Assert.Equal(text, Rdata(type, cls, wire));
        Assert.True(DnsRdata.TryParse(type, cls, text, out byte[] parsed, out string? error), error);
        Assert.Equal(Convert.ToHexString(wire), Convert.ToHexString(parsed));
        Assert.Null(error);
    }

    // wdns t/test-str_to_rdata.c cases (the ones that still describe wdns 0.12.0's parser): input, type, wire or
    // null for a parse error.
    public static TheoryData<string, ushort, string?> ParseCases => new()
    {
        { "fsi.io.", 5, "03667369 02696f 00" },
        { "fsi.io", 5, "03667369 02696f 00" },
        { "fsi.io..", 5, null },
        { ".", 5, "00" },
        { "", 5, "" },
        { "\"hardware\" \"os\"", 13, "08" + Ascii("hardware") + "02" + Ascii("os") },
        { "hardware os", 13, "08" + Ascii("hardware") + "02" + Ascii("os") },
        { "hardware\\\" os", 13, "09" + Ascii("hardware\"") + "02" + Ascii("os") },
        { "hardware\\032 os", 13, "09" + Ascii("hardware ") + "02" + Ascii("os") },
        { "hardware\\03a os", 13, null },
        { "hardware\\256 os", 13, null },
        { "hardware\\n os", 13, null },
        { "hardware os\\", 13, null },
        { "hardware os\u0001", 13, null },
        { "fsi.io. farsightsecurity.com", 14, "03667369 02696f 00 10" + Ascii("farsightsecurity") + "03636f6d 00" },
        { "fsi.io.", 14, "03667369 02696f 00" },
        { "", 14, "" },
        { "5 mail.fsi.io.", 15, "0005 046d61696c 03667369 02696f 00" },
        { "foo mail.fsi.io.", 15, null },
        { "5", 15, "0005" },
        { "", 10, "" },
        { "05", 10, "05" },
        { "FF05", 10, "ff05" },
        { "abff05", 10, "abff05" },
        { "abcdff05", 10, "abcdff05" },
        { "5", 10, null },
        { "12345", 10, null },
        { "fsi.io. root.fsi.io. 65536 1024 127 33554432 0", 6, "03667369 02696f 00 04726f6f74 03667369 02696f 00 00010000 00000400 0000007f 02000000 00000000" },
        { "", 16, "" },
        { "txt", 16, "03" + Ascii("txt") },
        { "txt rec", 16, "03" + Ascii("txt") + "03" + Ascii("rec") },
        { "txt \"record\"", 16, "03" + Ascii("txt") + "06" + Ascii("record") },
        { "txt \"record\" three", 16, "03" + Ascii("txt") + "06" + Ascii("record") + "05" + Ascii("three") },
        { "txt \"record\" three\\", 16, null },
        { "127.0.0.1", 1, "7f000001" },
        { "127.0.0.256", 1, null },
        { "127.0.0", 1, null },
        { "127.0.0.0.1", 1, null },
        { "::1", 1, null },
        { "fsi", 1, null },
        { "305419896 127 00deadbeef00", 11, "12345678 7f 00deadbeef00" },
        { "4294967297 127 00deadbeef00", 11, null },
        { "-1 127 00deadbeef00", 11, null },
        { "2000::dead:beef fsi.io.", 38, null },
        { "::", 28, "00000000000000000000000000000000" },
        { "1234:4567::abcd:ef01", 28, "123445670000000000000000abcdef01" },
        { "::abcd:ef01", 28, "000000000000000000000000abcdef01" },
        { "", 28, "" },
        { "127.0.0.1", 28, null },
        { "fsi.io", 28, null },
        { "65535 64 01 ZGVhZGJlZWY=", 48, "ffff 40 01" + Ascii("deadbeef") },
        { "65535 64 01 ZGVhZGJlZWY==", 48, "ffff 40 01" + Ascii("deadbeef") },
        { "65535 64 01 ZGVhZGJlZWY", 48, "ffff 40 01" + Ascii("deadbeef") },
        { "65535 64 01 ZGVhZGJlZWZz", 48, "ffff 40 01" + Ascii("deadbeefs") },
        { "fsi.io A NS MX", 47, "03667369 02696f 00 0002 6001" },
        { "fsi.io", 47, "03667369 02696f 00" },
        { "fsi.io A NS MX FAKE", 47, null },
        { "1 2 3 -", 51, "01 02 0003 00" },
        { "1 2 3 deadbeef", 51, "01 02 0003 04 deadbeef" },
        { "1 2 3 deadbeeff", 51, null },
        { "1 2 3 deadbeef-", 51, null },
        { "1 2 3 gg", 51, null },
        { "1 2 3 --", 51, null },
        { "1 2 3", 51, "01 02 0003" },
        // Generic form, for types without a descriptor only.
        { "\\# 3 01 02 03 ", 29, "010203" },
        { "\\# 0", 65280, "" },
        { "\\# 2 abcd", 258, "abcd" },
        { "\\# 3 0102", 29, null },
        { "\\#3 010203", 29, null },
        { "01 02 03", 29, null },
        { "\\# 4 01020304", 1, null },
        // Leftover text is ignored (wdns does not check for it).
        { "192.0.2.1 trailing words", 1, "c0000201" },
    };

    [Theory]
    [MemberData(nameof(ParseCases))]
    public void Parses_like_wdns_str_to_rdata(string text, ushort type, string? hex)
    {
        bool ok = DnsRdata.TryParse(type, 1, text, out byte[] wire, out string? error);
        if (hex is null)
        {
            Assert.False(ok);
            Assert.NotNull(error);
            Assert.Empty(wire);
        }
        else
        {
            Assert.True(ok, error);
            Assert.Equal(Convert.ToHexString(Hex(hex)), Convert.ToHexString(wire));
        }
    }

    [Fact]
    public void Rrsig_with_spaced_base64_parses_like_wdns()
    {
        // t/test-str_to_rdata.c: white space inside the base64 is skipped.
        const string text = "NSEC 5 5 7200 1442949945 1440354345 34572 5.in-addr.arpa. aTPqHqvtDsdyY6acy5BzbmjzJcdNWeFW2laTYY/+NJsMAedSryvDJKkA evVh4Fv4G+o9Ts3XKhYUihW2qXp7bbhHmlIvSY3qX67/Ti9DzRPymirt m5ffESFO7+4H2QFd5xIpoJH/WQysNWzCyLt+JeguH4/7PU5C9K30cqqd vJk=";
        Assert.True(DnsRdata.TryParse(46, 1, text, out byte[] wire, out _));
        Assert.Equal(162, wire.Length);
        Assert.Equal("002F05050000", Convert.ToHexString(wire[..6]));
        Assert.Equal(text.Replace(" evVh", "evVh", StringComparison.Ordinal).Replace(" m5ff", "m5ff", StringComparison.Ordinal)
            .Replace(" vJk", "vJk", StringComparison.Ordinal), Rdata(46, 1, wire));
    }

    [Theory]
    // nmsg tests/nmsg-dns-tests/test2-dns.pres (reference output), parsed and printed again.
    [InlineData(46, "SOA 8 0 86400 1542258000 1541131200 2134 . YzIh/SUfJITb8q0y45FtmHYU2q3ozTWzFoFTVMGEQmKkVIxvASHxKJAtkQQbA1OUkwsoXZAKFPwPLLdBn7YsesIlMosEfVtLIZe8iNivbzTTp0R81QK4bZfXqRbsIzl9h0YNxbprrvz7rhrIa1QkKg8Eiz2pI12ero8bjSBlOt+vGlnxOriI7WfjtGNTZ5kzwfRcpbND5i0PZkfSPyL6mrOgI6Ak+F7jGos+4H86OPpikmOwKXOC50qs6ayX4YHMQgtdOXe7YMxzAEUUWR7aCg379dbwjRDrt3HhpLIlvxNzOqOQhCCBT0uez08+MEiJQ+g/9oDexqb9vPsZHTf8VQ==")]
    [InlineData(47, "aaa. NS SOA RRSIG NSEC DNSKEY")]
    [InlineData(48, "256 3 8 AwEAAdp440E6Mz7c+Vl4sPd0lTv2Qnc85dTW64j0RDD7sS/zwxWDJ3QRES2VKDO0OXLMqVJSs2YCCSDKuZXpDPuf++YfAu0j7lzYYdWTGwyNZhEaXtMQJIKYB96pW6cRkiG2Dn8S2vvo/PxW9PKQsyLbtd8PcwWglHgReBVp7kEv/Dd+3b3YMukt4jnWgDUddAySg558Zld+c9eGWkgWoOiuhg4rQRkFstMX1pRyOSHcZuH38o1WcsT4y3eT0U/SR6TOSLIB/8Ftirux/h297oS7tCcwSPt0wwry5OFNTlfMo8v7WGurogfk8hPipf7TTKHIi20LWen5RCsvYsQBkYGpF78=")]
    [InlineData(43, "23014 8 2 9F135B4B4C69C92383B997632E821E3C8AB9699658674CC96FDE5405ACB68B65")]
    [InlineData(6, "a.root-servers.net. nstld.verisign-grs.com. 2018110200 1800 900 604800 86400")]
    [InlineData(28, "2610:a1:1071::2")]
    [InlineData(99, "\"10.11.12.13\"")]
    public void Reference_text_survives_a_parse_and_print(ushort type, string text)
    {
        Assert.True(DnsRdata.TryParse(type, 1, text, out byte[] wire, out string? error), error);
        Assert.Equal(text, Rdata(type, 1, wire));
    }

    [Fact]
    public void Generic_form_keeps_its_trailing_space()
    {
        // SPEC §8.4.2 [V]: "\# 3 01 02 03 " for types without a descriptor (LOC, CERT, APL, …, and anything ≥ 258).
        Assert.Equal("\\# 3 01 02 03 ", Rdata(29, 1, [1, 2, 3]));
        Assert.Equal("\\# 3 01 02 03 ", Rdata(37, 3, [1, 2, 3]));
        Assert.Equal("\\# 0 ", Rdata(65280, 1, []));
        Assert.Equal("\\# 2 ab cd ", Rdata(32768, 1, [0xab, 0xcd])); // TA has a name but no descriptor
        Assert.Equal("\\# 1 ff ", Rdata(258, 1, [0xff]));
    }

    [Fact]
    public void In_only_types_render_empty_in_other_classes()
    {
        // SPEC §8.4.2 [V]: A, WKS, A6, AAAA, KX, PX, NAPTR, SRV, SVCB, HTTPS, CAA are IN-only.
        foreach (ushort type in new ushort[] { 1, 11, 38, 28, 36, 26, 35, 33, 64, 65, 257 })
        {
            Assert.Equal("", Rdata(type, 3, [1, 2, 3, 4]));
            Assert.Equal("", Rdata(type, 255, [1, 2, 3, 4]));
            Assert.True(DnsRdata.TryParse(type, 3, "anything at all", out byte[] wire, out _));
            Assert.Empty(wire);
        }
        // Class-independent types still render in CH (plain/dns.pres: TXT "chaos" in CH).
        Assert.Equal("\"chaos\"", Rdata(16, 3, Hex("05" + Ascii("chaos"))));
        Assert.Equal("a.", Rdata(2, 3, Hex("016100")));
    }

    [Theory]
    // SPEC §8.4.2 [V]: an A record of 3 bytes prints as " ### PARSE ERROR ###" (nmsg: "rdata:  ### PARSE ERROR ###").
    [InlineData(1, "010203", " ### PARSE ERROR ###")]
    // The text so far (with its trailing space) stays in front of the marker.
    [InlineData(15, "000a", "10")]
    [InlineData(15, "000a 05 6162", "10  ### PARSE ERROR #3 ###")]  // wdns_len_uname: label longer than the rest
    [InlineData(15, "00", " ### PARSE ERROR ###")]
    [InlineData(16, "05 6162", " ### PARSE ERROR ###")]
    [InlineData(16, "02 6162 03 61", "\"ab\"  ### PARSE ERROR ###")]
    [InlineData(6, "00 00 00000001", ". . 1")]                        // stops early at the end of the rdata: no error
    [InlineData(50, "01 00 0000 05 aa", "1 0 0  ### PARSE ERROR ###")]
    [InlineData(50, "01 00 0000 00 00", "1 0 0 - 0")]                 // empty hash prints "0"
    [InlineData(47, "00 00 03", ".  ### PARSE ERROR ###")]           // bitmap block longer than the rest
    [InlineData(65, "0001 00 ffff 0000", "1 .  ### PARSE ERROR ###")]  // key 65535 is invalid
    [InlineData(65, "0001 00 0003 0001 01", "1 . port= ### PARSE ERROR #12 ###")]
    [InlineData(65, "0001 00 0002 0001 01", "1 . no-default-alpn ### PARSE ERROR #12 ###")]
    [InlineData(38, "81", " ### PARSE ERROR ###")]                   // A6 prefix length above 128
    public void Malformed_rdata_gets_the_parse_error_marker(ushort type, string hex, string text)
    {
        Assert.Equal(text, Rdata(type, 1, Hex(hex)));
    }

    [Fact]
    public void Names_in_rdata_are_checked_like_wdns_len_uname()
    {
        // A name of 256 bytes: " ### PARSE ERROR #8 ###" (wdns_res_name_len).
        string label = "3f" + new string('6', 126);
        Assert.Equal(" ### PARSE ERROR #8 ###", Rdata(2, 1, Hex(label + label + label + label + "03616263" + "00")));
        // An unterminated name that fills the rdata prints what is there (wdns reports its length plus one).
        Assert.Equal("ab.", Rdata(2, 1, Hex("026162")));
        // Bytes above 63 as a label length: wdns_res_invalid_length_octet.
        Assert.Equal(" ### PARSE ERROR #3 ###", Rdata(5, 1, Hex("c00c")));
    }

    [Fact]
    public void Opt_rdata_lists_each_option_on_its_own_line()
    {
        // The OPT rdata text (what the dump and the JSON "options" array are cut from): "\n" before each option.
        Assert.Equal("\nOPT=10: ca 22 (\".\"\")\nCLIENT-SUBNET: 10.0.0.0/8/0", Rdata(41, 4096, Hex("000a 0002 ca22 0008 0005 0001 08 00 0a")));
        Assert.Equal("", Rdata(41, 512, []));
    }

    [Fact]
    public void Text_escapes_follow_wdns()
    {
        // Strings: '"' and '\' escaped, 0x20..0x7E verbatim, everything else \DDD (plain/dnsqr-pcap: "caf\195\169").
        Assert.Equal("\"caf\\195\\169\"", Rdata(16, 1, Hex("05 636166c3a9")));
        Assert.Equal("\"a\\\\b\\009\\127\"", Rdata(16, 1, Hex("05 615c62097f")));
        Assert.Equal("\"\"", Rdata(16, 1, Hex("00")));
        Assert.True(DnsRdata.TryParse(16, 1, "\"caf\\195\\169\"", out byte[] wire, out _));
        Assert.Equal("05636166C3A9", Convert.ToHexString(wire));
        // Non-ASCII text must be escaped: wdns only takes printable ASCII in strings.
        Assert.False(DnsRdata.TryParse(16, 1, "café", out _, out _));
    }

    [Fact]
    public void Alpn_escapes_commas_and_backslashes_twice()
    {
        // wire id "f\oo,bar" → presentation "f\\\\oo\\,bar" (the wdns comment's example), and back.
        byte[] wire = Hex("0001 00 0001 0009 08 665c6f6f2c626172");
        string text = Rdata(65, 1, wire);
        Assert.Equal("1 . alpn=\"f\\\\\\\\oo\\\\,bar\"", text);
        Assert.True(DnsRdata.TryParse(65, 1, text, out byte[] parsed, out _));
        Assert.Equal(Convert.ToHexString(wire), Convert.ToHexString(parsed));
    }

    [Fact]
    public void No_default_alpn_prints_bare_and_parses_without_its_length_field()
    {
        // wire 0002 0000 prints as the bare key; wdns str_to_svcparam writes only the key for it (no length
        // octets), so the text does not parse back to the same wire.
        Assert.Equal("1 . alpn=\"h2\" no-default-alpn", Rdata(65, 1, Hex("0001 00 0001 0003 026832 0002 0000")));
        Assert.True(DnsRdata.TryParse(65, 1, "1 . alpn=\"h2\" no-default-alpn port=1", out byte[] wire, out _));
        Assert.Equal("00010000010003026832000200030002 0001".Replace(" ", "", StringComparison.Ordinal), Convert.ToHexString(wire));
    }

    [Fact]
    public void Svcb_parse_quirks_of_wdns()
    {
        // A key that needs a value but has none ends the parse, successfully, with what came before.
        Assert.True(DnsRdata.TryParse(64, 1, "1 . port=53 alpn", out byte[] wire, out _));
        Assert.Equal("0001 00 0003 0002 0035".Replace(" ", "", StringComparison.Ordinal), Convert.ToHexString(wire));
        Assert.False(DnsRdata.TryParse(64, 1, "1 . bogus=1", out _, out _));
        Assert.False(DnsRdata.TryParse(64, 1, "1 . no-default-alpn=x", out _, out _));
        Assert.False(DnsRdata.TryParse(64, 1, "1 . port=70000", out _, out _));
        Assert.False(DnsRdata.TryParse(64, 1, "1 . key65535=x", out _, out _));
    }

    [Fact]
    public void Format_appends_to_what_the_writer_holds()
    {
        var w = new ArrayBufferWriter<byte>();
        w.Write("rdata: "u8);
        DnsRdata.Format(16, 1, Hex("01 78"), w);
        Assert.Equal("rdata: \"x\"", System.Text.Encoding.ASCII.GetString(w.WrittenSpan));
        // The trailing-space trim only ever looks at what the formatter wrote itself.
        var w2 = new ArrayBufferWriter<byte>();
        w2.Write("rdata: "u8);
        DnsRdata.Format(1, 1, [], w2);
        Assert.Equal("rdata: ", System.Text.Encoding.ASCII.GetString(w2.WrittenSpan));
    }

    private static string Ascii(string s) => Convert.ToHexString(System.Text.Encoding.ASCII.GetBytes(s));
}
