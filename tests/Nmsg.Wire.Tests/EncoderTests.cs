using Nmsg.Containers;
using Nmsg.Framing;
using Nmsg.Tests.Support;

namespace Nmsg.Tests;

/// <summary>Container packing, sequencing and fragmentation rules of SPEC §1.3, §2.4 and §3.2.</summary>
public class EncoderTests
{
    private static NmsgMessage Message(int payloadLength, int seed = 0, uint vid = 1, uint type = 6)
    {
        byte[] p = new byte[payloadLength];
        new Random(seed).NextBytes(p);
        return new NmsgMessage(vid, type, new NmsgTimestamp(1_700_000_000 + seed, (uint)seed), p);
    }

    private static List<byte[]> Containers(NmsgContainerEncoder e)
    {
        var list = new List<byte[]>();
        int start = 0;
        foreach (int end in e.ReadyEnds)
        {
            list.Add(e.Ready.Span[start..end].ToArray());
            start = end;
        }
        e.ConsumeReady();
        return list;
    }

    /// <summary>libnmsg's size estimate written out independently, to predict container boundaries.</summary>
    private static List<int> PredictPayloadsPerContainer(IEnumerable<int> serializedPayloadSizes, int bufsz, bool sequenced)
    {
        var result = new List<int>();
        int est = 10, count = 0;
        foreach (int n in serializedPayloadSizes)
        {
            if (est != 10 && est + n + 32 >= bufsz)
            {
                result.Add(count);
                est = 10;
                count = 0;
            }
            count++;
            est += n + 2 + (n >= 128 ? 1 : 0) + (n >= 16384 ? 1 : 0) + (n >= 1 << 21 ? 1 : 0) + 6;
            if (est + (sequenced ? 18 : 0) > bufsz)
            {
                result.Add(count);
                est = 10;
                count = 0;
            }
        }
        if (count > 0)
            result.Add(count);
        return result;
    }

    [Theory]
    [InlineData(512, false)]
    [InlineData(512, true)]
    [InlineData(1280, true)]
    [InlineData(8192, false)]
    public void Containers_break_where_libnmsg_breaks_them(int bufsz, bool sequenced)
    {
        var rng = new Random(bufsz);
        var messages = Enumerable.Range(0, 400).Select(i => Message(rng.Next(0, 300), i)).ToList();
        using var e = new NmsgContainerEncoder(new NmsgEncoderOptions { BufferSize = bufsz, Sequenced = sequenced });
        foreach (var m in messages)
            e.Add(m);
        e.Flush();
        var containers = Containers(e);

        // NmsgPayload size: 1+1 vid, 1+1 msgtype, 1+5 time_sec (1.7e9 takes 5 varint bytes), 5 nsec, payload field.
        static int Size(NmsgMessage m) => 2 + 2 + 6 + 5 + 1 + (m.Payload.Length >= 128 ? 2 : 1) + m.Payload.Length;
        var expected = PredictPayloadsPerContainer(messages.Select(Size), bufsz, sequenced);

        using var decoder = new NmsgContainerDecoder();
        var sink = new List<NmsgMessage>();
        var actual = containers.Select(c => decoder.Decode(new NmsgHeader(0, 2, c.Length - 10), c.AsMemory(10), sink)).ToList();
        Assert.Equal(expected, actual);
        Assert.All(containers, c => Assert.True(c.Length - 10 <= bufsz, $"container of {c.Length} bytes exceeds {bufsz}"));
        Assert.Equal(messages.Count, sink.Count);
    }

    [Fact]
    public void Unbuffered_output_sends_one_payload_per_container()
    {
        using var e = new NmsgContainerEncoder(new NmsgEncoderOptions { Buffered = false });
        for (int i = 0; i < 5; i++)
        {
            e.Add(Message(20, i));
            Assert.Single(e.ReadyEnds);
            e.ConsumeReady();
        }
        Assert.Equal(5, e.ContainersWritten);
    }

    [Fact]
    public void Sequence_numbers_count_containers_including_fragmented_ones()
    {
        using var e = new NmsgContainerEncoder(new NmsgEncoderOptions { BufferSize = 512, Sequenced = true, SequenceId = 0xABCDEF, Buffered = false });
        e.Add(Message(10, 1));
        e.Add(Message(2000, 2)); // fragmented: one sequence number for the whole set
        e.Add(Message(10, 3));
        var containers = Containers(e);
        using var decoder = new NmsgContainerDecoder(new NmsgDecoderOptions { TrackSequence = true });
        var sink = new List<NmsgMessage>();
        foreach (byte[] c in containers)
        {
            var body = NmsgFramer.ParseDatagram(c, 1 << 20, out var h);
            decoder.Decode(h, body, sink);
        }
        Assert.Equal(3, sink.Count);
        var src = decoder.SequenceSources.Single();
        Assert.Equal(0xABCDEFul, src.SequenceId);
        Assert.Equal(3u, src.NextExpected);
        Assert.Equal(0ul, src.Lost);
    }

