using System.Buffers;
using System.Text;
using System.Text.Json;
using Nmsg.Tests.Support;
using Nmsg.Text;

namespace Nmsg.Tests;

/// <summary>Our presentation and JSON output against what nmsgtool 1.3.3 printed for every vector.</summary>
public class FormatVectorTests
{
    public static TheoryData<string> Binaries => Vectors.ValidBinaryData();

    private static readonly NmsgTextOptions Options = new()
    {
        // The vectors were printed with the test alias files in the environment (vectors/README.txt, gos/).
        Aliases = NmsgAliases.FromLines(File.ReadLines(Vectors.PathOf("inputs/test.opalias")), File.ReadLines(Vectors.PathOf("inputs/test.gralias"))),
    };

    internal static NmsgTextOptions OptionsFor(string vector)
        => vector.Contains("aliased", StringComparison.Ordinal) && !vector.Contains("noalias", StringComparison.Ordinal) ? Options : NmsgTextOptions.Default;

    [Theory]
    [MemberData(nameof(Binaries))]
    public void Presentation_is_byte_identical(string vector)
    {
        string pres = Path.ChangeExtension(vector, ".pres");
        if (!File.Exists(Vectors.PathOf(pres)))
            return; // nmsgtool printed nothing to compare (e.g. an empty input)
        var output = new ArrayBufferWriter<byte>();
        foreach (NmsgMessage m in Decoding.ReadAll(Vectors.Read(vector)).Messages)
            NmsgPresentation.Format(m, output, OptionsFor(vector));
        Assert.Equal(File.ReadAllText(Vectors.PathOf(pres)), Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Theory]
    [MemberData(nameof(Binaries))]
    public void Json_matches_nmsgtool(string vector)
    {
        string json = Path.ChangeExtension(vector, ".json");
        if (!File.Exists(Vectors.PathOf(json)) || Vectors.ManifestExitCode(json) != 0)
            return; // nmsgtool's JSON output failed on this file; see Json_where_nmsgtool_fails
        string[] expected = File.ReadAllLines(Vectors.PathOf(json));
        var messages = Decoding.ReadAll(Vectors.Read(vector)).Messages;
        Assert.Equal(expected.Length, messages.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            string ours = NmsgJson.Format(messages[i], OptionsFor(vector)).TrimEnd('\n');
            if (ours != expected[i])
                AssertJsonEquivalent(expected[i], ours, $"{vector} line {i + 1}");
        }
    }

    /// <summary>
    /// Equal as JSON, allowing only the documented deviation: a negative integer where nmsgtool printed it as its
    /// two's-complement uint64 (docs/compatibility.md).
    /// </summary>
    internal static void AssertJsonEquivalent(string expected, string actual, string where)
        => Nmsg.Testing.JsonEquivalence.AssertEquivalent(expected, actual, where);
}

/// <summary>Vectors whose reference output was made another way than "-r X -o/-J".</summary>
public class FormatVectorVariantTests
{
    [Fact]
    public void Without_alias_files_operator_and_group_print_as_numbers()
    {
        var messages = Decoding.ReadAll(Vectors.Read("gos/ipconn-sog-json-aliased.nmsg")).Messages;
        var pres = new System.Buffers.ArrayBufferWriter<byte>();
        foreach (NmsgMessage m in messages)
            NmsgPresentation.Format(m, pres);
        Assert.Equal(File.ReadAllText(Vectors.PathOf("gos/ipconn-sog-json-aliased.noalias.pres")), Encoding.UTF8.GetString(pres.WrittenSpan));
        Assert.Equal(File.ReadAllText(Vectors.PathOf("gos/ipconn-sog-json-aliased.noalias.json")),
            string.Concat(messages.Select(m => NmsgJson.Format(m))));
    }

    [Fact]
    public void Json_input_straight_to_presentation_prints_an_empty_message()
    {
        // nmsgtool -j inputs/ipconn-empty.json -o edge/ipconn-empty.direct.pres
        NmsgMessage m = NmsgJsonReader.Parse(File.ReadAllLines(Vectors.PathOf("inputs/ipconn-empty.json"))[0]);
        Assert.Equal(File.ReadAllText(Vectors.PathOf("edge/ipconn-empty.direct.pres")), NmsgPresentation.Format(m));
    }

    [Fact]
    public void Setsource_operator_group_overrides_print_like_nmsgtool()
    {
        // gos/ipconn-setsog was written with --setsource 0xa1b2c3d4 --setoperator 7 --setgroup 9: the stored values print.
        var messages = Decoding.ReadAll(Vectors.Read("plain/ipconn.nmsg")).Messages;
        var options = new NmsgTextOptions { SetSource = 0xa1b2c3d4, SetOperator = 7, SetGroup = 9 };
        var pres = new System.Buffers.ArrayBufferWriter<byte>();
        foreach (NmsgMessage m in messages)
            NmsgPresentation.Format(m, pres, options);
        Assert.Equal(File.ReadAllText(Vectors.PathOf("gos/ipconn-setsog.pres")), Encoding.UTF8.GetString(pres.WrittenSpan));
    }

    [Fact]
    public void Alias_files_come_from_the_environment_when_set()
    {
        string op = Path.GetTempFileName(), gr = Path.GetTempFileName();
        try
        {
            File.WriteAllText(op, "1 FSI\n0x10 Hex\n010 Octal\nbad line\n3 Never\n");
            File.WriteAllText(gr, "2\tConfickerC\n");
            Environment.SetEnvironmentVariable("NMSG_OPALIAS_FILE", op);
            Environment.SetEnvironmentVariable("NMSG_GRALIAS_FILE", gr);
            NmsgAliases a = NmsgAliases.LoadDefault("/nonexistent");
            Assert.Equal("FSI", a.OperatorName(1));
            Assert.Equal("Hex", a.OperatorName(16));
            Assert.Equal("Octal", a.OperatorName(8));
            Assert.Null(a.OperatorName(3)); // loading stops at the first bad line
            Assert.Equal("ConfickerC", a.GroupName(2));
            Assert.Equal(2u, a.GroupValue("confickerc"));
            Assert.Equal(0u, a.GroupValue("nosuch"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("NMSG_OPALIAS_FILE", null);
            Environment.SetEnvironmentVariable("NMSG_GRALIAS_FILE", null);
            File.Delete(op);
            File.Delete(gr);
        }
    }
}
