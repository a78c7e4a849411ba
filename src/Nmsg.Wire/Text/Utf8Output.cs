using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Nmsg.Text;

/// <summary>UTF-8 writing primitives over <see cref="IBufferWriter{T}"/> for the text formats.</summary>
internal static class Utf8Output
{
    public static void Ascii(this IBufferWriter<byte> w, string s)
    {
        Span<byte> dst = w.GetSpan(s.Length);
        for (int i = 0; i < s.Length; i++)
            dst[i] = (byte)s[i];
        w.Advance(s.Length);
    }

    public static void Utf8(this IBufferWriter<byte> w, string s)
    {
        int max = Encoding.UTF8.GetMaxByteCount(s.Length);
        int n = Encoding.UTF8.GetBytes(s, w.GetSpan(max));
        w.Advance(n);
    }

    public static void Bytes(this IBufferWriter<byte> w, ReadOnlySpan<byte> s) => w.Write(s);

    public static void Byte(this IBufferWriter<byte> w, byte b)
    {
        w.GetSpan(1)[0] = b;
        w.Advance(1);
    }

    public static void UInt(this IBufferWriter<byte> w, ulong v)
    {
        Utf8Formatter.TryFormat(v, w.GetSpan(20), out int n);
        w.Advance(n);
    }

    public static void Int(this IBufferWriter<byte> w, long v)
    {
        Utf8Formatter.TryFormat(v, w.GetSpan(20), out int n);
        w.Advance(n);
    }

    /// <summary>Lowercase hex, zero-padded to <paramref name="digits"/> (0 = no padding).</summary>
    public static void Hex(this IBufferWriter<byte> w, uint v, int digits)
    {
        Span<byte> dst = w.GetSpan(8);
        v.TryFormat(dst, out int n, digits > 0 ? (digits == 8 ? "x8" : "x" + digits.ToString(CultureInfo.InvariantCulture)) : "x", CultureInfo.InvariantCulture);
        w.Advance(n);
    }

    /// <summary>C's <c>%f</c>: fixed, six decimals.</summary>
    public static void DoubleFixed6(this IBufferWriter<byte> w, double v)
    {
        if (double.IsNaN(v) || double.IsInfinity(v))
        {
            w.Ascii(double.IsNaN(v) ? "nan" : v > 0 ? "inf" : "-inf");
            return;
        }
        v.TryFormat(w.GetSpan(400), out int n, "F6", CultureInfo.InvariantCulture);
        w.Advance(n);
    }

    /// <summary>libnmsg's JSON double: <c>%.18f</c> with trailing zeros removed, at least one decimal kept.</summary>
    public static void DoubleJson(this IBufferWriter<byte> w, double v)
    {
        if (double.IsNaN(v) || double.IsInfinity(v))
        {
            w.Ascii("null");
            return;
        }
        Span<byte> tmp = stackalloc byte[400];
        v.TryFormat(tmp, out int n, "F18", CultureInfo.InvariantCulture);
        int end = n;
        while (end > 0 && tmp[end - 1] == (byte)'0')
            end--;
        if (end > 0 && tmp[end - 1] == (byte)'.')
            end++;
        w.Write(tmp[..end]);
    }

    /// <summary>Standard base64 with padding.</summary>
    public static void Base64(this IBufferWriter<byte> w, ReadOnlySpan<byte> data)
    {
        int len = System.Buffers.Text.Base64.GetMaxEncodedToUtf8Length(data.Length);
        System.Buffers.Text.Base64.EncodeToUtf8(data, w.GetSpan(len), out _, out int written);
        w.Advance(written);
    }

    /// <summary>"YYYY-MM-DD HH:MM:SS" (UTC) of Unix seconds, as gmtime + %Y-%m-%d %T.</summary>
    public static void DateTime(this IBufferWriter<byte> w, long seconds)
    {
        DateTimeOffset t;
        try
        {
            t = DateTimeOffset.UnixEpoch.AddSeconds(seconds);
        }
        catch (ArgumentOutOfRangeException)
        {
            // Beyond what .NET dates hold (year 1..9999): print the raw seconds rather than fail.
            w.Int(seconds);
            return;
        }
        t.TryFormat(w.GetSpan(19), out int n, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        w.Advance(n);
    }

    /// <summary>The NMSG time text: date, '.', nanoseconds as %09u.</summary>
    public static void Timestamp(this IBufferWriter<byte> w, NmsgTimestamp t, bool clampNanoseconds)
    {
        w.DateTime(t.Seconds);
        w.Byte((byte)'.');
        uint ns = clampNanoseconds && t.Nanoseconds > 999_999_999 ? 999_999_999 : t.Nanoseconds;
        ns.TryFormat(w.GetSpan(10), out int n, "D9", CultureInfo.InvariantCulture);
        w.Advance(n);
    }
}
