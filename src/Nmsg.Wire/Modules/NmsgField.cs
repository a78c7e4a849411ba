using System.Collections.Frozen;

namespace Nmsg.Modules;

/// <summary>nmsg field types (<c>nmsg_msgmod_field_type</c>, SPEC §8.0).</summary>
public enum NmsgFieldType
{
    /// <summary>A protobuf enum, printed by value name.</summary>
    Enum,
    /// <summary>Opaque bytes.</summary>
    Bytes,
    /// <summary>A NUL-terminated (by convention) string in a bytes field.</summary>
    String,
    /// <summary>A multi-line string.</summary>
    MLString,
    /// <summary>An IPv4 (4 bytes) or IPv6 (16 bytes) address in a bytes field.</summary>
    IP,
    /// <summary>16-bit unsigned, stored in a uint32.</summary>
    UInt16,
    /// <summary>32-bit unsigned.</summary>
    UInt32,
    /// <summary>64-bit unsigned.</summary>
    UInt64,
    /// <summary>16-bit signed, stored in an int32.</summary>
    Int16,
    /// <summary>32-bit signed.</summary>
    Int32,
    /// <summary>64-bit signed.</summary>
    Int64,
    /// <summary>A double.</summary>
    Double,
    /// <summary>A boolean.</summary>
    Bool,
}

/// <summary>Field flags (SPEC §8.0).</summary>
[Flags]
public enum NmsgFieldFlags
{
    /// <summary>None.</summary>
    None = 0,
    /// <summary>The field repeats.</summary>
    Repeated = 0x01,
    /// <summary>Informational: the module requires it.</summary>
    Required = 0x02,
    /// <summary>Skipped by presentation output and field enumeration.</summary>
    Hidden = 0x04,
    /// <summary>Skipped by presentation output only.</summary>
    NoPrint = 0x08,
    /// <summary>JSON: the formatter's output is raw JSON; presentation ignores the formatter.</summary>
    FormatRaw = 0x10,
}

/// <summary>How a field's value is stored in the protobuf payload.</summary>
public enum NmsgWireKind
{
    /// <summary>No protobuf field: a virtual (derived) field.</summary>
    None,
    /// <summary>varint: uint32, uint64, int32, int64, bool, enum.</summary>
    Varint,
    /// <summary>fixed32 (unsigned).</summary>
    Fixed32,
    /// <summary>sfixed32 (signed).</summary>
    SFixed32,
    /// <summary>fixed64 / double.</summary>
    Fixed64,
    /// <summary>length-delimited bytes (also strings and IPs).</summary>
    Bytes,
    /// <summary>An embedded message (dnstap's <c>message</c>); only reachable through virtual fields.</summary>
    Message,
}

/// <summary>An enum's value names as nmsg prints them.</summary>
public sealed class NmsgEnum
{
    private readonly FrozenDictionary<int, string> _names;
    private readonly FrozenDictionary<string, int> _values;

