using System.Buffers.Binary;

namespace Nmsg.Framing;

/// <summary>A parsed container header.</summary>
/// <param name="Flags">The flags byte (unknown bits are kept but have no meaning).</param>
/// <param name="Version">1 or 2.</param>
/// <param name="Length">Length of the data part that follows the header.</param>
public readonly record struct NmsgHeader(NmsgContainerFlags Flags, byte Version, int Length)
{
    /// <summary>Bytes the header itself occupies (10 for v2, 8 for v1).</summary>
    public int HeaderSize => Version == 1 ? NmsgConstants.HeaderSizeV1 : NmsgConstants.HeaderSize;

    /// <summary>Whether the data part is compressed.</summary>
    public bool IsCompressed => (Flags & NmsgContainerFlags.Zlib) != 0;

    /// <summary>Whether the data part is a fragment.</summary>
    public bool IsFragment => (Flags & NmsgContainerFlags.Fragment) != 0;

    /// <summary>Writes a v2 header for a data part of <paramref name="length"/> bytes.</summary>
    public static void WriteV2(Span<byte> destination, NmsgContainerFlags flags, int length)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, NmsgConstants.Magic);
        destination[4] = (byte)flags;
        destination[5] = NmsgConstants.Version;
        BinaryPrimitives.WriteUInt32BigEndian(destination[6..], (uint)length);
    }
}
