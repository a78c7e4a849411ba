using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nmsg.Text;

/// <summary>
/// A run of whole lines of a text input in a pooled buffer, with the number of its first line: the unit the JSON
/// reader parses, on the reading thread or on a worker. Lines end as <see cref="StreamReader"/> ends them
/// (<c>\n</c>, <c>\r\n</c> or a lone <c>\r</c>); only the last chunk of a stream may end without a terminator.
/// </summary>
internal sealed class TextChunk
{
    public byte[] Buffer = [];
    public int Length;
    public long FirstLine;

    /// <summary>True when the text is known to hold no <c>\r</c>: every line ends at a <c>\n</c>.</summary>
    public bool NoCarriageReturn;

    public ReadOnlySpan<byte> Text => Buffer.AsSpan(0, Length);

    /// <summary>Gives the buffer back to the pool (the chunk's text is gone after this).</summary>
    public void ReturnBuffer()
    {
        if (Buffer.Length > 0)
            ArrayPool<byte>.Shared.Return(Buffer);
        Buffer = [];
        Length = 0;
    }

    /// <summary>
    /// The line that starts at <paramref name="start"/> (without its terminator) and where the next one starts.
    /// False at the end of the chunk.
    /// </summary>
    public static bool NextLine(ReadOnlySpan<byte> text, ref int start, out ReadOnlySpan<byte> line)
        => NextLine(text, noCarriageReturn: false, ref start, out line);

    /// <summary>
    /// As <see cref="NextLine(ReadOnlySpan{byte}, ref int, out ReadOnlySpan{byte})"/>; with
    /// <paramref name="noCarriageReturn"/> (the text is known to hold no <c>\r</c>) only <c>\n</c> is looked for.
    /// </summary>
    public static bool NextLine(ReadOnlySpan<byte> text, bool noCarriageReturn, ref int start, out ReadOnlySpan<byte> line)
    {
        if (start >= text.Length)
        {
            line = default;
            return false;
        }
        ReadOnlySpan<byte> rest = text[start..];
        int end = noCarriageReturn ? rest.IndexOf((byte)'\n') : rest.IndexOfAny((byte)'\n', (byte)'\r');
        if (end < 0)
        {
            line = rest;
            start = text.Length;
            return true;
        }
        line = rest[..end];
        start += end + (rest[end] == (byte)'\r' && end + 1 < rest.Length && rest[end + 1] == (byte)'\n' ? 2 : 1);
        return true;
    }

    /// <summary>
    /// As <see cref="NextLine(ReadOnlySpan{byte}, bool, ref int, out ReadOnlySpan{byte})"/>, and whether the line is
    /// all ASCII (as <see cref="System.Text.Ascii.IsValid(ReadOnlySpan{byte})"/>): with <paramref name="noCarriageReturn"/>
    /// the <c>\n</c> and the non-ASCII bytes are looked for in the same pass over the line.
    /// </summary>
    public static bool NextLine(ReadOnlySpan<byte> text, bool noCarriageReturn, ref int start, out ReadOnlySpan<byte> line, out bool ascii)
    {
        if (!noCarriageReturn || !Vector128.IsHardwareAccelerated)
        {
            bool more = NextLine(text, noCarriageReturn, ref start, out line);
            ascii = System.Text.Ascii.IsValid(line);
            return more;
        }
        if (start >= text.Length)
        {
            line = default;
            ascii = true;
            return false;
        }
        ref byte first = ref MemoryMarshal.GetReference(text);
        Vector128<byte> lf = Vector128.Create((byte)'\n'), any = Vector128<byte>.Zero;
        int p = start;
        // Thirty-two bytes a step while no \n is among them (lines are long), then sixteen.
        for (; p <= text.Length - (2 * Vector128<byte>.Count); p += 2 * Vector128<byte>.Count)
        {
            Vector128<byte> v0 = Vector128.LoadUnsafe(ref first, (nuint)p), v1 = Vector128.LoadUnsafe(ref first, (nuint)(p + Vector128<byte>.Count));
            if ((Vector128.Equals(v0, lf) | Vector128.Equals(v1, lf)) != Vector128<byte>.Zero)
                break;
            any |= v0 | v1;
        }
        for (; p <= text.Length - Vector128<byte>.Count; p += Vector128<byte>.Count)
        {
            Vector128<byte> v = Vector128.LoadUnsafe(ref first, (nuint)p);
            uint newline = Vector128.Equals(v, lf).ExtractMostSignificantBits();
            if (newline != 0)
            {
                int k = BitOperations.TrailingZeroCount(newline);
                // The high bits of the bytes before the \n, and of those of the vectors before.
                uint high = v.ExtractMostSignificantBits() & ((1u << k) - 1);
                ascii = high == 0 && (any & Vector128.Create((byte)0x80)) == Vector128<byte>.Zero;
                line = text[start..(p + k)];
                start = p + k + 1;
                return true;
            }
            any |= v;
        }
        bool asciiSoFar = (any & Vector128.Create((byte)0x80)) == Vector128<byte>.Zero;
        int end = text[p..].IndexOf((byte)'\n');
        int lineEnd = end < 0 ? text.Length : p + end;
        ascii = asciiSoFar && System.Text.Ascii.IsValid(text[p..lineEnd]);
        line = text[start..lineEnd];
        start = end < 0 ? text.Length : lineEnd + 1;
        return true;
    }

