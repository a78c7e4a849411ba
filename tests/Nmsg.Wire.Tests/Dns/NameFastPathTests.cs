using System.Buffers;
using Nmsg.Dns;

namespace Nmsg.Tests.Dns;

/// <summary>
/// The fast paths of name handling against the general ones: the vectorized plain-name copy against the
/// byte-at-a-time one, and run-at-a-time decompression against names built uncompressed.
/// </summary>
public class NameFastPathTests
{
    private static readonly byte[] Plain = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_!~\"{}"u8.ToArray();
    private static readonly byte[] Odd = [(byte)'.', (byte)'\\', (byte)' ', 0, 0x7F, 0x80, 0xFF, 0x1F, (byte)'"'];

    /// <summary>A wire name of random labels; sometimes with an escaped byte, trailing bytes, or no terminator.</summary>
    private static byte[] RandomName(Random r)
    {
        var name = new List<byte>();
        int target = r.Next(1, 40);
        while (name.Count < target)
        {
            int len = r.Next(1, 12);
            name.Add((byte)len);
            for (int i = 0; i < len; i++)
                name.Add(r.Next(40) == 0 ? Odd[r.Next(Odd.Length)] : Plain[r.Next(Plain.Length)]);
        }
        switch (r.Next(8))
        {
            case 0:
                break; // unterminated (or a label running past the end once cut below)
            case 1:
                name.Add(0);
                name.Add((byte)r.Next(256)); // bytes after the end
                name.Add((byte)r.Next(256));
                break;
            default:
                name.Add(0);
                break;
        }
        if (r.Next(10) == 0)
            name.RemoveRange(r.Next(1, name.Count), 1);
        return [.. name];
    }

    private static (bool Ok, byte[] Text) Run(byte[] name, bool vector)
    {
        var b = new ByteBuilder(new byte[8]); // small: the copies must grow it
        b.Append("<"u8);
        bool ok = vector ? DnsNames.TryAppendPlainVector(ref b, name) : DnsNames.TryAppendPlainLoop(ref b, name);
        byte[] text = b.Written.ToArray();
        b.Dispose();
        return (ok, text);
    }

    [Fact]
    public void The_vector_copy_of_a_plain_name_is_the_byte_loop_s()
    {
        var r = new Random(20261123);
        int plainSeen = 0, rejectedSeen = 0;
        for (int i = 0; i < 200_000; i++)
        {
            byte[] name = RandomName(r);
            if (name.Length is < 17 or > 33)
                continue;
            (bool ok, byte[] text) = Run(name, vector: true);
            (bool okLoop, byte[] textLoop) = Run(name, vector: false);
            Assert.Equal(okLoop, ok);
            if (!ok)
            {
                // Nothing appended on refusal.
                Assert.Equal("<"u8.ToArray(), text);
                Assert.Equal("<"u8.ToArray(), textLoop);
                rejectedSeen++;
                continue;
            }
            Assert.Equal(textLoop, text);
            plainSeen++;
        }
        Assert.True(plainSeen > 1000 && rejectedSeen > 1000, $"{plainSeen} plain, {rejectedSeen} rejected");
    }

    [Fact]
    public void A_plain_name_s_text_is_its_labels_with_dots()
    {
        byte[] wire = [3, .. "www"u8, 7, .. "example"u8, 3, .. "com"u8, 0];
        Assert.Equal(17, wire.Length);
        (bool ok, byte[] text) = Run(wire, vector: true);
        Assert.True(ok);
        Assert.Equal("<www.example.com."u8.ToArray(), text);
    }

