using System.Buffers;
using Nmsg.Tests.Support;
using Nmsg.Text;

namespace Nmsg.Tests;

/// <summary>
/// Mutated payloads of every message type through presentation, JSON, the by-name getters and a JSON round trip:
/// nothing may throw except the documented NmsgException, and JSON output must always be valid JSON.
/// </summary>
public class FormatFuzzTests
{
    [Fact]
    public void Mutated_payloads_never_break_the_formatters()
    {
        var seeds = Vectors.ValidBinaries().SelectMany(v => Decoding.ReadAll(Vectors.Read(v)).Messages)
            .Where(m => m.Module is not null && m.Payload.Length > 0).ToList();
        Assert.True(seeds.Count > 100);
        var rng = new Random(1122);
        var output = new ArrayBufferWriter<byte>();
        for (int i = 0; i < 6000; i++)
        {
            NmsgMessage seed = seeds[rng.Next(seeds.Count)];
            byte[] payload = seed.Payload.ToArray();
            int edits = rng.Next(1, 4);
            for (int k = 0; k < edits; k++)
            {
                int at = rng.Next(payload.Length);
                switch (rng.Next(4))
                {
                    case 0: payload[at] ^= (byte)(1 << rng.Next(8)); break;
                    case 1: payload[at] = (byte)rng.Next(256); break;
                    case 2: payload = payload[..at]; break;
                    default: payload = [.. payload[..at], (byte)rng.Next(256), .. payload[at..]]; break;
                }
                if (payload.Length == 0)
                    break;
            }
            var m = new NmsgMessage(seed.Vid, seed.MsgType, seed.Time, payload);
            output.ResetWrittenCount();
            NmsgPresentation.Format(m, output);
            string json = NmsgJson.Format(m);
            using (System.Text.Json.JsonDocument.Parse(json))
            {
            }
            foreach (var f in m.Module!.Fields)
            {
                try
                {
                    _ = m[f.Name];
                }
                catch (NmsgFormatException)
                {
                }
            }
        }
    }
}
