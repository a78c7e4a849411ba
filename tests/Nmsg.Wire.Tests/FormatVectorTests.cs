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
    {
        using var e = JsonDocument.Parse(expected);
        using var a = JsonDocument.Parse(actual);
        Compare(e.RootElement, a.RootElement, where);
    }

    private static void Compare(JsonElement e, JsonElement a, string path)
    {
        if (e.ValueKind == JsonValueKind.Number && a.ValueKind == JsonValueKind.Number)
        {
            if (e.GetRawText() == a.GetRawText())
                return;
            Assert.True(a.TryGetInt64(out long signed) && signed < 0 && e.TryGetUInt64(out ulong unsigned) && unchecked((ulong)signed) == unsigned,
                $"{path}: {e.GetRawText()} vs {a.GetRawText()}");
            return;
        }
        Assert.True(e.ValueKind == a.ValueKind, $"{path}: {e.ValueKind} vs {a.ValueKind} ({e.GetRawText()} vs {a.GetRawText()})");
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                Assert.Equal(e.EnumerateObject().Select(p => p.Name).ToList(), a.EnumerateObject().Select(p => p.Name).ToList());
                foreach (JsonProperty p in e.EnumerateObject())
                    Compare(p.Value, a.GetProperty(p.Name), $"{path}.{p.Name}");
                break;
            case JsonValueKind.Array:
                Assert.Equal(e.GetArrayLength(), a.GetArrayLength());
                for (int i = 0; i < e.GetArrayLength(); i++)
                    Compare(e[i], a[i], $"{path}[{i}]");
                break;
            default:
                Assert.True(e.GetRawText() == a.GetRawText(), $"{path}: {e.GetRawText()} vs {a.GetRawText()}");
                break;
        }
    }
}
