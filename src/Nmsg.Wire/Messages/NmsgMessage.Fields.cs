using System.Net;
using System.Text;
using Nmsg.Modules;
using Nmsg.Text;

namespace Nmsg;

public sealed partial class NmsgMessage
{
    /// <summary>
    /// A field by name, like pynmsg's <c>m['srcip']</c>. Get: null when absent; a list for repeated fields; enums as
    /// their name (or number when unknown); strings without their trailing NUL; IPs as <see cref="IPAddress"/>; DNS
    /// fields as stored (wire names, type numbers). Set: replaces the value (a list or array for repeated fields; null
    /// clears); enums by name or number; strings gain their NUL (a byte[] is stored as given); IPs as <see cref="IPAddress"/> or text; fields with a
    /// DNS parser also take presentation text ("example.com.", "AAAA", "10 mx.example."). The payload is
    /// re-serialized at once.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The message type has no such field.</exception>
    /// <exception cref="ArgumentException">The value does not fit the field.</exception>
    public object? this[string name]
    {
        get => GetField(name);
        set => SetField(name, value, append: false);
    }

    /// <summary>Appends a value to a repeated field.</summary>
    public void Append(string name, object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        SetField(name, value, append: true);
    }

    /// <summary>Removes every value of a field.</summary>
    public void Clear(string name) => SetField(name, null, append: false);

    /// <summary>The fields of this message's module that are not hidden, with their type and flags.</summary>
    public IEnumerable<NmsgField> Fields
    {
        get
        {
            foreach (NmsgField f in RequireModule().Fields)
            {
                if ((f.Flags & NmsgFieldFlags.Hidden) == 0)
                    yield return f;
            }
        }
    }

    private NmsgModule RequireModule() => Module
        ?? throw new InvalidOperationException($"no module is registered for message type {Vid}:{MsgType}; only its raw payload is available");

    private NmsgField RequireField(NmsgModule module, string name) => module.FindField(name)
        ?? throw new KeyNotFoundException($"{module.VendorName}/{module.Name} has no field '{name}'");

    private object? GetField(string name)
    {
        NmsgModule module = RequireModule();
        NmsgField f = RequireField(module, name);
        var values = new List<NmsgFieldValue>();
        if (f.IsStored)
        {
            var fields = new PayloadFields();
            fields.Load(_payload, module);
            fields.Collect(f, values);
        }
        else if (f.Getter is { } getter)
        {
            for (int i = 0; getter(this, i, out NmsgFieldValue v); i++)
                values.Add(v);
        }
        if (f.IsRepeated)
            return values.ConvertAll(v => ToObject(f, v));
        return values.Count == 0 ? null : ToObject(f, values[0]);
    }

    private static object? ToObject(NmsgField f, NmsgFieldValue v) => f.Type switch
    {
        NmsgFieldType.Enum => f.Enum?.NameOf((int)v.Bits) is { } n ? n : (object)(int)v.Bits,
        NmsgFieldType.Bytes => v.Bytes.ToArray(),
        NmsgFieldType.String or NmsgFieldType.MLString => Encoding.UTF8.GetString(NmsgPresentation.UpToNul(v.Bytes.Span)),
        NmsgFieldType.IP => v.Bytes.Length is 4 or 16 ? new IPAddress(v.Bytes.Span) : v.Bytes.ToArray(),
        NmsgFieldType.UInt16 => (ushort)v.Bits,
        NmsgFieldType.UInt32 => (uint)v.Bits,
        NmsgFieldType.UInt64 => v.Bits,
        NmsgFieldType.Int16 => (short)v.Bits,
        NmsgFieldType.Int32 => (int)v.Bits,
        NmsgFieldType.Int64 => (long)v.Bits,
        NmsgFieldType.Double => v.AsDouble,
        NmsgFieldType.Bool => v.Bits != 0,
        _ => null,
    };

