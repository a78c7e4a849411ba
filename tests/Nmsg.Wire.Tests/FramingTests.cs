using System.Buffers;
using Nmsg.Framing;

namespace Nmsg.Tests;

public class FramingTests
{
    private static readonly byte[] Logline = Convert.FromHexString(
        "4e4d534700020000004" + "9" +
        "0a200801100618ddc58cd80625d0071e082a0f0a05746573740012066865" + "6c6c6f00" +
        "0a190801100618ddc58cd80625b3451e082a080a02610012026200" +
        "1089caa7d604" + "10d6b098c70a");

    [Fact]
    public void Appendix_A1_container_parses()
    {
        var buffer = new ReadOnlySequence<byte>(Logline);
        Assert.True(NmsgFramer.TryReadContainer(ref buffer, allowV1: false, 1 << 20, 0, out NmsgHeader h, out var body));
        Assert.Equal(new NmsgHeader(NmsgContainerFlags.None, 2, 73), h);
        Assert.Equal(73, body.Length);
        Assert.True(buffer.IsEmpty);

        var messages = new List<NmsgMessage>();
        using var decoder = new Containers.NmsgContainerDecoder();
        decoder.Decode(h, body.ToArray(), messages);
        Assert.Equal(2, messages.Count);
        Assert.Equal(new NmsgTimestamp(1795367645, 136185808), messages[0].Time);
        Assert.Equal(new NmsgTimestamp(1795367645, 136201651), messages[1].Time);
        Assert.Equal("0A057465737400120668656C6C6F00", Convert.ToHexString(messages[0].Payload.Span));
        Assert.All(messages, m => Assert.Equal((1u, 6u), (m.Vid, m.MsgType)));
    }

    [Fact]
    public void Incomplete_headers_and_bodies_ask_for_more()
    {
        for (int n = 0; n < Logline.Length; n++)
        {
            var buffer = new ReadOnlySequence<byte>(Logline, 0, n);
            Assert.False(NmsgFramer.TryReadContainer(ref buffer, true, 1 << 20, 0, out _, out _));
            Assert.Equal(n, buffer.Length);
        }
    }

    [Theory]
    [InlineData("4e4d534800020000000a", NmsgErrorReason.BadMagic)]
    [InlineData("6e6d736700020000000a", NmsgErrorReason.BadMagic)]
    [InlineData("4e4d534700030000000a", NmsgErrorReason.BadVersion)]
    [InlineData("4e4d534700000000000a", NmsgErrorReason.BadVersion)]
    [InlineData("4e4d53470101000a", NmsgErrorReason.BadVersion)] // v1 may not carry flags
    public void Bad_headers_are_typed_errors(string hex, NmsgErrorReason reason)
    {
        var e = Assert.ThrowsAny<NmsgException>(() => NmsgFramer.TryReadHeader(Convert.FromHexString(hex), true, 1 << 20, 5, out _));
        Assert.Equal(reason, e.Reason);
        Assert.Equal(5, e.Offset);
    }

    [Fact]
    public void Version_1_is_read_from_streams_only()
    {
        byte[] v1 = Convert.FromHexString("4e4d53470001" + "0003" + "aabbcc");
        Assert.True(NmsgFramer.TryReadHeader(v1, allowV1: true, 1 << 20, 0, out NmsgHeader h));
        Assert.Equal(new NmsgHeader(NmsgContainerFlags.None, 1, 3), h);
        Assert.Equal(8, h.HeaderSize);
        Assert.Equal(NmsgErrorReason.BadVersion,
            Assert.Throws<NmsgFormatException>(() => NmsgFramer.TryReadHeader(v1, allowV1: false, 1 << 20, 0, out _)).Reason);
    }

    [Fact]
    public void Unknown_flag_bits_are_kept_and_ignored()
    {
        Assert.True(NmsgFramer.TryReadHeader(Convert.FromHexString("4e4d5347840200000000"), false, 1 << 20, 0, out NmsgHeader h));
        Assert.False(h.IsCompressed);
        Assert.False(h.IsFragment);
        Assert.Equal((NmsgContainerFlags)0x84, h.Flags);
    }

    [Fact]
    public void Container_length_is_checked_before_buffering()
    {
        var e = Assert.Throws<NmsgLimitException>(() => NmsgFramer.TryReadHeader(Convert.FromHexString("4e4d53470002" + "00100001"), false, 1 << 20, 0, out _));
        Assert.Equal(0x00100001, e.Value);
        Assert.Equal(1 << 20, e.Limit);
    }

    [Fact]
    public void Datagrams_must_hold_exactly_one_v2_container()
    {
        Assert.Equal(73, NmsgFramer.ParseDatagram(Logline, 1 << 20, out _).Length);

        byte[] longer = [.. Logline, 0];
        Assert.Equal(NmsgErrorReason.LengthMismatch, Assert.Throws<NmsgFormatException>(() => NmsgFramer.ParseDatagram(longer, 1 << 20, out _)).Reason);
        Assert.Equal(NmsgErrorReason.LengthMismatch, Assert.Throws<NmsgFormatException>(() => NmsgFramer.ParseDatagram(Logline.AsMemory(0, 50), 1 << 20, out _)).Reason);
        Assert.Equal(NmsgErrorReason.LengthMismatch, Assert.Throws<NmsgFormatException>(() => NmsgFramer.ParseDatagram(Logline.AsMemory(0, 9), 1 << 20, out _)).Reason);
        byte[] v1 = Convert.FromHexString("4e4d53470001" + "0000");
        Assert.ThrowsAny<NmsgException>(() => NmsgFramer.ParseDatagram(v1, 1 << 20, out _));
        // The headerless zlib blob nmsgtool -z sends (SPEC §10.1) is not a container.
        byte[] headerless = Convert.FromHexString("00000cb2789c0000000000000000");
        Assert.Equal(NmsgErrorReason.BadMagic, Assert.Throws<NmsgFormatException>(() => NmsgFramer.ParseDatagram(headerless, 1 << 20, out _)).Reason);
    }
}
