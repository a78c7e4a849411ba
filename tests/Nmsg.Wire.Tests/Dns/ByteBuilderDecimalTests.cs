using System.Globalization;
using System.Text;
using Nmsg.Dns;

namespace Nmsg.Tests.Dns;

/// <summary>The digit-pair decimal writer of <see cref="ByteBuilder"/> against the runtime's own formatting.</summary>
public class ByteBuilderDecimalTests
{
    private static string Run(ulong value, int bufferSize)
    {
        var b = new ByteBuilder(new byte[bufferSize]); // small buffers: the one-digit path and the growth must agree
        b.Append("<"u8);
        b.AppendDecimal(value);
        b.Append((byte)'>');
        string text = Encoding.ASCII.GetString(b.Written);
        b.Dispose();
        return text;
    }

    [Fact]
    public void Every_power_of_ten_boundary_and_random_values_match_ToString()
    {
        var values = new List<ulong> { 0, 9, 10, 11, 99, 100, 101, ulong.MaxValue, ulong.MaxValue - 1 };
        for (ulong p = 10; p <= 10_000_000_000_000_000_000UL; p *= 10)
        {
            values.Add(p - 1);
            values.Add(p);
            values.Add(p + 1);
            if (p > ulong.MaxValue / 10)
                break;
        }
        var r = new Random(20261123);
        for (int i = 0; i < 20_000; i++)
            values.Add((ulong)r.NextInt64() >> r.Next(64));
        foreach (ulong v in values)
        {
            string expected = "<" + v.ToString(CultureInfo.InvariantCulture) + ">";
            Assert.Equal(expected, Run(v, 1));
            Assert.Equal(expected, Run(v, 2));
            Assert.Equal(expected, Run(v, 64));
        }
    }
}
