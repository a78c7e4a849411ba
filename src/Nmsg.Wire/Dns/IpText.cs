using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Nmsg.Dns;

/// <summary>
/// IP address text exactly as libnmsg and wdns print it (SPEC §8.4.5): dotted quad for IPv4; for IPv6 the classic
/// BIND <c>inet_ntop</c> (libmy <c>fast_inet_ntop</c>): lowercase groups without leading zeros, the first longest
/// run of two or more zero groups as <c>::</c>, <c>::a.b.c.d</c> and <c>::ffff:a.b.c.d</c> for compatible and
/// mapped addresses. <see cref="System.Net.IPAddress"/> differs on some of these, hence this type.
/// </summary>
public static class IpText
{
    /// <summary>Longest text either form can produce.</summary>
    internal const int MaxLength = 45;

    /// <summary>Appends the text of a 4- or 16-byte address; false (nothing written) for any other length.</summary>
    public static bool TryFormat(ReadOnlySpan<byte> address, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (address.Length != 4 && address.Length != 16)
            return false;
        Span<byte> dst = output.GetSpan(MaxLength);
        int n = address.Length == 4 ? WriteV4(address, dst) : WriteV6(address, dst);
        output.Advance(n);
        return true;
    }

    /// <summary>The address text as a string (convenience; allocates).</summary>
    public static string? ToString(ReadOnlySpan<byte> address)
    {
        if (address.Length != 4 && address.Length != 16)
            return null;
        Span<byte> dst = stackalloc byte[MaxLength];
        int n = address.Length == 4 ? WriteV4(address, dst) : WriteV6(address, dst);
        return System.Text.Encoding.ASCII.GetString(dst[..n]);
    }

    /// <summary>
    /// glibc <c>inet_pton</c>: first as IPv4 (exactly four decimal octets, no leading zeros), then as IPv6 (groups,
    /// one <c>::</c>, optional trailing dotted quad). Returns 4 or 16 bytes.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out byte[] address)
    {
        Span<byte> buf = stackalloc byte[16];
        if (TryParseV4(text, buf))
        {
            address = buf[..4].ToArray();
            return true;
        }
        if (TryParseV6(text, buf))
        {
            address = buf.ToArray();
            return true;
        }
        address = [];
        return false;
    }

    [System.Runtime.CompilerServices.SkipLocalsInit]
    internal static void Append(ref ByteBuilder b, scoped ReadOnlySpan<byte> address)
    {
        Span<byte> tmp = stackalloc byte[MaxLength];
        int n = address.Length == 4 ? WriteV4(address, tmp) : WriteV6(address, tmp);
        b.Append(tmp[..n]);
    }

    /// <summary>Each octet's decimal text in four bytes: up to three digits, then how many there are.</summary>
    private static readonly byte[] s_octets = BuildOctets();

    private static byte[] BuildOctets()
    {
        byte[] t = new byte[256 * 4];
        for (int v = 0; v < 256; v++)
        {
            int n = WriteV4Octet((byte)v, t.AsSpan(v * 4, 3));
            t[v * 4 + 3] = (byte)n;
        }
        return t;
    }

    private static int WriteV4Octet(byte v, Span<byte> dst)
    {
        int p = 0;
        if (v >= 100)
            dst[p++] = (byte)('0' + v / 100);
        if (v >= 10)
            dst[p++] = (byte)('0' + v / 10 % 10);
        dst[p++] = (byte)('0' + v % 10);
        return p;
    }

