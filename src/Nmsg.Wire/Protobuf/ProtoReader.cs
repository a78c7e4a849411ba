using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Nmsg.Protobuf;

/// <summary>Protobuf wire types.</summary>
internal enum WireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    StartGroup = 3,
    EndGroup = 4,
    Fixed32 = 5,
}

/// <summary>
/// A minimal forward-only protobuf reader over a span: just what the NMSG envelope needs, with no
/// allocation and every length checked against the remaining input.
/// </summary>
internal ref struct ProtoReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _pos;

    public ProtoReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _pos = 0;
    }

    public readonly int Position => _pos;

    public readonly bool End => _pos >= _data.Length;

    /// <summary>Reads a field key; returns false at the end of input.</summary>
    // Inlined: every field of every envelope and payload starts here, and the call cost more than the read.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReadTag(out int field, out WireType wireType)
    {
        ReadOnlySpan<byte> d = _data;
        int pos = _pos;
        if ((uint)pos >= (uint)d.Length)
        {
            field = 0;
            wireType = 0;
            return false;
        }
        uint key = d[pos];
        if (key is >= 8 and < 0x80)
        {
            // Fields 1-15: a one-byte key, the case of every field NMSG defines.
            _pos = pos + 1;
            field = (int)(key >> 3);
            wireType = (WireType)(key & 7);
            return true;
        }
        return TryReadTagSlow(out field, out wireType);
    }

    private bool TryReadTagSlow(out int field, out WireType wireType)
    {
        ulong key = ReadVarint();
        field = (int)(key >> 3);
        wireType = (WireType)(key & 7);
        if (field <= 0 || key >> 3 > int.MaxValue)
            ThrowHelper.Protobuf("invalid protobuf field number");
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadVarint()
    {
        ReadOnlySpan<byte> d = _data;
        int pos = _pos;
        if ((uint)pos < (uint)d.Length && d[pos] < 0x80)
        {
            _pos = pos + 1;
            return d[pos];
        }
        return ReadVarintSlow();
    }

    // The multi-byte decode is inlined here (ids, ports, times, lengths over 127: several per payload), rather than
    // a second call with its position and value passed by reference.
    private ulong ReadVarintSlow()
    {
        ReadOnlySpan<byte> d = _data;
        int pos = _pos;
        if ((uint)pos < (uint)d.Length && d[pos] < 0x80)
        {
            _pos = pos + 1;
            return d[pos];
        }
        if (DecodeVarintLong(d, ref pos, out ulong value))
        {
            _pos = pos;
            return value;
        }
        ThrowMalformed(d, _pos);
        return 0;
    }

    // Only called when no byte of the first ten ends the varint: either the input ended first, or it runs on.
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowMalformed(ReadOnlySpan<byte> d, int pos)
        => ThrowHelper.Protobuf(d.Length - pos < 10 ? "truncated varint" : "malformed varint");

    /// <summary>
    /// Decodes the varint at <paramref name="pos"/> and moves past it. False (with <paramref name="pos"/> unchanged)
    /// when the input ends inside it or it runs past ten bytes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryDecodeVarint(ReadOnlySpan<byte> d, ref int pos, out ulong value)
    {
        int p = pos;
        if ((uint)p < (uint)d.Length && d[p] < 0x80)
        {
            value = d[p];
            pos = p + 1;
            return true;
        }
        return TryDecodeVarintLong(d, ref pos, out value);
    }

    private static bool TryDecodeVarintLong(ReadOnlySpan<byte> d, ref int pos, out ulong value)
        => DecodeVarintLong(d, ref pos, out value);

    /// <summary>The varint at <paramref name="pos"/> whose first byte is not its last (or that is cut short).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool DecodeVarintLong(ReadOnlySpan<byte> d, ref int pos, out ulong value)
    {
        int p = pos;
        // Two bytes (lengths of 128..16383, ports, ids) without the loop.
        if ((uint)(p + 1) < (uint)d.Length && d[p + 1] < 0x80)
        {
            pos = p + 2;
            value = (uint)(d[p] & 0x7F) | ((uint)d[p + 1] << 7);
            return true;
        }
        if (p >= 0 && d.Length - p >= 8)
        {
            // Up to eight bytes (times, CRCs, most ids) from one load: find the last byte by its clear top bit,
            // then close up the 7-bit groups in three steps.
            ulong word = BinaryPrimitives.ReadUInt64LittleEndian(d.Slice(p, 8));
            ulong ends = ~word & 0x8080808080808080UL;
            if (ends != 0)
            {
                int bits = System.Numerics.BitOperations.TrailingZeroCount(ends) + 1; // through the last byte's top bit
                ulong x = word & 0x7F7F7F7F7F7F7F7FUL;
                if (bits < 64)
                    x &= (1UL << bits) - 1;
                x = (x & 0x007F007F007F007FUL) | ((x & 0x7F007F007F007F00UL) >> 1);
                x = (x & 0x00003FFF00003FFFUL) | ((x & 0x3FFF00003FFF0000UL) >> 2);
                x = (x & 0x000000000FFFFFFFUL) | ((x & 0x0FFFFFFF00000000UL) >> 4);
                pos = p + (bits >> 3);
                value = x;
                return true;
            }
        }
        ulong result = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if ((uint)p >= (uint)d.Length)
                break;
            byte b = d[p++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                pos = p;
                value = result;
                return true;
            }
        }
        value = 0;
        return false;
    }

    public uint ReadFixed32()
    {
        if (_data.Length - _pos < 4)
            ThrowHelper.Protobuf("truncated fixed32");
        uint v = BinaryPrimitives.ReadUInt32LittleEndian(_data[_pos..]);
        _pos += 4;
        return v;
    }

    /// <summary>Reads a length-delimited field and returns its (offset, length) within the input.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public (int Offset, int Length) ReadLengthDelimited()
    {
        ulong len = ReadVarint();
        if (len > (ulong)(_data.Length - _pos))
            ThrowHelper.Protobuf("length-delimited field runs past the end of its message");
        int offset = _pos;
        _pos += (int)len;
        return (offset, (int)len);
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowUnsupported(WireType wireType)
        => ThrowHelper.Protobuf($"unsupported protobuf wire type {(int)wireType}"); // out of line: keeps Skip small

    public void Skip(WireType wireType)
    {
        switch (wireType)
        {
            case WireType.Varint:
                ReadVarint();
                break;
            case WireType.Fixed64:
                if (_data.Length - _pos < 8)
                    ThrowHelper.Protobuf("truncated fixed64");
                _pos += 8;
                break;
            case WireType.LengthDelimited:
                ReadLengthDelimited();
                break;
            case WireType.Fixed32:
                if (_data.Length - _pos < 4)
                    ThrowHelper.Protobuf("truncated fixed32");
                _pos += 4;
                break;
            default:
                // Groups are not used by any NMSG message; protobuf-c rejects them here too.
                ThrowUnsupported(wireType);
                break;
        }
    }
}

/// <summary>Protobuf writing primitives into spans; callers size the span with <see cref="VarintSize(ulong)"/>.</summary>
internal static class ProtoWriter
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int VarintSize(ulong value) => (System.Numerics.BitOperations.Log2(value | 1) * 9 + 73) >> 6;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int WriteVarint(Span<byte> destination, ulong value)
    {
        int at = 0;
        WriteVarint(destination, ref at, value);
        return at;
    }

    /// <summary>Writes a varint at <paramref name="at"/> and moves it past the varint.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteVarint(Span<byte> destination, ref int at, ulong value)
    {
        int i = at;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[i++] = (byte)value;
        at = i;
    }
}
