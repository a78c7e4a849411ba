using Nmsg.Containers;

namespace Nmsg.Benchmarks;

/// <summary>Deterministic test data shared by the benchmarks.</summary>
internal static class BenchData
{
    /// <summary>Payloads in one benchmark container.</summary>
    public const int PayloadCount = 1000;

    /// <summary>
    /// <paramref name="count"/> base:ipconn messages (vid 1, msgtype 5) with hand-written protobuf payloads of
    /// 18–22 bytes: proto (1, varint), srcip (2, 4 bytes), srcport (3, varint), dstip (4, 4 bytes), dstport (5, varint).
    /// </summary>
    public static NmsgMessage[] IpconnMessages(int count, int seed = 20240601)
    {
        var random = new Random(seed);
        var messages = new NmsgMessage[count];
        long sec = 1_700_000_000;
        for (int i = 0; i < count; i++)
        {
            sec += random.Next(0, 2);
            var time = new NmsgTimestamp(sec, (uint)random.Next(0, 1_000_000_000));
            messages[i] = new NmsgMessage(1, 5, time, IpconnPayload(random));
        }
        return messages;
    }

    private static byte[] IpconnPayload(Random random)
    {
        Span<byte> buffer = stackalloc byte[32];
        int at = 0;
        buffer[at++] = 0x08; // proto
        at += WriteVarint(buffer[at..], random.Next(2) == 0 ? 6u : 17u);
        buffer[at++] = 0x12; // srcip
        buffer[at++] = 4;
        random.NextBytes(buffer.Slice(at, 4));
        at += 4;
        buffer[at++] = 0x18; // srcport
        at += WriteVarint(buffer[at..], (uint)random.Next(1, 65536));
        buffer[at++] = 0x22; // dstip
        buffer[at++] = 4;
        random.NextBytes(buffer.Slice(at, 4));
        at += 4;
        buffer[at++] = 0x28; // dstport
        at += WriteVarint(buffer[at..], (uint)random.Next(1, 1024));
        return buffer[..at].ToArray();
    }

    private static int WriteVarint(Span<byte> destination, uint value) => Nmsg.Protobuf.ProtoWriter.WriteVarint(destination, value);

    /// <summary>Encodes the messages and returns the framed containers, back to back.</summary>
    public static byte[] Encode(IEnumerable<NmsgMessage> messages, NmsgEncoderOptions options, out int[] containerEnds)
    {
        using var encoder = new NmsgContainerEncoder(options);
        foreach (NmsgMessage m in messages)
            encoder.Add(m);
        encoder.Flush();
        containerEnds = [.. encoder.ReadyEnds];
        return encoder.Ready.ToArray();
    }

    /// <summary>
    /// <paramref name="messages"/> repeated <paramref name="times"/> times, framed as nmsgtool writes a file:
    /// containers filled to the 1 MiB budget.
    /// </summary>
    public static byte[] EncodeFile(NmsgMessage[] messages, int times)
        => Encode(Enumerable.Repeat(messages, times).SelectMany(m => m), NmsgEncoderOptions.Default, out _);

    /// <summary>Encodes the messages into exactly one container and returns it framed.</summary>
    public static byte[] EncodeOne(IEnumerable<NmsgMessage> messages, NmsgEncoderOptions options)
    {
        byte[] bytes = Encode(messages, options, out int[] ends);
        if (ends.Length != 1)
            throw new InvalidOperationException($"expected one container, got {ends.Length}");
        return bytes;
    }
}