    /// <summary>
    /// The dotted quad. With room for 16 bytes (the text and one more), each octet's text is one four-byte move
    /// from a table, the byte after the digits then overwritten by the dot or left past the end.
    /// </summary>
    internal static int WriteV4(ReadOnlySpan<byte> a, Span<byte> dst)
    {
        if (a.Length < 4 || dst.Length < 16)
            return WriteV4Loop(a, dst);
        ref byte table = ref MemoryMarshal.GetArrayDataReference(s_octets);
        ref byte to = ref MemoryMarshal.GetReference(dst);
        int p = 0;
        for (int i = 0; i < 4; i++)
        {
            ref byte octet = ref Unsafe.Add(ref table, a[i] * 4);
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref to, p),
                Unsafe.ReadUnaligned<uint>(ref octet));
            p += Unsafe.Add(ref octet, 3);
            if (i < 3)
                Unsafe.Add(ref to, p++) = (byte)'.';
        }
        return p;
    }

    /// <summary>The dotted quad a byte at a time (any room that fits the text).</summary>
    internal static int WriteV4Loop(ReadOnlySpan<byte> a, Span<byte> dst)
    {
        int p = 0;
        for (int i = 0; i < 4; i++)
        {
            if (i > 0)
                dst[p++] = (byte)'.';
            p += WriteV4Octet(a[i], dst[p..]);
        }
        return p;
    }

    internal static int WriteV6(ReadOnlySpan<byte> a, Span<byte> dst)
    {
        Span<int> words = stackalloc int[8];
        for (int i = 0; i < 8; i++)
            words[i] = (a[2 * i] << 8) | a[2 * i + 1];

        // Longest run of zero words; on a tie the first one wins (only a strictly longer run replaces it).
        int bestBase = -1, bestLen = 0, curBase = -1, curLen = 0;
        for (int i = 0; i < 8; i++)
        {
            if (words[i] == 0)
            {
                if (curBase == -1)
                {
                    curBase = i;
                    curLen = 1;
                }
                else
                {
                    curLen++;
                }
            }
            else if (curBase != -1)
            {
                if (bestBase == -1 || curLen > bestLen)
                {
                    bestBase = curBase;
                    bestLen = curLen;
                }
                curBase = -1;
            }
        }
        if (curBase != -1 && (bestBase == -1 || curLen > bestLen))
        {
            bestBase = curBase;
            bestLen = curLen;
        }
        if (bestBase != -1 && bestLen < 2)
            bestBase = -1;

        int p = 0;
        for (int i = 0; i < 8; i++)
        {
            if (bestBase != -1 && i >= bestBase && i < bestBase + bestLen)
            {
                if (i == bestBase)
                    dst[p++] = (byte)':';
                continue;
            }
            if (i != 0)
                dst[p++] = (byte)':';
            if (i == 6 && bestBase == 0 && (bestLen == 6 || (bestLen == 5 && words[5] == 0xffff)))
            {
                p += WriteV4(a[12..], dst[p..]);
                return p;
            }
            p += WriteHexWord(words[i], dst[p..]);
        }
        if (bestBase != -1 && bestBase + bestLen == 8)
            dst[p++] = (byte)':';
        return p;
    }

    private static int WriteHexWord(int w, Span<byte> dst)
    {
        int digits = w >= 0x1000 ? 4 : w >= 0x100 ? 3 : w >= 0x10 ? 2 : 1;
        for (int i = digits - 1; i >= 0; i--)
        {
            dst[i] = ByteBuilder.HexLower[w & 0xF];
            w >>= 4;
        }
        return digits;
    }

    internal static bool TryParseV4(ReadOnlySpan<char> s, Span<byte> dst) => TryParseV4<char>(s, dst);

    /// <summary>
    /// <see cref="TryParseV4(ReadOnlySpan{char}, Span{byte})"/> of ASCII bytes (JSON input), without widening them:
    /// the same four octets of one to three digits (no leading zero, at most 255) and three dots, read octet by
    /// octet rather than a byte at a time through one loop's states (two addresses a dnsqr line).
    /// </summary>
    internal static bool TryParseV4(ReadOnlySpan<byte> s, Span<byte> dst)
    {
        if ((uint)(s.Length - 7) > 15 - 7 || dst.Length < 4)
            return false; // "0.0.0.0" to "255.255.255.255"
        int p = 0;
        for (int octet = 0; octet < 4; octet++)
        {
            if (octet > 0)
            {
                if (p >= s.Length || s[p] != (byte)'.')
                    return false;
                p++;
            }
            if (p >= s.Length)
                return false;
            uint v = (uint)(s[p] - '0');
            if (v > 9)
                return false;
            p++;
            uint d;
            if (p < s.Length && (d = (uint)(s[p] - '0')) <= 9)
            {
                if (v == 0)
                    return false; // a leading zero
                v = (v * 10) + d;
                p++;
                if (p < s.Length && (d = (uint)(s[p] - '0')) <= 9)
                {
                    v = (v * 10) + d;
                    p++;
                    if (v > 255)
                        return false;
                }
            }
            dst[octet] = (byte)v;
        }
        return p == s.Length;
    }

    /// <summary><see cref="TryParseV6(ReadOnlySpan{char}, Span{byte})"/> of ASCII bytes (JSON input), without widening them.</summary>
    internal static bool TryParseV6(ReadOnlySpan<byte> s, Span<byte> dst) => TryParseV6<byte>(s, dst);

    private static bool TryParseV4<T>(ReadOnlySpan<T> s, Span<byte> dst)
        where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        int octets = 0;
        int value = 0;
        bool sawDigit = false;
        for (int i = 0; i < s.Length; i++)
        {
            int c = int.CreateTruncating(s[i]);
            if (c >= '0' && c <= '9')
            {
                if (sawDigit && value == 0)
                    return false; // leading zero
                value = value * 10 + (c - '0');
                if (value > 255)
                    return false;
                if (!sawDigit)
                {
                    if (++octets > 4)
                        return false;
                    sawDigit = true;
                }
            }
            else if (c == '.' && sawDigit)
            {
                if (octets == 4)
                    return false;
                dst[octets - 1] = (byte)value;
                value = 0;
                sawDigit = false;
            }
            else
            {
                return false;
            }
        }
        if (octets < 4 || !sawDigit)
            return false;
        dst[3] = (byte)value;
        return true;
    }

    internal static bool TryParseV6(ReadOnlySpan<char> s, Span<byte> dst) => TryParseV6<char>(s, dst);

    private static bool TryParseV6<T>(ReadOnlySpan<T> s, Span<byte> dst)
        where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        Span<byte> tmp = stackalloc byte[16];
        tmp.Clear();
        int tp = 0;
        int colonp = -1;
        int i = 0;
        if (s.Length > 0 && int.CreateTruncating(s[0]) == ':')
        {
            if (s.Length < 2 || int.CreateTruncating(s[1]) != ':')
                return false;
            i = 1;
        }
        int curtok = i;
        bool sawXdigit = false;
        int val = 0;
        int digits = 0;
        while (i < s.Length)
        {
            int ch = int.CreateTruncating(s[i++]);
            int hv = ch <= char.MaxValue ? HexValue((char)ch) : -1;
            if (hv >= 0)
            {
                if (++digits > 4)
                    return false;
                val = (val << 4) | hv;
                sawXdigit = true;
                continue;
            }
            if (ch == ':')
            {
                curtok = i;
                if (!sawXdigit)
                {
                    if (colonp != -1)
                        return false;
                    colonp = tp;
                    continue;
                }
                if (i == s.Length)
                    return false;
                if (tp + 2 > 16)
                    return false;
                tmp[tp++] = (byte)(val >> 8);
                tmp[tp++] = (byte)val;
                sawXdigit = false;
                digits = 0;
                val = 0;
                continue;
            }
            if (ch == '.' && tp + 4 <= 16 && TryParseV4<T>(s[curtok..], tmp[tp..]))
            {
                tp += 4;
                sawXdigit = false;
                break;
            }
            return false;
        }
        if (sawXdigit)
        {
            if (tp + 2 > 16)
                return false;
            tmp[tp++] = (byte)(val >> 8);
            tmp[tp++] = (byte)val;
        }
        if (colonp != -1)
        {
            if (tp == 16)
                return false;
            int n = tp - colonp;
            for (int k = 1; k <= n; k++)
            {
                tmp[16 - k] = tmp[colonp + n - k];
                tmp[colonp + n - k] = 0;
            }
            tp = 16;
        }
        if (tp != 16)
            return false;
        tmp.CopyTo(dst);
        return true;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