    /// <summary>
    /// The number of lines in a chunk's text (a final line without a terminator counts), and whether it holds no <c>\r</c>: the common text (no <c>\r</c>)
    /// is counted in one pass that also looks for <c>\r</c> (this runs on the single reading thread).
    /// </summary>
    public static long CountLines(ReadOnlySpan<byte> text, out bool noCarriageReturn)
    {
        noCarriageReturn = CountNewlines(text, out long newlines);
        if (noCarriageReturn)
            return newlines + (text.Length > 0 && text[^1] != (byte)'\n' ? 1 : 0);
        long n = 0;
        int at = 0;
        while (NextLine(text, ref at, out _))
            n++;
        return n;
    }

    /// <summary>
    /// Counts the <c>\n</c> of <paramref name="text"/> into <paramref name="newlines"/> and returns whether it holds
    /// no <c>\r</c> (when it does, the count may stop short: the caller counts lines another way).
    /// </summary>
    internal static bool CountNewlines(ReadOnlySpan<byte> text, out long newlines)
    {
        long n = 0;
        int i = 0;
        ref byte start = ref MemoryMarshal.GetReference(text);
        if (Vector128.IsHardwareAccelerated)
        {
            // Per byte lane, a count of the \n seen (a match is all ones: subtracting it adds one) and whether a \r
            // was: no branch, popcount or horizontal sum per vector, only per block of 255 vectors (a lane's most).
            Vector128<byte> lf = Vector128.Create((byte)'\n'), cr = Vector128.Create((byte)'\r');
            while (i <= text.Length - Vector128<byte>.Count)
            {
                int blockEnd = (int)Math.Min(text.Length - Vector128<byte>.Count, i + (254L * Vector128<byte>.Count));
                Vector128<byte> counts = Vector128<byte>.Zero, crs = Vector128<byte>.Zero;
                for (; i <= blockEnd; i += Vector128<byte>.Count)
                {
                    Vector128<byte> v = Vector128.LoadUnsafe(ref start, (nuint)i);
                    counts -= Vector128.Equals(v, lf);
                    crs |= Vector128.Equals(v, cr);
                }
                if (crs != Vector128<byte>.Zero)
                {
                    newlines = n;
                    return false;
                }
                n += Vector128.Sum(Vector128.WidenLower(counts) + Vector128.WidenUpper(counts));
            }
        }
        for (; i < text.Length; i++)
        {
            byte b = Unsafe.Add(ref start, i);
            if (b == (byte)'\r')
            {
                newlines = n;
                return false;
            }
            if (b == (byte)'\n')
                n++;
        }
        newlines = n;
        return true;
    }

