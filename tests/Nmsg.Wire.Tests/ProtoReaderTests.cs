using Nmsg.Protobuf;

namespace Nmsg.Tests;

/// <summary>
/// The envelope's protobuf primitives against a byte-at-a-time reference decoder: every varint length, at every
/// distance from the end of the input (the reader takes a different path with fewer than 8 bytes left).
/// </summary>
public class ProtoReaderTests
{
    public static TheoryData<ulong> Values()
    {
        var data = new TheoryData<ulong> { 0, 1, 300, uint.MaxValue, ulong.MaxValue, 1700000000 }; // and each length's bounds:
        for (int bits = 7; bits < 64; bits += 7)
        {
            data.Add((1UL << bits) - 1);
            data.Add(1UL << bits);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Values))]
    public void Varints_read_back_at_any_distance_from_the_end(ulong value)
    {
        byte[] encoded = new byte[10];
        int length = ProtoWriter.WriteVarint(encoded, value);
        Assert.Equal(length, ProtoWriter.VarintSize(value));
        Assert.Equal(value, ReferenceDecode(encoded.AsSpan(0, length), out int used));
        Assert.Equal(length, used);
        for (int trailing = 0; trailing <= 12; trailing++)
        {
            byte[] input = new byte[length + trailing];
            encoded.AsSpan(0, length).CopyTo(input);
            input.AsSpan(length).Fill(0xFF); // continuation bits after the varint must not be read into it
            var reader = new ProtoReader(input);
            Assert.Equal(value, reader.ReadVarint());
            Assert.Equal(length, reader.Position);
        }
    }

    [Fact]
    public void Random_varints_in_a_row_match_the_reference()
    {
        var rng = new Random(11);
        var values = new ulong[2000];
        byte[] buffer = new byte[values.Length * 10];
        int at = 0;
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (ulong)rng.NextInt64() >> rng.Next(64);
            ProtoWriter.WriteVarint(buffer, ref at, values[i]);
        }
        var reader = new ProtoReader(buffer.AsSpan(0, at));
        int refAt = 0;
        foreach (ulong expected in values)
        {
            Assert.Equal(expected, ReferenceDecode(buffer.AsSpan(refAt, at - refAt), out int used));
            refAt += used;
            Assert.Equal(expected, reader.ReadVarint());
            Assert.Equal(refAt, reader.Position);
        }
        Assert.True(reader.End);
    }

    [Theory]
    [InlineData("80")]
    [InlineData("ffff")]
    [InlineData("ffffffffffffff")]         // 7 bytes, all continued
    [InlineData("ffffffffffffffff")]       // 8 bytes, all continued: the one-load path finds no end
    [InlineData("ffffffffffffffffff")]     // 9
    public void Truncated_varints_are_protobuf_errors(string hex)
    {
        var e = Assert.Throws<NmsgFormatException>(() => new ProtoReader(Convert.FromHexString(hex)).ReadVarint());
        Assert.Equal(NmsgErrorReason.ProtobufInvalid, e.Reason);
    }

    [Fact]
    public void An_eleven_byte_varint_is_malformed()
    {
        byte[] input = Convert.FromHexString("ffffffffffffffffffff01");
        var e = Assert.Throws<NmsgFormatException>(() => new ProtoReader(input).ReadVarint());
        Assert.Equal(NmsgErrorReason.ProtobufInvalid, e.Reason);
    }

    [Fact]
    public void Keys_of_one_and_several_bytes_and_field_zero()
    {
        // Field 5 length-delimited (one byte), field 16 varint (two bytes), field 2^28 fixed32 (five bytes).
        byte[] input = Convert.FromHexString("2a" + "8001" + "8580808008");
        var reader = new ProtoReader(input);
        Assert.True(reader.TryReadTag(out int field, out WireType wt));
        Assert.Equal((5, WireType.LengthDelimited), (field, wt));
        Assert.True(reader.TryReadTag(out field, out wt));
        Assert.Equal((16, WireType.Varint), (field, wt));
        Assert.True(reader.TryReadTag(out field, out wt));
        Assert.Equal((1 << 28, WireType.Fixed32), (field, wt));
        Assert.False(reader.TryReadTag(out _, out _));

        foreach (string zero in new[] { "00", "07", "8000" })
        {
            var e = Assert.Throws<NmsgFormatException>(() => new ProtoReader(Convert.FromHexString(zero)).TryReadTag(out _, out _));
            Assert.Equal(NmsgErrorReason.ProtobufInvalid, e.Reason);
        }
    }

    private static ulong ReferenceDecode(ReadOnlySpan<byte> data, out int used)
    {
        ulong value = 0;
        for (int i = 0; i < 10; i++)
        {
            value |= (ulong)(data[i] & 0x7F) << (7 * i);
            if (data[i] < 0x80)
            {
                used = i + 1;
                return value;
            }
        }
        throw new InvalidOperationException("not a varint");
    }
}
