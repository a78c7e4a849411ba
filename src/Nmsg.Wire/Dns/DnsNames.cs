using System.Buffers;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;

namespace Nmsg.Dns;

/// <summary>
/// Domain name text as wdns writes and reads it (SPEC §8.4.1): <c>wdns_domain_to_str</c> and
/// <c>wdns_str_to_name_case</c>.
/// </summary>
public static class DnsNames
{
    /// <summary>Longest presentation text of a 255-byte name (every byte escaped as <c>\DDD</c>).</summary>
    internal const int MaxTextLength = 1024;

    /// <summary>
    /// Appends the presentation text of an uncompressed wire-format name: labels in order, each followed by
    /// <c>.</c>; root is <c>.</c>; <c>.</c> and <c>\</c> escaped with a backslash, <c>!</c>..<c>~</c> verbatim,
    /// every other byte as <c>\DDD</c>; case kept; bytes after the terminating zero are ignored. Returns false and
    /// writes nothing if the span is empty, longer than 255 bytes, or a label runs past its end.
    /// </summary>
    public static bool TryFormat(ReadOnlySpan<byte> wire, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (wire.IsEmpty || wire.Length > 255)
            return false;
        int p = 0;
        while (p < wire.Length && wire[p] != 0)
        {
            int next = p + 1 + wire[p];
            if (next > wire.Length)
                return false;
            p = next;
        }
        FormatLenient(wire, output);
        return true;
    }

