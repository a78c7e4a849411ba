using Nmsg.Containers;

namespace Nmsg.Tests;

/// <summary>The straight-through parse of the usual NmsgPayload layout must agree with the general parser.</summary>
public class EnvelopeTests
{
    private static void Varint(List<byte> b, ulong v)
    {
        for (; v >= 0x80; v >>= 7)
            b.Add((byte)(v | 0x80));
        b.Add((byte)v);
    }

    private static ulong RandomValue(Random r) => r.Next(6) switch
    {
        0 => (ulong)r.Next(128),
        1 => (ulong)r.Next(16384),
        2 => (ulong)r.NextInt64(),
        3 => ulong.MaxValue - (ulong)r.Next(1000),
        4 => (ulong)r.Next(),
        _ => 1_700_000_000UL + (ulong)r.Next(100_000),
    };

    // One field of an NmsgPayload: 1 vid, 2 msgtype, 3 time_sec, 4 time_nsec, 5 payload, 7 source, 8 operator, 9 group.
    private static void Field(List<byte> b, int field, Random r)
    {
        switch (field)
        {
            case 4:
                b.Add(0x25);
                b.AddRange(BitConverter.GetBytes(r.Next()));
                break;
            case 5:
                b.Add(0x2A);
                int n = r.Next(4) == 0 ? r.Next(200, 20000) : r.Next(40);
                Varint(b, (ulong)n);
                for (int i = 0; i < n; i++)
                    b.Add((byte)r.Next(256));
                break;
            default:
                b.Add((byte)(field << 3));
                Varint(b, RandomValue(r));
                break;
        }
    }

    private static byte[] Envelope(Random r)
    {
        var fields = new List<int> { 1, 2, 3, 4 };
        foreach (int optional in new[] { 5, 7, 8, 9 })
        {
            if (r.Next(3) != 0)
                fields.Add(optional);
        }
        switch (r.Next(8))
        {
            case 0: // another order
                fields = [.. fields.OrderBy(_ => r.Next())];
                break;
            case 1: // a repeat
                fields.Insert(r.Next(fields.Count + 1), fields[r.Next(fields.Count)]);
                break;
            case 2: // a required field missing
                fields.RemoveAt(r.Next(4));
                break;
            case 3: // an unknown field
                fields.Insert(r.Next(fields.Count + 1), 6);
                break;
        }
        var b = new List<byte>();
        foreach (int f in fields)
            Field(b, f, r);
        byte[] bytes = [.. b];
        return r.Next(8) switch
        {
            0 => bytes[..r.Next(bytes.Length)], // truncated
            1 => Mutate(bytes, r),
            _ => bytes,
        };
    }

    private static byte[] Mutate(byte[] bytes, Random r)
    {
        if (bytes.Length > 0)
            bytes[r.Next(bytes.Length)] = (byte)r.Next(256);
        return bytes;
    }

    private static string Outcome(Action<PayloadHeader[]> parse)
    {
        var h = new PayloadHeader[1];
        try
        {
            parse(h);
        }
        catch (NmsgFormatException e)
        {
            return "error " + e.Reason;
        }
        PayloadHeader x = h[0];
        return $"{x.Vid} {x.MsgType} {x.Seconds} {x.Nanoseconds} {x.PayloadOffset} {x.PayloadLength} {x.Source} {x.Operator} {x.Group} {x.Present} {x.HasCrc}";
    }

    [Fact]
    public void The_fast_payload_parse_agrees_with_the_general_one()
    {
        var r = new Random(11);
        int canonical = 0, accepted = 0;
        for (int i = 0; i < 20_000; i++)
        {
            byte[] envelope = Envelope(r);
            // Somewhere inside a larger container, as in a real Nmsg.
            int before = r.Next(3);
            byte[] container = [.. new byte[before], .. envelope, .. new byte[r.Next(3)]];
            string fast = Outcome(h => NmsgEnvelope.ParsePayload(container, before, envelope.Length, ref h[0]));
            string general = Outcome(h => NmsgEnvelope.ParseAnyLayout(container, before, envelope.Length, ref h[0]));
            Assert.Equal(general, fast);
            if (Outcome(h =>
                {
                    if (!NmsgEnvelope.TryParseCanonical(container.AsSpan(before, envelope.Length), before, ref h[0]))
                        throw new NmsgFormatException(NmsgErrorReason.ProtobufInvalid, "not the usual layout");
                }) is var straight && !straight.StartsWith("error", StringComparison.Ordinal))
            {
                Assert.Equal(general, straight);
                canonical++;
            }
            else if (!general.StartsWith("error", StringComparison.Ordinal))
            {
                accepted++;
            }
        }
        // Both paths were taken: the usual layout straight through, the others by the general parser.
        Assert.InRange(canonical, 5_000, 19_000);
        Assert.InRange(accepted, 500, 19_000);
    }
}
