using Nmsg.Text;

namespace Nmsg.Tests;

/// <summary>The chunk line counter and the <c>\n</c>-only line split against the general line split.</summary>
public class TextChunkTests
{
    private static List<string> Lines(byte[] text, bool noCarriageReturn)
    {
        var lines = new List<string>();
        int at = 0;
        while (TextChunk.NextLine(text, noCarriageReturn, ref at, out ReadOnlySpan<byte> line))
            lines.Add(Convert.ToHexString(line));
        return lines;
    }

    [Fact]
    public void CountLinesAgreesWithNextLineOnRandomText()
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
            List<string> expected = Lines(text, noCarriageReturn: false);
            long count = TextChunk.CountLines(text, out bool noCarriageReturn);
            Assert.Equal(expected.Count, count);
            Assert.Equal(Array.IndexOf(text, (byte)'\r') < 0, noCarriageReturn);
            Assert.Equal(noCarriageReturn, TextChunk.CountNewlines(text, out long newlines));
            if (noCarriageReturn)
            {
                Assert.Equal(text.AsSpan().Count((byte)'\n'), newlines);
                Assert.Equal(expected, Lines(text, noCarriageReturn: true));
            }
            // The split that also tells ASCII lines: the same lines, and the flag as Ascii.IsValid.
            var withAscii = new List<string>();
            int at = 0;
            while (TextChunk.NextLine(text, noCarriageReturn, ref at, out ReadOnlySpan<byte> line, out bool ascii))
            {
                withAscii.Add(Convert.ToHexString(line));
                Assert.Equal(System.Text.Ascii.IsValid(line), ascii);
            }
            Assert.Equal(expected, withAscii);
        }
    }

    [Theory]
    [InlineData(4079)]
    [InlineData(4080)]
    [InlineData(4081)]
    [InlineData(8200)]
    [InlineData(65536)]
    public void CountLinesOfLongTexts(int length)
    {
        // All \n (every byte lane counts to its most in a block), sparse \n, and a late \r.
        var random = new Random(length);
        byte[] dense = new byte[length];
        dense.AsSpan().Fill((byte)'\n');
        byte[] sparse = new byte[length];
        for (int i = 0; i < length; i++)
            sparse[i] = random.Next(100) == 0 ? (byte)'\n' : (byte)'a';
        byte[] late = (byte[])sparse.Clone();
        late[length - 1 - random.Next(Math.Min(length, 40))] = (byte)'\r';
        foreach (byte[] text in new[] { dense, sparse, late })
        {
            Assert.Equal(Lines(text, noCarriageReturn: false).Count, TextChunk.CountLines(text, out bool noCarriageReturn));
            Assert.Equal(Array.IndexOf(text, (byte)'\r') < 0, noCarriageReturn);
            if (noCarriageReturn)
            {
                Assert.True(TextChunk.CountNewlines(text, out long newlines));
                Assert.Equal(text.AsSpan().Count((byte)'\n'), newlines);
            }
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("a")]
    [InlineData("a\nb")]
    [InlineData("a\r\nb\r\n")]
    [InlineData("a\rb\n\r")]
    [InlineData("0123456789abcdef0123456789abcdef\r")]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n\n")]
    public void CountLinesOfEdgeCases(string s)
    {
        byte[] text = System.Text.Encoding.ASCII.GetBytes(s);
        Assert.Equal(Lines(text, noCarriageReturn: false).Count, TextChunk.CountLines(text, out bool noCarriageReturn));
        Assert.Equal(!s.Contains('\r'), noCarriageReturn);
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
        long expectedLine = 1;
        int largest = 0;
        await foreach (TextChunk chunk in TextChunk.ReadAsync(new MemoryStream(bytes), 1024, linesPerChunk))
        {
            Assert.Equal(expectedLine, chunk.FirstLine);
            Assert.Equal((byte)'\n', chunk.Text[^1]);
            expectedLine += TextChunk.CountLines(chunk.Text, out _);
            read.AddRange(chunk.Text.ToArray());
            largest = Math.Max(largest, chunk.Text.Length);
            chunk.ReturnBuffer();
        }
        Assert.Equal(bytes, read.ToArray());
        Assert.Equal(301, expectedLine);
        if (linesPerChunk == 0)
            Assert.True(largest <= 1024, $"{largest}");
        else
            Assert.True(largest is > 2048 and <= 4096, $"{largest}");
    }
}