    [Fact]
    public void Fragments_are_compress_first_then_split_with_identical_flags_id_last_and_crc()
    {
        using var e = new NmsgContainerEncoder(new NmsgEncoderOptions { BufferSize = 512, Compress = true });
        e.Add(Message(5000, 9)); // random bytes: incompressible, so it must fragment
        var containers = Containers(e);
        Assert.True(containers.Count > 1);
        var frags = containers.Select(c => NmsgEnvelope.ParseFragment(c.AsMemory(10))).ToList();
        Assert.All(containers, c => Assert.Equal(0x03, c[4]));
        Assert.Single(frags.Select(f => (f.Id, f.Last, f.Crc)).Distinct());
        Assert.Equal(Enumerable.Range(0, frags.Count).Select(i => (uint)i), frags.Select(f => f.Current));
        Assert.Equal((uint)frags.Count - 1, frags[0].Last);
        Assert.All(frags.SkipLast(1), f => Assert.Equal(480, f.Fragment.Length));

        var decoded = Decoding.DecodeDatagrams(containers.Select(c => (ReadOnlyMemory<byte>)c), new NmsgContainerDecoder());
        Assert.Equal(Message(5000, 9).Payload.ToArray(), decoded.Single().Payload.ToArray());
    }

    [Fact]
    public void An_exact_multiple_of_the_fragment_size_announces_exactly_the_pieces_sent()
    {
        // libnmsg announces last = len / 480 and sends one piece fewer (SPEC §3.2): its readers never complete the set.
        // Find a payload size whose serialized container is exactly 960 bytes (2 × 480).
        for (int len = 900; len < 1000; len++)
        {
            using var probe = new NmsgContainerEncoder(new NmsgEncoderOptions { BufferSize = 512 });
            probe.Add(Message(len, 1));
            var pieces = Containers(probe).Select(c => NmsgEnvelope.ParseFragment(c.AsMemory(10))).ToList();
            if (pieces.Sum(p => p.Fragment.Length) != 960)
                continue;
            Assert.Equal(2, pieces.Count);
            Assert.All(pieces, p => Assert.Equal(1u, p.Last));
            return;
        }
        Assert.Fail("no payload size produced a 960-byte container");
    }

    [Fact]
    public void An_overfull_payload_that_compresses_to_fit_gets_a_proper_header()
    {
        // nmsgtool -z sends such a container without any NMSG header (SPEC §10.1); we send a normal zlib container.
        using var e = new NmsgContainerEncoder(new NmsgEncoderOptions { BufferSize = 512, Compress = true });
        var big = new NmsgMessage(1, 6, new NmsgTimestamp(1, 2), new byte[3000]); // zeros compress to a few bytes
        e.Add(big);
        var c = Containers(e).Single();
        Assert.Equal("4E4D53470102", Convert.ToHexString(c.AsSpan(0, 6)));
        var decoded = Decoding.DecodeDatagrams([c], new NmsgContainerDecoder());
        Assert.Equal(3000, decoded.Single().Payload.Length);
    }

    [Fact]
    public void Buffer_size_is_clamped_to_libnmsg_bounds()
    {
        Assert.Equal(512, new NmsgEncoderOptions { BufferSize = 1 }.EffectiveBufferSize);
        Assert.Equal(1048576, new NmsgEncoderOptions { BufferSize = int.MaxValue }.EffectiveBufferSize);
    }

    [Fact]
    public void Source_operator_and_group_overrides_are_written_without_touching_the_message()
    {
        var m = Message(10, 1);
        m.Source = 5;
        using var e = new NmsgContainerEncoder(new NmsgEncoderOptions { SetSource = 0xA1BA02CF, SetGroup = 2 });
        e.Add(m);
        e.Flush();
        var decoded = Decoding.DecodeDatagrams([Containers(e).Single()], new NmsgContainerDecoder()).Single();
        Assert.Equal(0xA1BA02CFu, decoded.Source);
        Assert.Null(decoded.Operator);
        Assert.Equal(2u, decoded.Group);
        Assert.Equal(5u, m.Source);
    }

    [Fact]
    public void Messages_changed_after_add_do_not_change_what_was_written()
    {
        var m = Message(10, 1);
        using var e = new NmsgContainerEncoder();
        e.Add(m);
        m.Vid = 99;
        m.Payload = new byte[] { 1 };
        e.Flush();
        var decoded = Decoding.DecodeDatagrams([Containers(e).Single()], new NmsgContainerDecoder()).Single();
        Assert.Equal(1u, decoded.Vid);
        Assert.Equal(10, decoded.Payload.Length);
    }

    [Fact]
    public void Appendix_A1_bytes_are_reproduced()
    {
        var p1 = new NmsgMessage(1, 6, new NmsgTimestamp(1795367645, 136185808), Convert.FromHexString("0a057465737400120668656c6c6f00"));
        var p2 = new NmsgMessage(1, 6, new NmsgTimestamp(1795367645, 136201651), Convert.FromHexString("0a02610012026200"));
        using var e = new NmsgContainerEncoder();
        e.Add(p1);
        e.Add(p2);
        e.Flush();
        Assert.Equal(
            "4E4D5347000200000049" +
            "0A200801100618DDC58CD80625D0071E082A0F0A057465737400120668656C6C6F00" +
            "0A190801100618DDC58CD80625B3451E082A080A02610012026200" +
            "1089CAA7D604" + "10D6B098C70A",
            Convert.ToHexString(e.Ready.Span));
    }
}
