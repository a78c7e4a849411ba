using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Nmsg.Transports;

/// <summary>
/// The sender of a container, as a value usable as a dictionary key without allocation: fragment sets and
/// sequence sources are keyed by it (SPEC §2.5, §3.4). Files and streams use <see cref="None"/>.
/// </summary>
public readonly record struct NmsgPeer
{
    private readonly ulong _hi;
    private readonly ulong _lo;

    private NmsgPeer(AddressFamily family, ulong hi, ulong lo, ushort port)
    {
        Family = family;
        _hi = hi;
        _lo = lo;
        Port = port;
    }

    /// <summary>No sender (file and stream inputs).</summary>
    public static NmsgPeer None => default;

    /// <summary>Address family, <see cref="AddressFamily.Unspecified"/> for <see cref="None"/>.</summary>
    public AddressFamily Family { get; }

    /// <summary>The sender's port.</summary>
    public ushort Port { get; }

    /// <summary>Creates a peer from an endpoint.</summary>
    public static NmsgPeer FromEndPoint(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        Span<byte> bytes = stackalloc byte[16];
        bytes.Clear();
        endPoint.Address.TryWriteBytes(bytes, out _);
        return new NmsgPeer(endPoint.AddressFamily, BinaryPrimitives.ReadUInt64BigEndian(bytes),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]), (ushort)endPoint.Port);
    }

    /// <summary>Creates a peer from a socket address (as filled by <c>Socket.ReceiveFrom</c>) without allocating.</summary>
    public static NmsgPeer FromSocketAddress(SocketAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        ReadOnlySpan<byte> b = address.Buffer.Span;
        ushort port = BinaryPrimitives.ReadUInt16BigEndian(b[2..]);
        if (address.Family == AddressFamily.InterNetwork)
            return new NmsgPeer(AddressFamily.InterNetwork, (ulong)BinaryPrimitives.ReadUInt32BigEndian(b[4..]) << 32, 0, port);
        if (address.Family == AddressFamily.InterNetworkV6)
            return new NmsgPeer(AddressFamily.InterNetworkV6, BinaryPrimitives.ReadUInt64BigEndian(b[8..]),
                BinaryPrimitives.ReadUInt64BigEndian(b[16..]), port);
        return new NmsgPeer(address.Family, 0, 0, port);
    }

    /// <summary>The endpoint, or null for <see cref="None"/>.</summary>
    public IPEndPoint? ToEndPoint()
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, _hi);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], _lo);
        return Family switch
        {
            AddressFamily.InterNetwork => new IPEndPoint(new IPAddress(bytes[..4]), Port),
            AddressFamily.InterNetworkV6 => new IPEndPoint(new IPAddress(bytes), Port),
            _ => null,
        };
    }

    /// <inheritdoc />
    public override string ToString() => ToEndPoint()?.ToString() ?? "(none)";
}
