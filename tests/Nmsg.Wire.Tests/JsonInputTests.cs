using System.Text;
using Nmsg.Containers;
using Nmsg.Tests.Support;
using Nmsg.Text;
using Nmsg.Transports;

namespace Nmsg.Tests;

/// <summary>JSON input (SPEC §6.5) against the files nmsgtool -j wrote.</summary>
public class JsonInputTests
{
    /// <summary>MANIFEST rows made by "nmsgtool -j IN [options] -w OUT".</summary>
    public static TheoryData<string, string> Conversions()
    {
        var data = new TheoryData<string, string>();
        foreach (string line in File.ReadLines(Vectors.PathOf("MANIFEST.tsv")))
        {
            string[] c = line.Split('\t');
            if (c.Length > 2 && c[1] == "0" && c[2].Contains(" -j ", StringComparison.Ordinal) && c[2].Contains(" -w ", StringComparison.Ordinal)
                && File.Exists(Vectors.PathOf(c[0])))
                data.Add(c[0], c[2]);
        }
        return data;
    }

    [Fact]
    public void The_conversions_are_found()
        => Assert.True(Conversions().Count() >= 35, $"{Conversions().Count()} conversions");

    [Theory]
    [MemberData(nameof(Conversions))]
    public void Json_input_writes_the_bytes_nmsgtool_wrote(string output, string command)
    {
        string[] argv = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var text = NmsgTextOptions.Default;
        var encoder = new NmsgEncoderOptions { Deflater = Compression.NmsgDeflater.Reference };
        string? input = null;
        int count = int.MaxValue;
        for (int i = 0; i < argv.Length; i++)
        {
            switch (argv[i])
            {
                case "-j": input = argv[++i]; break;
                case "-z": encoder = encoder with { Compress = true }; break;
                case "--unbuffered": encoder = encoder with { Buffered = false }; break;
                case "--setsource": encoder = encoder with { SetSource = Convert.ToUInt32(argv[++i], 16) }; break;
                case "--setoperator": encoder = encoder with { SetOperator = uint.Parse(argv[++i], System.Globalization.CultureInfo.InvariantCulture) }; break;
                case "--setgroup": encoder = encoder with { SetGroup = uint.Parse(argv[++i], System.Globalization.CultureInfo.InvariantCulture) }; break;
                case "-c": count = int.Parse(argv[++i], System.Globalization.CultureInfo.InvariantCulture); break;
                case var env when env.StartsWith("NMSG_OPALIAS_FILE=", StringComparison.Ordinal):
                    text = text with
                    {
                        Aliases = NmsgAliases.FromLines(File.ReadLines(Vectors.PathOf("inputs/test.opalias")), File.ReadLines(Vectors.PathOf("inputs/test.gralias"))),
                    };
                    break;
            }
        }
        Assert.NotNull(input);
        if (encoder.Compress && !Compression.NmsgZlib.ReferenceAvailable)
            return; // identical deflate bytes need the platform zlib; covered by the decode-equal tests

        var stream = new MemoryStream();
        using (var writer = new NmsgStreamWriter(stream, new NmsgWriterOptions { Encoder = encoder }, leaveOpen: true))
        {
            foreach (string line in File.ReadLines(Vectors.PathOf(input)).Where(l => l.Length > 0).Take(count))
                writer.Write(NmsgJsonReader.Parse(line, text));
        }
        Assert.Equal(Convert.ToHexString(Vectors.Read(output)), Convert.ToHexString(stream.ToArray()));
    }

    [Theory]
    [MemberData(nameof(Conversions))]
    public void Json_to_binary_to_json_round_trips(string output, string command)
    {
        _ = command;
        string json = Path.ChangeExtension(output, ".json");
        if (!File.Exists(Vectors.PathOf(json)) || Vectors.ManifestExitCode(json) != 0)
            return;
        NmsgTextOptions options = FormatVectorTests.OptionsFor(output);
        foreach (string line in File.ReadLines(Vectors.PathOf(json)))
        {
            NmsgMessage parsed = NmsgJsonReader.Parse(line, options);
            string again = NmsgJson.Format(parsed, options).TrimEnd('\n');
            if (again != line)
                FormatVectorTests.AssertJsonEquivalent(line, again, json);
        }
    }

