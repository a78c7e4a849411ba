using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;

namespace Nmsg.Compression;

/// <summary>Which deflate implementation compresses containers.</summary>
public enum NmsgDeflater
{
    /// <summary>
    /// .NET's <c>System.IO.Compression</c> (zlib-ng): about twice as fast as zlib; valid zlib that every reader
    /// accepts, but not the same bytes nmsgtool writes.
    /// </summary>
    Fast = 0,

    /// <summary>
    /// The platform's zlib (libz.so.1), called exactly as libnmsg calls it: output byte-identical to nmsgtool's.
    /// Falls back to <see cref="Fast"/> where no zlib 1.x library can be loaded (see <see cref="NmsgZlib.ReferenceAvailable"/>).
    /// </summary>
    Reference = 1,
}

/// <summary>
/// The NMSG zlib framing (SPEC §4): a 4-byte big-endian uncompressed length, then an RFC 1950 zlib stream.
/// </summary>
public static class NmsgZlib
{
    /// <summary>Bytes of the length prefix.</summary>
    public const int PrefixSize = 4;

    /// <summary>Reads the declared uncompressed length without inflating.</summary>
    public static bool TryReadDeclaredLength(ReadOnlySpan<byte> data, out uint length)
    {
        if (data.Length < PrefixSize)
        {
            length = 0;
            return false;
        }
        length = BinaryPrimitives.ReadUInt32BigEndian(data);
        return true;
    }

    /// <summary>
    /// Inflates a zlib-framed blob into a new array of exactly the declared length. Like libnmsg, succeeds only
    /// if the zlib stream ends and produces exactly that many bytes; unlike libnmsg, the declared length is
    /// checked against <paramref name="maxLength"/> before anything is allocated.
    /// </summary>
    /// <exception cref="NmsgFormatException">Reason <see cref="NmsgErrorReason.InflateFailed"/>.</exception>
    /// <exception cref="NmsgLimitException">The declared length exceeds <paramref name="maxLength"/>.</exception>
    public static byte[] Inflate(ReadOnlyMemory<byte> data, int maxLength)
    {
        byte[] output = GC.AllocateUninitializedArray<byte>(DeclaredLength(data.Span, maxLength));
        InflateInto(data, output);
        return output;
    }

    /// <summary>
    /// The declared uncompressed length of a zlib-framed blob, checked against <paramref name="maxLength"/> as
    /// <see cref="Inflate"/> checks it.
    /// </summary>
    /// <exception cref="NmsgFormatException">Reason <see cref="NmsgErrorReason.InflateFailed"/>: no length prefix.</exception>
    /// <exception cref="NmsgLimitException">The declared length exceeds <paramref name="maxLength"/>.</exception>
    internal static int DeclaredLength(ReadOnlySpan<byte> data, int maxLength)
    {
        if (!TryReadDeclaredLength(data, out uint declared))
            ThrowHelper.Format(NmsgErrorReason.InflateFailed, "zlib data is shorter than its 4-byte length prefix");
        if (declared > (uint)maxLength)
            ThrowHelper.Limit(nameof(NmsgLimits.MaxMessageLength), declared, maxLength);
        return (int)declared;
    }

    /// <summary>
    /// As <see cref="Inflate"/>, into <paramref name="output"/>, which is exactly the declared length long (see
    /// <see cref="DeclaredLength"/>): a pooled body rather than a new array.
    /// </summary>
    internal static void InflateInto(ReadOnlyMemory<byte> data, Span<byte> output)
    {
        ReadOnlyMemory<byte> zdata = data[PrefixSize..];
        byte[]? rented = null;
        if (!MemoryMarshal.TryGetArray(zdata, out ArraySegment<byte> segment))
        {
            rented = ArrayPool<byte>.Shared.Rent(zdata.Length);
            zdata.Span.CopyTo(rented);
            segment = new ArraySegment<byte>(rented, 0, zdata.Length);
        }
        try
        {
            int read;
            bool extra;
            try
            {
                using var source = new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false);
                using var inflater = new ZLibStream(source, CompressionMode.Decompress);
                read = inflater.ReadAtLeast(output, output.Length, throwOnEndOfStream: false);
                Span<byte> probe = stackalloc byte[1];
                extra = read == output.Length && inflater.Read(probe) != 0;
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                // InvalidDataException for bad deflate data; ZLibException (an IOException) for a bad zlib header,
                // e.g. one asking for a preset dictionary.
                ThrowHelper.Format(NmsgErrorReason.InflateFailed, "zlib stream is corrupt", inner: e);
                return;
            }
            if (read != output.Length || extra)
                ThrowHelper.Format(NmsgErrorReason.InflateFailed,
                    extra ? $"zlib stream inflates to more than its declared {output.Length} bytes"
                          : $"zlib stream inflates to {read} bytes, not its declared {output.Length}");
            // The managed inflater accepts a stream cut inside its Adler-32 trailer; zlib does not. Check it.
            ReadOnlySpan<byte> z = segment.AsSpan();
            if (z.Length < 6 || BinaryPrimitives.ReadUInt32BigEndian(z[^4..]) != Adler32(output))
                ThrowHelper.Format(NmsgErrorReason.InflateFailed, "zlib stream does not end with the Adler-32 of its data");
        }
        finally
        {
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Whether <see cref="NmsgDeflater.Reference"/> can use the platform's zlib (false when no zlib 1.x library
    /// loads, or with <c>NMSG_DISABLE_SYSTEM_ZLIB=1</c>).
    /// </summary>
    public static bool ReferenceAvailable => SystemZlib.IsAvailable;

    /// <summary>Writes <paramref name="data"/> zlib-framed (length prefix + zlib stream at the default level 6).</summary>
    public static void Compress(ReadOnlySpan<byte> data, IBufferWriter<byte> output, NmsgDeflater deflater = NmsgDeflater.Fast)
    {
        if (deflater == NmsgDeflater.Reference && SystemZlib.IsAvailable)
        {
            Span<byte> span = output.GetSpan(PrefixSize + SystemZlib.Bound(data.Length));
            int written = SystemZlib.Compress(data, span[PrefixSize..]);
            if (written >= 0)
            {
                BinaryPrimitives.WriteUInt32BigEndian(span, (uint)data.Length);
                output.Advance(PrefixSize + written);
                return;
            }
        }
        CompressManaged(data, output);
    }

    private static void CompressManaged(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        BinaryPrimitives.WriteUInt32BigEndian(output.GetSpan(PrefixSize), (uint)data.Length);
        output.Advance(PrefixSize);
        using var sink = new BufferWriterStream(output);
        using (var deflater = new ZLibStream(sink, new ZLibCompressionOptions { CompressionLevel = 6 }, leaveOpen: true))
            deflater.Write(data);
    }

    /// <summary>Adler-32 (RFC 1950).</summary>
    internal static uint Adler32(ReadOnlySpan<byte> data)
    {
        const uint Mod = 65521;
        uint a = 1, b = 0;
        while (data.Length > 0)
        {
            // 5552 is the largest n with 255n(n+1)/2 + (n+1)(Mod-1) < 2^32.
            int n = Math.Min(data.Length, 5552);
            foreach (byte x in data[..n])
            {
                a += x;
                b += a;
            }
            a %= Mod;
            b %= Mod;
            data = data[n..];
        }
        return (b << 16) | a;
    }

    /// <summary>A write-only stream into an <see cref="IBufferWriter{T}"/>.</summary>
    private sealed class BufferWriterStream(IBufferWriter<byte> writer) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer) => writer.Write(buffer);
    }
}
