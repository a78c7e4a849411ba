using Nmsg.Modules;

namespace Nmsg.Tests;

/// <summary>
/// The builder's running size and order against the same values added already in field-number order (the plain
/// path): values in random order, with some taken back, must serialize the same.
/// </summary>
public class PayloadBuilderTests
{
    [Fact]
    public void ValuesInAnyOrderSerializeAsInNumberOrder()
    {
        var random = new Random(20261123);
        foreach (NmsgModule module in NmsgModules.Default.All)
        {
            NmsgField[] stored = [.. module.Fields.Where(f => f.IsStored && f.Wire != NmsgWireKind.None)];
            if (stored.Length == 0)
                continue;
            for (int trial = 0; trial < 200; trial++)
            {
                var built = new PayloadBuilder(module);
                var kept = new List<(NmsgField Field, byte[]? Bytes, ulong Bits)>();
                int count = random.Next(0, 3 * stored.Length);
                for (int i = 0; i < count; i++)
                {
                    NmsgField f = stored[random.Next(stored.Length)];
                    (NmsgField, byte[]?, ulong) v = f.Wire switch
                    {
                        NmsgWireKind.Varint => (f, null, random.Next(4) == 0 ? (ulong)random.NextInt64(long.MinValue, long.MaxValue) : (ulong)random.Next(300)),
                        NmsgWireKind.Fixed32 or NmsgWireKind.SFixed32 => (f, null, (uint)random.Next()),
                        NmsgWireKind.Fixed64 => (f, null, (ulong)random.NextInt64()),
                        _ => (f, RandomBytes(random), 0),
                    };
                    built.Add(f, Value(built, v));
                    kept.Add(v);
                    if (random.Next(8) == 0)
                    {
                        int back = random.Next(kept.Count + 1);
                        built.Truncate(back);
                        kept.RemoveRange(back, kept.Count - back);
                    }
                }
                var expected = new PayloadBuilder(module);
                using var reference = new MemoryStream();
                var output = new Google.Protobuf.CodedOutputStream(reference);
                foreach ((NmsgField Field, byte[]? Bytes, ulong Bits) v in kept.OrderBy(v => v.Field.Number)) // a stable sort
                {
                    expected.Add(v.Field, Value(expected, v));
                    Write(output, v);
                }
                output.Flush();
                byte[] inOrder = expected.ToArray();
                Assert.Equal(reference.ToArray(), inOrder);
                Assert.Equal(inOrder, built.ToArray());
            }
        }
    }

    [Fact]
    public void The_direct_mode_encodes_as_the_list_mode()
    {
        // The direct mode (the JSON input's fast path) encodes values as they are added, field by field in number
        // order, into a buffer that starts empty and grows (256 bytes, then doubling): values of up to 300 bytes
        // straddle each growth. Each value goes in one of the ways the JSON input adds them (a value, its bits,
        // bytes written in place with room made for another length), some are taken back to a mark.
        var random = new Random(20261124);
        int direct = 0;
        foreach (NmsgModule module in NmsgModules.Default.All)
        {
            for (int trial = 0; trial < 100; trial++)
            {
                var built = new PayloadBuilder(module);
                built.Reset(module, direct: true);
                if (!built.IsDirect)
                    break;
                direct++;
                var expected = new PayloadBuilder(module);
                NmsgField[] fields = module.FieldArray;
                NmsgField? rrtype = null;
                foreach (int k in built.NumberOrder.ToArray())
                {
                    NmsgField f = fields[k];
                    int count = random.Next(3) == 0 ? 0 : f.IsRepeated ? random.Next(1, 4) : 1;
                    int start = built.Mark;
                    for (int i = 0; i < count; i++)
                    {
                        int mark = built.Mark;
                        (NmsgField, byte[]?, ulong) v = f.Wire switch
                        {
                            NmsgWireKind.Varint => (f, null, random.Next(4) == 0 ? (ulong)random.NextInt64(long.MinValue, long.MaxValue) : (ulong)random.Next(300)),
                            NmsgWireKind.Fixed32 or NmsgWireKind.SFixed32 => (f, null, (uint)random.Next()),
                            NmsgWireKind.Fixed64 => (f, null, (ulong)random.NextInt64()),
                            _ => (f, RandomBytes(random), 0),
                        };
                        AddDirect(built, v, random);
                        if (random.Next(6) == 0)
                        {
                            built.Truncate(mark); // taken back, then added again
                            AddDirect(built, v, random);
                        }
                        expected.Add(f, Value(expected, v));
                    }
                    built.EndField(k, start);
                    if (f.Name == "rrtype" && count > 0)
                        rrtype = f;
                }
                if (rrtype is not null)
                    Assert.Equal(expected.First(rrtype)!.Value.Bits, built.First(rrtype)!.Value.Bits);
                Assert.Equal(expected.ToArray(), built.ToArray());
            }
        }
        Assert.True(direct > 1000);
    }

    private static void AddDirect(PayloadBuilder built, (NmsgField Field, byte[]? Bytes, ulong Bits) v, Random random)
    {
        switch (random.Next(3))
        {
            case 0:
                built.Add(v.Field, Value(built, v));
                break;
            case 1 when v.Bytes is null:
                built.AddBits(v.Field, v.Bits);
                break;
            default:
                if (v.Bytes is null)
                {
                    built.AddBits(v.Field, v.Bits);
                    break;
                }
                // Room made for a length that takes fewer, as many or more bytes than the value's.
                int max = v.Bytes.Length + random.Next(200);
                int likely = random.Next(3) switch { 0 => v.Bytes.Length, 1 => random.Next(max + 1), _ => max };
                Span<byte> room = built.ReserveBytes(v.Field, max, likely);
                room.Fill(0xEE);
                v.Bytes.CopyTo(room);
                built.CommitBytes(v.Field, v.Bytes.Length);
                break;
        }
    }

    /// <summary>The value as Google.Protobuf writes it: an encoder independent of the builder.</summary>
    private static void Write(Google.Protobuf.CodedOutputStream output, (NmsgField Field, byte[]? Bytes, ulong Bits) v)
    {
        switch (v.Field.Wire)
        {
            case NmsgWireKind.Varint:
                output.WriteTag(v.Field.Number, Google.Protobuf.WireFormat.WireType.Varint);
                output.WriteUInt64(v.Bits);
                break;
            case NmsgWireKind.Fixed32 or NmsgWireKind.SFixed32:
                output.WriteTag(v.Field.Number, Google.Protobuf.WireFormat.WireType.Fixed32);
                output.WriteFixed32((uint)v.Bits);
                break;
            case NmsgWireKind.Fixed64:
                output.WriteTag(v.Field.Number, Google.Protobuf.WireFormat.WireType.Fixed64);
                output.WriteFixed64(v.Bits);
                break;
            default:
                output.WriteTag(v.Field.Number, Google.Protobuf.WireFormat.WireType.LengthDelimited);
                output.WriteBytes(Google.Protobuf.ByteString.CopyFrom(v.Bytes));
                break;
        }
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(random.Next(10) == 0 ? 300 : 20)];
        random.NextBytes(bytes);
        return bytes;
    }

    private static NmsgFieldValue Value(PayloadBuilder builder, (NmsgField Field, byte[]? Bytes, ulong Bits) v)
        => v.Bytes is null ? new NmsgFieldValue(v.Bits) : new NmsgFieldValue(builder.Copy(v.Bytes));
}
