namespace Nmsg.Framing;

/// <summary>Wire constants of libnmsg (<c>nmsg/constants.h</c>, SPEC §1.1).</summary>
public static class NmsgConstants
{
    /// <summary>"NMSG" as a big-endian uint32.</summary>
    public const uint Magic = 0x4E4D5347;

    /// <summary>The protocol version written (2).</summary>
    public const byte Version = 2;

    /// <summary>Size of a v2 header: magic, flags, version, 32-bit length.</summary>
    public const int HeaderSize = 10;

    /// <summary>Size of a v1 header: magic, version word 0x0001, 16-bit length.</summary>
    public const int HeaderSizeV1 = 8;

    /// <summary>Smallest container budget a writer accepts (NMSG_WBUFSZ_MIN).</summary>
    public const int MinBufferSize = 512;

    /// <summary>Largest container budget a writer accepts, and the default for file outputs (NMSG_WBUFSZ_MAX).</summary>
    public const int MaxBufferSize = 1048576;

    /// <summary>Default container budget of UDP, ZMQ and Kafka outputs (NMSG_WBUFSZ_JUMBO).</summary>
    public const int JumboBufferSize = 8192;

    /// <summary>A conservative budget for Ethernet paths (NMSG_WBUFSZ_ETHER).</summary>
    public const int EtherBufferSize = 1280;

    /// <summary>Bytes reserved by the container estimate for <c>sequence</c>/<c>sequence_id</c>.</summary>
    internal const int SequenceReserve = 18;

    /// <summary>The fragment size is the buffer size less this (SPEC §3.2).</summary>
    internal const int FragmentOverhead = 32;
}

/// <summary>The flags byte of a v2 header.</summary>
[Flags]
public enum NmsgContainerFlags : byte
{
    /// <summary>A plain serialized <c>Nmsg</c>.</summary>
    None = 0,
    /// <summary>The data part (or the reassembled fragment blob) is zlib-compressed with a length prefix (SPEC §4).</summary>
    Zlib = 0x01,
    /// <summary>The data part is an <c>NmsgFragment</c> (SPEC §3).</summary>
    Fragment = 0x02,
}
