using System.Text;
using Nmsg.Tests.Support;
using Nmsg.Text;

namespace Nmsg.Tests;

/// <summary>
/// The JSON input's own scanner (the first pass over the common line) against Utf8JsonReader, which indexes every
/// other line: for any line, valid or not, both must give the same message or the same error. Values the reference
/// ignores (dnsqr's query_json, response_json, …) are checked by the scanner too, since nmsgtool (json-c) rejects a
/// line that is not JSON wherever the fault is.
/// </summary>
public class JsonScannerTests
{
    private static string Outcome(Func<NmsgMessage> parse)
    {
        try
        {
            NmsgMessage m = parse();
            // A line without a time (a mutated "time" key) is stamped with the current time: not compared.
            string time = Math.Abs(m.Time.Seconds - DateTimeOffset.UtcNow.ToUnixTimeSeconds()) < 3600 ? "now" : $"{m.Time.Seconds}.{m.Time.Nanoseconds}";
            return $"M {m.Vid}/{m.MsgType} {time} {Convert.ToHexString(m.Payload.Span)}";
        }
        catch (NmsgFormatException e)
        {
            return "E " + e.Message;
        }
    }

    private static string AssertSame(byte[] line)
    {
        string scanned = Outcome(() => NmsgJsonReader.Parse(line, lineNumber: 3));
        string read = Outcome(() => NmsgJsonReader.ParseWithReader(line, lineNumber: 3));
        if (scanned != read)
            Assert.Fail($"line {Encoding.UTF8.GetString(line)}\nscanner: {scanned}\nreader:  {read}");
        return scanned;
    }

    /// <summary>As <see cref="AssertSame(byte[])"/> for the first <paramref name="length"/> bytes of <paramref name="buffer"/>, whose bytes after them must not be read.</summary>
    private static string AssertSame(byte[] buffer, int length)
    {
        string scanned = Outcome(() => NmsgJsonReader.Parse(buffer.AsSpan(0, length), lineNumber: 3));
        string read = Outcome(() => NmsgJsonReader.ParseWithReader(buffer.AsSpan(0, length), lineNumber: 3));
        if (scanned != read)
            Assert.Fail($"line {Encoding.UTF8.GetString(buffer, 0, length)}\nscanner: {scanned}\nreader:  {read}");
        return scanned;
    }

    private static IEnumerable<byte[]> VectorLines()
    {
        foreach (string file in Directory.EnumerateFiles(Vectors.PathOf("plain"), "*.json").Order(StringComparer.Ordinal))
        {
            foreach (string line in File.ReadLines(file))
            {
                if (line.Length > 0)
                    yield return Encoding.UTF8.GetBytes(line);
            }
        }
    }

    [Fact]
    public void Vector_lines_read_the_same()
    {
        int n = 0;
        foreach (byte[] line in VectorLines())
        {
            AssertSame(line);
            n++;
        }
        Assert.True(n > 50);
    }

    private static readonly byte[] Inserted = "\"\\{}[],: \t0-+.eE1tfnu\u0001x"u8.ToArray();

    [Fact]
    public void Mutated_vector_lines_read_the_same()
    {
        var random = new Random(20240917);
        foreach (byte[] line in VectorLines())
        {
            for (int i = 0; i < 150; i++)
            {
                int at = random.Next(line.Length);
                byte[] mutated = random.Next(3) switch
                {
                    0 => [.. line.AsSpan(0, at), .. line.AsSpan(at + 1)],
                    1 => [.. line.AsSpan(0, at), Inserted[random.Next(Inserted.Length)], .. line.AsSpan(at)],
                    _ => [.. line.AsSpan(0, at), Inserted[random.Next(Inserted.Length)], .. line.AsSpan(at + 1)],
                };
                AssertSame(mutated);
            }
        }
    }

    private const string Dnsqr = "{\"time\":\"2023-11-14 22:13:20.100000000\",\"vname\":\"base\",\"mname\":\"dnsqr\",\"message\":{\"type\":\"UDP_QUERY_RESPONSE\",\"query_port\":40000,\"query_json\":%,\"id\":4660}}";