    [Fact]
    public void Compressed_names_read_as_their_uncompressed_form()
    {
        var r = new Random(5);
        for (int round = 0; round < 3000; round++)
        {
            // Question: a name of labels; answer owner: new labels then a pointer into the question's name.
            List<byte[]> labels = [];
            int count = r.Next(1, 6);
            for (int i = 0; i < count; i++)
            {
                byte[] label = new byte[r.Next(1, 20)];
                for (int k = 0; k < label.Length; k++)
                    label[k] = r.Next(15) == 0 ? Odd[r.Next(Odd.Length)] : Plain[r.Next(Plain.Length)];
                labels.Add(label);
            }
            List<byte[]> prefix = [];
            for (int i = r.Next(0, 3); i > 0; i--)
                prefix.Add([.. Enumerable.Range(0, r.Next(1, 9)).Select(_ => Plain[r.Next(Plain.Length)])]);
            int suffixFrom = r.Next(0, count + 1); // == count: the pointer is to the root label

            byte[] question = [.. labels.SelectMany(l => (byte[])[(byte)l.Length, .. l]), 0];
            int offset = 12 + labels.Take(suffixFrom).Sum(l => l.Length + 1);
            byte[] owner = [.. prefix.SelectMany(l => (byte[])[(byte)l.Length, .. l]), (byte)(0xC0 | (offset >> 8)), (byte)offset];
            byte[] msg =
            [
                0, 1, 0x80, 0, 0, 1, 0, 1, 0, 0, 0, 0,
                .. question, 0, 1, 0, 1,
                .. owner, 0, 16, 0, 1, 0, 0, 0, 60, 0, 1, 0, // TXT with one empty string
            ];
            byte[] expectedWire = [.. prefix.Concat(labels.Skip(suffixFrom)).SelectMany(l => (byte[])[(byte)l.Length, .. l]), 0];
            var expected = new ArrayBufferWriter<byte>();
            Assert.True(DnsNames.TryFormat(expectedWire, expected));
            var dump = new ArrayBufferWriter<byte>();
            Assert.True(DnsMessageText.TryFormat(msg, dump));
            byte[] line = [(byte)'\n', .. expected.WrittenSpan, .. " 60 IN TXT \"\"\n"u8];
            Assert.True(dump.WrittenSpan.IndexOf(line) >= 0, System.Text.Encoding.Latin1.GetString(dump.WrittenSpan));
        }
    }
}

/// <summary>The table-driven dotted quad against the byte-at-a-time one, for every octet value in every position.</summary>
public class Ipv4TextTests
{
    [Fact]
    public void The_table_quad_is_the_loop_s()
    {
        var r = new Random(4);
        byte[] wide = new byte[45], narrow = new byte[45];
        for (int i = 0; i < 20000; i++)
        {
            byte[] a = new byte[4];
            r.NextBytes(a);
            a[i % 4] = (byte)(i / 4 % 256); // every value at every position
            wide.AsSpan().Fill(0xAA);
            int n = IpText.WriteV4(a, wide);
            int m = IpText.WriteV4Loop(a, narrow);
            Assert.Equal(narrow.AsSpan(0, m).ToArray(), wide.AsSpan(0, n).ToArray());
            Assert.Equal(string.Join('.', a), System.Text.Encoding.ASCII.GetString(wide, 0, n));
        }
    }
}

/// <summary>The name length found while decompressing against wdns_skip_name's own walk.</summary>
public class NameSkipTests
{
    [Fact]
    public void The_length_decompression_reports_is_what_skip_name_walks()
    {
        // Packets of labels, zeros, pointers (backwards and not) and odd length bytes; every start in each.
        var r = new Random(20261124);
        var m = new WireMessage();
        int ok = 0, pointered = 0;
        for (int i = 0; i < 5_000; i++)
        {
            byte[] pkt = new byte[r.Next(1, 90)];
            for (int at = 0; at < pkt.Length; at++)
            {
                pkt[at] = r.Next(6) switch
                {
                    0 => 0,
                    1 => (byte)(0xC0 | r.Next(2)),
                    2 => (byte)r.Next(64, 192),
                    3 => (byte)r.Next(256),
                    _ => (byte)r.Next(1, 6),
                };
            }
            for (int start = 0; start < pkt.Length; start++)
            {
                m.DataLength = 0;
                if (m.UnpackName(pkt, start, out _, out int consumed) != 0)
                    continue;
                ok++;
                int skipped = WireMessage.SkipName(pkt, start);
                if (pkt[start + skipped - (skipped >= 2 ? 2 : 1)] >= 0xC0)
                    pointered++;
                Assert.Equal(skipped, consumed);
            }
        }
        Assert.True(ok > 1_000 && pointered > 100, $"{ok} names, {pointered} with a pointer");
    }
}
