using System.Text.Json;
using Xunit;

namespace Nmsg.Testing;

/// <summary>
/// JSON equality for comparing our output with nmsgtool's, allowing only the documented deviation
/// (docs/compatibility.md): a negative integer where nmsgtool printed it as its two's-complement uint64. Shared by
/// the wire and tool tests (linked into each project).
/// </summary>
internal static class JsonEquivalence
{
    public static void AssertEquivalent(string expected, string actual, string where)
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
