using System.Buffers;
using Nmsg.Dns;
using static Nmsg.Tests.Dns.DnsTestSupport;

namespace Nmsg.Tests.Dns;

/// <summary>
/// The dig-style dump and DNSMSG_JSON of whole messages. Expected text comes from nmsg's reference fixtures
/// (<see cref="UpstreamDnsqrCases"/>) or is written out by hand from the rules of SPEC §8.4.3/§8.4.4 and wdns
/// <c>message_to_str.c</c>, <c>parse_message.c</c>, <c>parse_edns.c</c>, <c>edns_options.c</c>.
/// </summary>
public class DnsMessageTextTests
{
    [Theory]
    [InlineData(UpstreamDnsqrCases.IcannQuery, UpstreamDnsqrCases.IcannQueryDump, UpstreamDnsqrCases.IcannQueryJson)]
    [InlineData(UpstreamDnsqrCases.DomaintoolsQuery, UpstreamDnsqrCases.DomaintoolsQueryDump, UpstreamDnsqrCases.DomaintoolsQueryJson)]
    [InlineData(UpstreamDnsqrCases.FsiResponse, UpstreamDnsqrCases.FsiResponseDump, UpstreamDnsqrCases.FsiResponseJson)]
    public void Upstream_nmsg_fixtures_dump_and_json(string base64, string dump, string json)
    {
        byte[] message = Convert.FromBase64String(base64);
        Assert.Equal(dump, Dump(message));
        Assert.Equal(json, Json(message));
    }

    [Fact]
    public void Upstream_nsec3_response_dump()
    {
        byte[] message = Convert.FromBase64String(UpstreamDnsqrCases.DomaintoolsResponse);
        Assert.Equal(UpstreamDnsqrCases.DomaintoolsResponseOctets, message.Length);
        Assert.Equal(UpstreamDnsqrCases.DomaintoolsResponseDump, Dump(message));
        Assert.Equal(UpstreamDnsqrCases.FsiResponseOctets, Convert.FromBase64String(UpstreamDnsqrCases.FsiResponse).Length);
    }

