using System.Buffers;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Nmsg.Internal;
using Nmsg.Modules;

namespace Nmsg.Text;

/// <summary>libnmsg's JSON string rules (SPEC §6.3): UTF-8 sanitizing, NUL-terminated segments, escaping.</summary>
internal static class JsonString
{
    private static ReadOnlySpan<byte> Replacement => [0xEF, 0xBF, 0xBD];

    /// <summary>The bytes JSON text must escape: <c>"</c>, <c>\</c> and the control bytes.</summary>
    internal static readonly SearchValues<byte> NeedsEscape = SearchValues.Create(
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, (byte)'"', (byte)'\\']);

    /// <summary>
    /// The index of the first byte that needs a JSON escape, or -1. Short text (most DNS labels, names and rdata)
    /// is checked in a plain loop: below a vector's width the vectorized search costs more than it saves.
    /// </summary>
    internal static int IndexOfNeedsEscape(ReadOnlySpan<byte> s)
    {
        if (s.Length >= 32)
            return s.IndexOfAny(NeedsEscape);
        // 16 to 31 bytes (most names, many rdata): two overlapping vectors answer the usual "none"; the loop
        // below finds the first where there is one.
        if (s.Length >= 16 && Vector128.IsHardwareAccelerated)
        {
            ref byte start = ref MemoryMarshal.GetReference(s);
            Vector128<byte> any = EscapeLanes(Vector128.LoadUnsafe(ref start))
                | EscapeLanes(Vector128.LoadUnsafe(ref start, (nuint)(s.Length - 16)));
            if (any == Vector128<byte>.Zero)
                return -1;
        }
        ReadOnlySpan<byte> escaped = EscapedBytes;
        for (int i = 0; i < s.Length; i++)
        {
            if (escaped[s[i]] != 0)
                return i;
        }
        return -1;
    }

    /// <summary>All ones in the lanes that hold a byte of <see cref="NeedsEscape"/> (unsigned: 0x80 and up are not).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> EscapeLanes(Vector128<byte> v)
        => Vector128.LessThan(v, Vector128.Create((byte)0x20))
            | Vector128.Equals(v, Vector128.Create((byte)'"'))
            | Vector128.Equals(v, Vector128.Create((byte)'\\'));

    /// <summary>1 for the bytes <see cref="NeedsEscape"/> holds: controls, <c>"</c> and <c>\</c>.</summary>
    private static ReadOnlySpan<byte> EscapedBytes =>
    [
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, // 0x00-0x1F
        0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // '"'
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, // '\\'
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];

    /// <summary>Writes a quoted, escaped .NET string (names, enum values, aliases: short, so transcoded on the stack).</summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    public static void Write(PooledBufferWriter w, string s)
    {
        int max = System.Text.Encoding.UTF8.GetMaxByteCount(s.Length);
        byte[]? rented = max > 256 ? ArrayPool<byte>.Shared.Rent(max) : null;
        Span<byte> utf8 = rented ?? stackalloc byte[256];
        int n = System.Text.Encoding.UTF8.GetBytes(s, utf8);
        w.Byte((byte)'"');
        WriteEscapedContent(w, utf8[..n]);
        w.Byte((byte)'"');
        if (rented is not null)
            ArrayPool<byte>.Shared.Return(rented);
    }

    /// <summary>
    /// Writes bytes as a quoted JSON string. With <paramref name="sanitize"/> (STRING/MLSTRING fields), invalid
    /// UTF-8 becomes U+FFFD and each valid run ends at its first NUL, as libnmsg does.
    /// </summary>
    public static void WriteEscaped(PooledBufferWriter w, ReadOnlySpan<byte> s, bool sanitize)
    {
        w.Byte((byte)'"');
        if (!sanitize)
        {
            WriteEscapedContent(w, s);
        }
        else
        {
            int segment = 0, i = 0;
            while (i < s.Length)
            {
                int n = ValidSequenceLength(s[i..], out int consumeInvalid);
                if (n > 0)
                {
                    i += n;
                    continue;
                }
                WriteSegment(w, s[segment..i]);
                w.Write(Replacement);
                i += consumeInvalid;
                segment = i;
            }
            WriteSegment(w, s[segment..]);
        }
        w.Byte((byte)'"');
    }

    private static void WriteSegment(PooledBufferWriter w, ReadOnlySpan<byte> segment)
        => WriteEscapedContent(w, NmsgPresentation.UpToNul(segment));

    /// <summary>
    /// Length of the valid UTF-8 sequence at the start of <paramref name="s"/>, or 0 if invalid, with the bytes
    /// one U+FFFD replaces in <paramref name="invalidLength"/>.
    /// </summary>
    private static int ValidSequenceLength(ReadOnlySpan<byte> s, out int invalidLength)
    {
        invalidLength = 1;
        byte b = s[0];
        if (b < 0x80)
            return 1;
        int need;
        bool overlong = false;
        if (b is 0xC0 or 0xC1)
        {
            need = 1;
            overlong = true;
        }
        else if (b >= 0xC2 && b <= 0xDF)
        {
            need = 1;
        }
        else if (b >= 0xE0 && b <= 0xEF)
        {
            need = 2;
            overlong = b == 0xE0 && s.Length > 1 && s[1] < 0xA0;
        }
        else if (b >= 0xF0 && b <= 0xF7)
        {
            need = 3;
            overlong = b == 0xF0 && s.Length > 1 && s[1] < 0x90;
        }
        else
        {
            return 0; // lone continuation byte or an invalid lead
        }
        if (s.Length <= need)
            return 0; // truncated
        for (int k = 1; k <= need; k++)
        {
            if ((s[k] & 0xC0) != 0x80)
                return 0;
        }
        if (overlong)
        {
            invalidLength = need + 1; // a recognised overlong form is replaced whole
            return 0;
        }
        return need + 1;
    }

    /// <summary>Escapes <c>"</c>, <c>\</c> and control bytes; everything else (UTF-8 included) passes through.</summary>
    public static void WriteEscapedContent(PooledBufferWriter w, ReadOnlySpan<byte> s)
    {
        int start = 0;
        int first = IndexOfNeedsEscape(s);
        if (first < 0)
        {
            w.Write(s);
            return;
        }
        for (int i = first; i < s.Length; i++)
        {
            byte b = s[i];
            if (b >= 0x20 && b != (byte)'"' && b != (byte)'\\')
                continue;
            w.Write(s[start..i]);
            start = i + 1;
            switch (b)
            {
                case (byte)'"': w.Write("\\\""u8); break;
                case (byte)'\\': w.Write("\\\\"u8); break;
                case 0x08: w.Write("\\b"u8); break;
                case 0x0C: w.Write("\\f"u8); break;
                case (byte)'\n': w.Write("\\n"u8); break;
                case (byte)'\r': w.Write("\\r"u8); break;
                case (byte)'\t': w.Write("\\t"u8); break;
                default:
                    w.Write("\\u00"u8);
                    w.Hex(b, 2);
                    break;
            }
        }
        w.Write(s[start..]);
    }
}

