using Nmsg.Modules;

namespace Nmsg.Tests;

/// <summary>
/// One reused payload index against a fresh one per payload: whatever the payload before had (many fields, few,
/// numbers beyond the index), the answers for this one are the same.
/// </summary>
public class PayloadIndexTests
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

    /// <summary>A dnsqr-shaped payload of random stored fields (some repeated), sometimes with numbers past 63.</summary>
    private static byte[] RandomPayload(Random r, NmsgField[] stored)
    {
        var b = new List<byte>();
        int count = r.Next(4) == 0 ? r.Next(0, 4) : r.Next(4, 40);
        for (int i = 0; i < count; i++)
        {
            NmsgField f = stored[r.Next(stored.Length)];
            int number = r.Next(12) == 0 ? r.Next(64, 200) : f.Number;
            bool bytes = f.Wire is NmsgWireKind.Bytes or NmsgWireKind.Message;
            if (f.Wire is NmsgWireKind.Fixed32 or NmsgWireKind.SFixed32)
            {
                Varint(b, ((ulong)number << 3) | 5);
                b.AddRange(BitConverter.GetBytes(r.Next()));
            }
            else if (f.Wire == NmsgWireKind.Fixed64)
            {
                Varint(b, ((ulong)number << 3) | 1);
                b.AddRange(BitConverter.GetBytes(r.NextInt64()));
            }
            else if (bytes)
            {
                Varint(b, ((ulong)number << 3) | 2);
                int len = r.Next(0, 20);
                Varint(b, (ulong)len);
                for (int k = 0; k < len; k++)
                    b.Add((byte)r.Next(256));
            }
            else
            {
                Varint(b, (ulong)number << 3);
                Varint(b, (ulong)r.NextInt64() >> r.Next(64));
            }
        }
        return [.. b];
    }

    private static string Describe(PayloadFields p, NmsgModule module)
    {
        var text = new System.Text.StringBuilder();
        for (int n = 0; n < 220; n++)
            text.Append(p.Has(n) ? '1' : '0');
        foreach (NmsgField f in module.FieldArray)
        {
            if (!f.IsStored)
                continue;
            text.Append('|').Append(f.Name).Append(':');
            if (p.TryGetSingle(f, out NmsgFieldValue v))
                text.Append(v.Bits).Append('/').Append(Convert.ToHexString(v.Bytes.Span));
            int at = p.FirstOf(f);
            text.Append(" first ").Append(at);
            for (; at >= 0; at = p.NextOf(at))
                text.Append(',').Append(Convert.ToHexString(p.ValueAt(at, f).Bytes.Span)).Append(p.ValueAt(at, f).Bits);
        }
        return text.ToString();
    }

    [Fact]
    public void A_reused_index_answers_as_a_fresh_one()
    {
        NmsgModule dnsqr = NmsgModules.Default.Find(1, 9)!;
        NmsgField[] stored = dnsqr.FieldArray.Where(f => f.IsStored).ToArray();
        var r = new Random(20261123);
        var reused = new PayloadFields();
        int large = 0, small = 0;
        for (int i = 0; i < 3_000; i++)
        {
            byte[] payload = RandomPayload(r, stored);
            reused.Load(payload, module: null);
            var fresh = new PayloadFields();
            fresh.Load(payload, module: null);
            if (reused.Entries.Length > 8)
                large++;
            else
                small++;
            Assert.Equal(Describe(fresh, dnsqr), Describe(reused, dnsqr));
        }
        Assert.True(large > 500 && small > 300, $"{large} large, {small} small");
    }
}