    [Fact]
    public void Every_flags_word_lists_its_set_flags_in_wdns_order()
    {
        // The flags come from a table of the 128 combinations: checked against the bits one by one, for every
        // value of the flags word (opcode, rcode and the Z bit included).
        (int Mask, string Name)[] flags = [(0x8000, "qr"), (0x0400, "aa"), (0x0200, "tc"), (0x0100, "rd"), (0x0080, "ra"), (0x0020, "ad"), (0x0010, "cd")];
        for (int word = 0; word <= 0xFFFF; word++)
        {
            byte[] msg = new MessageBuilder(id: 1, flags: (ushort)word).Build();
            var set = new List<string>();
            foreach ((int mask, string name) in flags)
            {
                if ((word & mask) != 0)
                    set.Add(name);
            }
            string dump = Dump(msg)!;
            string json = Json(msg)!;
            Assert.Contains("\n;; flags:" + string.Concat(set.Select(f => " " + f)) + "; QUERY: 0,", dump, StringComparison.Ordinal);
            Assert.Contains(",\"flags\":[" + string.Join(',', set.Select(f => "\"" + f + "\"")) + "]}", json, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Extended_rcode_is_shifted_by_eight()
    {
        // Header rcode 3 (NXDOMAIN) with EDNS extended-rcode byte 1: wdns ORs (ttl >> 16) & 0xFF00 into the rcode,
        // giving 0x103 = 259 (RFC 6891 would say 19), which has no name.
        byte[] msg = new MessageBuilder(id: 7, flags: 0x8183)
            .Question("a.", 1, 1)
            .Rr(3, ".", 41, 1232, 0x0100_0000, [])
            .Build();
        Assert.Equal("""
            ;; ->>HEADER<<- opcode: QUERY, rcode: 259, id: 7
            ;; flags: qr rd ra; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 0

            ;; OPT PSEUDOSECTION:
            ; EDNS: version: 0, flags:; udp: 1232
            ;; QUESTION SECTION:
            ;a. IN A

            ;; ANSWER SECTION:

            ;; AUTHORITY SECTION:

            ;; ADDITIONAL SECTION:

            """, Dump(msg));
        Assert.Equal(
            """{"header":{"opcode":"QUERY","rcode":259,"id":7,"flags":["qr","rd","ra"],"opt":{"edns":{"version":0,"flags":[],"udp":1232,"options":[]}}},"question":[{"qname":"a.","qclass":"IN","qtype":"A"}],"answer":[],"authority":[],"additional":[]}""",
            Json(msg));

        // BADVERS on the wire (extended 1, header 0) is 256, not 16: printed as a number too.
        byte[] badvers = new MessageBuilder(id: 1, flags: 0x8000).Rr(3, ".", 41, 512, 0x0100_0000, []).Build();
        Assert.StartsWith(";; ->>HEADER<<- opcode: QUERY, rcode: 256, id: 1\n", Dump(badvers), StringComparison.Ordinal);
        Assert.Contains("\"rcode\":256,", Json(badvers), StringComparison.Ordinal);
    }

    [Fact]
    public void Edns_version_do_flag_and_option_texts()
    {
        byte[] options = Hex(
            "0008 0007 0001 18 00 c0 00 02" +              // CLIENT-SUBNET 192.0.2.0/24/0
            "0008 0008 0002 20 00 20 01 0d b8" +           // CLIENT-SUBNET 2001:db8::/32/0
            "000f 0009 0012 626c6f636b6564" +              // EDE 18 (Prohibited) "blocked"
            "000f 0002 001e" +                             // EDE 30: no purpose text, no extra text
            "0003 0004 6e 73 31 0a" +                      // NSID: OPT=3, hex then printable-or-dot
            "000a 0000");                                  // COOKIE with no data
        byte[] msg = new MessageBuilder(id: 0x1234, flags: 0x0100)
            .Question("example.com.", 1, 1)
            .Rr(3, ".", 41, 4096, 0x0001_8000, options)
            .Build();
        string dump = Dump(msg)!;
        Assert.Contains("""
            ;; OPT PSEUDOSECTION:
            ; EDNS: version: 1, flags: do; udp: 4096
            ; CLIENT-SUBNET: 192.0.2.0/24/0
            ; CLIENT-SUBNET: 2001:db8::/32/0
            ; EDE: 18 (Prohibited): (blocked)
            ; EDE: 30: ()
            ; OPT=3: 6e 73 31 0a ("ns1.")
            ; OPT=10: ("")
            ;; QUESTION SECTION:
            """, dump, StringComparison.Ordinal);
        Assert.Contains(
            """"opt":{"edns":{"version":1,"flags":["do"],"udp":4096,"options":["CLIENT-SUBNET: 192.0.2.0/24/0","CLIENT-SUBNET: 2001:db8::/32/0","EDE: 18 (Prohibited): (blocked)","EDE: 30: ()","OPT=3: 6e 73 31 0a (\"ns1.\")","OPT=10: (\"\")"]}}}"""",
            Json(msg), StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_edns_options_end_in_a_parse_error_line()
    {
        // A CLIENT-SUBNET without address bytes: wdns ip_to_ubuf fails, _wdns_rdata_to_ubuf appends
        // " ### PARSE ERROR #12 ###" (wdns_res_parse_error) after the text so far ("\nCLIENT-SUBNET: ").
        byte[] msg = new MessageBuilder(id: 1, flags: 0).Rr(3, ".", 41, 512, 0, Hex("0008 0004 0001 0000")).Build();
        Assert.Contains("\n; CLIENT-SUBNET:  ### PARSE ERROR #12 ###\n", Dump(msg), StringComparison.Ordinal);
        // An option header cut short: " ### PARSE ERROR ###" is the whole text, one line.
        byte[] cut = new MessageBuilder(id: 1, flags: 0).Rr(3, ".", 41, 512, 0, Hex("00")).Build();
        Assert.Contains("; EDNS: version: 0, flags:; udp: 512\n;  ### PARSE ERROR ###\n;; QUESTION", Dump(cut), StringComparison.Ordinal);
        Assert.Contains("\"options\":[\" ### PARSE ERROR ###\"]", Json(cut), StringComparison.Ordinal);
    }

    [Fact]
    public void Counts_exclude_the_opt_record_and_sections_are_listed_per_rr()
    {
        byte[] msg = new MessageBuilder(id: 9, flags: 0x8400)
            .Question("Example.COM.", 15, 1)
            .Rr(1, "Example.COM.", 15, 1, 300, Hex("000a 026d 7800"))          // 10 mx.
            .Rr(1, "example.com.", 15, 1, 60, Hex("0014 036d 7832 00"))        // 20 mx2.  (same RRset, lower TTL)
            .Rr(1, "example.com.", 1, 1, 60, Hex("c0000201"))                  // A 192.0.2.1
            .Rr(1, "EXAMPLE.com.", 15, 1, 100, Hex("001e 036d 7833 00"))       // 30 mx3.  (joins the MX RRset)
            .Rr(3, ".", 41, 4096, 0, [])
            .Rr(3, "ns.example.com.", 1, 1, 5, Hex("c0000202"))
            .Build();
        Assert.Equal("""
            ;; ->>HEADER<<- opcode: QUERY, rcode: NOERROR, id: 9
            ;; flags: qr aa; QUERY: 1, ANSWER: 4, AUTHORITY: 0, ADDITIONAL: 1

            ;; OPT PSEUDOSECTION:
            ; EDNS: version: 0, flags:; udp: 4096
            ;; QUESTION SECTION:
            ;Example.COM. IN MX

            ;; ANSWER SECTION:
            Example.COM. 300 IN MX 10 mx.
            example.com. 60 IN MX 20 mx2.
            example.com. 60 IN A 192.0.2.1
            EXAMPLE.com. 100 IN MX 30 mx3.

            ;; AUTHORITY SECTION:

            ;; ADDITIONAL SECTION:
            ns.example.com. 5 IN A 192.0.2.2

            """, Dump(msg));
        // RRsets: first RR's owner spelling, smallest TTL, rdata in message order.
        Assert.Equal(
            """{"header":{"opcode":"QUERY","rcode":"NOERROR","id":9,"flags":["qr","aa"],"opt":{"edns":{"version":0,"flags":[],"udp":4096,"options":[]}}},"question":[{"qname":"Example.COM.","qclass":"IN","qtype":"MX"}],"answer":[{"rrname":"Example.COM.","rrttl":60,"rrclass":"IN","rrtype":"MX","rdata":["10 mx.","20 mx2.","30 mx3."]},{"rrname":"example.com.","rrttl":60,"rrclass":"IN","rrtype":"A","rdata":["192.0.2.1"]}],"authority":[],"additional":[{"rrname":"ns.example.com.","rrttl":5,"rrclass":"IN","rrtype":"A","rdata":["192.0.2.2"]}]}""",
            Json(msg));
    }

    [Fact]
    public void Names_and_rdata_that_need_json_escapes_are_escaped_where_they_are_written()
    {
        // A quote is printed verbatim by wdns and a backslash escapes dots and itself: both need JSON escapes; the
        // TXT rdata holds a quote (printed \") and a control byte (printed \001). Text before and after each escape
        // stays as it was.
        byte[] msg = new MessageBuilder(id: 5, flags: 0x8000)
            .Question("we\"ird\\.na\\.me.", 16, 1)
            .Rr(1, "we\"ird\\.na\\.me.", 16, 1, 7, [9, (byte)'s', (byte)'a', (byte)'y', (byte)' ', (byte)'"', (byte)'h', (byte)'i', (byte)'"', 1])
            .Rr(1, "plain.", 16, 1, 7, [2, (byte)'o', (byte)'k'])
            .Build();
        Assert.Equal(
            """{"header":{"opcode":"QUERY","rcode":"NOERROR","id":5,"flags":["qr"]},"question":[{"qname":"we\"ird\\.na\\.me.","qclass":"IN","qtype":"TXT"}],"answer":[{"rrname":"we\"ird\\.na\\.me.","rrttl":7,"rrclass":"IN","rrtype":"TXT","rdata":["\"say \\\"hi\\\"\\001\""]},{"rrname":"plain.","rrttl":7,"rrclass":"IN","rrtype":"TXT","rdata":["\"ok\""]}],"authority":[],"additional":[]}""",
            Json(msg));
    }

    [Fact]
    public void Questions_never_merge_and_rrsigs_of_one_owner_do()
    {
        byte[] sig1 = Hex("0001 08 02 00000e10 00000002 00000001 1234 00 abcd");  // covers A
        byte[] sig2 = Hex("000f 08 02 00000e10 00000002 00000001 1234 00 abcd");  // covers MX
        byte[] msg = new MessageBuilder(id: 2, flags: 0x8000)
            .Question("a.", 1, 1)
            .Question("a.", 1, 1)
            .Rr(1, "a.", 46, 1, 50, sig1)
            .Rr(1, "a.", 46, 1, 40, sig2)
            .Build();
        Assert.Equal(
            """{"header":{"opcode":"QUERY","rcode":"NOERROR","id":2,"flags":["qr"]},"question":[{"qname":"a.","qclass":"IN","qtype":"A"},{"qname":"a.","qclass":"IN","qtype":"A"}],"answer":[{"rrname":"a.","rrttl":40,"rrclass":"IN","rrtype":"RRSIG","rdata":["A 8 2 3600 2 1 4660 . q80=","MX 8 2 3600 2 1 4660 . q80="]}],"authority":[],"additional":[]}""",
            Json(msg));
    }

    [Fact]
    public void Unknown_class_type_and_opcode()
    {
        // Opcode 3 has no name; class 7 prints CLASS7; type 65280 is generic (trailing space kept) and its JSON
        // rrtype is "TYPE" + the class number (nmsg's bug).
        byte[] msg = new MessageBuilder(id: 3, flags: 0x1800)
            .Question("q.", 65280, 7)
            .Rr(1, "q.", 65280, 7, 1, Hex("abcd"))
            .Build();
        Assert.Equal(
            ";; ->>HEADER<<- opcode: 3, rcode: NOERROR, id: 3\n" +
            ";; flags:; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 0\n" +
            "\n;; QUESTION SECTION:\n;q. CLASS7 TYPE65280\n" +
            "\n;; ANSWER SECTION:\nq. 1 CLASS7 TYPE65280 \\# 2 ab cd \n" +
            "\n;; AUTHORITY SECTION:\n\n;; ADDITIONAL SECTION:\n",
            Dump(msg));
        Assert.Equal(
            """{"header":{"opcode":3,"rcode":"NOERROR","id":3,"flags":[]},"question":[{"qname":"q.","qclass":"CLASS7","qtype":"TYPE7"}],"answer":[{"rrname":"q.","rrttl":1,"rrclass":"CLASS7","rrtype":"TYPE7","rdata":["\\# 2 ab cd "]}],"authority":[],"additional":[]}""",
            Json(msg));
    }

    [Fact]
    public void Empty_rdata_trims_the_line_but_in_only_types_elsewhere_keep_the_space()
    {
        // _wdns_rdata_to_ubuf trims a trailing space of the whole line buffer when it renders nothing, but returns
        // early (no trim) for an IN-only type in another class.
        byte[] msg = new MessageBuilder(id: 4, flags: 0x8000)
            .Rr(1, "e.", 1, 1, 9, [])
            .Rr(1, "c.", 1, 3, 9, Hex("01020304"))
            .Build();
        string dump = Dump(msg)!;
        Assert.Contains("\ne. 9 IN A\nc. 9 CH A \n", dump, StringComparison.Ordinal);
        Assert.Contains("\"rrtype\":\"A\",\"rdata\":[\"\"]}", Json(msg), StringComparison.Ordinal);
    }

    [Fact]
    public void Truncation_on_an_rr_boundary_parses_and_inside_an_rr_fails()
    {
        byte[] full = new MessageBuilder(id: 5, flags: 0x8000)
            .Question("a.", 1, 1)
            .Rr(1, "a.", 1, 1, 9, Hex("01020304"))
            .Rr(1, "a.", 1, 1, 9, Hex("05060708"))
            .Build();
        // Cut after the first answer: wdns stops at the end of the packet and reports what it read.
        byte[] boundary = full[..^17];
        Assert.StartsWith(";; ->>HEADER<<- opcode: QUERY, rcode: NOERROR, id: 5\n;; flags: qr; QUERY: 1, ANSWER: 1,", Dump(boundary), StringComparison.Ordinal);
        Assert.Null(Dump(full[..(full.Length - 1)]));
        Assert.Null(Json(full[..(full.Length - 1)]));
        Assert.Null(Dump(full[..11]));
        Assert.Equal("""
            ;; ->>HEADER<<- opcode: QUERY, rcode: NOERROR, id: 5
            ;; flags: qr; QUERY: 0, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 0

            ;; QUESTION SECTION:

            ;; ANSWER SECTION:

            ;; AUTHORITY SECTION:

            ;; ADDITIONAL SECTION:

            """, Dump(full[..12]));

        var w = new ArrayBufferWriter<byte>();
        Assert.False(DnsMessageText.TryFormat(full[..13], w));
        Assert.False(DnsMessageText.TryFormatJson(full[..13], w));
        Assert.Equal(0, w.WrittenCount);
    }

    [Fact]
    public void Compression_pointers_are_followed_backwards_only()
    {
        // Question "www.example.com.", answer owner = pointer to offset 12, rdata (CNAME) = "x" + pointer to 16.
        byte[] header = Hex("0001 8000 0001 0001 0000 0000");
        byte[] q = Hex("03777777 076578616d706c65 03636f6d 00 0001 0001");
        byte[] ans = Hex("c00c 0005 0001 0000003c 0004 0178 c010");
        byte[] msg = [.. header, .. q, .. ans];
        Assert.Contains("\nwww.example.com. 60 IN CNAME x.example.com.\n", Dump(msg), StringComparison.Ordinal);

        // A pointer to itself or forward is invalid: the message does not parse.
        byte[] self = [.. header, .. q, .. Hex("c021 0005 0001 0000003c 0001 00")];
        Assert.Null(Dump(self));
        byte[] forward = [.. header, .. Hex("c00e 00"), .. Hex("0001 0001")];
        Assert.Null(Dump(forward));
    }

    [Fact]
    public void Malformed_rdata_fails_the_message()
    {
        // A with 3 bytes: _wdns_parse_rdata rejects it, so the whole message does not parse.
        byte[] msg = new MessageBuilder(id: 6, flags: 0).Rr(1, "a.", 1, 1, 1, Hex("010203")).Build();
        Assert.Null(Dump(msg));
        // TXT whose string runs past the rdata.
        Assert.Null(Dump(new MessageBuilder(id: 6, flags: 0).Rr(1, "a.", 16, 1, 1, Hex("05616263")).Build()));
        // Extra bytes after the last field.
        Assert.Null(Dump(new MessageBuilder(id: 6, flags: 0).Rr(1, "a.", 2, 1, 1, Hex("0000")).Build()));
    }

    [Fact]
    public void A_second_opt_record_is_an_ordinary_rr()
    {
        // Only the first OPT becomes the EDNS information; the second one is listed (and counted).
        byte[] msg = new MessageBuilder(id: 8, flags: 0)
            .Rr(3, ".", 41, 4096, 0, [])
            .Rr(3, ".", 41, 512, 0, [])
            .Build();
        string dump = Dump(msg)!;
        Assert.Contains("ADDITIONAL: 1\n", dump, StringComparison.Ordinal);
        Assert.Contains("; udp: 4096\n", dump, StringComparison.Ordinal);
        Assert.EndsWith(";; ADDITIONAL SECTION:\n. 0 CLASS512 OPT\n", dump, StringComparison.Ordinal);
    }

    /// <summary>Builds uncompressed DNS messages; section counts follow what was added.</summary>
    private sealed class MessageBuilder(ushort id, ushort flags)
    {
        private readonly List<byte>[] _sections = [[], [], [], []];
        private readonly int[] _counts = new int[4];

        public MessageBuilder Question(string name, ushort type, ushort cls)
        {
            Assert.True(DnsNames.TryParse(name, out byte[] wire));
            _sections[0].AddRange(wire);
            _sections[0].AddRange([(byte)(type >> 8), (byte)type, (byte)(cls >> 8), (byte)cls]);
            _counts[0]++;
            return this;
        }

        public MessageBuilder Rr(int section, string name, ushort type, ushort cls, uint ttl, byte[] rdata)
        {
            Assert.True(DnsNames.TryParse(name, out byte[] wire));
            List<byte> s = _sections[section];
            s.AddRange(wire);
            s.AddRange([(byte)(type >> 8), (byte)type, (byte)(cls >> 8), (byte)cls]);
            s.AddRange([(byte)(ttl >> 24), (byte)(ttl >> 16), (byte)(ttl >> 8), (byte)ttl]);
            s.AddRange([(byte)(rdata.Length >> 8), (byte)rdata.Length]);
            s.AddRange(rdata);
            _counts[section]++;
            return this;
        }

        public byte[] Build()
        {
            var m = new List<byte> { (byte)(id >> 8), (byte)id, (byte)(flags >> 8), (byte)flags };
            foreach (int c in _counts)
                m.AddRange([(byte)(c >> 8), (byte)c]);
            foreach (List<byte> s in _sections)
                m.AddRange(s);
            return [.. m];
        }
    }
}