/// <summary>base:encode's JSON payload object (SPEC §8.1): <c>{"val":…,"b64":"…"}</c>.</summary>
internal static class EncodePayload
{
    public static void Write(NmsgModule module, PayloadFields fields, ReadOnlySpan<byte> payload, PooledBufferWriter w)
    {
        int type = -1;
        NmsgField? typeField = module.FindField("type");
        if (typeField is not null)
        {
            var values = new List<NmsgFieldValue>(1);
            fields.Collect(typeField, values);
            if (values.Count > 0)
                type = (int)values[0].Bits;
        }
        w.Byte((byte)'{');
        bool val = false;
        switch (type)
        {
            case 1: // JSON: inserted verbatim when it parses
                if (IsJson(payload))
                {
                    w.Write("\"val\":"u8);
                    w.Write(payload);
                    val = true;
                }
                break;
            case 3: // MSGPACK: no text form
                break;
            default: // TEXT, YAML, XML
                w.Write("\"val\":"u8);
                JsonString.WriteEscaped(w, payload, sanitize: true);
                val = true;
                break;
        }
        if (val)
            w.Byte((byte)',');
        w.Write("\"b64\":\""u8);
        w.Base64(payload);
        w.Write("\"}"u8);
    }

    private static bool IsJson(ReadOnlySpan<byte> payload)
    {
        try
        {
            var reader = new System.Text.Json.Utf8JsonReader(payload, new System.Text.Json.JsonReaderOptions { AllowTrailingCommas = false });
            while (reader.Read())
            {
            }
            return reader.BytesConsumed > 0;
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }
}