    /// <summary>
    /// Reads a stream as chunks of whole lines of about <paramref name="chunkSize"/> bytes (longer where one line is
    /// longer). A chunk is handed out as soon as a read completes a line, so a slow stream (a pipe, a socket) is not
    /// held back waiting for a full chunk. A UTF-8 byte order mark at the start is skipped, as StreamReader does.
    /// The caller owns each chunk and returns its buffer.
    /// </summary>
    /// <param name="stream">The text.</param>
    /// <param name="chunkSize">The bytes of a chunk, or the least of them with <paramref name="linesPerChunk"/>.</param>
    /// <param name="linesPerChunk">
    /// When above 0, later chunks grow (up to four times <paramref name="chunkSize"/>) to hold about this many lines
    /// of the length of the last chunk's, so that a chunk of long lines is as much work as one of short lines.
    /// </param>
    /// <param name="cancellationToken">Stops the read.</param>
    public static async IAsyncEnumerable<TextChunk> ReadAsync(Stream stream, int chunkSize, int linesPerChunk = 0,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        int size = chunkSize;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(size);
        int filled = 0;
        long line = 1;
        bool start = true;
        try
        {
            for (; ; )
            {
                if (filled == buffer.Length)
                    buffer = Grow(buffer, filled);
                int n = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                if (start && (n > 0 || filled > 0))
                {
                    // Wait for three bytes (or the end) to know whether a byte order mark is there.
                    if (n > 0 && filled + n < 3)
                    {
                        filled += n;
                        continue;
                    }
                    filled += n;
                    n = 0;
                    start = false;
                    if (buffer.AsSpan(0, filled).StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
                    {
                        filled -= 3;
                        buffer.AsSpan(3, filled).CopyTo(buffer);
                    }
                    if (filled == 0)
                        continue;
                }
                else if (n == 0)
                {
                    if (filled > 0)
                    {
                        var last = new TextChunk { Buffer = buffer, Length = filled, FirstLine = line };
                        buffer = [];
                        yield return last;
                    }
                    yield break;
                }
                filled += n;
                int split = SplitPoint(buffer.AsSpan(0, filled));
                if (split <= 0)
                    continue;
                var chunk = new TextChunk { Buffer = buffer, Length = split, FirstLine = line };
                long lines = CountLines(chunk.Text, out chunk.NoCarriageReturn);
                line += lines;
                if (linesPerChunk > 0 && lines > 0)
                    size = (int)Math.Clamp(split / lines * linesPerChunk, chunkSize, 4L * chunkSize);
                byte[] next = ArrayPool<byte>.Shared.Rent(Math.Max(size, filled - split));
                buffer.AsSpan(split, filled - split).CopyTo(next);
                filled -= split;
                buffer = next;
                yield return chunk;
            }
        }
        finally
        {
            if (buffer.Length > 0)
                ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Where the whole lines of <paramref name="text"/> end: after the last <c>\n</c>, else after the last lone
    /// <c>\r</c> that is known not to be the first half of <c>\r\n</c>; 0 when no line is complete yet.
    /// </summary>
    private static int SplitPoint(ReadOnlySpan<byte> text)
    {
        int lf = text.LastIndexOf((byte)'\n');
        if (lf >= 0)
            return lf + 1;
        // No \n at all: a \r followed by anything ends a line.
        int cr = text[..^1].LastIndexOf((byte)'\r');
        return cr + 1;
    }

    private static byte[] Grow(byte[] buffer, int filled)
    {
        if (buffer.Length >= Array.MaxLength)
            throw new OutOfMemoryException("a line is longer than the largest buffer");
        byte[] larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Array.MaxLength, 2L * buffer.Length));
        buffer.AsSpan(0, filled).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(buffer);
        return larger;
    }
}