    [Theory]
    [InlineData("{\"header\":{\"opcode\":\"QUERY\",\"flags\":[\"rd\"],\"opt\":{\"edns\":{\"version\":0,\"flags\":[],\"udp\":4096}}},\"answer\":[]}")]
    [InlineData("{ \"a\" : [ 1 , -2.5e+3 , true , false , null , \"x\\u00e9\\n\" , { } , [ ] ] }")]
    [InlineData("{\"a\":[1,2,]}")]
    [InlineData("{\"a\":[1,2}")]
    [InlineData("{\"a\":{\"b\":1]}")]
    [InlineData("{\"a\":{\"b\":1,}}")]
    [InlineData("{\"a\":{\"b\" 1}}")]
    [InlineData("{\"a\":{1:1}}")]
    [InlineData("{\"a\":{\"b\":1}")]
    [InlineData("{\"a\":[01]}")]
    [InlineData("{\"a\":[1.]}")]
    [InlineData("{\"a\":[-]}")]
    [InlineData("{\"a\":[tru]}")]
    [InlineData("{\"a\":[truex]}")]
    [InlineData("{\"a\":[nul,1]}")]
    [InlineData("{\"a\":\"bad \\x escape\"}")]
    [InlineData("{\"a\":\"tab\tinside\"}")]
    [InlineData("{\"a\":\"unterminated}")]
    [InlineData("{\"a\":[[[[]]]]}")]
    [InlineData("[]")]
    [InlineData("\"just a string that is rather longer than sixteen bytes\"")]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("[")]
    [InlineData("}")]
    public void Ignored_values_are_still_checked(string value)
    {
        AssertSame(Encoding.UTF8.GetBytes(Dnsqr.Replace("%", value, StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("2020-01-02 03:04:05")]
    [InlineData("2020-01-02 03:04:05.5")]
    [InlineData("2020-01-02 03:04:05.123456789")]
    [InlineData("2020-01-02 03:04:05.0000000000000000001")]
    [InlineData("2020-01-02 03:04:05.4294967295")]
    [InlineData("2020-01-02 03:04:05.4294967296")]
    [InlineData("2020-01-02 03:04:05.")]
    [InlineData("2020-01-02 03:04:05.+5")]
    [InlineData("2020-01-02 03:04:05.5.5")]
    [InlineData("2020-01-02 03:04:05 ")]
    [InlineData("2020-02-29 23:59:60")]
    [InlineData("2021-02-29 00:00:00")]
    [InlineData("2020-13-01 00:00:00")]
    [InlineData("2020-00-01 00:00:00")]
    [InlineData("2020-01-00 00:00:00")]
    [InlineData("2020-01-01 24:00:00")]
    [InlineData("2020-01-01 00:60:00")]
    [InlineData("0000-01-01 00:00:00")]
    [InlineData("9999-12-31 23:59:59.999999999")]
    [InlineData("2020-01-01T00:00:00")]
    [InlineData("2020/01/01 00:00:00")]
    [InlineData("202a-01-01 00:00:00")]
    [InlineData("20\u00320-01-01 00:00:00")]
    [InlineData("")]
    public void Times_read_the_same(string time)
    {
        AssertSame(Encoding.UTF8.GetBytes($"{{\"time\":\"{time}\",\"vname\":\"base\",\"mname\":\"ipconn\",\"message\":{{\"srcport\":1}}}}"));
    }

    [Fact]
    public void Times_parse_the_same_from_bytes_and_from_chars_in_runs_of_one_date()
    {
        // The byte parse keeps the last valid date a thread read; runs of times on a few dates (some of them not
        // dates: February 29th of 2021, month 13, day 0), with times of day past their limits and bytes changed,
        // must parse as the char parse (which keeps nothing) parses each alone.
        var random = new Random(20261127);
        string[] dates = ["2023-11-14", "2024-02-29", "2021-02-29", "2020-13-01", "2020-01-00", "1969-12-31", "0000-01-01", "9999-12-31"];
        int valid = 0;
        for (int i = 0; i < 20000; i++)
        {
            string date = dates[i / 50 % dates.Length];
            char[] text = $"{date} {random.Next(26):00}:{random.Next(62):00}:{random.Next(62):00}".ToCharArray();
            if (random.Next(8) == 0)
                text[random.Next(text.Length)] = "0129 -:x"[random.Next(8)];
            byte[] ascii = Encoding.ASCII.GetBytes(text);
            bool fromChars = Nmsg.Text.TimeText.TryParse(text, out long charSeconds);
            Assert.Equal(fromChars, Nmsg.Text.TimeText.TryParse(ascii, out long byteSeconds));
            Assert.Equal(charSeconds, byteSeconds);
            if (fromChars)
                valid++;
        }
        Assert.True(valid > 5000, $"{valid} valid");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(40)]
    [InlineData(56)]
    [InlineData(57)]
    [InlineData(58)]
    [InlineData(59)]
    [InlineData(60)]
    [InlineData(61)]
    [InlineData(62)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(200)]
    public void Deep_ignored_values_read_the_same(int depth)
    {
        foreach ((string open, string close) in new[] { ("[", "]"), ("{\"k\":", "}"), ("[{\"k\":", "}]") })
        {
            var value = new StringBuilder();
            for (int i = 0; i < depth; i++)
                value.Append(open);
            value.Append('1');
            for (int i = 0; i < depth; i++)
                value.Append(close);
            AssertSame(Encoding.UTF8.GetBytes(Dnsqr.Replace("%", value.ToString(), StringComparison.Ordinal)));
        }
    }

    [Fact]
    public void Field_names_compare_as_SequenceEqual()
    {
        // The inline name comparison of the field matching, at every length it has a path for and a difference
        // at every position.
        var random = new Random(20261123);
        for (int length = 0; length <= 40; length++)
        {
            for (int trial = 0; trial < 200; trial++)
            {
                byte[] field = new byte[length];
                random.NextBytes(field);
                byte[] name = (byte[])field.Clone();
                if (trial % 2 == 1 && length > 0)
                    name[random.Next(length)] ^= (byte)(1 << random.Next(8));
                if (trial % 7 == 6)
                    name = [.. name, (byte)'x'];
                // The name inside a longer text, as in a line, so that loads past it would be seen to matter.
                byte[] text = [.. "{\""u8, .. name, .. "\":1}"u8];
                ReadOnlySpan<byte> inText = text.AsSpan(2, name.Length);
                Assert.Equal(inText.SequenceEqual(field), NmsgJsonReader.NameIs(inText, field));
            }
        }
    }

    [Fact]
    public void Lines_named_as_an_earlier_line_but_for_one_byte_read_as_the_reader_reads_them()
    {
        // A line whose member names are an earlier line's, byte for byte, takes that line's plan of which property
        // is which field. dnsqr's names are 2 to 18 bytes long: every way a name is compared (one masked word, one
        // word, two overlapping, three). Each byte of each name is changed (so the line is named as no plan is, or
        // as another line, or a field is named as another: "qtype" to "rtype" is no field, "proto" to "qroto"
        // neither), after the unchanged line has made its plan and before it is read again from its plan.
        var random = new Random(20261123);
        int lines = 0;
        foreach (string file in new[] { "dnsqr-pcap.json", "ipconn.json", "dns.json" })
        {
            foreach (string text in File.ReadLines(Path.Combine(Vectors.PathOf("plain"), file)))
            {
                if (text.Length == 0)
                    continue;
                byte[] line = Encoding.UTF8.GetBytes(text);
                int message = text.IndexOf("\"message\":{", StringComparison.Ordinal) + 10; // at its brace
                var names = new List<(int At, int Length)>();
                var reader = new System.Text.Json.Utf8JsonReader(line.AsSpan(message));
                reader.Read();
                while (reader.Read() && reader.TokenType == System.Text.Json.JsonTokenType.PropertyName)
                {
                    names.Add((message + (int)reader.TokenStartIndex + 1, reader.ValueSpan.Length));
                    reader.Read();
                    reader.Skip();
                }
                Assert.NotEmpty(names);
                foreach ((int at, int length) in names)
                {
                    for (int i = 0; i < length; i++)
                    {
                        string expected = AssertSame(line);
                        byte[] changed = (byte[])line.Clone();
                        changed[at + i] = (byte)(changed[at + i] == (byte)'q' ? 'r' : random.Next(2) == 0 ? 'q' : 'x');
                        AssertSame(changed);
                        Assert.Equal(expected, AssertSame(line));
                    }
                }
                lines++;
            }
        }
        Assert.True(lines > 15);
    }

    [Theory]
    [InlineData("{\"vname\":\"base\",\"mname\":\"dnsqr\",\"message\":{\"id\":1}}", "{\"vname\":\"base\",\"mname\":\"dnsqr\",\"message\":{\"ic\":1}}")]
    [InlineData("{\"vname\":\"base\",\"mname\":\"dnsqr\",\"message\":{\"id\":1}}", "{\"vname\":\"base\",\"mname\":\"dnsqr\",\"message\":{\"i\\u0064\":2}}")]
    [InlineData("{\"vname\":\"base\",\"mname\":\"dnsqr\",\"message\":{\"id\":1,\"type\":\"UDP_INVALID\"}}", "{\"vname\":\"base\",\"mname\":\"dnsqr\",\"message\":{\"id\":1,\"typ\":\"UDP_INVALID\"}}")]
    [InlineData("{\"vname\":\"base\",\"mname\":\"ipconn\",\"message\":{\"srcport\":1,\"dstport\":2}}", "{\"vname\":\"base\",\"mname\":\"dnsqr\",\"message\":{\"srcport\":1,\"dstport\":2}}")]
    [InlineData("{\"vname\":\"base\",\"mname\":\"ipconn\",\"message\":{\"proto\":6,\"srcip\":\"192.0.2.1\"}}", "{\"vname\":\"base\",\"mname\":\"dnsqr\",\"message\":{\"proto\":6,\"srcip\":\"192.0.2.1\"}}")]
    [InlineData("{\"vname\":\"base\",\"mname\":\"ipconn\",\"message\":{\"srcport\":1,\"dstport\":2}}", "{\"vname\":\"base\",\"mname\":\"ipconn\",\"message\":{\"srcport\":1,\"srcport\":2}}")]
    [InlineData("{\"vname\":\"base\",\"mname\":\"ipconn\",\"message\":{\"srcport\":1,\"srcport\":2}}", "{\"vname\":\"base\",\"mname\":\"ipconn\",\"message\":{\"srcport\":1,\"srcport\":2}}")]
    [InlineData("{\"vname\":\"base\",\"mname\":\"dnsqr\",\"message\":{\"resolver_address_zeroed\":true,\"id\":1}}", "{\"vname\":\"base\",\"mname\":\"dnsqr\",\"message\":{\"resolver_bddress_zeroed\":true,\"id\":1}}")]
    [InlineData("{\"vname\":\"base\",\"mname\":\"dnsqr\",\"message\":{\"resolver_address_zeroed\":true,\"id\":1}}", "{\"vname\":\"base\",\"mname\":\"dnsqr\",\"message\":{\"resolver_addresszzeroed\":true,\"id\":1}}")]
    [InlineData("{\"vname\":\"base\",\"mname\":\"dnsqr\",\"message\":{\"an_unknown_name_of_thirty_bytes\":1,\"id\":1}}", "{\"vname\":\"base\",\"mname\":\"dnsqr\",\"message\":{\"an_unknown_name_of_thirty_bytez\":1,\"id\":2}}")]
    public void A_line_after_one_named_almost_as_it_reads_as_the_reader_reads_it(string first, string then)
    {
        // Names that end within eight bytes of the text's end (compared a byte at a time), an escaped name that
        // unescapes to the plan's, a name one byte short, another module with the same names, a field twice, the
        // longest name of a base module (23 bytes) changed in its middle word only.
        AssertSame(Encoding.UTF8.GetBytes(first));
        AssertSame(Encoding.UTF8.GetBytes(then));
        AssertSame(Encoding.UTF8.GetBytes(first));
    }

    [Fact]
    public void More_kinds_of_line_than_plans_kept_read_as_the_reader_reads_them()
    {
        // Lines of twelve shapes in turn (more than the eight plans a thread keeps, so each plan is made again
        // and again, until plans are turned off for a while), then at random.
        var random = new Random(20261124);
        string[] members = ["\"proto\":6", "\"srcip\":\"192.0.2.1\"", "\"srcport\":1024", "\"dstip\":\"2001:db8::1\"", "\"dstport\":53", "\"other\":[1,{}]"];
        var shapes = new List<byte[]>();
        for (int mask = 1; shapes.Count < 12; mask++)
        {
            var picked = new List<string>();
            for (int i = 0; i < members.Length; i++)
            {
                if ((mask & (1 << i)) != 0)
                    picked.Add(members[i]);
            }
            shapes.Add(Encoding.UTF8.GetBytes($"{{\"time\":\"2024-01-01 00:00:00\",\"vname\":\"base\",\"mname\":\"ipconn\",\"message\":{{{string.Join(',', picked)}}}}}"));
        }
        for (int i = 0; i < 3 * shapes.Count; i++)
            AssertSame(shapes[i % shapes.Count]);
        for (int i = 0; i < 200; i++)
            AssertSame(shapes[random.Next(shapes.Count)]);
        // Long enough for plans to be turned off (most lines missing) and on again, then one shape (all hitting).
        for (int i = 0; i < 5000; i++)
            AssertSame(shapes[i % shapes.Count]);
        for (int i = 0; i < 600; i++)
            AssertSame(shapes[i % 2]);
    }

    [Fact]
    public void Strings_of_every_length_to_forty_read_the_same_at_every_distance_from_the_end()
    {
        // Names and string values are looked for in the sixteen bytes after their quote, then the sixteen after
        // those: each length around both loads, plain or with a special byte (an escape, a control byte, a byte
        // above ASCII) at its last place, as a member's name and value and inside an ignored object, with the
        // line's end (spaces after the object) at each distance, so that the second load meets it everywhere.
        string[] lasts = ["", "\\n", "\u0001", "\u00e9"];
        int messages = 0;
        for (int length = 0; length <= 40; length++)
        {
            foreach (string last in lasts)
            {
                string text = new string('a', length) + last;
                string[] lines =
                [
                    $"{{\"vname\":\"base\",\"mname\":\"dnsqr\",\"message\":{{\"qname\":\"{text}\",\"{text}\":1}}}}",
                    $"{{\"vname\":\"base\",\"mname\":\"dnsqr\",\"message\":{{\"query_json\":{{\"{text}\":\"{text}\"}},\"{text}\":[\"{text}\"]}}}}",
                ];
                foreach (string line in lines)
                {
                    for (int spaces = 0; spaces <= 40; spaces++)
                    {
                        if (AssertSame(Encoding.UTF8.GetBytes(line + new string(' ', spaces))).StartsWith("M ", StringComparison.Ordinal))
                            messages++;
                    }
                    // The line cut short anywhere in its last forty bytes, the rest of it still in the buffer after
                    // the text: a load that reached past the text's end would find the line's end there.
                    byte[] whole = Encoding.UTF8.GetBytes(line);
                    for (int cut = Math.Max(1, whole.Length - 40); cut < whole.Length; cut++)
                        AssertSame(whole, cut);
                }
            }
        }
        Assert.True(messages > 1000, $"{messages} messages");
    }

    [Fact]
    public void Message_members_in_any_order_read_the_same()
    {
        // Field matching follows the table from the last field matched; a line in any order, with unknown members
        // put in, must make the same message as the line in table order.
        var random = new Random(20261124);
        var write = new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        foreach (byte[] line in VectorLines())
        {
            string expected = Outcome(() => NmsgJsonReader.Parse(line, lineNumber: 3));
            if (System.Text.Json.Nodes.JsonNode.Parse(line) is not System.Text.Json.Nodes.JsonObject root
                || root["message"] is not System.Text.Json.Nodes.JsonObject message)
            {
                continue;
            }
            for (int trial = 0; trial < 5; trial++)
            {
                var members = message.Select(m => (m.Key, Value: m.Value?.DeepClone())).ToList();
                if (trial > 0)
                    members = [.. members.OrderBy(_ => random.Next())];
                if (trial % 2 == 0)
                    members.Insert(random.Next(members.Count + 1), ("not_a_field", System.Text.Json.Nodes.JsonValue.Create(1)));
                var shuffled = new System.Text.Json.Nodes.JsonObject();
                foreach ((string key, System.Text.Json.Nodes.JsonNode? value) in members)
                    shuffled[key] = value;
                var copy = (System.Text.Json.Nodes.JsonObject)root.DeepClone();
                copy["message"] = shuffled;
                byte[] mutated = Encoding.UTF8.GetBytes(copy.ToJsonString(write));
                string got = Outcome(() => NmsgJsonReader.Parse(mutated, lineNumber: 3));
                if (got != expected)
                    Assert.Fail($"line {Encoding.UTF8.GetString(mutated)}\nexpected: {expected}\ngot:      {got}");
            }
        }
    }
    [Theory]
    [InlineData("\"delay\":1.5")]
    [InlineData("\"delay\":1")]
    [InlineData("\"delay\":-0.0")]
    [InlineData("\"delay\":1e5")]
    [InlineData("\"delay\":1E-5")]
    [InlineData("\"delay\":2.5e+3")]
    [InlineData("\"delay\":1e400")]
    [InlineData("\"delay\":-1e400")]
    [InlineData("\"delay\":1e-400")]
    [InlineData("\"delay\":0.1234567890123456789012345")]
    [InlineData("\"delay\":4.9406564584124654E-324")]
    [InlineData("\"delay\":1.7976931348623157e308")]
    [InlineData("\"delay\":\"1.5\"")]
    [InlineData("\"proto\":\"UDP\"")]
    [InlineData("\"proto\":\"udp\"")]
    [InlineData("\"proto\":\"tCp\"")]
    [InlineData("\"proto\":\"icmp\"")]
    [InlineData("\"proto\":\"ICMP\"")]
    [InlineData("\"proto\":\"UDPX\"")]
    [InlineData("\"proto\":\"UD\"")]
    [InlineData("\"proto\":\"17\"")]
    [InlineData("\"proto\":\"0x11\"")]
    [InlineData("\"proto\":\"021\"")]
    [InlineData("\"proto\":\"\"")]
    [InlineData("\"proto\":\"\\u0131cmp\"")]
    [InlineData("\"proto\":\"\u0131cmp\"")]
    [InlineData("\"proto\":17")]
    [InlineData("\"type\":\"UDP_QUERY_RESPONSE\"")]
    [InlineData("\"type\":\"udp_query_response\"")]
    [InlineData("\"type\":\"Udp_Query_Response\"")]
    [InlineData("\"type\":\"UDP_QUERY_RESPONS\"")]
    [InlineData("\"type\":\"UDP_QUERY_RESPONSEX\"")]
    [InlineData("\"type\":\"TCP\"")]
    [InlineData("\"type\":\"\"")]
    [InlineData("\"type\":1")]
    [InlineData("\"udp_checksum\":\"CORRECT\"")]
    [InlineData("\"udp_checksum\":\"correct\"")]
    [InlineData("\"udp_checksum\":\"ABSENT\"")]
    [InlineData("\"query_ip\":\"192.0.2.1\"")]
    [InlineData("\"query_ip\":\"0.0.0.0\"")]
    [InlineData("\"query_ip\":\"255.255.255.255\"")]
    [InlineData("\"query_ip\":\"256.1.1.1\"")]
    [InlineData("\"query_ip\":\"01.2.3.4\"")]
    [InlineData("\"query_ip\":\"1.2.3\"")]
    [InlineData("\"query_ip\":\"1.2.3.4.5\"")]
    [InlineData("\"query_ip\":\"1..2.3\"")]
    [InlineData("\"query_ip\":\"1.2.3.4.\"")]
    [InlineData("\"query_ip\":\"2001:db8::10\"")]
    [InlineData("\"query_ip\":\"::\"")]
    [InlineData("\"query_ip\":\"::ffff:1.2.3.4\"")]
    [InlineData("\"query_ip\":\"::1.2.3\"")]
    [InlineData("\"query_ip\":\"1:2:3:4:5:6:7:8\"")]
    [InlineData("\"query_ip\":\"1:2:3:4:5:6:7:8:9\"")]
    [InlineData("\"query_ip\":\"12345::\"")]
    [InlineData("\"query_ip\":\":1\"")]
    [InlineData("\"query_ip\":\"\"")]
    [InlineData("\"query_packet\":[\"RQAASAAB\"]")]
    [InlineData("\"query_packet\":[\"\"]")]
    [InlineData("\"query_packet\":[\"RQ==\",\"RQ==\"]")]
    [InlineData("\"query_packet\":[\"RQ==\",\"\",\"RQ==\"]")]
    [InlineData("\"query_packet\":[\"RQ\\u003d\\u003d\"]")]
    [InlineData("\"query_packet\":[\"RQ\\/A\"]")]
    [InlineData("\"query_packet\":[\"RQ A=\"]")]
    [InlineData("\"query_packet\":[\"RQA\"]")]
    [InlineData("\"query_packet\":[\"RQ=A\"]")]
    [InlineData("\"query_packet\":[\"R\u00e9QA\"]")]
    [InlineData("\"query_packet\":[ \"RQAA\" ]")]
    [InlineData("\"query_packet\":[\"RQAA\",1]")]
    [InlineData("\"query_packet\":[1,\"RQAA\"]")]
    [InlineData("\"query_packet\":[\"RQAA\",\"]\"]")]
    [InlineData("\"query_packet\":\"RQAA\"")]
    public void Values_read_the_same_by_the_fast_and_the_general_path(string member)
    {
        // ParseWithReader takes every value the general way (ParseValue, custom parsers on text): the fast value
        // paths must agree with it.
        AssertSame(Encoding.UTF8.GetBytes(Dnsqr.Replace("\"query_json\":%", member, StringComparison.Ordinal)));
    }

    [Fact]
    public void Random_doubles_read_the_same_by_the_fast_and_the_general_path()
    {
        var random = new Random(20261125);
        Span<byte> bits = stackalloc byte[8];
        for (int i = 0; i < 2000; i++)
        {
            random.NextBytes(bits);
            double d = BitConverter.ToDouble(bits);
            if (!double.IsFinite(d))
                continue;
            string text = (i % 3) switch
            {
                0 => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                1 => d.ToString("E10", System.Globalization.CultureInfo.InvariantCulture),
                _ => (d / 1e300).ToString("F12", System.Globalization.CultureInfo.InvariantCulture),
            };
            AssertSame(Encoding.UTF8.GetBytes(Dnsqr.Replace("\"query_json\":%", "\"delay\":" + text, StringComparison.Ordinal)));
        }
    }

    [Fact]
    public void Ip_addresses_parse_the_same_from_bytes_and_from_chars()
    {
        // The JSON input parses ASCII bytes; RdataParser and the general path parse chars.
        var random = new Random(20261126);
        const string alphabet = "0123456789abcdefABCDEF:.x ";
        string[] seeds = ["192.0.2.10", "2001:db8::10", "::ffff:192.0.2.1", "::", "1:2:3:4:5:6:7:8", "fe80::1:2", "0.0.0.0", "255.255.255.255"];
        Span<byte> fromBytes = stackalloc byte[16], fromChars = stackalloc byte[16];
        for (int i = 0; i < 20000; i++)
        {
            char[] text;
            if (i % 2 == 0)
            {
                text = seeds[random.Next(seeds.Length)].ToCharArray();
                int at = random.Next(text.Length + 1);
                char c = alphabet[random.Next(alphabet.Length)];
                text = random.Next(3) switch
                {
                    0 when text.Length > 0 && at < text.Length => [.. text.AsSpan(0, at), .. text.AsSpan(at + 1)],
                    1 => [.. text.AsSpan(0, at), c, .. text.AsSpan(at)],
                    _ when at < text.Length => [.. text.AsSpan(0, at), c, .. text.AsSpan(at + 1)],
                    _ => text,
                };
            }
            else
            {
                text = new char[random.Next(46)];
                for (int k = 0; k < text.Length; k++)
                    text[k] = alphabet[random.Next(alphabet.Length)];
            }
            if (i % 4 == 1)
            {
                // Dotted quads of octets of zero to four digits (leading zeros, past 255), and a dot more or less.
                var quad = new StringBuilder();
                for (int k = random.Next(3, 6); k > 0; k--)
                {
                    for (int d = random.Next(5); d > 0; d--)
                        quad.Append((char)('0' + (random.Next(3) == 0 ? random.Next(3) : random.Next(10))));
                    if (k > 1)
                        quad.Append('.');
                }
                text = quad.ToString().ToCharArray();
            }
            byte[] ascii = Encoding.ASCII.GetBytes(text);
            fromBytes.Clear();
            fromChars.Clear();
            // What a failed parse leaves in the destination is not looked at (the caller tries IPv6 there next).
            bool v4 = Nmsg.Dns.IpText.TryParseV4(text, fromChars);
            Assert.Equal(v4, Nmsg.Dns.IpText.TryParseV4(ascii, fromBytes));
            Assert.True(!v4 || fromBytes.SequenceEqual(fromChars), new string(text));
            fromBytes.Clear();
            fromChars.Clear();
            Assert.Equal(Nmsg.Dns.IpText.TryParseV6(text, fromChars), Nmsg.Dns.IpText.TryParseV6(ascii, fromBytes));
            Assert.True(fromBytes.SequenceEqual(fromChars), new string(text));
        }
    }

    [Fact]
    public void Enum_names_parse_the_same_exactly_and_by_the_lookup()
    {
        // Every enum of every module: each name as declared, in other cases and cut or lengthened.
        var random = new Random(20261127);
        foreach (Nmsg.Modules.NmsgModule module in Nmsg.Modules.NmsgModules.Default.All)
        {
            foreach (Nmsg.Modules.NmsgField field in module.FieldArray)
            {
                if (field.Enum is not { } e)
                    continue;
                foreach ((int _, string name) in e.Values)
                {
                    string[] variants = [name, name.ToLowerInvariant(), name.ToUpperInvariant(), name + "X", name[..^1], "", name.Replace('_', '-')];
                    foreach (string v in variants)
                    {
                        bool exact = e.TryParseExactUtf8(Encoding.UTF8.GetBytes(v), out int exactValue);
                        bool looked = e.TryParse(v, out int lookedValue);
                        if (exact)
                        {
                            Assert.True(looked, v);
                            Assert.Equal(lookedValue, exactValue);
                        }
                        Assert.Equal(v == name || (looked && e.Values.Any(x => x.Name == v)), exact);
                    }
                }
                Assert.False(e.TryParseExactUtf8(Encoding.UTF8.GetBytes(random.Next().ToString(System.Globalization.CultureInfo.InvariantCulture) + "\u00e9"), out _));
            }
        }
    }

    [Fact]
    public void Indented_vector_lines_read_the_same()
    {
        // Whitespace everywhere JSON allows it (the scanner looks for it only where the expected byte is not there):
        // the same message as the compact line, by the scanner and by the reader.
        foreach (byte[] line in VectorLines())
        {
            string expected = Outcome(() => NmsgJsonReader.Parse(line, lineNumber: 3));
            if (System.Text.Json.Nodes.JsonNode.Parse(line) is not { } root)
                continue;
            foreach (var write in new[]
            {
                new System.Text.Json.JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping },
                new System.Text.Json.JsonSerializerOptions { WriteIndented = true, IndentCharacter = '\t', IndentSize = 1, NewLine = "\r\n", Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping },
            })
            {
                byte[] indented = Encoding.UTF8.GetBytes(" " + root.ToJsonString(write) + "\t");
                AssertSame(indented);
                string got = Outcome(() => NmsgJsonReader.Parse(indented, lineNumber: 3));
                if (got != expected)
                    Assert.Fail($"line {Encoding.UTF8.GetString(indented)}\nexpected: {expected}\ngot:      {got}");
            }
        }
    }

    [Fact]
    public void Plain_runs_end_where_a_byte_loop_ends_them()
    {
        // PlainEnd's 32-, 16-byte and overlapping last steps against the plain definition, at every length and start.
        var random = new Random(20261128);
        for (int length = 0; length <= 100; length++)
        {
            for (int trial = 0; trial < 40; trial++)
            {
                byte[] text = new byte[length];
                for (int i = 0; i < length; i++)
                    text[i] = (byte)random.Next(0x21, 0x80) is var b && (b == '"' || b == '\\') ? (byte)'a' : (byte)b;
                if (length > 0 && trial % 4 != 0)
                {
                    // One or two specials (quote, backslash, control, above ASCII) somewhere.
                    byte[] specials = [(byte)'"', (byte)'\\', 0, 0x1F, (byte)'\n', 0x80, 0xC3, 0xFF];
                    for (int k = random.Next(1, 3); k > 0; k--)
                        text[random.Next(length)] = specials[random.Next(specials.Length)];
                }
                int start = length == 0 ? 0 : random.Next(length + 1);
                int expected = start;
                while (expected < length && text[expected] >= 0x20 && text[expected] < 0x80 && text[expected] != '"' && text[expected] != '\\')
                    expected++;
                Assert.Equal(expected, NmsgJsonReader.PlainEnd(text, start));
            }
        }
    }

    [Fact]
    public void Plain_runs_end_at_every_special_byte_and_no_other()
    {
        // Every byte value at every position of the vector steps and the byte-at-a-time tail: the special bytes are
        // found by a compare on a transformed byte, which must take the quote, the backslash, 0x00-0x1F and
        // 0x80-0xFF (the scanner takes only ASCII) and nothing next to them (the space, '!', '#', 0x7F).
        for (int value = 0; value < 256; value++)
        {
            bool special = value < 0x20 || value >= 0x80 || value == '"' || value == '\\';
            for (int at = 0; at < 48; at++)
            {
                byte[] text = new byte[48];
                text.AsSpan().Fill((byte)'a');
                text[at] = (byte)value;
                Assert.Equal(special ? at : 48, NmsgJsonReader.PlainEnd(text, 0));
                Assert.Equal(special ? at : 48, NmsgJsonReader.PlainEnd(text, at));
            }
        }
    }

    [Fact]
    public void Random_integers_read_the_same_by_the_fast_and_the_general_path()
    {
        // The plain-digits path against Utf8Parser and the reader: every integer type, at and around each limit.
        var random = new Random(20261129);
        string[] templates =
        [
            "{\"time\":\"2023-11-14 22:13:20\",\"vname\":\"base\",\"mname\":\"ipconn\",\"message\":{\"srcport\":%,\"len_frame\":%}}",
            "{\"time\":\"2023-11-14 22:13:20\",\"vname\":\"base\",\"mname\":\"http\",\"message\":{\"type\":\"sinkhole\",\"p0f_dist\":%,\"p0f_uptime\":%}}",
            "{\"time\":\"2023-11-14 22:13:20\",\"vname\":\"base\",\"mname\":\"dnsqr\",\"message\":{\"query_time_sec\":[%],\"query_time_nsec\":[%,1],\"query_port\":%}}",
        ];
        string[] limits = ["0", "1", "9", "10", "32767", "32768", "65535", "65536", "2147483647", "2147483648", "4294967295", "4294967296",
            "9223372036854775807", "9223372036854775808", "18446744073709551615", "18446744073709551616", "9999999999999999999",
            "10000000000000000000", "99999999999999999999", "-0", "-1", "-32768", "-32769", "-2147483648", "-9223372036854775808"];
        var messages = new int[templates.Length];
        for (int i = 0; i < 3000; i++)
        {
            string template = templates[i % templates.Length];
            string Number()
            {
                if (random.Next(2) == 0)
                    return limits[random.Next(limits.Length)];
                int length = random.Next(1, 22);
                var digits = new StringBuilder(random.Next(8) == 0 ? "-" : "");
                digits.Append((char)('1' + random.Next(9)));
                for (int k = 1; k < length; k++)
                    digits.Append((char)('0' + random.Next(10)));
                return digits.ToString();
            }
            int at = template.IndexOf('%', StringComparison.Ordinal);
            string line = template[..at] + Number() + template[(at + 1)..];
            at = line.IndexOf('%', StringComparison.Ordinal);
            line = line[..at] + Number() + line[(at + 1)..];
            if ((at = line.IndexOf('%', StringComparison.Ordinal)) >= 0)
                line = line[..at] + Number() + line[(at + 1)..];
            if (AssertSame(Encoding.UTF8.GetBytes(line)).StartsWith("M ", StringComparison.Ordinal))
                messages[i % templates.Length]++;
        }
        // Each template makes messages (not only errors), so the values were compared.
        Assert.All(messages, n => Assert.True(n > 100, $"{n} messages"));
    }

    [Fact]
    public void Numbers_read_the_same_at_every_length_and_distance_from_the_end()
    {
        // The scanner classifies a number's digits sixteen bytes at a time when they are within the text, else a
        // byte at a time: numbers valid and not, of every length, in ignored values and message members, with the
        // line's end (spaces after the object, which are not read) moved past them a byte at a time.
        var random = new Random(20261130);
        string[] templates =
        [
            "{\"time\":\"2023-11-14 22:13:20\",\"vname\":\"base\",\"mname\":\"dnsqr\",\"message\":{\"query_json\":[%],\"id\":1}}",
            "{\"time\":\"2023-11-14 22:13:20\",\"vname\":\"base\",\"mname\":\"dnsqr\",\"message\":{\"query_json\":{\"a\":%,\"b\":[%]}}}",
            "{\"time\":\"2023-11-14 22:13:20\",\"vname\":\"base\",\"mname\":\"dnsqr\",\"message\":{\"id\":%,\"delay\":%}}",
            "{\"time\":\"2023-11-14 22:13:20\",\"vname\":\"base\",\"mname\":\"dnsqr\",\"message\":{\"delay\":% }}",
            "{\"time\":\"2023-11-14 22:13:20\",\"vname\":\"base\",\"mname\":\"dnsqr\",\"x\":%,\"message\":{\"delay\":%}}",
        ];
        const string alphabet = "0123456789-+.eE";
        int messages = 0, errors = 0;
        for (int i = 0; i < 4000; i++)
        {
            var number = new StringBuilder();
            int length = random.Next(1, 24);
            if (i % 2 == 0)
            {
                // Mostly valid: digits, with a fraction and an exponent now and then, and one byte changed at times.
                if (random.Next(4) == 0)
                    number.Append('-');
                for (int k = 0; k < length; k++)
                    number.Append((char)('0' + random.Next(10)));
                if (random.Next(3) == 0)
                    number.Append('.').Append(random.Next(1_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture));
                if (random.Next(5) == 0)
                    number.Append(random.Next(2) == 0 ? 'e' : 'E').Append(random.Next(3) switch { 0 => "", 1 => "+", _ => "-" }).Append(random.Next(400));
                if (random.Next(4) == 0)
                    number[random.Next(number.Length)] = alphabet[random.Next(alphabet.Length)];
            }
            else
            {
                for (int k = 0; k < length; k++)
                    number.Append(alphabet[random.Next(alphabet.Length)]);
            }
            string value = number.ToString();
            if (random.Next(6) == 0)
                value += random.Next(4) switch { 0 => "x", 1 => "\"\"", 2 => "t", _ => "{" };
            string line = templates[i % templates.Length].Replace("%", value, StringComparison.Ordinal);
            string outcome = AssertSame(Encoding.UTF8.GetBytes(line + new string(' ', i / templates.Length % 24)));
            if (outcome.StartsWith("M ", StringComparison.Ordinal))
                messages++;
            else
                errors++;
        }
        Assert.True(messages > 500 && errors > 500, $"{messages} messages, {errors} errors");
    }

    [Fact]
    public void Generated_ignored_values_read_the_same_valid_and_mutated()
    {
        // Ignored values (query_json) made of names and strings of every length around the scanner's sixteen-byte
        // loads, with the quote, colon, comma and the value's first byte at each place of them, nested, with and
        // without whitespace, escapes and control bytes; then each with one byte deleted, inserted or replaced, and
        // the line's end moved (spaces after the object, which are not read) so the loads meet it everywhere.
        var random = new Random(20261131);
        const string plain = "abcXYZ019 -_./+=:,{}[]";
        string Text(int length)
        {
            var b = new StringBuilder();
            for (int k = 0; k < length; k++)
                b.Append(plain[random.Next(plain.Length)]);
            if (random.Next(12) == 0 && length > 0)
                b.Insert(random.Next(b.Length), random.Next(3) switch { 0 => "\\n", 1 => "\\u00e9", _ => "\\\"" });
            return b.ToString();
        }
        string Ws() => random.Next(6) == 0 ? new[] { " ", "\t", "\r\n", "  " }[random.Next(4)] : "";
        string Value(int depth)
        {
            switch (depth > 3 ? random.Next(3) : random.Next(6))
            {
                case 0:
                    return "\"" + Text(random.Next(0, 40)) + "\"";
                case 1:
                    return random.Next(4) switch { 0 => "true", 1 => "null", 2 => "-12.5e3", _ => random.Next(100000).ToString(System.Globalization.CultureInfo.InvariantCulture) };
                case 2:
                    return "\"" + Text(random.Next(10, 20)) + "\"";
                case 3:
                    {
                        var b = new StringBuilder("[" + Ws());
                        for (int k = random.Next(4); k > 0; k--)
                            b.Append(Value(depth + 1)).Append(Ws()).Append(k > 1 ? "," + Ws() : "");
                        return b.Append(']').ToString();
                    }
                default:
                    {
                        var b = new StringBuilder("{" + Ws());
                        for (int k = random.Next(5); k > 0; k--)
                            b.Append('"').Append(Text(random.Next(0, 20))).Append('"').Append(Ws()).Append(':').Append(Ws()).Append(Value(depth + 1)).Append(Ws()).Append(k > 1 ? "," + Ws() : "");
                        return b.Append('}').ToString();
                    }
            }
        }
        int messages = 0, errors = 0;
        for (int i = 0; i < 3000; i++)
        {
            string value = Value(random.Next(3));
            byte[] line = Encoding.UTF8.GetBytes(Dnsqr.Replace("%", value, StringComparison.Ordinal) + new string(' ', random.Next(20)));
            if (AssertSame(line).StartsWith("M ", StringComparison.Ordinal))
                messages++;
            for (int m = 0; m < 4; m++)
            {
                int at = random.Next(line.Length);
                byte b = (byte)(random.Next(8) == 0 ? random.Next(0x20) : Inserted[random.Next(Inserted.Length)]);
                byte[] mutated = random.Next(3) switch
                {
                    0 => [.. line.AsSpan(0, at), .. line.AsSpan(at + 1)],
                    1 => [.. line.AsSpan(0, at), b, .. line.AsSpan(at)],
                    _ => [.. line.AsSpan(0, at), b, .. line.AsSpan(at + 1)],
                };
                if (!AssertSame(mutated).StartsWith("M ", StringComparison.Ordinal))
                    errors++;
            }
        }
        Assert.True(messages > 2000 && errors > 2000, $"{messages} messages, {errors} errors");
    }
}
