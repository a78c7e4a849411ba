using System.Buffers;
using System.Text.Json;
using Nmsg.Containers;
using Nmsg.Dns;
using Nmsg.Modules.Base;
using static Nmsg.Tests.Dns.DnsTestSupport;

namespace Nmsg.Tests.Dns;

/// <summary>
/// Hostile input: the DNS text code sees bytes straight off the wire, so every entry point must return (never
/// throw) on anything, the dump and the JSON must agree on whether a message parses, and the JSON must be JSON.
/// </summary>
public class DnsRobustnessTests
{
    [Fact]
    public void Mutated_reference_messages_never_throw_and_json_stays_valid()
    {
        var seeds = new List<byte[]>();
        foreach (NmsgMessage m in Messages("plain/dnsqr-pcap.nmsg"))
        {
            var qr = DnsQR.Parser.ParseFrom(m.Payload.Span);
            seeds.AddRange(qr.QueryPacket.Select(p => UdpPayload(p.Span)));
            seeds.AddRange(qr.ResponsePacket.Select(p => UdpPayload(p.Span)));
        }
        seeds.Add(Nmsg.Modules.Dnstap.Dnstap.Parser.ParseFrom(Messages("plain/dnstap.nmsg")[0].Payload.Span).Message.ResponseMessage.ToByteArray());
        seeds.Add(Convert.FromBase64String(UpstreamDnsqrCases.DomaintoolsResponse));
        seeds.Add(Convert.FromBase64String(UpstreamDnsqrCases.IcannQuery));

        var rng = new Random(20240910);
        int parsed = 0;
        for (int i = 0; i < 20000; i++)
        {
            byte[] msg = seeds[rng.Next(seeds.Count)].ToArray();
            int flips = rng.Next(1, 4);
            for (int k = 0; k < flips; k++)
                msg[rng.Next(msg.Length)] = (byte)rng.Next(256);
            if (rng.Next(4) == 0)
                msg = msg[..rng.Next(msg.Length + 1)];

            string? dump = Dump(msg);
            string? json = Json(msg);
            Assert.Equal(dump is null, json is null);
            if (json is not null)
            {
                using JsonDocument doc = JsonDocument.Parse(json);
                Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
                Assert.EndsWith("\n", dump, StringComparison.Ordinal);
                parsed++;
            }
        }
        Assert.True(parsed > 1000, $"only {parsed} mutated messages parsed");
    }

    [Fact]
    public void Random_rdata_of_every_type_formats_without_throwing()
    {
        var rng = new Random(42);
        var w = new ArrayBufferWriter<byte>();
        byte[] buf = new byte[300];
        for (int type = 0; type < 300; type++)
        {
            for (int i = 0; i < 200; i++)
            {
                rng.NextBytes(buf);
                int len = rng.Next(i < 100 ? 12 : buf.Length);
                w.Clear();
                DnsRdata.Format((ushort)type, (ushort)(i % 3 == 0 ? 3 : 1), buf.AsSpan(0, len), w);
                // Everything wdns prints is ASCII (non-printables are escaped); OPT lines are split on "\n".
                if (CheckLines(w.WrittenSpan) >= 0)
                    Assert.Fail($"type {type}: {System.Text.Encoding.UTF8.GetString(w.WrittenSpan)}");
            }
        }
    }

    private static int CheckLines(ReadOnlySpan<byte> text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            byte c = text[i];
            if (c != '\n' && (c < 0x20 || c > 0x7E))
                return i;
        }
        return -1;
    }

    [Fact]
    public void Random_text_of_every_type_parses_or_fails_cleanly()
    {
        var rng = new Random(7);
        const string alphabet = "0123456789abcdefABCDEF .\\\"-:,=#+/;\t\nxyzTYPEalpnportNSMX";
        var sb = new System.Text.StringBuilder();
        for (int type = 0; type < 300; type++)
        {
            for (int i = 0; i < 100; i++)
            {
                sb.Clear();
                int len = rng.Next(40);
                for (int k = 0; k < len; k++)
                    sb.Append(alphabet[rng.Next(alphabet.Length)]);
                if (DnsRdata.TryParse((ushort)type, 1, sb.ToString(), out byte[] wire, out string? error))
                {
                    Assert.Null(error);
                    _ = Rdata((ushort)type, 1, wire);
                }
                else
                {
                    Assert.NotNull(error);
                }
            }
        }
    }

    [Fact]
    public void Random_names_never_throw()
    {
        var rng = new Random(99);
        var w = new ArrayBufferWriter<byte>();
        for (int i = 0; i < 20000; i++)
        {
            byte[] b = new byte[rng.Next(300)];
            rng.NextBytes(b);
            w.Clear();
            bool ok = DnsNames.TryFormat(b, w);
            Assert.Equal(ok, w.WrittenCount > 0);
            DnsNames.FormatLenient(b, w);
            if (ok)
            {
                // A name that formats parses back to the same labels (up to the terminating zero).
                string text = DnsNames.ToString(b)!;
                if (DnsNames.TryParse(text, out byte[] back))
                    Assert.Equal(text, DnsNames.ToString(back));
            }
        }
    }
}
