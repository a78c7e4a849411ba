using Nmsg.Checksums;

namespace Nmsg.Tests;

public class Crc32CTests
{
    [Theory]
    [InlineData("123456789", 0xE3069283u)]   // libmy/crc32c_test.c
    [InlineData("a", 0xC1D04330u)]
    [InlineData("", 0u)]
    public void Check_values(string text, uint expected)
        => Assert.Equal(expected, Crc32C.Compute(System.Text.Encoding.ASCII.GetBytes(text)));

    [Fact]
    public void Thirty_two_zero_bytes()
        => Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));

    [Fact]
    public void Wire_value_is_byte_swapped_as_in_spec_appendix_A1()
    {
        byte[] payload = Convert.FromHexString("0a057465737400120668656c6c6f00");
        Assert.Equal(0x09E5C94Au, Crc32C.Compute(payload));
        Assert.Equal(0x4AC9E509u, Crc32C.ComputeWire(payload));
    }

    [Fact]
    public void Agrees_with_a_bitwise_reference_at_every_length_and_across_segments()
    {
        var rng = new Random(7);
        byte[] data = new byte[300];
        rng.NextBytes(data);
        for (int n = 0; n <= data.Length; n++)
        {
            uint expected = Bitwise(data.AsSpan(0, n));
            Assert.Equal(expected, Crc32C.Compute(data.AsSpan(0, n)));
            var seq = Support.TestSegment.Build(data[..n], [n / 3, n / 2]);
            Assert.Equal(expected, Crc32C.Compute(seq));
        }
    }

    private static uint Bitwise(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78 : crc >> 1;
        }
        return ~crc;
    }
}
