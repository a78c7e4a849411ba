using Nmsg.Text;

namespace Nmsg.Tests;

/// <summary>The one-pass line split (terminators and ASCII) against the general split and StreamReader, and the chunk reader.</summary>
public class TextChunkTests
{
    /// <summary>The lines as the general split gives them (IndexOfAny of both terminators, line after line).</summary>
    private static List<string> Lines(byte[] text)
    {
        var lines = new List<string>();
        int at = 0;
        while (TextChunk.NextLine(text, ref at, out ReadOnlySpan<byte> line))
            lines.Add(Convert.ToHexString(line));
        return lines;
    }

    /// <summary>The lines of the one-pass split, each checked for its ASCII flag against Ascii.IsValid.</summary>
    private static List<string> LinesWithAscii(byte[] text)
    {
        var lines = new List<string>();
        int at = 0;
        while (TextChunk.NextLine(text, ref at, out ReadOnlySpan<byte> line, out bool ascii))
        {
            lines.Add(Convert.ToHexString(line));
            Assert.Equal(System.Text.Ascii.IsValid(line), ascii);
        }
        return lines;
    }

    /// <summary>What StreamReader.ReadLine makes of the text (bytes as Latin-1, so every byte is one char).</summary>
    private static List<string> ReadLines(byte[] text)
    {
        var lines = new List<string>();
        using var reader = new StreamReader(new MemoryStream(text), System.Text.Encoding.Latin1, detectEncodingFromByteOrderMarks: false);
        while (reader.ReadLine() is { } line)
            lines.Add(Convert.ToHexString(System.Text.Encoding.Latin1.GetBytes(line)));
        return lines;
    }

    [Fact]
    public void OnePassSplitAgreesWithTheGeneralSplitAndStreamReaderOnRandomText()
    {
        var random = new Random(20261123);
        byte[] filler = [(byte)'a', (byte)'{', 0x80, 0xFF, 0x0A ^ 0x80, 0x0D ^ 0x80, 0x0B, 0x0C];
        for (int trial = 0; trial < 20000; trial++)
        {
            int length = random.Next(trial % 10 == 0 ? 400 : 100);
            var text = new byte[length];
            // Mostly text with few terminators (as lines are), sometimes dense ones.
            int density = random.Next(1, 40);
            for (int i = 0; i < length; i++)
                text[i] = random.Next(density) != 0 ? filler[random.Next(filler.Length)] : random.Next(2) == 0 ? (byte)'\n' : (byte)'\r';
            if (trial % 3 == 0)
                text.AsSpan().Replace((byte)'\r', (byte)'\n');
            if (trial % 2 == 1)
            {
                // Mostly ASCII, as lines are: a non-ASCII byte here and there.
                for (int i = 0; i < length; i++)
                {
                    if (text[i] >= 0x80 && random.Next(50) != 0)
                        text[i] = (byte)'a';
                }
            }
            List<string> expected = ReadLines(text);
            Assert.Equal(expected, Lines(text));
            Assert.Equal(expected, LinesWithAscii(text));
        }
    }

    [Theory]
    [InlineData(4079)]
    [InlineData(4080)]
    [InlineData(4081)]
    [InlineData(8200)]
    [InlineData(65536)]
    public void OnePassSplitOfLongTexts(int length)
    {
        // All \n, sparse \n, a late \r, sparse \r\n, and a non-ASCII byte at every offset of a vector near the end.
        var random = new Random(length);
        byte[] dense = new byte[length];
        dense.AsSpan().Fill((byte)'\n');
        byte[] sparse = new byte[length];
        for (int i = 0; i < length; i++)
            sparse[i] = random.Next(100) == 0 ? (byte)'\n' : (byte)'a';
        byte[] late = (byte[])sparse.Clone();
        late[length - 1 - random.Next(Math.Min(length, 40))] = (byte)'\r';
        byte[] crlf = new byte[length];
        for (int i = 0; i < length; i++)
            crlf[i] = i > 0 && crlf[i - 1] == (byte)'\r' ? (byte)'\n' : random.Next(80) == 0 ? (byte)'\r' : (byte)'a';
        var texts = new List<byte[]> { dense, sparse, late, crlf };
        for (int k = 0; k < 40; k++)
        {
            byte[] high = new byte[length];
            high.AsSpan().Fill((byte)'a');
            high[^1] = (byte)'\n';
            high[Math.Max(0, length - 2 - k)] = 0xC3;
            texts.Add(high);
        }
        foreach (byte[] text in texts)
        {
            List<string> expected = ReadLines(text);
            Assert.Equal(expected, Lines(text));
            Assert.Equal(expected, LinesWithAscii(text));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("\r")]
    [InlineData("\r\n")]
    [InlineData("\n\r")]
    [InlineData("a")]
    [InlineData("a\nb")]
    [InlineData("a\r\nb\r\n")]
    [InlineData("a\rb\n\r")]
    [InlineData("0123456789abcdef0123456789abcde\r\n")]
    [InlineData("0123456789abcdef0123456789abcdef\r")]
    [InlineData("0123456789abcdef0123456789abcdef\r\nx")]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n\n")]
    public void OnePassSplitOfEdgeCases(string s)
    {
        byte[] text = System.Text.Encoding.ASCII.GetBytes(s);
        List<string> expected = ReadLines(text);
        Assert.Equal(expected, Lines(text));
        Assert.Equal(expected, LinesWithAscii(text));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    public async Task ChunksGrowToTheLinesAskedForAndStillSplitAtLineEnds(int linesPerChunk)
    {
        // 300 lines of 5 to 600 bytes: at 1 KB a chunk holds a couple of long lines; asked for 10 lines, chunks grow,
        // but never past four times the chunk size.
        var random = new Random(7);
        var text = new List<byte>();
        for (int i = 0; i < 300; i++)
        {
            int length = i < 150 ? random.Next(300, 600) : random.Next(5, 40);
            for (int j = 0; j < length; j++)
                text.Add((byte)('a' + random.Next(26)));
            text.Add((byte)'\n');
        }
        byte[] bytes = [.. text];
        var read = new List<byte>();
        int largest = 0;
        await foreach (TextChunk chunk in TextChunk.ReadAsync(new MemoryStream(bytes), 1024, linesPerChunk))
        {
            Assert.Equal((byte)'\n', chunk.Text[^1]);
            read.AddRange(chunk.Text.ToArray());
            largest = Math.Max(largest, chunk.Text.Length);
            chunk.ReturnBuffer();
        }
        Assert.Equal(bytes, read.ToArray());
        if (linesPerChunk == 0)
            Assert.True(largest <= 1024, $"{largest}");
        else
            Assert.True(largest is > 2048 and <= 4096, $"{largest}");
    }
}