    /// <summary>Creates an enum from (number, printed name) pairs, in declaration order.</summary>
    public NmsgEnum(string name, params (int Value, string Name)[] values)
    {
        Name = name;
        Values = values;
        _names = values.ToFrozenDictionary(v => v.Value, v => v.Name);
        _values = values.ToFrozenDictionary(v => v.Name, v => v.Value, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The enum's name.</summary>
    public string Name { get; }

    /// <summary>Values in declaration order.</summary>
    public IReadOnlyList<(int Value, string Name)> Values { get; }

    /// <summary>The printed name of a value, or null.</summary>
    public string? NameOf(int value) => _names.GetValueOrDefault(value);

    // The names of the values 0..DenseValues-1 as the formatters write them: the presentation's one byte per char,
    // and JSON's quoted, escaped UTF-8. Other values take the general path.
    private const int DenseValues = 64;
    private Nmsg.Internal.ShortText?[]? _asciiNames, _jsonNames;

    /// <summary>The name of a value below 64 as presentation writes it (each char one byte), or null.</summary>
    internal Nmsg.Internal.ShortText? AsciiNameOf(int value)
    {
        Nmsg.Internal.ShortText?[] names = _asciiNames ??= BuildDense(json: false);
        return (uint)value < (uint)names.Length ? names[value] : null;
    }

    /// <summary>The name of a value below 64 as a quoted, escaped JSON string, or null.</summary>
    internal Nmsg.Internal.ShortText? JsonNameOf(int value)
    {
        Nmsg.Internal.ShortText?[] names = _jsonNames ??= BuildDense(json: true);
        return (uint)value < (uint)names.Length ? names[value] : null;
    }

    private Nmsg.Internal.ShortText?[] BuildDense(bool json)
    {
        var names = new Nmsg.Internal.ShortText?[DenseValues];
        var text = new Nmsg.Internal.PooledBufferWriter(64);
        for (int v = 0; v < DenseValues; v++)
        {
            if (NameOf(v) is not { } name)
                continue;
            if (!json)
            {
                names[v] = Nmsg.Internal.ShortText.Ascii(name);
                continue;
            }
            text.Clear();
            Nmsg.Text.JsonString.Write(text, name);
            names[v] = new Nmsg.Internal.ShortText(text.WrittenSpan);
        }
        text.Dispose();
        return names;
    }

    /// <summary>Looks a value up by name (case-insensitive, as JSON input does).</summary>
    public bool TryParse(string name, out int value) => _values.TryGetValue(name, out value);

    /// <summary><see cref="TryParse(string, out int)"/> of a name in a span (JSON input, without a string).</summary>
    internal bool TryParse(ReadOnlySpan<char> name, out int value)
        => _values.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(name, out value);

    private (byte[] Name, int Value)[]? _utf8Names;

    /// <summary>
    /// A name given in UTF-8 exactly as declared (as nmsgtool prints it): the value <see cref="TryParse(string, out int)"/>
    /// gives, without a string or a case-insensitive lookup (names that differ only in case cannot both be declared:
    /// the lookup's comparer rejects them). False for anything else, which the caller then looks up that way.
    /// </summary>
    internal bool TryParseExactUtf8(ReadOnlySpan<byte> name, out int value)
    {
        (byte[] Name, int Value)[] names = _utf8Names ??= BuildUtf8Names();
        for (int i = 0; i < names.Length; i++)
        {
            if (Nmsg.Text.NmsgJsonReader.NameIs(name, names[i].Name))
            {
                value = names[i].Value;
                return true;
            }
        }
        value = 0;
        return false;
    }

    private (byte[] Name, int Value)[] BuildUtf8Names()
    {
        var names = new (byte[] Name, int Value)[Values.Count];
        for (int i = 0; i < names.Length; i++)
            names[i] = (System.Text.Encoding.UTF8.GetBytes(Values[i].Name), Values[i].Value);
        return names;
    }
}

/// <summary>
/// A field whose value the text formatters write inline (default format; numbers, IP addresses, enums), or
/// <see cref="None"/> for the general path.
/// </summary>
internal enum NmsgTextFast : byte
{
    None,
    // The integer kinds, UInt16 to Int64, stay together in this order (Utf8Output.TryWriteInteger).
    UInt16,
    UInt32,
    UInt64,
    Int16,
    Int32,
    Int64,
    Ip,
    Enum,
}

/// <summary>Custom presentation/JSON behaviour of a field (SPEC §8.3).</summary>
public enum NmsgFieldFormat
{
    /// <summary>Default rendering of the field type.</summary>
    Default,
    /// <summary>A wire-format DNS name.</summary>
    DnsName,
    /// <summary>A DNS RR type.</summary>
    DnsType,
    /// <summary>A DNS class.</summary>
    DnsClass,
    /// <summary>SIE's DNS class: unknown classes print as &lt;UNKNOWN&gt;; its parser always yields IN.</summary>
    SieDnsClass,
    /// <summary>SIE's DNS type: parsing rejects 0.</summary>
    SieDnsType,
    /// <summary>Rdata rendered with the message's rrtype and rrclass.</summary>
    DnsRdata,
    /// <summary>A DNS rcode.</summary>
    Rcode,
    /// <summary>An IP protocol number (UDP/TCP/ICMP by name).</summary>
    IpProto,
    /// <summary>A whole DNS message: dig-style dump in presentation, base64 in JSON.</summary>
    DnsMessage,
    /// <summary>A whole DNS message as a DNSMSG_JSON object (FORMAT_RAW).</summary>
    DnsMessageJson,
    /// <summary>SIE's DNS message: the dump in presentation, the dump as a JSON string.</summary>
    SieDnsMessage,
    /// <summary>uint32 epoch seconds printed as "YYYY-MM-DD HH:MM:SS".</summary>
    SieTime,
    /// <summary>uint32 printed as lowercase hex without padding.</summary>
    Hex,
    /// <summary>base:encode's payload: {"val":…,"b64":…} in JSON.</summary>
    EncodePayload,
    /// <summary>base:ncap's payload printer.</summary>
    NcapPayload,
    /// <summary>A uint32 holding an enum number, printed by name (dnstap's flattened enums); failure if unknown.</summary>
    EnumName,
}

/// <summary>One field of a message module, in the module's table order.</summary>
public sealed class NmsgField
{
    /// <summary>Creates a field.</summary>
    public NmsgField(string name, int number, NmsgFieldType type, NmsgWireKind wire, NmsgFieldFlags flags = NmsgFieldFlags.None,
        NmsgFieldFormat format = NmsgFieldFormat.Default, NmsgEnum? @enum = null, NmsgFieldGetter? getter = null)
    {
        Name = name;
        Number = number;
        Type = type;
        Wire = wire;
        Flags = flags;
        Format = format;
        Enum = @enum;
        Getter = getter;
        PresentationPrefix = System.Text.Encoding.UTF8.GetBytes(name + ": ");
        NameUtf8 = System.Text.Encoding.UTF8.GetBytes(name);
        JsonKey = System.Text.Encoding.UTF8.GetBytes(",\"" + name + "\":");
        Fast = format != NmsgFieldFormat.Default ? NmsgTextFast.None : type switch
        {
            NmsgFieldType.UInt16 => NmsgTextFast.UInt16,
            NmsgFieldType.UInt32 => NmsgTextFast.UInt32,
            NmsgFieldType.UInt64 => NmsgTextFast.UInt64,
            NmsgFieldType.Int16 => NmsgTextFast.Int16,
            NmsgFieldType.Int32 => NmsgTextFast.Int32,
            NmsgFieldType.Int64 => NmsgTextFast.Int64,
            NmsgFieldType.IP => NmsgTextFast.Ip,
            NmsgFieldType.Enum when @enum is not null => NmsgTextFast.Enum,
            _ => NmsgTextFast.None,
        };
        HasTextParser = Nmsg.Text.FieldParsers.HasParser(format);
        PresentationPrefixText = new Nmsg.Internal.ShortText(PresentationPrefix);
        JsonKeyText = new Nmsg.Internal.ShortText(JsonKey);
        JsonKeyFirstText = new Nmsg.Internal.ShortText(JsonKey.AsSpan(1));
    }

    /// <summary>Whether text input gives the value to a custom parser (<see cref="Nmsg.Text.FieldParsers.HasParser(NmsgField)"/>).</summary>
    internal bool HasTextParser { get; }

    /// <summary>The value kinds the formatters write inline, without their general per-format dispatch.</summary>
    internal NmsgTextFast Fast { get; }

    /// <summary><see cref="PresentationPrefix"/> padded for a short copy.</summary>
    internal Nmsg.Internal.ShortText PresentationPrefixText { get; }

    /// <summary><see cref="JsonKey"/> padded for a short copy.</summary>
    internal Nmsg.Internal.ShortText JsonKeyText { get; }

    /// <summary><see cref="JsonKey"/> without its comma (the first key of an object), padded for a short copy.</summary>
    internal Nmsg.Internal.ShortText JsonKeyFirstText { get; }

    /// <summary>The name in UTF-8.</summary>
    internal byte[] NameUtf8 { get; }

    /// <summary>"name: " in UTF-8, written before a presentation value.</summary>
    internal byte[] PresentationPrefix { get; }

    /// <summary>",\"name\":" in UTF-8, written before a JSON value (without the comma before the first).</summary>
    internal byte[] JsonKey { get; }

    /// <summary>The field name (the protobuf field name for stored fields).</summary>
    public string Name { get; }

    /// <summary>The protobuf field number, 0 for a virtual field.</summary>
    public int Number { get; }

    /// <summary>The nmsg type.</summary>
    public NmsgFieldType Type { get; }

    /// <summary>How it is stored.</summary>
    public NmsgWireKind Wire { get; }

    /// <summary>Flags.</summary>
    public NmsgFieldFlags Flags { get; }

    /// <summary>Custom formatting.</summary>
    public NmsgFieldFormat Format { get; }

    /// <summary>The enum, for <see cref="NmsgFieldType.Enum"/> fields (and <see cref="NmsgFieldFormat.EnumName"/>).</summary>
    public NmsgEnum? Enum { get; }

    /// <summary>The getter of a virtual (or presentation-derived) field.</summary>
    public NmsgFieldGetter? Getter { get; }

    /// <summary>Whether the field repeats.</summary>
    public bool IsRepeated => (Flags & NmsgFieldFlags.Repeated) != 0;

    /// <summary>Whether the field is stored in the protobuf payload.</summary>
    public bool IsStored => Number > 0;

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Type}{(IsStored ? $", #{Number}" : ", virtual")})";
}

/// <summary>
/// Computes the value at <paramref name="index"/> of a virtual field; returns false when there is no such
/// value (which ends the field, as libnmsg's getters do).
/// </summary>
public delegate bool NmsgFieldGetter(NmsgMessage message, int index, out NmsgFieldValue value);

/// <summary>A field value: a number (as raw 64 bits) or bytes.</summary>
public readonly struct NmsgFieldValue
{
    /// <summary>Creates a numeric value from its raw bits (doubles as their IEEE bits, signed values sign-extended).</summary>
    public NmsgFieldValue(ulong bits)
    {
        Bits = bits;
        Bytes = default;
    }

    /// <summary>Creates a bytes value.</summary>
    public NmsgFieldValue(ReadOnlyMemory<byte> bytes)
    {
        Bits = 0;
        Bytes = bytes;
    }

    /// <summary>A double value.</summary>
    public static NmsgFieldValue FromDouble(double value) => new((ulong)BitConverter.DoubleToInt64Bits(value));

    /// <summary>The raw bits of a numeric value.</summary>
    public ulong Bits { get; }

    /// <summary>The bytes of a bytes value.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>The value as a double.</summary>
    public double AsDouble => BitConverter.Int64BitsToDouble((long)Bits);
}
