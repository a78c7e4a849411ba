using System.Text;
using Nmsg.Modules;
using Nmsg.Modules.Base;
using Nmsg.Text;

namespace Nmsg.Tests;

/// <summary>
/// The JSON input's fast path reads a line's fields in field-number order, encoding each value straight into the
/// payload (the builder's direct mode), and reads the line again in table order when anything fails; the
/// reader-only parse always reads in table order into the list mode. Both must give the same message or the
/// same error for any line, whatever the order of its members.
/// </summary>
public class JsonFieldOrderTests
{
    private static string Outcome(Func<NmsgMessage> parse)
    {
        try
        {
            NmsgMessage m = parse();
            return $"M {m.Vid}/{m.MsgType} {m.Time.Seconds}.{m.Time.Nanoseconds} {Convert.ToHexString(m.Payload.Span)}";
        }
        catch (NmsgFormatException e)
        {
            return "E " + e.Message;
        }
    }

    private static string AssertSame(string line, NmsgTextOptions? options = null)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(line);
        string fast = Outcome(() => NmsgJsonReader.Parse(utf8, options, lineNumber: 5));
        string read = Outcome(() => NmsgJsonReader.ParseWithReader(utf8, options, lineNumber: 5));
        if (fast != read)
            Assert.Fail($"line {line}\nfast:   {fast}\nreader: {read}");
        return fast;
    }

    private static string Line(NmsgModule module, IEnumerable<string> members)
        => $"{{\"time\":\"2024-01-02 03:04:05.000000006\",\"vname\":\"{module.VendorName}\",\"mname\":\"{module.Name}\",\"message\":{{{string.Join(',', members)}}}}}";

    /// <summary>A valid JSON value for one element of a field, by its type and format (<paramref name="variant"/> picks among a few).</summary>
    private static string ValueOf(NmsgField f, int variant)
    {
        switch (f.Format)
        {
            case NmsgFieldFormat.DnsName:
                return variant % 2 == 0 ? "\"www.example.com.\"" : "\"" + string.Join('.', Enumerable.Repeat("label-of-forty-bytes-for-a-long-name-xyz", 5)) + ".\"";
            case NmsgFieldFormat.DnsType or NmsgFieldFormat.SieDnsType:
                return variant % 3 == 0 ? "\"A\"" : variant % 3 == 1 ? "\"AAAA\"" : "\"TYPE65\"";
            case NmsgFieldFormat.DnsClass or NmsgFieldFormat.SieDnsClass:
                return variant % 2 == 0 ? "\"IN\"" : "\"CH\"";
            case NmsgFieldFormat.Rcode:
                return variant % 2 == 0 ? "\"NOERROR\"" : "\"YXDOMAIN\"";
            case NmsgFieldFormat.IpProto:
                return variant % 2 == 0 ? "\"UDP\"" : "\"47\"";
            case NmsgFieldFormat.SieTime:
                return "\"2020-01-02 03:04:05\"";
            case NmsgFieldFormat.Hex:
                return "\"1f2e\"";
            case NmsgFieldFormat.DnsRdata:
                return "\"192.0.2.1\"";
        }
        return f.Type switch
        {
            NmsgFieldType.Enum => variant % 3 == 2 ? "0" : $"\"{f.Enum!.Values[variant % f.Enum.Values.Count].Name}\"",
            NmsgFieldType.Bytes => variant % 2 == 0 ? "\"AAECAwQ=\"" : "\"" + Convert.ToBase64String(Enumerable.Range(0, 200 + variant).Select(i => (byte)i).ToArray()) + "\"",
            NmsgFieldType.String or NmsgFieldType.MLString => variant % 2 == 0 ? "\"text\"" : "\"" + new string('s', 130) + "\"",
            NmsgFieldType.IP => variant % 2 == 0 ? "\"192.0.2.1\"" : "\"2001:db8::1\"",
            NmsgFieldType.UInt16 => variant % 2 == 0 ? "65535" : "7",
            NmsgFieldType.UInt32 => variant % 2 == 0 ? "4294967295" : "300",
            NmsgFieldType.UInt64 => variant % 2 == 0 ? "18446744073709551615" : "1e3",
            NmsgFieldType.Int16 => variant % 2 == 0 ? "-32768" : "32767",
            NmsgFieldType.Int32 => variant % 2 == 0 ? "-5" : "2147483647",
            NmsgFieldType.Int64 => variant % 2 == 0 ? "-1" : "18446744073709551615",
            NmsgFieldType.Double => variant % 2 == 0 ? "1.5" : "-2.5e-3",
            NmsgFieldType.Bool => variant % 2 == 0 ? "true" : "false",
            _ => "null",
        };
    }

    private static List<(NmsgField Field, string Member)> Members(NmsgModule module, int variant)
    {
        var members = new List<(NmsgField, string)>();
        foreach (NmsgField f in module.Fields)
        {
            if (!f.IsStored || f.Wire == NmsgWireKind.Message)
                continue;
            string value = f.IsRepeated
                ? "[" + string.Join(',', Enumerable.Range(0, 1 + (variant % 3)).Select(i => ValueOf(f, variant + i))) + "]"
                : ValueOf(f, variant);
            members.Add((f, $"\"{f.Name}\":{value}"));
        }
        return members;
    }

    [Fact]
    public void Every_field_of_every_module_reads_the_same_in_any_member_order()
    {
        var random = new Random(20261123);
        int messages = 0;
        foreach (NmsgModule module in NmsgModules.Default.All)
        {
            for (int variant = 0; variant < 6; variant++)
            {
                List<(NmsgField Field, string Member)> members = Members(module, variant);
                if (members.Count == 0)
                    continue;
                string[] table = [.. members.Select(m => m.Member)];
                string[] byNumber = [.. members.OrderBy(m => m.Field.Number).Select(m => m.Member)];
                string[] reversed = [.. table.Reverse()];
                string[] shuffled = [.. table.OrderBy(_ => random.Next())];
                foreach (string[] order in new[] { table, byNumber, reversed, shuffled })
                {
                    if (AssertSame(Line(module, order)).StartsWith('M'))
                        messages++;
                }
            }
        }
        // Most lines hold only valid values: the fast path's encoding is what was compared, not only errors.
        Assert.True(messages > 150, $"{messages} messages");
    }

    [Fact]
    public void Every_fast_field_is_encoded_in_number_order_by_the_fast_path()
    {
        // dnsqr's table is not in number order (qclass before qtype; timeout, udp_checksum, … before tcp and icmp):
        // the payload must still hold the fields by number, as protobuf-c writes them.
        NmsgModule dnsqr = NmsgModules.Default.Find("base", "dnsqr")!;
        List<(NmsgField Field, string Member)> members = Members(dnsqr, 1);
        NmsgMessage m = NmsgJsonReader.Parse(Line(dnsqr, members.Select(x => x.Member)));
        var reader = new Nmsg.Protobuf.ProtoReader(m.Payload.Span);
        int last = 0;
        while (reader.TryReadTag(out int number, out Nmsg.Protobuf.WireType wire))
        {
            Assert.True(number >= last, $"field {number} after {last}");
            last = number;
            reader.Skip(wire);
        }
        Assert.Equal(22, last);
    }

    [Theory]
    [InlineData("\"query_time_sec\":[1700000000]")]
    [InlineData("\"query_time_sec\":[0]")]
    [InlineData("\"query_time_sec\":[9223372036854775807]")]
    [InlineData("\"query_time_sec\":[9223372036854775808]")]
    [InlineData("\"query_time_sec\":[18446744073709551615]")]
    [InlineData("\"query_time_sec\":[-5]")]
    [InlineData("\"query_time_sec\":[5 ]")]
    [InlineData("\"query_time_sec\":[ 5]")]
    [InlineData("\"query_time_sec\":[5,6]")]
    [InlineData("\"query_time_sec\":[55,6]")]
    [InlineData("\"query_time_sec\":[1.5]")]
    [InlineData("\"query_time_sec\":[1e2]")]
    [InlineData("\"query_time_sec\":[\"5\"]")]
    [InlineData("\"query_time_sec\":[]")]
    [InlineData("\"query_time_nsec\":[123456789]")]
    [InlineData("\"query_time_nsec\":[2147483648]")]
    [InlineData("\"query_time_nsec\":[4294967295]")]
    [InlineData("\"query_packet\":[\"AAECAwQ=\"]")]
    [InlineData("\"query_packet\":[\"\"]")]
    [InlineData("\"query_packet\":[\"AAEC\\/AA=\"]")]
    [InlineData("\"query_packet\":[\"AAECAwQ\"]")]
    [InlineData("\"query_packet\":[\"AAECAwQ=\",\"BQ==\"]")]
    [InlineData("\"query_packet\":[\"AAECAwQ=\" ]")]
    [InlineData("\"query_packet\":[5]")]
    [InlineData("\"query_packet\":[null]")]
    [InlineData("\"query_packet\":[{\"b64\":\"AAECAwQ=\"}]")]
    public void Arrays_of_one_element_read_the_same(string member)
    {
        NmsgModule dnsqr = NmsgModules.Default.Find("base", "dnsqr")!;
        AssertSame(Line(dnsqr, ["\"id\":1", member, "\"udp_checksum\":\"CORRECT\""]));
    }

    [Fact]
    public void A_line_with_several_bad_values_reports_the_first_in_table_order()
    {
        // qclass comes before qtype in dnsqr's table but after it by number: the fast path meets qtype's error first.
        NmsgModule dnsqr = NmsgModules.Default.Find("base", "dnsqr")!;
        string line = Line(dnsqr, ["\"type\":\"UDP_QUERY_RESPONSE\"", "\"query_packet\":[\"AAECAwQ=\"]", "\"qclass\":\"NOSUCHCLASS\"", "\"qtype\":\"NOSUCHTYPE\"", "\"timeout\":\"x\""]);
        string outcome = AssertSame(line);
        Assert.StartsWith("E JSON line 5, field \"qclass\"", outcome);
    }

    [Fact]
    public void A_repeated_field_given_twice_keeps_the_first()
    {
        NmsgModule dnsqr = NmsgModules.Default.Find("base", "dnsqr")!;
        string first = AssertSame(Line(dnsqr, ["\"query_time_sec\":[1,2]", "\"id\":5", "\"query_time_sec\":[3]"]));
        string only = AssertSame(Line(dnsqr, ["\"query_time_sec\":[1,2]", "\"id\":5"]));
        Assert.Equal(only, first);
        Assert.StartsWith("M ", first);
    }

    [Fact]
    public void A_failure_halfway_through_leaves_nothing_for_the_next_line()
    {
        NmsgModule dnsqr = NmsgModules.Default.Find("base", "dnsqr")!;
        string good = Line(dnsqr, Members(dnsqr, 1).Select(m => m.Member));
        string expected = AssertSame(good);
        string[] bad =
        [
            // Late fields fail after the early ones were encoded (udp_checksum is 21, resolver_address_zeroed 22).
            good.Replace("\"udp_checksum\":\"ABSENT\"", "\"udp_checksum\":\"NOSUCH\"", StringComparison.Ordinal),
            good.Replace("\"resolver_address_zeroed\":false", "\"resolver_address_zeroed\":\"maybe\"", StringComparison.Ordinal),
            // An array whose second element the fast path cannot take, after it encoded the first: read again by
            // the reader, which takes it (two's complement) ...
            good.Replace("\"query_time_sec\":[", "\"query_time_sec\":[5,18446744073709551615,", StringComparison.Ordinal),
            // ... or rejects it.
            good.Replace("\"response_time_sec\":[", "\"response_time_sec\":[5,\"x\",", StringComparison.Ordinal),
        ];
        foreach (string line in bad)
        {
            Assert.NotEqual(good, line);
            AssertSame(line);
            Assert.Equal(expected, AssertSame(good));
        }
    }

    [Fact]
    public void A_module_whose_rdata_number_order_differs_from_its_table_is_read_in_table_order()
    {
        // rdata reads rrtype and rrclass added before it. Here the table puts rdata first (so the table-order read
        // rejects it), but by number rrtype (2) and rrclass (3) come before rdata (5).
        var registry = NmsgModules.CreateDefault();
        var table = new FieldTable(Nmsg.Modules.Base.Dns.Descriptor)
            .Add("rdata", NmsgFieldType.Bytes, format: NmsgFieldFormat.DnsRdata)
            .Add("rrname", NmsgFieldType.Bytes, format: NmsgFieldFormat.DnsName)
            .Add("rrtype", NmsgFieldType.UInt16, format: NmsgFieldFormat.DnsType)
            .Add("rrclass", NmsgFieldType.UInt16, format: NmsgFieldFormat.DnsClass);
        registry.Register(new NmsgModule(42, 7, "acme", "rr", Nmsg.Modules.Base.Dns.Descriptor, table.Fields));
        var options = new NmsgTextOptions { Modules = registry };
        string line = "{\"time\":\"2024-01-02 03:04:05.000000006\",\"vname\":\"acme\",\"mname\":\"rr\",\"message\":"
            + "{\"rrname\":\"a.example.\",\"rrtype\":\"A\",\"rrclass\":\"IN\",\"rdata\":[\"192.0.2.1\"]}}";
        Assert.StartsWith("E JSON line 5, field \"rdata\"", AssertSame(line, options));

        // The same fields with rdata last in the table: read in number order, with rdata reading what was encoded.
        var registry2 = NmsgModules.CreateDefault();
        var table2 = new FieldTable(Nmsg.Modules.Base.Dns.Descriptor)
            .Add("rrclass", NmsgFieldType.UInt16, format: NmsgFieldFormat.DnsClass)
            .Add("rrname", NmsgFieldType.Bytes, format: NmsgFieldFormat.DnsName)
            .Add("rrtype", NmsgFieldType.UInt16, format: NmsgFieldFormat.DnsType)
            .Add("rdata", NmsgFieldType.Bytes, format: NmsgFieldFormat.DnsRdata);
        registry2.Register(new NmsgModule(42, 7, "acme", "rr", Nmsg.Modules.Base.Dns.Descriptor, table2.Fields));
        string read = AssertSame(line, new NmsgTextOptions { Modules = registry2 });
        Assert.StartsWith("M ", read);
        Assert.EndsWith("2A04C0000201", read, StringComparison.Ordinal); // rdata (5), the last field by number
    }
}
