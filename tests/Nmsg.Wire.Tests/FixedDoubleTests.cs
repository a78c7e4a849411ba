using System.Globalization;
using Nmsg.Text;

namespace Nmsg.Tests;

/// <summary>The number text (presentation %f, JSON %.18f, and unsigned decimals) agrees with the runtime's.</summary>
public class FixedDoubleTests
{
    [Theory]
    [InlineData(6)]
    [InlineData(18)]
    public void Fixed_text_matches_the_runtime_across_magnitudes(int precision)
    {
        var random = new Random(20261122);
        Span<byte> buffer = stackalloc byte[64];
        int checkedCount = 0;
        for (int i = 0; i < 20000; i++)
        {
            // Magnitudes from 1e-20 to 1e18, both signs: both the 64-bit and the 128-bit division paths.
            double v = (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-20, 19));
            if (!Utf8Output.TryFormatFixed(v, precision, buffer, out int n))
                continue;
            checkedCount++;
            Assert.Equal(v.ToString("F" + precision, CultureInfo.InvariantCulture), System.Text.Encoding.ASCII.GetString(buffer[..n]));
        }
        foreach (double v in new[] { 0.012345, 0.02, 1.5, 123456.000001, 9.2e18 / 2, 1e-7, 0.0 })
        {
            if (Utf8Output.TryFormatFixed(v, precision, buffer, out int n))
                Assert.Equal(v.ToString("F" + precision, CultureInfo.InvariantCulture), System.Text.Encoding.ASCII.GetString(buffer[..n]));
        }
        Assert.True(checkedCount > 15000);
    }

    [Fact]
    public void Json_double_text_is_the_runtime_F18_text_without_trailing_zeros()
    {
        // DoubleJson writes the fast form straight into the output; the runtime's F18 text, trimmed here, is the
        // independent reference (also for the values the fast form declines: ties, huge and tiny magnitudes).
        using var w = new Nmsg.Internal.PooledBufferWriter(16); // small: the direct write must make room first
        var random = new Random(20261123);
        var values = new List<double> { 0.0, -0.0, 1.0, -1.0, 0.5, 0.012345, 0.02, 1e-7, 1e-19, 1e-30, 9.2e18, 1e300, -123.25 };
        for (int i = 0; i < 20000; i++)
            values.Add((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-22, 22)));
        foreach (double v in values)
        {
            w.Clear();
            w.WriteByte((byte)'<');
            w.DoubleJson(v);
            string text = v.ToString("F18", CultureInfo.InvariantCulture).TrimEnd('0');
            if (text.EndsWith('.'))
                text += "0";
            Assert.Equal("<" + text, System.Text.Encoding.ASCII.GetString(w.WrittenSpan));
        }
    }

    [Fact]
    public void Unsigned_decimal_text_matches_the_runtime_at_every_length()
    {
        using var w = new Nmsg.Internal.PooledBufferWriter(64);
        var values = new List<ulong> { 0, ulong.MaxValue, ulong.MaxValue - 1 };
        for (ulong p = 1; p <= 10_000_000_000_000_000_000; p *= 10)
        {
            values.Add(p - 1);
            values.Add(p);
            values.Add(p + 1);
            if (p == 10_000_000_000_000_000_000)
                break;
        }
        var random = new Random(7);
        for (int i = 0; i < 2000; i++)
            values.Add((ulong)random.NextInt64() >> random.Next(64));
        foreach (ulong v in values)
        {
            w.Clear();
            w.UInt(v);
            Assert.Equal(v.ToString(CultureInfo.InvariantCulture), System.Text.Encoding.ASCII.GetString(w.WrittenSpan));
        }
    }
}
