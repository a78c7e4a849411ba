using Nmsg.Framing;
using Nmsg.Transports;

namespace Nmsg.Containers;

/// <summary>
/// One container as it came off a transport: its header, its data part and the peer that sent it. The stages of
/// <see cref="NmsgContainerDecoder"/> (<see cref="NmsgContainerDecoder.Reassemble"/>,
/// <see cref="NmsgContainerDecoder.Decompress"/>, <see cref="NmsgContainerDecoder.DecodePayloads"/>) take and
/// return containers, so that each step can be placed, tested or replaced on its own.
/// </summary>
/// <param name="Header">The container header; <see cref="NmsgHeader.Length"/> is the data part's length.</param>
/// <param name="Body">
/// The data part. The container owns it: payloads decoded from a plain container are slices of it, so the
/// memory must not be reused while they are alive.
/// </param>
/// <param name="Sender">Where it came from (keys fragment sets and sequence sources); none for files.</param>
public readonly record struct NmsgContainer(NmsgHeader Header, ReadOnlyMemory<byte> Body, NmsgPeer Sender)
{
    /// <summary>Whether the data part is one fragment of a larger container.</summary>
    public bool IsFragment => Header.IsFragment;

    /// <summary>Whether the data part is zlib-compressed.</summary>
    public bool IsCompressed => Header.IsCompressed;

    /// <summary>
    /// Parses one datagram into a container whose body is a slice of <paramref name="datagram"/> (so the caller
    /// hands over the datagram's memory). The header's length must equal the datagram's size less the header.
    /// </summary>
    /// <exception cref="NmsgException">The datagram is not one whole NMSG container.</exception>
    public static NmsgContainer FromDatagram(ReadOnlyMemory<byte> datagram, NmsgPeer sender, int maxContainerLength = 2 * 1024 * 1024)
    {
        ReadOnlyMemory<byte> body = NmsgFramer.ParseDatagram(datagram, maxContainerLength, out NmsgHeader header);
        return new NmsgContainer(header, body, sender);
    }
}
