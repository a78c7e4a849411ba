using System.Buffers;
using Nmsg.Dns;
using Nmsg.Internal;
using Nmsg.Modules;

namespace Nmsg.Text;

/// <summary>
/// nmsgtool's presentation format (SPEC §5.1–5.2), byte for byte: a header line, one line per field in the module's
/// table order, then a blank line.
/// </summary>
public static class NmsgPresentation
{
    [ThreadStatic]
    private static PooledBufferWriter? t_scratch;

    [ThreadStatic]
    private static List<NmsgFieldValue>? t_values;

    /// <summary>
    /// Writes one message. Returns false, writing nothing, where nmsgtool prints nothing: a known type whose payload
    /// is absent or undecodable, or a field that cannot be rendered (e.g. rdata without rrtype).
    /// </summary>
    public static bool Format(NmsgMessage message, IBufferWriter<byte> output, NmsgTextOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(output);
        options ??= NmsgTextOptions.Default;
        // The text sinks' buffers take the text directly; any other writer gets a copy of it.
        if (output is PooledBufferWriter direct)
            return Write(message, direct, options);
        PooledBufferWriter w = t_scratch ??= new PooledBufferWriter(4096);
        w.Clear();
        if (!Write(message, w, options))
            return false;
        output.Write(w.WrittenSpan);
        return true;
    }

    /// <summary>Appends one message to <paramref name="w"/>; on false, leaves it as it was.</summary>
    private static bool Write(NmsgMessage message, PooledBufferWriter w, NmsgTextOptions options)
    {
        NmsgModule? module = options.Modules.Find(message.Vid, message.MsgType);
        // A decoded payload without its payload field does not convert in libnmsg: nothing is printed. One built in
        // memory (from JSON, say) with no fields set prints its header, as nmsgtool -j … -o does.
        if (module is not null && !message.HasPayloadField && message.IsFromWire)
            return false;

        int mark = w.WrittenCount;
        WriteHeader(message, module, w, options);
        if (module is null)
        {
            w.Write("<UNKNOWN NMSG "u8);
            w.UInt(message.Vid);
            w.Byte((byte)':');
            w.UInt(message.MsgType);
            w.Byte((byte)'>');
            w.Write(options.EndlineUtf8);
        }
        else
        {
            bool ok;
            try
            {
                ok = WriteFields(message, module, w, options.EndlineUtf8);
            }
            catch (NmsgFormatException)
            {
                ok = false;
            }
            if (!ok)
            {
                w.Truncate(mark);
                return false;
            }
        }
        w.Byte((byte)'\n');
        return true;
    }

