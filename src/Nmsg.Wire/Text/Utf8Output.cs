using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Text;
using Nmsg.Internal;
using Nmsg.Modules;

namespace Nmsg.Text;

/// <summary>UTF-8 writing primitives over <see cref="IBufferWriter{T}"/> for the text formats.</summary>
internal static class Utf8Output
{
    public static void Ascii(this PooledBufferWriter w, string s)
    {
        Span<byte> dst = w.GetSpan(s.Length);
        for (int i = 0; i < s.Length; i++)
            dst[i] = (byte)s[i];
        w.Advance(s.Length);
    }

    public static void Utf8(this PooledBufferWriter w, string s)
    {
        int max = Encoding.UTF8.GetMaxByteCount(s.Length);
        int n = Encoding.UTF8.GetBytes(s, w.GetSpan(max));
        w.Advance(n);
    }

    public static void Bytes(this PooledBufferWriter w, ReadOnlySpan<byte> s) => w.Write(s);

    public static void Byte(this PooledBufferWriter w, byte b) => w.WriteByte(b);

    /// <summary>
    /// Writes the value of an integer <see cref="NmsgTextFast"/> kind (UInt16 … Int64) from a field's raw bits; false,
    /// writing nothing, for the other kinds.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryWriteInteger(this PooledBufferWriter w, NmsgTextFast fast, ulong bits)
    {
        switch (fast)
        {
            case NmsgTextFast.UInt16:
                w.UInt((ushort)bits);
                return true;
            case NmsgTextFast.UInt32:
                w.UInt((uint)bits);
                return true;
            case NmsgTextFast.UInt64:
                w.UInt(bits);
                return true;
            case NmsgTextFast.Int16:
                w.Int((short)bits);
                return true;
            case NmsgTextFast.Int32:
                w.Int((int)bits);
                return true;
            case NmsgTextFast.Int64:
                w.Int((long)bits);
                return true;
            default:
                return false;
        }
    }

