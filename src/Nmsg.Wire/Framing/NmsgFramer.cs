using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Nmsg.Framing;

/// <summary>
/// Splits bytes into containers (SPEC §1). Pure functions over spans and sequences; no I/O.
/// </summary>
public static class NmsgFramer
{
    /// <summary>
    /// Reads one container header from the start of a stream buffer (file or TCP-like input): v2, or v1 when
    /// <paramref name="allowV1"/>. Returns false when fewer bytes than a header are buffered.
    /// </summary>
    /// <exception cref="NmsgFormatException">Bad magic or version.</exception>
    /// <exception cref="NmsgLimitException">The length exceeds <paramref name="maxContainerLength"/>.</exception>
    public static bool TryReadHeader(in ReadOnlySequence<byte> buffer, bool allowV1, int maxContainerLength, long streamOffset, out NmsgHeader header)
    {
        if (buffer.FirstSpan.Length >= NmsgConstants.HeaderSize)
            return TryReadHeader(buffer.FirstSpan, allowV1, maxContainerLength, streamOffset, out header);
        // The header straddles segments.
        Span<byte> scratch = stackalloc byte[NmsgConstants.HeaderSize];
        int available = (int)Math.Min(buffer.Length, NmsgConstants.HeaderSize);
        buffer.Slice(0, available).CopyTo(scratch);
        return TryReadHeader(scratch[..available], allowV1, maxContainerLength, streamOffset, out header);
    }

    /// <summary>Span form of <see cref="TryReadHeader(in ReadOnlySequence{byte}, bool, int, long, out NmsgHeader)"/>.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> bytes, bool allowV1, int maxContainerLength, long streamOffset, out NmsgHeader header)
    {
        header = default;
        // The reference reads 6 bytes (magic + version word) first and judges them before the length.
        if (bytes.Length < 6)
            return false;
        if (BinaryPrimitives.ReadUInt32BigEndian(bytes) != NmsgConstants.Magic)
            ThrowHelper.Format(NmsgErrorReason.BadMagic, "incorrect magic number in NMSG header", streamOffset);
        byte flags = bytes[4];
        byte version = bytes[5];
        if (version == NmsgConstants.Version)
        {
            if (bytes.Length < NmsgConstants.HeaderSize)
                return false;
            uint length = BinaryPrimitives.ReadUInt32BigEndian(bytes[6..]);
            if (length > (uint)maxContainerLength)
                ThrowHelper.Limit(nameof(NmsgLimits.MaxContainerLength), length, maxContainerLength, streamOffset);
            header = new NmsgHeader((NmsgContainerFlags)flags, version, (int)length);
            return true;
        }
        if (allowV1 && version == 1 && flags == 0)
        {
            if (bytes.Length < NmsgConstants.HeaderSizeV1)
                return false;
            int length = BinaryPrimitives.ReadUInt16BigEndian(bytes[6..]);
            if (length > maxContainerLength)
                ThrowHelper.Limit(nameof(NmsgLimits.MaxContainerLength), length, maxContainerLength, streamOffset);
            header = new NmsgHeader(NmsgContainerFlags.None, 1, length);
            return true;
        }
        ThrowHelper.Format(NmsgErrorReason.BadVersion, "incorrect version number in NMSG header", streamOffset);
        return false;
    }

    /// <summary>
    /// Reads one whole container from a stream buffer. On success <paramref name="buffer"/> is advanced past
    /// it and <paramref name="body"/> is its data part (a slice of the input, valid until the input is released).
    /// Returns false, leaving <paramref name="buffer"/> untouched, when the container is not complete yet.
    /// </summary>
    public static bool TryReadContainer(ref ReadOnlySequence<byte> buffer, bool allowV1, int maxContainerLength, long streamOffset,
        out NmsgHeader header, out ReadOnlySequence<byte> body)
    {
        body = default;
        if (!TryReadHeader(buffer, allowV1, maxContainerLength, streamOffset, out header))
            return false;
        long total = (long)header.HeaderSize + header.Length;
        if (buffer.Length < total)
            return false;
        body = buffer.Slice(header.HeaderSize, header.Length);
        buffer = buffer.Slice(total);
        return true;
    }

    /// <summary>
    /// Parses a datagram (UDP, ZMQ or Kafka message) that must hold exactly one v2 container (SPEC §1.2):
    /// v1 is rejected and the length field must equal the datagram size less 10.
    /// </summary>
    /// <returns>The data part.</returns>
    public static ReadOnlyMemory<byte> ParseDatagram(ReadOnlyMemory<byte> datagram, int maxContainerLength, out NmsgHeader header)
    {
        ReadOnlySpan<byte> span = datagram.Span;
        if (span.Length < NmsgConstants.HeaderSize)
        {
            if (span.Length >= 4 && BinaryPrimitives.ReadUInt32BigEndian(span) != NmsgConstants.Magic)
                ThrowHelper.Format(NmsgErrorReason.BadMagic, "incorrect magic number in NMSG header");
            ThrowHelper.Format(NmsgErrorReason.LengthMismatch, $"datagram of {span.Length} bytes is shorter than an NMSG header");
        }
        TryReadHeader(span, allowV1: false, maxContainerLength, -1, out header);
        if (header.Length != span.Length - NmsgConstants.HeaderSize)
            ThrowLengthMismatch(header.Length, span.Length);
        return datagram[NmsgConstants.HeaderSize..];
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLengthMismatch(int declared, int size)
        => ThrowHelper.Format(NmsgErrorReason.LengthMismatch,
            $"container length {declared} does not match datagram size {size} less the {NmsgConstants.HeaderSize}-byte header");
}
