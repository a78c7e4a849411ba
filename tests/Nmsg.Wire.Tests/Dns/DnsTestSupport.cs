using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;
using Nmsg.Containers;
using Nmsg.Dns;
using Nmsg.Tests.Support;

namespace Nmsg.Tests.Dns;

/// <summary>Reading the reference vectors for the DNS text tests.</summary>
internal static partial class DnsTestSupport
{
    public static List<NmsgMessage> Messages(string relative)
    {
        ReadOutcome o = Decoding.ReadAll(Vectors.Read(relative));
        Assert.Null(o.Error);
        return o.Messages;
    }

    /// <summary>The .pres file cut into payloads: the lines after each header line (separator lines included).</summary>
    public static List<string[]> PresBlocks(string relative)
    {
        string[] lines = File.ReadAllText(Vectors.PathOf(relative)).Split('\n');
        var blocks = new List<string[]>();
        List<string>? current = null;
        foreach (string line in lines)
        {
            if (HeaderLine().IsMatch(line))
            {
                if (current is not null)
                    blocks.Add([.. current]);
                current = [];
            }
            else
            {
                current?.Add(line);
            }
        }
        if (current is not null)
            blocks.Add([.. current]);
        return blocks;
    }

    public static string[] JsonLines(string relative) =>
        File.ReadAllLines(Vectors.PathOf(relative)).Where(l => l.Length > 0).ToArray();

    /// <summary>
    /// The dig dumps of a pres block: for each line <c>label: [n octets]</c>, the octet count and the text up to
    /// (not including) the <c>---</c> line, with its line ends.
    /// </summary>
    public static Dictionary<string, (int Octets, string Dump)> Dumps(string[] block)
    {
        var dumps = new Dictionary<string, (int, string)>();
        for (int i = 0; i < block.Length; i++)
        {
            Match m = OctetsLine().Match(block[i]);
            if (!m.Success)
                continue;
            int end = Array.IndexOf(block, "---", i + 1);
            Assert.True(end > i, $"no --- after {block[i]}");
            var sb = new StringBuilder();
            for (int k = i + 1; k < end; k++)
                sb.Append(block[k]).Append('\n');
            dumps[m.Groups[1].Value] = (int.Parse(m.Groups[2].Value), sb.ToString());
            i = end;
        }
        return dumps;
    }

    /// <summary>Values of <c>field: value</c> lines for the given field names, in file order.</summary>
    public static List<string> FieldLines(string[] block, params string[] fields)
    {
        var set = new HashSet<string>(fields);
        var result = new List<string>();
        foreach (string line in block)
        {
            int colon = line.IndexOf(": ", StringComparison.Ordinal);
            if (colon > 0 && set.Contains(line[..colon]))
                result.Add(line);
        }
        return result;
    }

    /// <summary>
    /// The raw text of the JSON value of <paramref name="key"/> in a JSON line, exactly as written (strings and
    /// nesting aware), or null if the key is absent.
    /// </summary>
    public static string? RawJsonValue(string line, string key)
    {
        string needle = "\"" + key + "\":";
        int at = line.IndexOf(needle, StringComparison.Ordinal);
        if (at < 0)
            return null;
        int start = at + needle.Length;
        int i = start;
        int depth = 0;
        bool inString = false;
        for (; i < line.Length; i++)
        {
            char c = line[i];
            if (inString)
            {
                if (c == '\\')
                    i++;
                else if (c == '"')
                {
                    inString = false;
                    if (depth == 0)
                        return line[start..(i + 1)];
                }
                continue;
            }
            if (c == '"')
            {
                inString = true;
            }
            else if (c == '{' || c == '[')
            {
                depth++;
            }
            else if (c == '}' || c == ']')
            {
                if (depth == 0)
                    return line[start..i];
                if (--depth == 0)
                    return line[start..(i + 1)];
            }
            else if (c == ',' && depth == 0)
            {
                return line[start..i];
            }
        }
        return line[start..];
    }

    /// <summary>The UDP payload of a raw IPv4 or IPv6 packet (no IPv6 extension headers, no fragments).</summary>
    public static byte[] UdpPayload(ReadOnlySpan<byte> ip)
    {
        int version = ip[0] >> 4;
        int udp;
        if (version == 4)
        {
            Assert.Equal(17, ip[9]);
            Assert.Equal(0, BinaryPrimitives.ReadUInt16BigEndian(ip[6..]) & 0x3FFF); // not a fragment
            udp = (ip[0] & 0xF) * 4;
        }
        else
        {
            Assert.Equal(6, version);
            Assert.Equal(17, ip[6]);
            udp = 40;
        }
        int udpLen = BinaryPrimitives.ReadUInt16BigEndian(ip[(udp + 4)..]);
        return ip.Slice(udp + 8, udpLen - 8).ToArray();
    }

    public static bool IsDnsPort(ReadOnlySpan<byte> ip)
    {
        int version = ip[0] >> 4;
        int proto = version == 4 ? ip[9] : ip[6];
        if (proto != 17)
            return false;
        int udp = version == 4 ? (ip[0] & 0xF) * 4 : 40;
        int sport = BinaryPrimitives.ReadUInt16BigEndian(ip[udp..]);
        int dport = BinaryPrimitives.ReadUInt16BigEndian(ip[(udp + 2)..]);
        return sport is 53 or 5353 || dport is 53 or 5353;
    }

    public static string Text(Action<IBufferWriter<byte>> write)
    {
        var w = new ArrayBufferWriter<byte>();
        write(w);
        return Encoding.UTF8.GetString(w.WrittenSpan);
    }

    public static string? Dump(ReadOnlySpan<byte> message)
    {
        var w = new ArrayBufferWriter<byte>();
        return DnsMessageText.TryFormat(message, w) ? Encoding.UTF8.GetString(w.WrittenSpan) : null;
    }

    public static string? Json(ReadOnlySpan<byte> message)
    {
        var w = new ArrayBufferWriter<byte>();
        return DnsMessageText.TryFormatJson(message, w) ? Encoding.UTF8.GetString(w.WrittenSpan) : null;
    }

    public static string Rdata(ushort type, ushort cls, ReadOnlySpan<byte> rdata)
    {
        var w = new ArrayBufferWriter<byte>();
        DnsRdata.Format(type, cls, rdata, w);
        return Encoding.UTF8.GetString(w.WrittenSpan);
    }

    /// <summary>The DNSNAME printer: <c>wdns_domain_to_str</c> for 1..255-byte values, nothing otherwise.</summary>
    public static string? NameLine(string field, ReadOnlySpan<byte> name)
    {
        if (name.Length == 0 || name.Length > 255)
            return null;
        var w = new ArrayBufferWriter<byte>();
        DnsNames.FormatLenient(name, w);
        return field + ": " + Encoding.UTF8.GetString(w.WrittenSpan);
    }

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    [GeneratedRegex(@"^\[\d+\] \[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{9}\] \[\d+:\d+ ")]
    private static partial Regex HeaderLine();

    [GeneratedRegex(@"^([a-z_]+): \[(\d+) octets\]$")]
    private static partial Regex OctetsLine();
}