    /// <summary>
    /// Exactly <c>wdns_domain_to_str</c> for any input, as nmsg's DNSNAME printer uses it on 1..255-byte values:
    /// a label cut short by the end of the span is printed as far as it goes (then <c>.</c>), a missing root label is
    /// not required, and an empty span prints <c>.</c>.
    /// </summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    public static void FormatLenient(ReadOnlySpan<byte> wire, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (output is Nmsg.Internal.PooledBufferWriter pooled)
        {
            // Straight into the library's own buffer.
            var direct = ByteBuilder.Over(pooled, MaxTextLength);
            try
            {
                Append(ref direct, wire, wire.Length);
                direct.CommitTo(pooled);
            }
            finally
            {
                direct.Dispose();
            }
            return;
        }
        var b = new ByteBuilder(stackalloc byte[MaxTextLength]);
        try
        {
            Append(ref b, wire, wire.Length);
            b.CopyTo(output);
        }
        finally
        {
            b.Dispose();
        }
    }

    /// <summary>The presentation text as a string (convenience; allocates). Null where <see cref="TryFormat"/> fails.</summary>
    public static string? ToString(ReadOnlySpan<byte> wire)
    {
        if (wire.IsEmpty || wire.Length > 255)
            return null;
        var w = new ArrayBufferWriter<byte>(64);
        return TryFormat(wire, w) ? Encoding.ASCII.GetString(w.WrittenSpan) : null;
    }

    /// <summary>
    /// wdns <c>str_to_name_case</c>: presentation text to an uncompressed wire name, case preserved. <c>\c</c>
    /// escapes any character, <c>\DDD</c> a byte; <c>""</c> and <c>"."</c> are the root; a name without a trailing
    /// dot is taken as fully qualified. False for an empty label (<c>a..b</c>, <c>.a</c>), a bad escape, or a name
    /// over 255 bytes. Like wdns, a label over 63 bytes is not rejected.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out byte[] wire)
    {
        int nul = text.IndexOf('\0');
        if (nul >= 0)
            text = text[..nul];
        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        Span<byte> utf8 = max <= 1024 ? stackalloc byte[1024] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            int n = Encoding.UTF8.GetBytes(text, utf8);
            Span<byte> name = stackalloc byte[255];
            int len = ParseWire(utf8[..n], name);
            if (len < 0)
            {
                wire = [];
                return false;
            }
            wire = name[..len].ToArray();
            return true;
        }
        finally
        {
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// <c>wdns_domain_to_str(src, srcLen)</c>. <paramref name="srcLen"/> may exceed <paramref name="src"/> by the
    /// phantom byte <c>wdns_len_uname</c> reports for an unterminated name; bytes past the span read as 0.
    /// </summary>
    internal static void Append(ref ByteBuilder b, scoped ReadOnlySpan<byte> src, int srcLen)
    {
        if (srcLen == src.Length && TryAppendPlain(ref b, src))
            return;
        int remaining = srcLen;
        int p = 0;
        int read = 0;
        byte oclen = At(src, 0);
        while (remaining > 0 && oclen != 0)
        {
            p++;
            remaining--;
            read += oclen + 1;
            // The label's bytes (those past the span read as 0); the leading run that needs no escape is copied whole.
            int take = Math.Min(oclen, remaining);
            int real = Math.Clamp(src.Length - p, 0, take);
            ReadOnlySpan<byte> label = real > 0 ? src.Slice(p, real) : default;
            int plain = PlainLength(label);
            b.Append(label[..plain]);
            p += plain;
            remaining -= plain;
            oclen = (byte)(oclen - plain);
            while (oclen-- != 0 && remaining > 0)
            {
                byte c = At(src, p++);
                remaining--;
                if (c == '.' || c == '\\')
                {
                    b.Append((byte)'\\');
                    b.Append(c);
                }
                else if (c >= '!' && c <= '~')
                {
                    b.Append(c);
                }
                else
                {
                    b.AppendDecimalEscape(c);
                }
            }
            b.Append((byte)'.');
            oclen = At(src, p);
        }
        if (read == 0)
            b.Append((byte)'.');
    }

    /// <summary>
    /// The usual name, in one pass: terminated inside the span, not the root, and every label byte written as itself
    /// (<see cref="PlainBytes"/>). Its text is then its wire bytes after the first with each following length byte
    /// turned into a dot, which this checks and copies together; false, appending nothing, for anything else.
    /// </summary>
    private static bool TryAppendPlain(ref ByteBuilder b, scoped ReadOnlySpan<byte> src)
    {
        if (src.IsEmpty || src[0] == 0)
            return false;
        if (src.Length is >= 17 and <= 33 && Vector128.IsHardwareAccelerated)
            return TryAppendPlainVector(ref b, src);
        return TryAppendPlainLoop(ref b, src);
    }

    /// <summary>
    /// <see cref="TryAppendPlain"/> for names of 17 to 33 bytes (most): the labels are walked for their length
    /// bytes only; every other byte is checked and copied with two overlapping 16-byte vectors.
    /// </summary>
    internal static bool TryAppendPlainVector(ref ByteBuilder b, scoped ReadOnlySpan<byte> src)
    {
        int n = src.Length;
        ulong lengths = 0; // bit i: src[i] is a length byte
        int p = 0;
        int len = src[0];
        while (len != 0)
        {
            lengths |= 1UL << p;
            int end = p + 1 + len; // the next length byte, which must be inside the span too
            if (end >= n)
                return false;
            p = end;
            len = src[p];
        }
        // Bytes 1..n-1 in two vectors (the second ends at the span's end, overlapping the first).
        ref byte start = ref MemoryMarshal.GetReference(src);
        Vector128<byte> low = Vector128.LoadUnsafe(ref start, 1);
        Vector128<byte> high = Vector128.LoadUnsafe(ref start, (nuint)(n - 16));
        ulong escaped = NotPlainLanes(low).ExtractMostSignificantBits() << 1
            | (ulong)NotPlainLanes(high).ExtractMostSignificantBits() << (n - 16);
        // The label bytes: 1..p-1 without the length bytes.
        ulong label = ((1UL << p) - 1) & ~1UL & ~lengths;
        if ((escaped & label) != 0)
            return false;
        Span<byte> dst = b.Reserve(32);
        ref byte to = ref MemoryMarshal.GetReference(dst);
        low.StoreUnsafe(ref to);
        high.StoreUnsafe(ref to, (nuint)(n - 17));
        // Each length byte after the first, and the terminating zero, becomes a dot.
        ulong dots = (lengths & ~1UL) | (1UL << p);
        while (dots != 0)
        {
            int at = System.Numerics.BitOperations.TrailingZeroCount(dots);
            dst[at - 1] = (byte)'.';
            dots &= dots - 1;
        }
        b.Advance(p);
        return true;
    }

    /// <summary>All ones in the lanes of bytes not written as themselves (outside <c>!</c>..<c>~</c>, <c>.</c>, <c>\</c>).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> NotPlainLanes(Vector128<byte> v)
        => Vector128.GreaterThanOrEqual(v - Vector128.Create((byte)'!'), Vector128.Create((byte)('~' - '!' + 1)))
            | Vector128.Equals(v, Vector128.Create((byte)'.'))
            | Vector128.Equals(v, Vector128.Create((byte)'\\'));

    /// <summary><see cref="TryAppendPlain"/> a byte at a time (any length).</summary>
    internal static bool TryAppendPlainLoop(ref ByteBuilder b, scoped ReadOnlySpan<byte> src)
    {
        if (src.IsEmpty || src[0] == 0)
            return false;
        Span<byte> dst = b.Reserve(src.Length);
        ReadOnlySpan<byte> plain = PlainBytes;
        int p = 0;
        int len = src[0];
        while (len != 0)
        {
            int end = p + 1 + len; // the next length byte, which must be inside the span too
            if (end >= src.Length)
                return false;
            for (int i = p + 1; i < end; i++)
            {
                byte c = src[i];
                if (plain[c] == 0)
                    return false;
                dst[i - 1] = c;
            }
            dst[end - 1] = (byte)'.';
            p = end;
            len = src[p];
        }
        b.Advance(p);
        return true;
    }

    /// <summary>Label bytes written as themselves: <c>!</c>..<c>~</c> except <c>.</c> and <c>\</c>.</summary>
    private static readonly SearchValues<byte> s_plain = SearchValues.Create(
        "!\"#$%&'()*+,-/0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~"u8);

    /// <summary>
    /// How many leading bytes of a label are written as themselves. Labels are mostly short, and below a vector's
    /// width a plain loop beats the vectorized search.
    /// </summary>
    private static int PlainLength(ReadOnlySpan<byte> label)
    {
        if (label.Length >= 32)
        {
            int end = label.IndexOfAnyExcept(s_plain);
            return end < 0 ? label.Length : end;
        }
        ReadOnlySpan<byte> plain = PlainBytes;
        for (int i = 0; i < label.Length; i++)
        {
            if (plain[label[i]] == 0)
                return i;
        }
        return label.Length;
    }

    /// <summary>1 for the bytes <see cref="s_plain"/> holds: <c>!</c>..<c>~</c> except <c>.</c> and <c>\</c>.</summary>
    private static ReadOnlySpan<byte> PlainBytes =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 0x00-0x1F
        0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, // ' ', '.'
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, // '\\'
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, // DEL
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];

    private static byte At(ReadOnlySpan<byte> s, int i) => (uint)i < (uint)s.Length ? s[i] : (byte)0;

    /// <summary>The <c>_wdns_str_to_name</c> state machine over UTF-8 bytes; returns the wire length or -1.</summary>
    internal static int ParseWire(ReadOnlySpan<byte> str, Span<byte> data)
    {
        // The common name, without escapes or NULs, in a loop of its own: each byte is a label's or ends one. It
        // gives what the state machine gives (the wire length equals its count of bytes so far, which the limits
        // are checked on), as ParseWireStates is tested to.
        if (str.Length > 1 && str.IndexOfAny((byte)'\\', (byte)0) < 0)
        {
            int w = 1, oclenAt = 0;
            for (int p = 0; p < str.Length; p++)
            {
                if (w >= 255)
                    return -1;
                byte c = str[p];
                if (c != '.')
                {
                    data[w++] = c;
                    continue;
                }
                if (w - oclenAt == 1)
                    return -1; // an empty label
                data[oclenAt] = (byte)(w - oclenAt - 1);
                oclenAt = w++;
            }
            if (str[^1] == '.')
            {
                data[oclenAt] = 0;
                return w;
            }
            if (w == 255)
                return -1;
            data[oclenAt] = (byte)(w - oclenAt - 1);
            data[w++] = 0;
            return w;
        }
        return ParseWireStates(str, data);
    }

    /// <summary>The state machine itself, for any name (<see cref="ParseWire"/> takes the plain ones first).</summary>
    internal static int ParseWireStates(ReadOnlySpan<byte> str, Span<byte> data)
    {
        int slen = str.Length;
        if (slen == 0 || (slen == 1 && str[0] == '.'))
        {
            data[0] = 0;
            return 1;
        }

        int len = 1;           // bytes of name so far (the pending length octet counts)
        int oclenAt = 0;       // where the current label's length octet goes
        int w = 1;             // next write position
        int labelLen = 0;
        int p = 0;
        for (; ; )
        {
            byte c = p < str.Length ? str[p] : (byte)0;
            p++;
            labelLen++;

            if (slen == 0)
            {
                if (len == 255)
                    return -1;
                data[oclenAt] = (byte)(--labelLen);
                data[w++] = 0;
                len++;
                break;
            }

            if (len >= 255)
                return -1;

            byte next = p < str.Length ? str[p] : (byte)0;
            if (c == '\\' && !IsDigit(next))
            {
                // An escaped character; a backslash at the very end has nothing to escape.
                if (p >= str.Length)
                    return -1;
                data[w++] = next;
                len++;
                p++;
                slen--;
            }
            else if (c == '\\' && slen >= 3)
            {
                if (p + 3 > str.Length)
                    return -1;
                byte d0 = str[p], d1 = str[p + 1], d2 = str[p + 2];
                p += 3;
                slen -= 3;
                if (!IsDigit(d0) || !IsDigit(d1) || !IsDigit(d2))
                    return -1;
                int val = (d0 - '0') * 100 + (d1 - '0') * 10 + (d2 - '0');
                if (val > 255)
                    return -1;
                data[w++] = (byte)val;
                len++;
            }
            else if (c == '\\')
            {
                return -1;
            }
            else if (c == '.')
            {
                labelLen--;
                data[oclenAt] = (byte)labelLen;
                if (labelLen == 0)
                    return -1;
                oclenAt = w++;
                len++;
                if (slen == 1)
                {
                    data[oclenAt] = 0;
                    break;
                }
                labelLen = 0;
            }
            else if (c != 0)
            {
                data[w++] = c;
                len++;
            }

            slen--;
        }
        return w;
    }

    private static bool IsDigit(byte c) => c >= '0' && c <= '9';
}
