using Nmsg.Checksums;
using Nmsg.Compression;
using Nmsg.Framing;
using Nmsg.Testing;

namespace Nmsg.Tests.Support;

/// <summary>Serves at most `step` bytes per read, cycling through 1..step, so that records straddle reads.</summary>
internal sealed class DribbleStream(byte[] data, int step) : ReadOnlyStream
{
    private int _position;
    private int _next = 1;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = Math.Min(Math.Min(buffer.Length, _next), data.Length - _position);
        data.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        _next = _next % step + 1;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(Read(buffer.Span));
}

/// <summary>Nmsg envelopes built by hand, fields 1 then 2 as libnmsg orders them.</summary>
internal static class Envelopes
{
    /// <summary>
    /// An Nmsg of tiny payloads (payload i is the three bytes of i, little-endian) with a CRC entry each, good where
    /// <paramref name="goodCrc"/> says; payload <paramref name="bad"/> lacks its required vid.
    /// </summary>
    public static byte[] Container(int payloads, Func<int, bool> goodCrc, int bad = -1)
    {
        var body = new List<byte>();
        var crcs = new List<uint>();
        for (int i = 0; i < payloads; i++)
        {
            byte[] payload = [(byte)i, (byte)(i >> 8), (byte)(i >> 16)];
            byte[] np = i == bad
                ? [0x10, 0x05, 0x18, 0x01, 0x25, 0, 0, 0, 0, 0x2A, 3, .. payload]
                : [0x08, 0x01, 0x10, 0x05, 0x18, 0x01, 0x25, 0, 0, 0, 0, 0x2A, 3, .. payload];
            body.Add(0x0A);
            body.Add((byte)np.Length);
            body.AddRange(np);
            uint crc = Crc32C.ComputeWire(payload);
            crcs.Add(goodCrc(i) ? crc : crc ^ 1);
        }
        foreach (uint crc in crcs)
        {
            body.Add(0x10);
            for (ulong v = crc; ; v >>= 7)
            {
                if (v < 0x80)
                {
                    body.Add((byte)v);
                    break;
                }
                body.Add((byte)(v | 0x80));
            }
        }
        return [.. body];
    }

    /// <summary><paramref name="body"/> behind a v2 container header.</summary>
    public static byte[] Framed(byte[] body)
    {
        byte[] framed = new byte[NmsgConstants.HeaderSize + body.Length];
        NmsgHeader.WriteV2(framed, 0, body.Length);
        body.CopyTo(framed, NmsgConstants.HeaderSize);
        return framed;
    }

    /// <summary><paramref name="body"/> zlib-framed behind a v2 container header with the zlib flag.</summary>
    public static byte[] FramedZlib(byte[] body)
    {
        var z = new System.Buffers.ArrayBufferWriter<byte>();
        NmsgZlib.Compress(body, z);
        byte[] framed = new byte[NmsgConstants.HeaderSize + z.WrittenCount];
        NmsgHeader.WriteV2(framed, NmsgContainerFlags.Zlib, z.WrittenCount);
        z.WrittenSpan.CopyTo(framed.AsSpan(NmsgConstants.HeaderSize));
        return framed;
    }

    /// <summary>The number a payload of <see cref="Container"/> carries.</summary>
    public static int NumberOf(NmsgMessage m) => m.Payload.Span[0] | m.Payload.Span[1] << 8 | m.Payload.Span[2] << 16;
}
