using Google.Protobuf.Reflection;

namespace Nmsg.Modules;

/// <summary>
/// Builds field tables against a generated descriptor, so that every stored field's number and wire kind come
/// from the schema rather than being typed twice (a misspelled name fails at startup, in every test).
/// </summary>
public sealed class FieldTable(MessageDescriptor descriptor)
{
    private readonly List<NmsgField> _fields = [];

    /// <summary>The fields added so far, in order.</summary>
    public IReadOnlyList<NmsgField> Fields => _fields;

    /// <summary>Adds a stored field (its protobuf field has the same name).</summary>
    public FieldTable Add(string name, NmsgFieldType type, NmsgFieldFlags flags = NmsgFieldFlags.None,
        NmsgFieldFormat format = NmsgFieldFormat.Default, NmsgEnum? @enum = null, NmsgFieldGetter? getter = null)
    {
        FieldDescriptor fd = descriptor.FindFieldByName(name)
            ?? throw new ArgumentException($"{descriptor.FullName} has no field '{name}'", nameof(name));
        if (fd.IsRepeated)
            flags |= NmsgFieldFlags.Repeated;
        _fields.Add(new NmsgField(name, fd.FieldNumber, type, WireKindOf(fd), flags, format, @enum, getter));
        return this;
    }

    /// <summary>Adds a virtual field computed by <paramref name="getter"/>.</summary>
    public FieldTable Virtual(string name, NmsgFieldType type, NmsgFieldGetter getter, NmsgFieldFlags flags = NmsgFieldFlags.None,
        NmsgFieldFormat format = NmsgFieldFormat.Default, NmsgEnum? @enum = null)
    {
        _fields.Add(new NmsgField(name, 0, type, NmsgWireKind.None, flags, format, @enum, getter));
        return this;
    }

    /// <summary>Applies a shared run of fields (used where two modules share a field layout).</summary>
    public FieldTable Then(Func<FieldTable, FieldTable> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        return fields(this);
    }

    /// <summary>Builds a module whose fields <paramref name="fields"/> adds to a table over <paramref name="descriptor"/>.</summary>
    public static NmsgModule Module(uint vid, string vendorName, uint msgType, string name, MessageDescriptor descriptor, Action<FieldTable> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var table = new FieldTable(descriptor);
        fields(table);
        return new NmsgModule(vid, msgType, vendorName, name, descriptor, table.Fields);
    }

    /// <summary>The protobuf storage kind of a field.</summary>
    public static NmsgWireKind WireKindOf(FieldDescriptor fd) => fd.FieldType switch
    {
        FieldType.Bytes or FieldType.String => NmsgWireKind.Bytes,
        FieldType.Fixed32 => NmsgWireKind.Fixed32,
        FieldType.SFixed32 => NmsgWireKind.SFixed32,
        FieldType.Double or FieldType.Fixed64 or FieldType.SFixed64 => NmsgWireKind.Fixed64,
        FieldType.Message => NmsgWireKind.Message,
        FieldType.Float => throw new NotSupportedException("float fields are not used by NMSG"),
        FieldType.SInt32 or FieldType.SInt64 => throw new NotSupportedException("zigzag fields are not used by NMSG"),
        _ => NmsgWireKind.Varint,
    };
}
