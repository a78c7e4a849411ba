using System.Diagnostics.CodeAnalysis;

namespace Nmsg;

/// <summary>Why an NMSG input or output failed.</summary>
public enum NmsgErrorReason
{
    /// <summary>The container does not start with "NMSG" (SPEC §1.2 magic_mismatch).</summary>
    BadMagic = 1,
    /// <summary>The version word is neither v2 nor (on stream inputs) v1.</summary>
    BadVersion,
    /// <summary>A datagram's length field does not equal its size minus the header.</summary>
    LengthMismatch,
    /// <summary>The input ended inside a container (only raised when the reader is asked to).</summary>
    Truncated,
    /// <summary>A length, count or size read from the input is larger than the configured limit.</summary>
    LimitExceeded,
    /// <summary>The zlib data could not be inflated to exactly its declared length.</summary>
    InflateFailed,
    /// <summary>The container body is not a valid <c>Nmsg</c> protobuf (or misses a required field).</summary>
    ProtobufInvalid,
    /// <summary>A fragment container is not a valid <c>NmsgFragment</c>.</summary>
    FragmentInvalid,
    /// <summary>A message is too large to be written.</summary>
    MessageTooLarge,
    /// <summary>A line of JSON or presentation input is not a valid message.</summary>
    TextInvalid,
}

/// <summary>Base of every exception the NMSG libraries throw for bad input or impossible output.</summary>
public abstract class NmsgException : Exception
{
    private protected NmsgException(NmsgErrorReason reason, string message, long offset, Exception? inner)
        : base(offset >= 0 ? $"{message} (at byte offset {offset})" : message, inner)
    {
        Reason = reason;
        Offset = offset;
    }

    /// <summary>What went wrong.</summary>
    public NmsgErrorReason Reason { get; }

    /// <summary>Byte offset of the offending container in its stream, or -1 where there is none (datagrams).</summary>
    public long Offset { get; }
}

/// <summary>The input is not well-formed NMSG.</summary>
public sealed class NmsgFormatException : NmsgException
{
    /// <summary>Creates the exception.</summary>
    public NmsgFormatException(NmsgErrorReason reason, string message, long offset = -1, Exception? inner = null)
        : base(reason, message, offset, inner)
    {
    }
}

/// <summary>The input (or an output request) exceeds one of the configured <see cref="NmsgLimits"/>.</summary>
public sealed class NmsgLimitException : NmsgException
{
    /// <summary>Creates the exception.</summary>
    public NmsgLimitException(string limitName, long value, long limit, long offset = -1)
        : base(NmsgErrorReason.LimitExceeded, $"{limitName} {value} exceeds the limit of {limit}", offset, null)
    {
        LimitName = limitName;
        Value = value;
        Limit = limit;
    }

    /// <summary>The <see cref="NmsgLimits"/> property that was exceeded.</summary>
    public string LimitName { get; }

    /// <summary>The value read from the input.</summary>
    public long Value { get; }

    /// <summary>The configured limit.</summary>
    public long Limit { get; }
}

/// <summary>Throw sites kept out of hot methods.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void Format(NmsgErrorReason reason, string message, long offset = -1, Exception? inner = null)
        => throw new NmsgFormatException(reason, message, offset, inner);

    [DoesNotReturn]
    public static void Limit(string name, long value, long limit, long offset = -1)
        => throw new NmsgLimitException(name, value, limit, offset);

    [DoesNotReturn]
    public static void Protobuf(string message)
        => throw new NmsgFormatException(NmsgErrorReason.ProtobufInvalid, message);
}