    /// <summary>Formats to a string (convenience; the <see cref="IBufferWriter{T}"/> overload does not allocate per field).</summary>
    public static string? Format(NmsgMessage message, NmsgTextOptions? options = null)
    {
        var buffer = new ArrayBufferWriter<byte>();
        return Format(message, buffer, options) ? System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan) : null;
    }

    private static void WriteHeader(NmsgMessage m, NmsgModule? module, PooledBufferWriter w, NmsgTextOptions o)
    {
        w.Byte((byte)'[');
        w.UInt((ulong)m.Payload.Length);
        w.Write("] ["u8);
        w.Timestamp(m.Time, clampNanoseconds: false);
        w.Write("] ["u8);
        if (module is not null && module.Vid == m.Vid)
        {
            w.Write(module.PresentationTag);
        }
        else
        {
            w.UInt(m.Vid);
            w.Byte((byte)':');
            w.UInt(m.MsgType);
            w.Byte((byte)' ');
            w.Utf8(o.Modules.VendorName(m.Vid) ?? "(unknown)");
            w.Byte((byte)' ');
            w.Utf8(module?.Name ?? "(unknown)");
        }
        w.Write("] ["u8);
        w.Hex(o.SetSource != 0 ? o.SetSource : m.Source ?? 0, 8);
        w.Write("] ["u8);
        uint op = o.SetOperator != 0 ? o.SetOperator : m.Operator ?? 0;
        if (op != 0)
        {
            if (o.Aliases.OperatorName(op) is { } name)
                w.Utf8(name);
            else
                w.UInt(op);
        }
        w.Write("] ["u8);
        uint group = o.SetGroup != 0 ? o.SetGroup : m.Group ?? 0;
        if (group != 0)
        {
            if (o.Aliases.GroupName(group) is { } name)
                w.Utf8(name);
            else
                w.UInt(group);
        }
        w.Write("] "u8);
        w.Write(o.EndlineUtf8);
    }

    private static bool WriteFields(NmsgMessage m, NmsgModule module, PooledBufferWriter w, byte[] endline)
    {
        PayloadFields fields = PayloadFields.ForThread();
        fields.Load(m, module);
        List<NmsgFieldValue> values = t_values ??= [];
        NmsgField[] all = module.FieldArray;
        for (int k = 0; k < all.Length; k++)
        {
            NmsgField f = all[k];
            if ((f.Flags & (NmsgFieldFlags.Hidden | NmsgFieldFlags.NoPrint)) != 0)
                continue;
            if (f.Getter is { } getter)
            {
                for (int i = 0; getter(m, i, out NmsgFieldValue v); i++)
                {
                    if (!WriteField(f, v, m, module, fields, w, endline))
                        return false;
                }
                continue;
            }
            if (!f.IsRepeated)
            {
                if (!fields.TryGetSingle(f, out NmsgFieldValue single))
                    continue;
                if (f.Fast != NmsgTextFast.None && TryWriteFast(f, in single, w, endline))
                    continue;
                if (!WriteField(f, single, m, module, fields, w, endline))
                    return false;
                continue;
            }
            int at = fields.FirstOf(f);
            if (at == -2)
            {
                fields.Collect(f, values);
                foreach (NmsgFieldValue v in values)
                {
                    if (!WriteField(f, v, m, module, fields, w, endline))
                        return false;
                }
                continue;
            }
            // The entries themselves, without a list of their values.
            for (; at >= 0; at = fields.NextOf(at))
            {
                if (!WriteField(f, fields.ValueAt(at, f), m, module, fields, w, endline))
                    return false;
            }
        }
        return true;
    }

    private static void Name(PooledBufferWriter w, NmsgField f) => w.Write(f.PresentationPrefixText);

    /// <summary>
    /// The lines <see cref="NmsgField.Fast"/> marks, written as <see cref="WriteDefault"/> does without its
    /// dispatch; false (nothing written) where the general path must decide (an unnamed enum value, a bad address).
    /// </summary>
    private static bool TryWriteFast(NmsgField f, in NmsgFieldValue v, PooledBufferWriter w, byte[] endline)
    {
        switch (f.Fast)
        {
            case >= NmsgTextFast.UInt16 and <= NmsgTextFast.Int64:
                Name(w, f);
                w.TryWriteInteger(f.Fast, v.Bits);
                break;
            case NmsgTextFast.Ip:
                {
                    ReadOnlySpan<byte> ip = v.Bytes.Span;
                    if (ip.Length is not (4 or 16))
                        return false;
                    Name(w, f);
                    Span<byte> dst = w.GetSpan(IpText.MaxLength);
                    w.Advance(ip.Length == 4 ? IpText.WriteV4(ip, dst) : IpText.WriteV6(ip, dst));
                    break;
                }
            case NmsgTextFast.Enum:
                if (f.Enum!.AsciiNameOf((int)v.Bits) is not { } name)
                    return false;
                Name(w, f);
                w.Write(name);
                break;
            default:
                return false;
        }
        Endline(w, endline);
        return true;
    }

    /// <summary>The line end: usually one byte, written as one.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void Endline(PooledBufferWriter w, byte[] endline)
    {
        if (endline.Length == 1)
            w.WriteByte(endline[0]);
        else
            w.Write(endline);
    }

    private static bool WriteField(NmsgField f, NmsgFieldValue v, NmsgMessage m, NmsgModule module, PayloadFields fields,
        PooledBufferWriter w, byte[] endline)
    {
        switch (f.Format)
        {
            case NmsgFieldFormat.DnsName:
                int len = v.Bytes.Length;
                if (len is >= 1 and <= 255)
                {
                    // As wdns: a malformed name prints what can be printed rather than failing.
                    Name(w, f);
                    DnsNames.FormatLenient(v.Bytes.Span, w);
                    Endline(w, endline);
                }
                return true;
            case NmsgFieldFormat.DnsType or NmsgFieldFormat.SieDnsType:
                Name(w, f);
                if (DnsMnemonics.TypeText((ushort)v.Bits) is { } typeText)
                    w.Write(typeText);
                else
                    w.Ascii(DnsMnemonics.TypeName((ushort)v.Bits) ?? "<UNKNOWN>");
                Number(w, (ushort)v.Bits);
                Endline(w, endline);
                return true;
            case NmsgFieldFormat.DnsClass:
                Name(w, f);
                if (DnsMnemonics.ClassText((ushort)v.Bits) is { } classText)
                {
                    w.Write(classText);
                }
                else if (DnsMnemonics.ClassName((ushort)v.Bits) is { } cls)
                {
                    w.Ascii(cls);
                }
                else
                {
                    w.Write("CLASS"u8);
                    w.UInt((ushort)v.Bits);
                }
                Number(w, (ushort)v.Bits);
                Endline(w, endline);
                return true;
            case NmsgFieldFormat.SieDnsClass:
                Name(w, f);
                w.Ascii(DnsMnemonics.ClassName((ushort)v.Bits) ?? "<UNKNOWN>");
                Number(w, (ushort)v.Bits);
                Endline(w, endline);
                return true;
            case NmsgFieldFormat.Rcode:
                Name(w, f);
                if (DnsMnemonics.RcodeText((ushort)v.Bits) is { } rcodeText)
                    w.Write(rcodeText);
                else
                    w.Ascii(DnsMnemonics.RcodeName((ushort)v.Bits) ?? "<UNKNOWN>");
                Number(w, (ushort)v.Bits);
                Endline(w, endline);
                return true;
            case NmsgFieldFormat.DnsRdata:
                if (!RrTypeAndClass(module, fields, out ushort rrtype, out ushort rrclass))
                    return false;
                Name(w, f);
                DnsRdata.Format(rrtype, rrclass, v.Bytes.Span, w);
                Endline(w, endline);
                return true;
            case NmsgFieldFormat.IpProto:
                // libnmsg's printer ends this line with a literal newline whatever the endline option says.
                Name(w, f);
                string? proto = IpProtoName((ushort)v.Bits);
                if (proto is not null)
                {
                    w.Ascii(proto);
                    Number(w, (ushort)v.Bits);
                }
                else
                {
                    w.UInt((ushort)v.Bits);
                }
                w.Byte((byte)'\n');
                return true;
            case NmsgFieldFormat.DnsMessage or NmsgFieldFormat.SieDnsMessage:
                WriteDnsMessage(f, v.Bytes.Span, w, endline);
                return true;
            case NmsgFieldFormat.SieTime:
                Name(w, f);
                w.DateTime((uint)v.Bits);
                Endline(w, endline);
                return true;
            case NmsgFieldFormat.Hex:
                Name(w, f);
                w.Hex((uint)v.Bits, 0);
                Endline(w, endline);
                return true;
            case NmsgFieldFormat.EnumName:
                if (f.Enum?.NameOf((int)v.Bits) is not { } enumName)
                    return false;
                Name(w, f);
                w.Ascii(enumName);
                Endline(w, endline);
                return true;
            case NmsgFieldFormat.NcapPayload:
                return NcapPrinter.Print(m, w, endline);
            default:
                WriteDefault(f, v, w, endline);
                return true;
        }
    }

    private static void Number(PooledBufferWriter w, ulong n)
    {
        w.Write(" ("u8);
        w.UInt(n);
        w.Byte((byte)')');
    }

    internal static string? IpProtoName(ushort proto) => proto switch { 17 => "UDP", 6 => "TCP", 1 => "ICMP", _ => null };

    internal static bool RrTypeAndClass(NmsgModule module, PayloadFields fields, out ushort rrtype, out ushort rrclass)
    {
        rrtype = rrclass = 0;
        NmsgField? t = module.RrTypeField;
        NmsgField? c = module.RrClassField;
        if (t is null || c is null || !fields.TryGetSingle(t, out NmsgFieldValue tv) || !fields.TryGetSingle(c, out NmsgFieldValue cv))
            return false;
        rrtype = (ushort)tv.Bits;
        rrclass = (ushort)cv.Bits;
        return true;
    }

    internal static void WriteDnsMessage(NmsgField f, ReadOnlySpan<byte> dns, PooledBufferWriter w, byte[] endline)
    {
        Name(w, f);
        int mark = w.WrittenCount;
        w.Byte((byte)'[');
        w.UInt((ulong)dns.Length);
        w.Write(" octets]"u8);
        Endline(w, endline);
        if (DnsMessageText.TryFormat(dns, w))
        {
            w.Write("---"u8);
            Endline(w, endline);
            return;
        }
        w.Truncate(mark);
        w.Write("<PARSE ERROR>"u8);
        Endline(w, endline);
    }

    private static void WriteDefault(NmsgField f, NmsgFieldValue v, PooledBufferWriter w, byte[] endline)
    {
        ReadOnlySpan<byte> bytes = v.Bytes.Span;
        switch (f.Type)
        {
            case NmsgFieldType.MLString:
                w.Ascii(f.Name);
                w.Byte((byte)':');
                Endline(w, endline);
                w.Bytes(UpToNul(bytes));
                w.Byte((byte)'.');
                Endline(w, endline);
                return;
            case NmsgFieldType.Enum:
                Name(w, f);
                if (f.Enum?.AsciiNameOf((int)v.Bits) is { } text)
                {
                    w.Write(text);
                }
                else if (f.Enum?.NameOf((int)v.Bits) is { } name)
                {
                    w.Ascii(name);
                }
                else
                {
                    w.Write("<UNKNOWN ENUM VAL="u8);
                    w.Int((int)v.Bits);
                    w.Byte((byte)'>');
                }
                break;
            case NmsgFieldType.Bytes:
                Name(w, f);
                w.Write("<BYTE ARRAY LEN="u8);
                w.UInt((ulong)bytes.Length);
                w.Byte((byte)'>');
                break;
            case NmsgFieldType.String:
                Name(w, f);
                w.Bytes(UpToNul(bytes));
                break;
            case NmsgFieldType.IP:
                Name(w, f);
                if (!IpText.TryFormat(bytes, w))
                {
                    w.Write("<INVALID IP len="u8);
                    w.UInt((ulong)bytes.Length);
                    w.Byte((byte)'>');
                }
                break;
            case NmsgFieldType.UInt16:
                Name(w, f);
                w.UInt((ushort)v.Bits);
                break;
            case NmsgFieldType.UInt32:
                Name(w, f);
                w.UInt((uint)v.Bits);
                break;
            case NmsgFieldType.UInt64:
                Name(w, f);
                w.UInt(v.Bits);
                break;
            case NmsgFieldType.Int16:
                Name(w, f);
                w.Int((short)v.Bits);
                break;
            case NmsgFieldType.Int32:
                Name(w, f);
                w.Int((int)v.Bits);
                break;
            case NmsgFieldType.Int64:
                Name(w, f);
                w.Int((long)v.Bits);
                break;
            case NmsgFieldType.Double:
                Name(w, f);
                w.DoubleFixed6(v.AsDouble);
                break;
            case NmsgFieldType.Bool:
                Name(w, f);
                w.Write(v.Bits != 0 ? "True"u8 : "False"u8);
                break;
        }
        Endline(w, endline);
    }

    internal static ReadOnlySpan<byte> UpToNul(ReadOnlySpan<byte> s)
    {
        int nul = s.IndexOf((byte)0);
        return nul >= 0 ? s[..nul] : s;
    }
}
