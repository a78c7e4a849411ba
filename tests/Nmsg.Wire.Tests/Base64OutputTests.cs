using Nmsg.Text;

namespace Nmsg.Tests;

/// <summary>The formats' own base64 encoder (vector steps and table tail) against the runtime's.</summary>
public class Base64OutputTests
{
    [Fact]
    public void Every_length_up_to_600_and_random_bytes_match_Convert()
    {
        var r = new Random(20261123);
        for (int round = 0; round < 20; round++)
        {
            for (int n = 0; n <= 600; n++)
            {
                byte[] data = new byte[n];
                r.NextBytes(data);
                if (round == 1)
                    Array.Fill(data, (byte)0xFF); // every 6-bit group 63
                if (round == 2)
                    Array.Fill(data, (byte)0);
                byte[] output = new byte[(n + 2) / 3 * 4 + 16];
                Array.Fill(output, (byte)'?');
                int written = Utf8Output.EncodeBase64(data, output);
                Assert.Equal(Convert.ToBase64String(data), System.Text.Encoding.ASCII.GetString(output, 0, written));
                Assert.All(output.AsSpan(written).ToArray(), b => Assert.Equal((byte)'?', b)); // nothing past the text
            }
        }
    }

    [Fact]
    public void Every_six_bit_value_in_every_position_of_a_vector_step()
    {
        // 12-byte steps: each of the 16 groups takes each of the 64 values once.
        for (int value = 0; value < 64; value++)
        {
            for (int group = 0; group < 16; group++)
            {
                byte[] data = new byte[24];
                int bit = group * 6;
                for (int k = 0; k < 6; k++)
                {
                    if ((value & (32 >> k)) != 0)
                        data[(bit + k) / 8] |= (byte)(0x80 >> ((bit + k) % 8));
                }
                byte[] output = new byte[32];
                int written = Utf8Output.EncodeBase64(data, output);
                Assert.Equal(Convert.ToBase64String(data), System.Text.Encoding.ASCII.GetString(output, 0, written));
            }
        }
    }

    [Fact]
    public void A_short_output_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Utf8Output.EncodeBase64(new byte[4], new byte[7]));
    }
}
