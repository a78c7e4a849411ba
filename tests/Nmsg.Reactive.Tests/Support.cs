using System.Net;
using System.Net.Sockets;
using Google.Protobuf;
using Nmsg.Modules.Base;
using Nmsg.Transports;

namespace Nmsg.Reactive.Tests;

internal static class Support
{
    public static string Vector(string relative) => Path.Combine(AppContext.BaseDirectory, "vectors", relative);

    /// <summary>An ipconn whose ports encode <paramref name="i"/>, so a receiver can check each one arrived once.</summary>
    public static NmsgMessage Numbered(int i, int padding = 0)
    {
        var conn = new IPConn
        {
            Proto = 17,
            Srcip = ByteString.CopyFrom(10, 0, 0, 1),
            Dstip = ByteString.CopyFrom(10, 0, 0, 2),
            Srcport = (uint)(i & 0xFFFF),
            Dstport = (uint)(i >> 16),
        };
        NmsgMessage m = NmsgMessage.Create(conn, new NmsgTimestamp(1_700_000_000 + i, 0));
        if (padding > 0)
        {
            // Large payloads for fragmentation: an encode message whose body zlib cannot shrink much.
            byte[] body = new byte[padding];
            new Random(i).NextBytes(body);
            var encode = new Nmsg.Modules.Base.Encode { Type = EncodeType.Text, Payload = ByteString.CopyFrom(body) };
            m = NmsgMessage.Create(encode, new NmsgTimestamp(1_700_000_000 + i, 0));
            m.Source = (uint)i + 1;
        }
        return m;
    }

    private static readonly uint IpconnType = Nmsg.Modules.NmsgModules.Default.Find(IPConn.Descriptor)!.MsgType;

    public static int NumberOf(NmsgMessage m)
    {
        if (m.MsgType != IpconnType)
            return (int)m.Source!.Value - 1;
        IPConn c = m.Get<IPConn>();
        return (int)(c.Srcport | (c.Dstport << 16));
    }

    /// <summary>A receiver bound to a free loopback port (IPv4 or IPv6).</summary>
    public static NmsgUdpReceiver Listen(NmsgUdpOptions? options = null, bool v6 = false)
        => NmsgUdpReceiver.Bind(v6 ? "::1/0" : "127.0.0.1/0", options);

    public static string SpecOf(NmsgUdpReceiver receiver)
    {
        IPEndPoint ep = receiver.LocalEndPoints[0];
        return $"{ep.Address}/{ep.Port}";
    }

    /// <summary>A free UDP port on 127.0.0.1 (bound and released; for tests that need a fixed port).</summary>
    public static int FreePort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    public static async Task Eventually(Func<bool> condition, int timeoutMs = 10_000)
    {
        long end = Environment.TickCount64 + timeoutMs;
        while (!condition())
        {
            if (Environment.TickCount64 > end)
                throw new TimeoutException("condition not met in time");
            await Task.Delay(10);
        }
    }
}

/// <summary>A memory stream whose every write sleeps first: output that falls behind its producer.</summary>
internal sealed class SlowStream(int delayMs = 2) : MemoryStream
{
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Thread.Sleep(delayMs);
        base.Write(buffer.ToArray(), 0, buffer.Length); // MemoryStream's span Write calls a subclass's array Write
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        Thread.Sleep(delayMs);
        base.Write(buffer, offset, count);
    }
}
