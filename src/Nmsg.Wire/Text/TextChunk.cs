using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nmsg.Text;

/// <summary>
/// A run of whole lines of a text input in a pooled buffer: the unit the JSON reader parses, on the reading thread or
/// on a worker. Lines end as <see cref="StreamReader"/> ends them (<c>\n</c>, <c>\r\n</c> or a lone <c>\r</c>); only
/// the last chunk of a stream may end without a terminator. The reading thread does not count the lines (that is a
/// pass over every byte): whoever walks them with <see cref="NextLine(ReadOnlySpan{byte}, ref int, out ReadOnlySpan{byte}, out bool)"/>
/// numbers them.
/// </summary>
internal sealed class TextChunk
{
    public byte[] Buffer = [];
    public int Length;

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
    {
        if (start >= text.Length)
        {
            line = default;
            return false;
        }
        int end = text[start..].IndexOfAny((byte)'\n', (byte)'\r');
        if (end < 0)
        {
            line = text[start..];
            start = text.Length;
            return true;
        }
        return EndAt(text, start + end, ref start, out line);
    }

    /// <summary>
    /// As <see cref="NextLine(ReadOnlySpan{byte}, ref int, out ReadOnlySpan{byte})"/>, and whether the line is all
    /// ASCII (as <see cref="System.Text.Ascii.IsValid(ReadOnlySpan{byte})"/>): one pass over the line looks for both
    /// terminators and the non-ASCII bytes.
    /// </summary>
    public static bool NextLine(ReadOnlySpan<byte> text, ref int start, out ReadOnlySpan<byte> line, out bool ascii)
    {
        if (!Vector128.IsHardwareAccelerated)
        {
            bool more = NextLine(text, ref start, out line);
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
        Vector128<byte> lf = Vector128.Create((byte)'\n'), cr = Vector128.Create((byte)'\r'), any = Vector128<byte>.Zero;
        int p = start;
        // Thirty-two bytes a step while no terminator is among them (lines are long), then sixteen.
        for (; p <= text.Length - (2 * Vector128<byte>.Count); p += 2 * Vector128<byte>.Count)
        {
            Vector128<byte> v0 = Vector128.LoadUnsafe(ref first, (nuint)p), v1 = Vector128.LoadUnsafe(ref first, (nuint)(p + Vector128<byte>.Count));
            if ((Vector128.Equals(v0, lf) | Vector128.Equals(v1, lf) | Vector128.Equals(v0, cr) | Vector128.Equals(v1, cr)) != Vector128<byte>.Zero)
                break;
            any |= v0 | v1;
        }
        for (; p <= text.Length - Vector128<byte>.Count; p += Vector128<byte>.Count)
        {
            Vector128<byte> v = Vector128.LoadUnsafe(ref first, (nuint)p);
            uint stop = (Vector128.Equals(v, lf) | Vector128.Equals(v, cr)).ExtractMostSignificantBits();
            if (stop != 0)
            {
                int k = BitOperations.TrailingZeroCount(stop);
                // The high bits of the bytes before the terminator, and of those of the vectors before.
                uint high = v.ExtractMostSignificantBits() & ((1u << k) - 1);
                ascii = high == 0 && (any & Vector128.Create((byte)0x80)) == Vector128<byte>.Zero;
                return EndAt(text, p + k, ref start, out line);
            }
            any |= v;
        }
        bool asciiSoFar = (any & Vector128.Create((byte)0x80)) == Vector128<byte>.Zero;
        int end = text[p..].IndexOfAny((byte)'\n', (byte)'\r');
        if (end < 0)
        {
            ascii = asciiSoFar && System.Text.Ascii.IsValid(text[p..]);
            line = text[start..];
            start = text.Length;
            return true;
        }
        ascii = asciiSoFar && System.Text.Ascii.IsValid(text.Slice(p, end));
        return EndAt(text, p + end, ref start, out line);
    }

    /// <summary>The line from <paramref name="start"/> to the terminator at <paramref name="end"/>, and the start of the next.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool EndAt(ReadOnlySpan<byte> text, int end, ref int start, out ReadOnlySpan<byte> line)
    {
        line = text[start..end];
        start = AfterTerminator(text, end);
        return true;
    }

    /// <summary>Where the line after the terminator at <paramref name="end"/> starts (after a <c>\r\n</c> pair, both).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int AfterTerminator(ReadOnlySpan<byte> text, int end)
        => end + (text[end] == (byte)'\r' && end + 1 < text.Length && text[end + 1] == (byte)'\n' ? 2 : 1);

    /// <summary>How much of a chunk <see cref="ReadAsync"/> looks at for the length of its lines.</summary>
    private const int SampleBytes = 16 * 1024;

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
    /// of the length of the last chunk's first lines, so that a chunk of long lines is as much work as one of short lines.
    /// </param>
    /// <param name="cancellationToken">Stops the read.</param>
    public static async IAsyncEnumerable<TextChunk> ReadAsync(Stream stream, int chunkSize, int linesPerChunk = 0,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        int size = chunkSize;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(size);
        int filled = 0;
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
                        var last = new TextChunk { Buffer = buffer, Length = filled };
                        buffer = [];
                        yield return last;
                    }
                    yield break;
                }
                filled += n;
                int split = SplitPoint(buffer.AsSpan(0, filled));
                if (split <= 0)
                    continue;
                var chunk = new TextChunk { Buffer = buffer, Length = split };
                if (linesPerChunk > 0)
                {
                    // The line length from the first few KB: counting every line here would be a pass over every byte
                    // on the one reading thread. No \n there: long lines (or \r-only ends), the largest chunk.
                    ReadOnlySpan<byte> sample = chunk.Text[..Math.Min(split, SampleBytes)];
                    int lines = sample.Count((byte)'\n');
                    size = lines == 0 ? 4 * chunkSize : (int)Math.Clamp((long)sample.Length / lines * linesPerChunk, chunkSize, 4L * chunkSize);
                }
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
