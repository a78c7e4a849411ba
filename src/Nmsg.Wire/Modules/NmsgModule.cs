using System.Collections.Frozen;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Nmsg.Modules;

/// <summary>
/// A message module: one (vendor, message type) with its protobuf schema and its field table in printing order
/// (the analogue of a libnmsg msgmod). Built-in modules cover base and SIE; users can register their own.
/// </summary>
public sealed class NmsgModule
{
    private readonly FrozenDictionary<string, NmsgField> _byName;

    /// <summary>Creates a module.</summary>
    /// <param name="vid">Vendor id.</param>
    /// <param name="msgType">Message type id.</param>
    /// <param name="vendorName">Vendor name as printed (e.g. "base").</param>
    /// <param name="name">Message type name as printed (e.g. "ipconn").</param>
    /// <param name="descriptor">The generated protobuf message descriptor (for typed access and required-field checks).</param>
    /// <param name="fields">The field table in printing order.</param>
    public NmsgModule(uint vid, uint msgType, string vendorName, string name, MessageDescriptor descriptor, IReadOnlyList<NmsgField> fields)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(fields);
        Vid = vid;
        MsgType = msgType;
        VendorName = vendorName;
        Name = name;
        Descriptor = descriptor;
        Fields = fields;
        FieldArray = [.. fields];
        PresentationTag = System.Text.Encoding.UTF8.GetBytes($"{vid}:{msgType} {vendorName} {name}");
        _byName = fields.ToFrozenDictionary(f => f.Name, StringComparer.Ordinal);
        var required = new List<int>();
        foreach (FieldDescriptor fd in descriptor.Fields.InFieldNumberOrder())
        {
            if (fd.IsRequired)
                required.Add(fd.FieldNumber);
        }
        RequiredNumbers = [.. required];
        var stored = new List<NmsgField>();
        foreach (NmsgField f in fields)
        {
            if (f.IsStored)
                stored.Add(f);
        }
        stored.Sort((a, b) => a.Number.CompareTo(b.Number));
        StoredByNumber = [.. stored];
        RrTypeField = FindField("rrtype");
        RrClassField = FindField("rrclass");
    }

    /// <summary>The "rrtype" and "rrclass" fields, which rdata needs to be read or written (null if the module has none).</summary>
    internal NmsgField? RrTypeField { get; }

    /// <inheritdoc cref="RrTypeField"/>
    internal NmsgField? RrClassField { get; }

    /// <summary>Vendor id.</summary>
    public uint Vid { get; }

    /// <summary>Message type id.</summary>
    public uint MsgType { get; }

    /// <summary>Vendor name.</summary>
    public string VendorName { get; }

    /// <summary>Message type name.</summary>
    public string Name { get; }

    /// <summary>The protobuf descriptor.</summary>
    public MessageDescriptor Descriptor { get; }

    /// <summary>The protobuf parser of the generated type.</summary>
    public MessageParser Parser => Descriptor.Parser;

    /// <summary>Fields in printing order.</summary>
    public IReadOnlyList<NmsgField> Fields { get; }

    /// <summary>"vid:msgtype vendor name" in UTF-8, as the presentation header shows it.</summary>
    internal byte[] PresentationTag { get; }

    /// <summary>The fields as an array, for the formatters' loops.</summary>
    internal NmsgField[] FieldArray { get; }

    /// <summary>Stored fields sorted by field number (serialization order).</summary>
    internal NmsgField[] StoredByNumber { get; }

    /// <summary>Field numbers the protobuf schema marks required.</summary>
    internal int[] RequiredNumbers { get; }

    /// <summary>Looks a field up by name (case-sensitive, like protobuf names).</summary>
    public NmsgField? FindField(string name) => _byName.GetValueOrDefault(name);

    /// <inheritdoc />
    public override string ToString() => $"{Vid}:{MsgType} {VendorName} {Name}";
}