    [Theory]
    [InlineData("{\"vname\":\"base\",\"mname\":\"nosuch\",\"message\":{}}", "mname")]
    [InlineData("{\"vname\":\"base\",\"mname\":\"ipconn\",\"message\":{\"srcport\":70000}}", "srcport")]
    [InlineData("{\"vname\":\"base\",\"mname\":\"ipconn\",\"message\":{\"srcip\":\"not-an-ip\"}}", "srcip")]
    [InlineData("{\"vname\":\"base\",\"mname\":\"dnsqr\",\"message\":{\"proto\":17}}", "proto")]
    [InlineData("{\"vname\":\"SIE\",\"mname\":\"delay\",\"message\":{\"delay\":1}}", "delay")]
    [InlineData("{\"vname\":\"base\",\"mname\":\"email\",\"message\":{\"rcpt\":\"a@b\"}}", "rcpt")]
    [InlineData("{\"vname\":\"base\",\"mname\":\"ipconn\",\"time\":\"yesterday\",\"message\":{}}", "time")]
    [InlineData("{\"vname\":\"base\",\"mname\":\"ipconn\"}", "message")]
    public void Invalid_lines_name_the_line_and_field(string line, string field)
    {
        var e = Assert.Throws<NmsgFormatException>(() => NmsgJsonReader.Parse(line, lineNumber: 7));
        Assert.Equal(NmsgErrorReason.TextInvalid, e.Reason);
        Assert.Contains("line 7", e.Message, StringComparison.Ordinal);
        Assert.Contains($"\"{field}\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Case_insensitive_names_and_time_quirks()
    {
        NmsgMessage m = NmsgJsonReader.Parse("{\"time\":\"2020-01-02 03:04:05.5\",\"vname\":\"BASE\",\"mname\":\"LogLine\",\"message\":{\"message\":\"x\"}}");
        Assert.Equal((1u, 6u), (m.Vid, m.MsgType));
        Assert.Equal(5u, m.Time.Nanoseconds); // ".5" is 5 ns in libnmsg
        Assert.Equal(1577934245, NmsgJsonReader.Parse("{\"time\":1577934245.25,\"vname\":\"base\",\"mname\":\"logline\",\"message\":{}}").Time.Seconds);
        Assert.Equal(250_000_000u, NmsgJsonReader.Parse("{\"time\":1577934245.25,\"vname\":\"base\",\"mname\":\"logline\",\"message\":{}}").Time.Nanoseconds);
        Assert.Equal(1u, NmsgJsonReader.Parse("{\"vname\":\"ISC\",\"mname\":\"ipconn\",\"message\":{}}").Vid);
    }

    [Fact]
    public async Task A_stream_reads_every_line_even_without_a_final_newline()
    {
        byte[] text = Encoding.UTF8.GetBytes(
            "{\"vname\":\"base\",\"mname\":\"logline\",\"message\":{\"message\":\"a\"}}\n\n" +
            "{\"vname\":\"base\",\"mname\":\"nosuch\",\"message\":{}}\n" +
            "{\"vname\":\"base\",\"mname\":\"logline\",\"message\":{\"message\":\"b\"}}");
        var errors = new List<NmsgFormatException>();
        var read = new List<NmsgMessage>();
        await foreach (NmsgMessage m in NmsgJsonReader.ReadAllAsync(new MemoryStream(text), onError: errors.Add))
            read.Add(m);
        Assert.Equal(2, read.Count);
        Assert.Single(errors);
        Assert.Contains("line 3", errors[0].Message, StringComparison.Ordinal);
    }
}