    private void SetField(string name, object? value, bool append)
    {
        NmsgModule module = RequireModule();
        NmsgField f = RequireField(module, name);
        if (!f.IsStored || f.Wire == NmsgWireKind.Message)
            throw new ArgumentException($"{module.Name}.{name} is derived from other fields and cannot be set", nameof(name));
        if (append && !f.IsRepeated)
            throw new ArgumentException($"{module.Name}.{name} does not repeat", nameof(name));

        // Rebuild the payload: every stored value as it is, the changed field as asked.
        var builder = new PayloadBuilder(module);
        var fields = new PayloadFields();
        fields.Load(_payload, module);
        var values = new List<NmsgFieldValue>();
        foreach (NmsgField other in module.StoredByNumber)
        {
            if (other == f && !append)
                continue;
            fields.Collect(other, values);
            foreach (NmsgFieldValue v in values)
                builder.Add(other, v);
        }
        if (value is not null)
        {
            if (f.IsRepeated && !append && value is System.Collections.IEnumerable items and not string and not byte[])
            {
                foreach (object? item in items)
                    builder.Add(f, FromObject(f, item ?? throw new ArgumentException($"{name}: null element"), builder));
            }
            else
            {
                builder.Add(f, FromObject(f, value, builder));
            }
        }
        Payload = builder.ToArray();
    }

    private static NmsgFieldValue FromObject(NmsgField f, object value, PayloadBuilder builder)
    {
        if (value is string text && FieldParsers.HasParser(f))
        {
            string? error = FieldParsers.Parse(f, text, builder, out NmsgFieldValue parsed);
            return error is null ? parsed : throw new ArgumentException($"{f.Name}: {error}");
        }
        try
        {
            switch (f.Type)
            {
                case NmsgFieldType.Enum:
                    if (value is string s)
                        return f.Enum!.TryParse(s, out int ev) ? new NmsgFieldValue((ulong)(long)ev) : throw new ArgumentException($"{f.Name}: '{s}' is not a value of {f.Enum.Name}");
                    return new NmsgFieldValue((ulong)Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
                case NmsgFieldType.Bytes:
                    return value switch
                    {
                        byte[] b => new NmsgFieldValue(b),
                        ReadOnlyMemory<byte> m => new NmsgFieldValue(m.ToArray()),
                        Memory<byte> m => new NmsgFieldValue(m.ToArray()),
                        _ => throw new ArgumentException($"{f.Name}: bytes field needs byte[]"),
                    };
                case NmsgFieldType.String or NmsgFieldType.MLString:
                    if (value is byte[] rawString)
                        return new NmsgFieldValue(rawString); // stored exactly as given, with or without a NUL
                    if (value is not string str)
                        throw new ArgumentException($"{f.Name}: string field needs a string (or byte[] for raw bytes)");
                    byte[] utf8 = new byte[Encoding.UTF8.GetByteCount(str) + 1];
                    Encoding.UTF8.GetBytes(str, utf8);
                    return new NmsgFieldValue(utf8);
                case NmsgFieldType.IP:
                    return value switch
                    {
                        IPAddress ip => new NmsgFieldValue(ip.GetAddressBytes()),
                        string ipText when IPAddress.TryParse(ipText, out IPAddress? parsed) => new NmsgFieldValue(parsed.GetAddressBytes()),
                        byte[] raw when raw.Length is 4 or 16 => new NmsgFieldValue(raw),
                        _ => throw new ArgumentException($"{f.Name}: '{value}' is not an IP address"),
                    };
                case NmsgFieldType.UInt16:
                    return new NmsgFieldValue(Convert.ToUInt16(value, System.Globalization.CultureInfo.InvariantCulture));
                case NmsgFieldType.UInt32:
                    return new NmsgFieldValue(Convert.ToUInt32(value, System.Globalization.CultureInfo.InvariantCulture));
                case NmsgFieldType.UInt64:
                    return new NmsgFieldValue(Convert.ToUInt64(value, System.Globalization.CultureInfo.InvariantCulture));
                case NmsgFieldType.Int16:
                    return Signed(f, Convert.ToInt16(value, System.Globalization.CultureInfo.InvariantCulture));
                case NmsgFieldType.Int32:
                    return Signed(f, Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture));
                case NmsgFieldType.Int64:
                    return Signed(f, Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
                case NmsgFieldType.Double:
                    return NmsgFieldValue.FromDouble(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture));
                case NmsgFieldType.Bool:
                    return new NmsgFieldValue(value is bool bl ? (bl ? 1UL : 0UL) : throw new ArgumentException($"{f.Name}: needs a bool"));
                default:
                    throw new ArgumentException($"{f.Name}: unsupported field type");
            }
        }
        catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException)
        {
            throw new ArgumentException($"{f.Name}: {value} does not fit a {f.Type} field", e);
        }
    }

    private static NmsgFieldValue Signed(NmsgField f, long v)
        => new(f.Wire == NmsgWireKind.SFixed32 ? (uint)(int)v : unchecked((ulong)v));
}
