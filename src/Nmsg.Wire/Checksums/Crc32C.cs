using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;

namespace Nmsg.Checksums;

/// <summary>
/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78, init and final XOR 0xFFFFFFFF) as NMSG uses it for
/// payload and fragment checksums (SPEC §2.3). Uses the CPU's CRC32C instruction where there is one
/// (<see cref="BitOperations.Crc32C(uint, ulong)"/> falls back to a table otherwise).
/// </summary>
public static class Crc32C
{
    /// <summary>The CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => ~Update(0xFFFFFFFFu, data);

    /// <summary>The CRC-32C of a possibly multi-segment sequence.</summary>
    public static uint Compute(in ReadOnlySequence<byte> data)
    {
        if (data.IsSingleSegment)
            return Compute(data.FirstSpan);
        uint crc = 0xFFFFFFFFu;
        foreach (ReadOnlyMemory<byte> segment in data)
            crc = Update(crc, segment.Span);
        return ~crc;
    }

    /// <summary>
    /// The value NMSG stores on the wire: the CRC byte-swapped, as the C library's <c>htonl(crc)</c> on a
    /// little-endian host produces (SPEC §2.3).
    /// </summary>
    public static uint ComputeWire(ReadOnlySpan<byte> data) => BinaryPrimitives.ReverseEndianness(Compute(data));

    /// <summary>Continues a raw (not inverted) CRC state over more bytes.</summary>
    internal static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        if (data.Length >= 4)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt32LittleEndian(data));
            data = data[4..];
        }
        foreach (byte b in data)
            crc = BitOperations.Crc32C(crc, b);
        return crc;
    }
}
