using System.Buffers;
using System.Net;
using Nmsg.Dns;
using static Nmsg.Tests.Dns.DnsTestSupport;

namespace Nmsg.Tests.Dns;

/// <summary>IP address text (SPEC §8.4.5): BIND/libmy <c>inet_ntop</c> and glibc <c>inet_pton</c>.</summary>
public class IpTextTests
{
    [Theory]
    // wdns t/test-fast_inet_ntop.c (the BIND 9 test list): text → pton → ntop gives the same text.
    [InlineData("0.0.0.0")]
    [InlineData("0.1.0.0")]
    [InlineData("0.0.2.0")]
    [InlineData("0.0.0.3")]
    [InlineData("1.2.3.4")]
    [InlineData("98.51.100.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::")]
    [InlineData("::1.2.3.4")]
    [InlineData("::ffff:1.2.3.4")]
    [InlineData("2001:db8::")]
    [InlineData("2001:db8::ffff")]
    [InlineData("fedc:ba98:7654:3210:fedc:ba98:7654:3210")]
    [InlineData("1080::8:800:200c:417a")]
    [InlineData("::13.1.68.3")]
    [InlineData("::ffff:129.144.52.38")]
    [InlineData("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")]
    // SPEC §8.4.5 and the vectors
    [InlineData("2001:db8::1")]
    [InlineData("2600:1800:5::1")]
    [InlineData("::1")]
    public void Round_trips_the_reference_texts(string text)
    {
        Assert.True(IpText.TryParse(text, out byte[] address));
        Assert.Equal(text, DnsTestSupport.Text(w => Assert.True(IpText.TryFormat(address, w))));
        Assert.Equal(text, IpText.ToString(address));
    }

    [Theory]
    // The longest zero run becomes "::"; on a tie the first one; a single zero group stays "0".
    [InlineData("0001 0000 0000 0001 0000 0000 0000 0001", "1:0:0:1::1")]
    [InlineData("0001 0000 0000 0001 0001 0000 0000 0001", "1::1:1:0:0:1")]
    [InlineData("0001 0000 0001 0000 0001 0000 0001 0000", "1:0:1:0:1:0:1:0")]
    [InlineData("0000 0000 0000 0000 0000 0000 0000 0001", "::1")]
    [InlineData("0000 0000 0000 0000 0000 0000 0001 0002", "::0.1.0.2")]
    [InlineData("0000 0000 0000 0000 0000 0000 0000 0102", "::102")]
    [InlineData("0000 0000 0000 0000 0000 ffff 0102 0304", "::ffff:1.2.3.4")]
    [InlineData("0000 0000 0000 0000 ffff 0000 0102 0304", "::ffff:0:102:304")]
    [InlineData("0001 0000 0000 0000 0000 ffff 0102 0304", "1::ffff:102:304")]
    [InlineData("abcd 0000 0000 0000 0000 0000 0000 0000", "abcd::")]
    [InlineData("0000 0001 0000 0000 0000 0000 0000 0000", "0:1::")]
    public void Ipv6_edge_cases(string hex, string text)
    {
        byte[] address = Hex(hex);
        Assert.Equal(text, IpText.ToString(address));
        Assert.True(IpText.TryParse(text, out byte[] back));
        Assert.Equal(address, back);
    }

    [Fact]
    public void Ipv6_text_matches_an_independent_formatter_on_random_addresses()
    {
        // Independent check: IPAddress (RFC 5952) agrees with BIND except where either embeds an IPv4 address;
        // those shapes are kept out here (first 64 bits never all zero, no ISATAP 0:5efe interface id).
        var rng = new Random(1234);
        var buf = new byte[16];
        for (int i = 0; i < 20000; i++)
        {
            rng.NextBytes(buf);
            for (int k = 0; k < 16; k++)
            {
                if (rng.Next(3) == 0)
                    buf[k] = 0;
            }
            if (buf.AsSpan(0, 8).IndexOfAnyExcept((byte)0) < 0)
                buf[1] = 1;
            if (buf[8] == 0 && buf[9] == 0 && buf[10] == 0x5e && buf[11] == 0xfe)
                buf[11] = 0xff;
            string ours = IpText.ToString(buf)!;
            Assert.Equal(new IPAddress(buf).ToString(), ours);
            Assert.True(IpText.TryParse(ours, out byte[] back));
            Assert.Equal(buf, back);
        }
    }

    [Theory]
    [InlineData("1.2.3.4", "01020304")]
    [InlineData("255.0.0.10", "ff00000a")]
    [InlineData("::ffff:1.2.3.4", "00000000000000000000ffff01020304")]
    [InlineData("1::", "00010000000000000000000000000000")]
    [InlineData("::1:2:3:4:5:6:7", "00000001000200030004000500060007")]
    [InlineData("1:2:3:4:5:6:7::", "00010002000300040005000600070000")]
    [InlineData("ABCD::EF", "abcd00000000000000000000000000ef")]
    public void Parses_like_inet_pton(string text, string hex)
    {
        Assert.True(IpText.TryParse(text, out byte[] address));
        Assert.Equal(Convert.ToHexString(Hex(hex)), Convert.ToHexString(address));
    }

    [Theory]
    [InlineData("")]
    [InlineData("01.2.3.4")]
    [InlineData("1.2.3")]
    [InlineData("1.2.3.4.5")]
    [InlineData("256.1.1.1")]
    [InlineData("1.2.3.4 ")]
    [InlineData(":")]
    [InlineData(":1::")]
    [InlineData("1::2::3")]
    [InlineData("1:2:3:4:5:6:7:8:9")]
    [InlineData("1:2:3:4:5:6:7:8::")]
    [InlineData("12345::")]
    [InlineData("1:")]
    [InlineData("::1.2.3")]
    [InlineData("fe80::1%eth0")]
    public void Refuses_what_inet_pton_refuses(string text)
    {
        Assert.False(IpText.TryParse(text, out byte[] address));
        Assert.Empty(address);
    }

    [Fact]
    public void Other_lengths_write_nothing()
    {
        var w = new ArrayBufferWriter<byte>();
        Assert.False(IpText.TryFormat([], w));
        Assert.False(IpText.TryFormat(new byte[5], w));
        Assert.False(IpText.TryFormat(new byte[15], w));
        Assert.Equal(0, w.WrittenCount);
    }
}
