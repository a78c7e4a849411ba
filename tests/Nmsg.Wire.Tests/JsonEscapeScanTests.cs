using Nmsg.Text;

namespace Nmsg.Tests;

/// <summary>The scan for the first byte JSON must escape agrees with a byte-by-byte check at every length and position.</summary>
public class JsonEscapeScanTests
{
    private static int Reference(ReadOnlySpan<byte> s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] < 0x20 || s[i] == '"' || s[i] == '\\')
                return i;
        }
        return -1;
    }

    [Theory]
    [InlineData((byte)'a')]
    [InlineData((byte)0xC3)] // high bytes (UTF-8) need no escape: an unsigned comparison
    [InlineData((byte)0x7F)]
    public void First_escape_is_found_at_every_length_and_position(byte filler)
    {
        byte[] special = [0x00, 0x09, 0x1F, (byte)'"', (byte)'\\'];
        for (int length = 0; length <= 40; length++)
        {
            byte[] text = new byte[length];
            Array.Fill(text, filler);
            Assert.Equal(-1, JsonString.IndexOfNeedsEscape(text));
            for (int at = 0; at < length; at++)
            {
                foreach (byte b in special)
                {
                    Array.Fill(text, filler);
                    text[at] = b;
                    Assert.Equal(at, JsonString.IndexOfNeedsEscape(text));
                    // A second one later must not hide the first.
                    if (at + 1 < length)
                    {
                        text[length - 1] = (byte)'"';
                        Assert.Equal(Reference(text), JsonString.IndexOfNeedsEscape(text));
                    }
                }
            }
        }
    }

    [Fact]
    public void Agrees_with_a_byte_by_byte_check_on_random_text()
    {
        var random = new Random(20261123);
        for (int i = 0; i < 20000; i++)
        {
            byte[] text = new byte[random.Next(0, 48)];
            for (int k = 0; k < text.Length; k++)
                text[k] = (byte)(random.Next(8) == 0 ? random.Next(256) : random.Next(0x20, 0x7F));
            Assert.Equal(Reference(text), JsonString.IndexOfNeedsEscape(text));
        }
    }
}
