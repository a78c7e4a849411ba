namespace Nmsg;

/// <summary>
/// One NMSG payload with its header fields: vendor id, message type, time, and the optional
/// source/operator/group. <see cref="Payload"/> holds the serialized per-type protobuf.
/// </summary>
/// <remarks>
/// A decoded message's payload is a slice of the buffer of the container it came in: no bytes are copied, and
/// the buffer lives as long as any message that points into it. Messages are not thread-safe for writing.
/// </remarks>
public sealed partial class NmsgMessage
{
    private uint _source;
    private uint _operator;
    private uint _group;
    private uint _wireCrc;
    private byte _present; // bit 0 source, 1 operator, 2 group, 3 payload, 4 decoded from a container, 5 _wireCrc set

    private const byte SourceBit = 1, OperatorBit = 2, GroupBit = 4, PayloadBit = 8, FromWireBit = 16, CrcBit = 32;

    /// <summary>Creates a message of the given type with a serialized payload.</summary>
    public NmsgMessage(uint vid, uint msgType, NmsgTimestamp time, ReadOnlyMemory<byte> payload)
    {
        Vid = vid;
        MsgType = msgType;
        Time = time;
        Payload = payload;
    }

    /// <summary>Decoder constructor: every header field at once.</summary>
    internal NmsgMessage(uint vid, uint msgType, long timeSec, uint timeNsec, ReadOnlyMemory<byte> payload,
        uint source, uint @operator, uint group, byte present)
    {
        Vid = vid;
        MsgType = msgType;
        _seconds = timeSec;
        _nanoseconds = timeNsec;
        _payload = payload;
        _source = source;
        _operator = @operator;
        _group = group;
        _present = (byte)(present | FromWireBit);
    }

    /// <summary>Whether this message was decoded from a container (as opposed to built in memory).</summary>
    internal bool IsFromWire => (_present & FromWireBit) != 0;

    /// <summary>
    /// Remembers the payload's CRC-32C (wire byte order) as the container carried it and the decoder checked it, so
    /// that an encoder writing the unchanged payload again need not compute it a second time.
    /// </summary>
    internal void SetVerifiedWireCrc(uint wireCrc)
    {
        _wireCrc = wireCrc;
        _present |= CrcBit;
    }

    /// <summary>The payload's checked CRC-32C from the wire, while the payload is the one it was computed over.</summary>
    internal bool TryGetWireCrc(out uint wireCrc)
    {
        wireCrc = _wireCrc;
        return (_present & CrcBit) != 0;
    }

    /// <summary>Vendor id (1 = base, 2 = SIE, …).</summary>
    public uint Vid { get; set; }

    /// <summary>Message type within the vendor.</summary>
    public uint MsgType { get; set; }

    // The time as two fields rather than an NmsgTimestamp (16 bytes, 4 of them padding): with the other 32-bit
    // fields around it, a message object is 80 bytes instead of 88.
    private long _seconds;
    private uint _nanoseconds;

    /// <summary>When the payload was observed.</summary>
    public NmsgTimestamp Time
    {
        get => new(_seconds, _nanoseconds);
        set
        {
            _seconds = value.Seconds;
            _nanoseconds = value.Nanoseconds;
        }
    }

    private ReadOnlyMemory<byte> _payload;

    /// <summary>
    /// The serialized per-type payload. A decoded message remembers whether the (optional) field was on the
    /// wire so that it is written back as it came; a payload set here is present when it is not empty.
    /// </summary>
    public ReadOnlyMemory<byte> Payload
    {
        get => _payload;
        set
        {
            // As libnmsg does, an empty payload is written as an absent field.
            _payload = value;
            _typed = null;
            byte present = (byte)(_present & ~CrcBit); // a new payload has its own CRC
            _present = value.IsEmpty ? (byte)(present & ~PayloadBit) : (byte)(present | PayloadBit);
        }
    }

    /// <summary>Whether the envelope carries the <c>payload</c> field (it is optional on the wire).</summary>
    public bool HasPayloadField => (_present & PayloadBit) != 0;

    /// <summary>The source id, or null when absent.</summary>
    public uint? Source
    {
        get => (_present & SourceBit) != 0 ? _source : null;
        set => Set(ref _source, SourceBit, value);
    }

    /// <summary>The operator id, or null when absent.</summary>
    public uint? Operator
    {
        get => (_present & OperatorBit) != 0 ? _operator : null;
        set => Set(ref _operator, OperatorBit, value);
    }

    /// <summary>The group id, or null when absent.</summary>
    public uint? Group
    {
        get => (_present & GroupBit) != 0 ? _group : null;
        set => Set(ref _group, GroupBit, value);
    }

    internal byte PresenceBits => _present;
    internal uint RawSource => _source;
    internal uint RawOperator => _operator;
    internal uint RawGroup => _group;

    private void Set(ref uint field, byte bit, uint? value)
    {
        if (value is uint v)
        {
            field = v;
            _present |= bit;
        }
        else
        {
            field = 0;
            _present &= (byte)~bit;
        }
    }

    /// <inheritdoc />
    public override string ToString()
        => $"[{Payload.Length}] [{Time.Seconds}.{Time.Nanoseconds:D9}] [{Vid}:{MsgType}] [{_source:x8}] [{Operator}] [{Group}]";
}
