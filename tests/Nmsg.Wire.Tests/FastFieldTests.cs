using System.Globalization;
using Nmsg.Dns;
using Nmsg.Modules;
using Nmsg.Text;

namespace Nmsg.Tests;

/// <summary>
/// Numbers, addresses and enum names are written inline by both formatters (no per-format dispatch); random
/// values, including ones the inline path hands back (unnamed enum values, addresses of odd lengths), must read as
/// the rules say, computed here independently.
/// </summary>
public class FastFieldTests
{
    private static void Varint(List<byte> b, ulong v)
    {
        while (v >= 0x80)
        {
            b.Add((byte)(v | 0x80));
            v >>= 7;
        }
        b.Add((byte)v);
    }

    private static void Field(List<byte> b, int number, ulong v)
    {
        Varint(b, (ulong)number << 3);
        Varint(b, v);
    }

    private static void Field(List<byte> b, int number, byte[] bytes)
    {
        Varint(b, ((ulong)number << 3) | 2);
        Varint(b, (ulong)bytes.Length);
        b.AddRange(bytes);
    }

    private static byte[] Address(Random r)
    {
        int[] lengths = [4, 4, 16, 16, 0, 3, 5, 15, 17];
        byte[] a = new byte[lengths[r.Next(lengths.Length)]];
        r.NextBytes(a);
        if (a.Length == 16 && r.Next(2) == 0)
            a.AsSpan(2, r.Next(0, 12)).Clear(); // zero runs for "::"
        return a;
    }

    private static string IpJson(byte[] a) => a.Length is 4 or 16 ? "\"" + IpText.ToString(a) + "\"" : "null";

    private static string IpPres(byte[] a) => a.Length is 4 or 16 ? IpText.ToString(a)! : $"<INVALID IP len={a.Length}>";

    [Fact]
    public void Ipconn_numbers_and_addresses_read_as_the_rules_say()
    {
        var r = new Random(11);
        for (int i = 0; i < 3000; i++)
        {
            ulong proto = (ulong)r.Next(0, 70000), sport = (ulong)r.Next(0, 70000), dport = r.Next(3) == 0 ? ulong.MaxValue - (ulong)r.Next(5) : (ulong)r.Next(0, 65536);
            byte[] src = Address(r), dst = Address(r);
            var p = new List<byte>();
            Field(p, 1, proto);
            Field(p, 2, src);
            Field(p, 3, sport);
            Field(p, 4, dst);
            Field(p, 5, dport);
            var m = new NmsgMessage(1, 5, new NmsgTimestamp(1_700_000_000, 0), p.ToArray());
            string c(ulong v) => ((ushort)v).ToString(CultureInfo.InvariantCulture);
            string json = NmsgJson.Format(m);
            Assert.EndsWith($"\"message\":{{\"proto\":{c(proto)},\"srcip\":{IpJson(src)},\"srcport\":{c(sport)},\"dstip\":{IpJson(dst)},\"dstport\":{c(dport)}}}}}\n", json);
            string? pres = NmsgPresentation.Format(m);
            Assert.NotNull(pres);
            Assert.EndsWith($"\nproto: {c(proto)}\nsrcip: {IpPres(src)}\nsrcport: {c(sport)}\ndstip: {IpPres(dst)}\ndstport: {c(dport)}\n\n", pres);
        }
    }

    [Fact]
    public void Enum_values_read_by_name_or_as_unknown()
    {
        NmsgModule dnsqr = NmsgModules.Default.Find(1, 9)!;
        NmsgEnum types = dnsqr.FindField("type")!.Enum!;
        var r = new Random(12);
        for (int i = 0; i < 500; i++)
        {
            int type = r.Next(3) == 0 ? r.Next(-3, 200) : r.Next(0, 5);
            var p = new List<byte>();
            Field(p, 1, (ulong)(long)type);
            Field(p, 2, new byte[] { 192, 0, 2, 1 });
            Field(p, 3, new byte[] { 192, 0, 2, 2 });
            for (int f = 4; f <= 7; f++)
                Field(p, f, (ulong)f);
            var m = new NmsgMessage(1, 9, new NmsgTimestamp(1_700_000_000, 0), p.ToArray());
            string? name = types.NameOf(type);
            string json = NmsgJson.Format(m);
            Assert.Contains("\"message\":{\"type\":" + (name is null ? type.ToString(CultureInfo.InvariantCulture) : "\"" + name + "\"") + ",\"query_ip\":\"192.0.2.1\"", json, StringComparison.Ordinal);
            string? pres = NmsgPresentation.Format(m);
            Assert.NotNull(pres);
            Assert.Contains("\ntype: " + (name ?? $"<UNKNOWN ENUM VAL={type}>") + "\nquery_ip: 192.0.2.1\n", pres, StringComparison.Ordinal);
        }
    }
}

/// <summary>dnsqr's "dns" repeats "response": its base64 text is copied, and must be the bytes' own encoding.</summary>
public class RepeatedBase64Tests
{
    [Theory]
    [InlineData("plain/dnsqr-pcap.nmsg")]
    [InlineData("plain/dnsqr-fromjson.nmsg")]
    public void Dns_is_the_base64_of_the_response(string vector)
    {
        int seen = 0;
        foreach (NmsgMessage m in Nmsg.Tests.Support.Decoding.ReadAll(Nmsg.Tests.Support.Vectors.Read(vector)).Messages)
        {
            using var doc = System.Text.Json.JsonDocument.Parse(NmsgJson.Format(m));
            System.Text.Json.JsonElement message = doc.RootElement.GetProperty("message");
            NmsgField response = NmsgModules.Default.Find(1, 9)!.FindField("response")!;
            if (!response.Getter!(m, 0, out NmsgFieldValue bytes))
            {
                Assert.False(message.TryGetProperty("dns", out _));
                continue;
            }
            string expected = Convert.ToBase64String(bytes.Bytes.Span);
            Assert.Equal(expected, message.GetProperty("response").GetString());
            Assert.Equal(expected, message.GetProperty("dns").GetString());
            seen++;
        }
        Assert.True(seen > 0);
    }
}