    public static void UInt(this PooledBufferWriter w, ulong v)
    {
        if (v < 10)
        {
            w.WriteByte((byte)('0' + (int)v));
            return;
        }
        int n = DecimalLength(v);
        // GetSpan(20) guarantees room for any ulong: the digits are stored without further checks.
        ref byte d = ref MemoryMarshal.GetReference(w.GetSpan(20));
        int at = n;
        while (v >= 100)
        {
            ulong q = v / 100;
            at -= 2;
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref d, at), Pair((int)(v - q * 100)));
            v = q;
        }
        if (v >= 10)
            Unsafe.WriteUnaligned(ref d, Pair((int)v));
        else
            d = (byte)('0' + (int)v);
        w.Advance(n);
    }

    /// <summary>The two digits of 0..99 as they lie in memory (one load from <see cref="DigitPairs"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ushort Pair(int v) => Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref MemoryMarshal.GetReference(DigitPairs), (uint)v * 2));

    /// <summary>The number of decimal digits of <paramref name="v"/> (at least 1): from its bit length, then one compare.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int DecimalLength(ulong v)
    {
        // floor(log10(2^bits)) by 1233/4096, which is exact for 64-bit values; below the next power it is one digit less.
        int estimate = ((System.Numerics.BitOperations.Log2(v | 1) + 1) * 1233) >> 12;
        return estimate + (v >= s_pow10[estimate] || v == 0 ? 1 : 0);
    }

    public static void Int(this PooledBufferWriter w, long v)
    {
        if (v < 0)
        {
            w.Byte((byte)'-');
            w.UInt(unchecked((ulong)(-(v + 1)) + 1));
            return;
        }
        w.UInt((ulong)v);
    }

    /// <summary>Lowercase hex, zero-padded to <paramref name="digits"/> (0 = no padding).</summary>
    public static void Hex(this PooledBufferWriter w, uint v, int digits)
    {
        int n = Math.Max(digits, v == 0 ? 1 : (32 - System.Numerics.BitOperations.LeadingZeroCount(v) + 3) / 4);
        Span<byte> dst = w.GetSpan(n);
        for (int i = n - 1; i >= 0; i--)
        {
            dst[i] = (byte)"0123456789abcdef"[(int)(v & 0xF)];
            v >>= 4;
        }
        w.Advance(n);
    }

    /// <summary>C's <c>%f</c>: fixed, six decimals.</summary>
    public static void DoubleFixed6(this PooledBufferWriter w, double v)
    {
        if (double.IsNaN(v) || double.IsInfinity(v))
        {
            w.Ascii(double.IsNaN(v) ? "nan" : v > 0 ? "inf" : "-inf");
            return;
        }
        if (!TryFormatFixed(v, 6, w.GetSpan(64), out int n))
            v.TryFormat(w.GetSpan(400), out n, "F6", CultureInfo.InvariantCulture);
        w.Advance(n);
    }

    /// <summary>libnmsg's JSON double: <c>%.18f</c> with trailing zeros removed, at least one decimal kept.</summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    public static void DoubleJson(this PooledBufferWriter w, double v)
    {
        if (double.IsNaN(v) || double.IsInfinity(v))
        {
            w.Ascii("null");
            return;
        }
        // The usual values straight into the output (at most 39 bytes: sign, 19 digits, point, 18 decimals), trimmed
        // there; the rest through the runtime's formatter and a copy.
        Span<byte> direct = w.GetSpan(64);
        if (TryFormatFixed(v, 18, direct, out int n))
        {
            w.Advance(TrimDecimalZeros(direct[..n]));
            return;
        }
        Span<byte> tmp = stackalloc byte[400];
        v.TryFormat(tmp, out n, "F18", CultureInfo.InvariantCulture);
        w.Write(tmp[..TrimDecimalZeros(tmp[..n])]);
    }

    /// <summary>The length of <c>%.18f</c> text without its trailing zeros, one decimal kept ("1.0").</summary>
    private static int TrimDecimalZeros(ReadOnlySpan<byte> text)
    {
        int end = text.Length;
        while (end > 0 && text[end - 1] == (byte)'0')
            end--;
        if (end > 0 && text[end - 1] == (byte)'.')
            end++;
        return end;
    }

    private static readonly ulong[] s_pow10 = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000,
        10_000_000_000, 100_000_000_000, 1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000,
        10_000_000_000_000_000, 100_000_000_000_000_000, 1_000_000_000_000_000_000, 10_000_000_000_000_000_000];

    /// <summary>
    /// The fixed-point text of a finite double with <paramref name="precision"/> (at most 18) decimals, the exact
    /// binary value rounded to the nearest: what <c>ToString("F&lt;precision&gt;")</c> gives, without its general
    /// big-number path. False (the caller formats as before) for the cases that need it or whose rounding is a
    /// matter of convention: an exact tie, a negative value that rounds to zero, magnitudes of 2^63 and more, and
    /// values so small that the scaled value does not fit 128 bits.
    /// </summary>
    internal static bool TryFormatFixed(double v, int precision, Span<byte> dst, out int written)
    {
        written = 0;
        long bits = BitConverter.DoubleToInt64Bits(v);
        bool negative = bits < 0;
        int biased = (int)((bits >> 52) & 0x7FF);
        ulong fraction = (ulong)bits & ((1UL << 52) - 1);
        if (biased == 0x7FF || (uint)precision > 18)
            return false;
        ulong mantissa = biased == 0 ? fraction : fraction | (1UL << 52);
        int exponent = (biased == 0 ? 1 : biased) - 1075;
        ulong scale = s_pow10[precision];
        ulong whole, decimals;
        if (exponent >= 0)
        {
            if (exponent > 10)
                return false; // 2^63 and above
            whole = mantissa << exponent;
            decimals = 0;
        }
        else
        {
            int k = -exponent;
            if (k > 120)
                return false;
            UInt128 scaled = (UInt128)mantissa * scale;
            UInt128 q = scaled >> k;
            UInt128 rest = scaled - (q << k);
            UInt128 half = UInt128.One << (k - 1);
            if (rest == half)
                return false; // a tie: left to the runtime's convention
            if (rest > half)
                q++;
            if (q <= ulong.MaxValue)
            {
                // The usual magnitudes: 64-bit division instead of 128-bit.
                ulong small = (ulong)q;
                whole = small / scale;
                decimals = small - whole * scale;
            }
            else
            {
                whole = (ulong)(q / scale);
                decimals = (ulong)(q % scale);
            }
            if (q == UInt128.Zero && negative)
                return false; // negative zero
        }
        int at = 0;
        if (negative)
            dst[at++] = (byte)'-';
        if (whole < 10)
        {
            dst[at++] = (byte)('0' + (int)whole); // the usual delays and times: no general formatter
        }
        else
        {
            Utf8Formatter.TryFormat(whole, dst[at..], out int n);
            at += n;
        }
        if (precision > 0)
        {
            dst[at++] = (byte)'.';
            if (dst.Length - at < precision)
                return false;
            // Two digits a step from the right, stored unchecked (the room is checked above); an odd precision ends
            // with one.
            ref byte d = ref Unsafe.Add(ref MemoryMarshal.GetReference(dst), at);
            int i = precision;
            while (i >= 2)
            {
                ulong q = decimals / 100;
                i -= 2;
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref d, i), Pair((int)(decimals - q * 100)));
                decimals = q;
            }
            if (i > 0)
                d = (byte)('0' + (int)decimals);
            at += precision;
        }
        written = at;
        return true;
    }

    /// <summary>Standard base64 with padding.</summary>
    public static void Base64(this PooledBufferWriter w, ReadOnlySpan<byte> data)
    {
        int len = System.Buffers.Text.Base64.GetMaxEncodedToUtf8Length(data.Length);
        w.Advance(EncodeBase64(data, w.GetSpan(len)));
    }

    /// <summary>
    /// Standard base64 with padding of <paramref name="data"/> into <paramref name="output"/> (which must hold all of
    /// it); returns the length. What <see cref="System.Buffers.Text.Base64.EncodeToUtf8"/> writes, with less setup for
    /// the short values of the formats (packets, DNS messages): 12 bytes a step with SSSE3 (Muła's method: the
    /// 6-bit groups moved into bytes by two multiplies, then mapped to ASCII by one table shuffle), the rest by table.
    /// </summary>
    internal static int EncodeBase64(ReadOnlySpan<byte> data, Span<byte> output)
    {
        int n = data.Length;
        if (output.Length < System.Buffers.Text.Base64.GetMaxEncodedToUtf8Length(n))
            throw new ArgumentException("base64 output too short", nameof(output));
        ref byte src = ref MemoryMarshal.GetReference(data);
        ref byte dst = ref MemoryMarshal.GetReference(output);
        // Unsigned native offsets: no sign extension at every access.
        nuint i = 0, o = 0, length = (nuint)n;
        if (Ssse3.IsSupported)
        {
            Vector128<byte> spread = Vector128.Create((byte)1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10);
            // Each step reads 16 bytes and uses 12 of them.
            while (length - i >= 16)
            {
                Base64Chars(Ssse3.Shuffle(Vector128.LoadUnsafe(ref src, i), spread)).StoreUnsafe(ref dst, o);
                i += 12;
                o += 16;
            }
            // 12 to 15 bytes left: one more step over the last 16 bytes of the input, its spread shifted to start at
            // the first byte not yet encoded (the table loop below then has at most one group to do).
            nuint left = length - i;
            if (left >= 12 && length >= 16)
            {
                nuint shift = 16 - left;
                Vector128<byte> window = Vector128.LoadUnsafe(ref src, i - shift);
                Base64Chars(Ssse3.Shuffle(window, spread + Vector128.Create((byte)shift))).StoreUnsafe(ref dst, o);
                i += 12;
                o += 16;
            }
        }
        ref byte table = ref MemoryMarshal.GetReference(Base64Alphabet);
        while (length - i >= 3)
        {
            uint v = ((uint)Unsafe.Add(ref src, i) << 16) | ((uint)Unsafe.Add(ref src, i + 1) << 8) | Unsafe.Add(ref src, i + 2);
            uint chars = Unsafe.Add(ref table, v >> 18)
                | ((uint)Unsafe.Add(ref table, (v >> 12) & 63) << 8)
                | ((uint)Unsafe.Add(ref table, (v >> 6) & 63) << 16)
                | ((uint)Unsafe.Add(ref table, v & 63) << 24);
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, o), LittleEndianChars(chars));
            i += 3;
            o += 4;
        }
        nuint rest = length - i;
        if (rest != 0)
        {
            // One or two bytes left: two or three characters, then padding.
            uint v = ((uint)Unsafe.Add(ref src, i) << 16) | (rest == 2 ? (uint)Unsafe.Add(ref src, i + 1) << 8 : 0);
            uint chars = Unsafe.Add(ref table, v >> 18)
                | ((uint)Unsafe.Add(ref table, (v >> 12) & 63) << 8)
                | ((rest == 2 ? (uint)Unsafe.Add(ref table, (v >> 6) & 63) : '=') << 16)
                | ((uint)'=' << 24);
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, o), LittleEndianChars(chars));
            o += 4;
        }
        return (int)o;
    }

    /// <summary>Four characters packed first-lowest, as they are stored.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint LittleEndianChars(uint chars) => BitConverter.IsLittleEndian ? chars : System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(chars);

    /// <summary>
    /// The 16 base64 characters of four groups of three bytes, each group's bytes a b c spread as b a c b
    /// (little-endian 16-bit lanes "ab" and "bc").
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Base64Chars(Vector128<byte> spreadBytes)
    {
        var spread = spreadBytes.AsUInt32();
        // The first and third 6-bit groups by a high multiply, the second and fourth by a low one, each in a byte.
        var first = Sse2.MultiplyHigh(
            (spread & Vector128.Create(0x0FC0FC00u)).AsUInt16(),
            Vector128.Create(0x04000040u).AsUInt16());
        var second = Sse2.MultiplyLow(
            (spread & Vector128.Create(0x003F03F0u)).AsUInt16(),
            Vector128.Create(0x01000010u).AsUInt16());
        var indices = (first | second).AsByte();
        // 0..25 -> 13 ('A' - 0), 26..51 -> 0 ('a' - 26), 52..61 -> 1..10 ('0' - 52), 62 -> 11 ('+'), 63 -> 12 ('/').
        var reduced = Sse2.SubtractSaturate(indices, Vector128.Create((byte)51));
        var upper = Sse2.CompareGreaterThan(
            Vector128.Create((sbyte)26), indices.AsSByte()).AsByte();
        reduced |= upper & Vector128.Create((byte)13);
        const sbyte Lower = 'a' - 26, Digit = '0' - 52, Plus = '+' - 62, Slash = '/' - 63, Upper = (sbyte)'A', None = 0;
        var offsets = Vector128.Create(
            Lower, Digit, Digit, Digit, Digit, Digit, Digit, Digit, Digit, Digit, Digit, Plus, Slash, Upper, None, None).AsByte();
        return indices + Ssse3.Shuffle(offsets, reduced);
    }

    private static ReadOnlySpan<byte> Base64Alphabet => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"u8;

    /// <summary>The text of the last second formatted on this thread (one thread-static read per use).</summary>
    private sealed class DateCache
    {
        public readonly byte[] Text = new byte[24]; // a date is 19 bytes; the raw-seconds fallback at most 20
        public long Seconds;
        public int Length; // 0: nothing cached yet
        public long Day = long.MinValue; // the day whose "YYYY-MM-DD " starts Text, when Length is 19
    }

    [ThreadStatic]
    private static DateCache? t_date;

    /// <summary>"YYYY-MM-DD HH:MM:SS" (UTC) of Unix seconds, as gmtime + %Y-%m-%d %T.</summary>
    public static void DateTime(this PooledBufferWriter w, long seconds)
    {
        // Consecutive messages mostly share their second, else their day: reuse that text, kept per thread.
        DateCache cache = t_date ??= new DateCache();
        if (cache.Length != 0 && cache.Seconds == seconds)
        {
            w.Write(cache.Text.AsSpan(0, cache.Length));
            return;
        }
        long day = Math.DivRem(seconds, 86400, out long secOfDay);
        if (secOfDay < 0)
        {
            secOfDay += 86400;
            day--;
        }
        Span<byte> text = cache.Text;
        if (day != cache.Day || cache.Length != DateTimeLength)
        {
            if (!TryFormatDate(day, text))
            {
                // Outside four-digit years: the raw seconds rather than an invalid date.
                cache.Length = 0;
                cache.Day = long.MinValue;
                w.Int(seconds);
                return;
            }
            cache.Day = day;
        }
        int sod = (int)secOfDay;
        int minutes = sod / 60;
        TwoDigits(text[11..], minutes / 60);
        text[13] = (byte)':';
        TwoDigits(text[14..], minutes % 60);
        text[16] = (byte)':';
        TwoDigits(text[17..], sod % 60);
        cache.Length = DateTimeLength;
        cache.Seconds = seconds;
        w.Write(text[..DateTimeLength]);
    }

    private const int DateTimeLength = 19;

    /// <summary>"YYYY-MM-DD " of a day number (days since 1970-01-01); false outside years 0..9999.</summary>
    private static bool TryFormatDate(long days, Span<byte> d)
    {
        // Days to civil date (Howard Hinnant's algorithm): no allocation, no format-string parsing.
        long z = days + 719468;
        long era = (z >= 0 ? z : z - 146096) / 146097;
        long doe = z - era * 146097;
        long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        long year = yoe + era * 400;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        long day = doy - (153 * mp + 2) / 5 + 1;
        long month = mp < 10 ? mp + 3 : mp - 9;
        if (month <= 2)
            year++;
        if (year is < 0 or > 9999)
            return false;
        TwoDigits(d, (int)year / 100);
        TwoDigits(d[2..], (int)year % 100);
        d[4] = (byte)'-';
        TwoDigits(d[5..], (int)month);
        d[7] = (byte)'-';
        TwoDigits(d[8..], (int)day);
        d[10] = (byte)' ';
        return true;
    }

    /// <summary>"00".."99", two bytes per value.</summary>
    private static ReadOnlySpan<byte> DigitPairs =>
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"u8;

    /// <summary>Two decimal digits of 0..99.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void TwoDigits(Span<byte> d, int v)
    {
        ReadOnlySpan<byte> pair = DigitPairs.Slice(v * 2, 2);
        d[1] = pair[1];
        d[0] = pair[0];
    }

    /// <summary>Nine decimal digits of 0..999,999,999 (<c>%09u</c>), two at a time.</summary>
    private static void NineDigits(Span<byte> d, uint v)
    {
        if (d.Length < 9 || v > 999_999_999)
            throw new ArgumentOutOfRangeException(nameof(v));
        ref byte at = ref MemoryMarshal.GetReference(d);
        for (int i = 7; i > 0; i -= 2)
        {
            uint q = v / 100;
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref at, i), Pair((int)(v - q * 100)));
            v = q;
        }
        at = (byte)('0' + v);
    }

    /// <summary>The NMSG time text: date, '.', nanoseconds as %09u.</summary>
    public static void Timestamp(this PooledBufferWriter w, NmsgTimestamp t, bool clampNanoseconds)
    {
        w.DateTime(t.Seconds);
        uint ns = clampNanoseconds && t.Nanoseconds > 999_999_999 ? 999_999_999 : t.Nanoseconds;
        if (ns > 999_999_999)
        {
            w.Byte((byte)'.');
            w.UInt(ns); // %09u of a larger value prints all its digits
            return;
        }
        Span<byte> d = w.GetSpan(10);
        d[0] = (byte)'.';
        NineDigits(d[1..], ns);
        w.Advance(10);
    }
}
