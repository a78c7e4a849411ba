using System.Text;
using Nmsg.Dns;

namespace Nmsg.Tests.Dns;

/// <summary>
/// The plain-name loop of <see cref="DnsNames.ParseWire"/> against the <c>_wdns_str_to_name</c> state machine it
/// stands in for: same result and same wire bytes for any name, near the 255-byte limit too.
/// </summary>
public class DnsNameInputTests
{
    private static void AssertSame(byte[] name)
    {
        byte[] fast = new byte[1024], states = new byte[1024];
        int n = DnsNames.ParseWire(name, fast);
        int m = DnsNames.ParseWireStates(name, states);
        if (n != m || (n > 0 && !fast.AsSpan(0, n).SequenceEqual(states.AsSpan(0, m))))
            Assert.Fail($"name {Convert.ToHexString(name)} ({Encoding.Latin1.GetString(name)}): {n} {Convert.ToHexString(fast, 0, Math.Max(n, 0))} vs {m} {Convert.ToHexString(states, 0, Math.Max(m, 0))}");
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a")]
    [InlineData("a.")]
    [InlineData(".a")]
    [InlineData("a..b")]
    [InlineData("www.example.com.")]
    [InlineData("www.example.com")]
    [InlineData("a\\.b.")]
    [InlineData("a\\065b.")]
    [InlineData("a\\")]
    public void Names_parse_as_the_state_machine_parses_them(string name) => AssertSame(Encoding.Latin1.GetBytes(name));

    [Fact]
    public void Random_names_parse_as_the_state_machine_parses_them()
    {
        var random = new Random(20261123);
        byte[] alphabet = "abz09-_*.\\\0\u00c3 "u8.ToArray();
        for (int trial = 0; trial < 50000; trial++)
        {
            // Mostly plain names (the fast loop's), at every length around the limits.
            int length = random.Next(trial % 4 == 0 ? 300 : 40);
            byte[] name = new byte[length];
            bool plain = random.Next(3) != 0;
            for (int i = 0; i < length; i++)
            {
                byte b = alphabet[random.Next(alphabet.Length)];
                name[i] = plain && b is (byte)'\\' or 0 ? (byte)'x' : random.Next(6) == 0 ? (byte)'.' : b;
            }
            AssertSame(name);
        }
    }

    [Fact]
    public void Names_at_the_length_limit_parse_as_the_state_machine_parses_them()
    {
        for (int labels = 1; labels <= 5; labels++)
        {
            for (int total = 240; total <= 262; total++)
            {
                foreach (bool dot in new[] { false, true })
                {
                    var name = new StringBuilder();
                    for (int i = 0; name.Length < total; i++)
                        name.Append(i % (total / labels + 1) == total / labels && name.Length > 0 ? '.' : 'a');
                    if (dot)
                        name.Append('.');
                    AssertSame(Encoding.ASCII.GetBytes(name.ToString()));
                }
            }
        }
    }
}
