using System.Text.Json;
using Nmsg.Framing;

namespace Nmsg.Tests.Support;

/// <summary>Access to the golden vectors copied from the reference nmsgtool 1.3.3 into this project.</summary>
internal static class Vectors
{
    public static string Root { get; } = Path.Combine(AppContext.BaseDirectory, "vectors");

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    public static byte[] Read(string relative) => File.ReadAllBytes(PathOf(relative));

    /// <summary>Every valid binary vector (malformed/ excluded), relative paths.</summary>
    public static IEnumerable<string> ValidBinaries()
    {
        foreach (string dir in new[] { "plain", "zlib", "multi", "gos", "frag", "go-written", "edge", "sie", "inputs" })
        {
            foreach (string f in Directory.EnumerateFiles(PathOf(dir), "*.nmsg").Order(StringComparer.Ordinal))
                yield return Path.GetRelativePath(Root, f);
        }
    }

    public static TheoryData<string> ValidBinaryData() => [.. ValidBinaries()];

    /// <summary>Exit status nmsgtool had when producing a file, from MANIFEST.tsv.</summary>
    public static int ManifestExitCode(string relative)
    {
        foreach (string line in File.ReadLines(PathOf("MANIFEST.tsv")))
        {
            string[] cols = line.Split('\t');
            if (cols.Length > 1 && cols[0] == relative)
                return int.Parse(cols[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        return 0;
    }

    /// <summary>Counts the containers of a stream by walking its headers (an independent framing count).</summary>
    public static int CountContainers(ReadOnlySpan<byte> file)
    {
        int n = 0;
        while (file.Length >= NmsgConstants.HeaderSize)
        {
            int len = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(file[6..]);
            file = file[(NmsgConstants.HeaderSize + len)..];
            n++;
        }
        return n;
    }

    private static readonly Dictionary<string, uint> Vendors = new(StringComparer.OrdinalIgnoreCase) { ["base"] = 1, ["SIE"] = 2 };

    private static readonly Dictionary<string, uint> BaseTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ncap"] = 1,
        ["email"] = 2,
        ["linkpair"] = 3,
        ["http"] = 4,
        ["ipconn"] = 5,
        ["logline"] = 6,
        ["dns"] = 7,
        ["pkt"] = 8,
        ["dnsqr"] = 9,
        ["xml"] = 10,
        ["encode"] = 11,
        ["packet"] = 12,
        ["dnstap"] = 13,
        ["dnsobs"] = 14,
    };

    private static readonly Dictionary<string, uint> SieTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["dnsdedupe"] = 1,
        ["reputation"] = 2,
        ["qr"] = 3,
        ["delay"] = 4,
        ["newdomain"] = 5,
        ["dnsnx"] = 6,
    };

    private static Dictionary<string, uint> LoadAliases(string file)
    {
        var map = new Dictionary<string, uint>(StringComparer.Ordinal);
        foreach (string line in File.ReadLines(PathOf(file)))
        {
            string[] parts = line.Split(' ', 2, StringSplitOptions.TrimEntries);
            if (parts.Length == 2)
                map[parts[1]] = uint.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        return map;
    }

    private static readonly Dictionary<string, uint> OperatorAliases = LoadAliases("inputs/test.opalias");
    private static readonly Dictionary<string, uint> GroupAliases = LoadAliases("inputs/test.gralias");

    /// <summary>The header fields nmsgtool printed for one payload.</summary>
    public sealed record ExpectedHeader(uint Vid, uint MsgType, string Time, uint Source, uint Operator, uint Group);

    /// <summary>Header fields of each line of a .json vector (absent source/operator/group read as 0, as nmsgtool omits zeros).</summary>
    public static List<ExpectedHeader> JsonHeaders(string relativeJson)
    {
        var list = new List<ExpectedHeader>();
        foreach (string line in File.ReadLines(PathOf(relativeJson)))
        {
            if (line.Length == 0)
                continue;
            using var doc = JsonDocument.Parse(line);
            JsonElement o = doc.RootElement;
            uint vid = Vendors[o.GetProperty("vname").GetString()!];
            string mname = o.GetProperty("mname").GetString()!;
            uint msgtype = (vid == 1 ? BaseTypes : SieTypes)[mname];
            uint source = o.TryGetProperty("source", out JsonElement s) ? Convert.ToUInt32(s.GetString(), 16) : 0;
            uint op = o.TryGetProperty("operator", out JsonElement opv) ? Number(opv, OperatorAliases) : 0;
            uint group = o.TryGetProperty("group", out JsonElement g) ? Number(g, GroupAliases) : 0;
            list.Add(new ExpectedHeader(vid, msgtype, o.GetProperty("time").GetString()!, source, op, group));
        }
        return list;
    }

    /// <summary>Header fields of each payload header line of a .pres vector: "[len] [time] [vid:msgtype ...] [source] [op] [group] ".</summary>
    public static List<(int Length, ExpectedHeader Header)> PresHeaders(string relativePres)
    {
        var list = new List<(int, ExpectedHeader)>();
        foreach (string line in File.ReadLines(PathOf(relativePres)))
        {
            if (!line.StartsWith('[') || !line.EndsWith("] ", StringComparison.Ordinal))
                continue;
            string[] parts = line.TrimEnd().Split("] [");
            if (parts.Length != 6)
                continue;
            int length = int.Parse(parts[0].TrimStart('['), System.Globalization.CultureInfo.InvariantCulture);
            string[] type = parts[2].Split(' ')[0].Split(':');
            uint op = parts[4].Length == 0 ? 0 : Alias(parts[4], OperatorAliases);
            uint group = parts[5].TrimEnd(']').Length == 0 ? 0 : Alias(parts[5].TrimEnd(']'), GroupAliases);
            list.Add((length, new ExpectedHeader(uint.Parse(type[0], System.Globalization.CultureInfo.InvariantCulture),
                uint.Parse(type[1], System.Globalization.CultureInfo.InvariantCulture), parts[1],
                Convert.ToUInt32(parts[3], 16), op, group)));
        }
        return list;
    }

    private static uint Alias(string text, Dictionary<string, uint> aliases)
        => uint.TryParse(text, out uint n) ? n : aliases[text];

    private static uint Number(JsonElement e, Dictionary<string, uint> aliases)
        => e.ValueKind == JsonValueKind.Number ? e.GetUInt32() : aliases[e.GetString()!];

    /// <summary>Formats a time as nmsgtool prints it (UTC, nine fractional digits).</summary>
    public static string FormatTime(NmsgTimestamp t)
        => DateTimeOffset.UnixEpoch.AddSeconds(t.Seconds).ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)
           + "." + t.Nanoseconds.ToString("D9", System.Globalization.CultureInfo.InvariantCulture);

    public static ExpectedHeader HeaderOf(NmsgMessage m)
        => new(m.Vid, m.MsgType, FormatTime(m.Time), m.Source ?? 0, m.Operator ?? 0, m.Group ?? 0);
}
