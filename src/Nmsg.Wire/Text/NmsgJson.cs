using System.Buffers;
using Nmsg.Dns;
using Nmsg.Internal;
using Nmsg.Modules;

namespace Nmsg.Text;

/// <summary>
/// nmsgtool's JSON output (SPEC §6.1–6.4): one compact object per message. Where nmsgtool fails (unknown type,
/// undecodable payload, a field it cannot format) this writes a sensible object instead, and negative integers
/// are written as themselves, not as their two's-complement uint64 (docs/compatibility.md).
/// </summary>
public static class NmsgJson
{
    [ThreadStatic]
    private static List<NmsgFieldValue>? t_values;

    [ThreadStatic]
    private static PooledBufferWriter? t_text;

    /// <summary>A cleared per-thread buffer for DNS text that is escaped before it reaches the output.</summary>
    private static PooledBufferWriter Text()
    {
        PooledBufferWriter text = t_text ??= new PooledBufferWriter(1024);
        text.Clear();
        return text;
    }

    /// <summary>Writes one message as a JSON object followed by "\n".</summary>
    public static void Format(NmsgMessage message, IBufferWriter<byte> output, NmsgTextOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(output);
        options ??= NmsgTextOptions.Default;
        // The text sinks' buffers take the text directly; any other writer gets a copy of it.
        if (output is PooledBufferWriter direct)
        {
            Write(message, direct, options);
            return;
        }
        PooledBufferWriter output0 = t_header ??= new PooledBufferWriter(4096);
        output0.Clear();
        Write(message, output0, options);
        output.Write(output0.WrittenSpan);
    }

    [ThreadStatic]
    private static PooledBufferWriter? t_header;

    [ThreadStatic]
    private static string? t_vendorText, t_typeText;

    [ThreadStatic]
    private static ShortText? t_vendorJson, t_typeJson;

    /// <summary>A quoted, escaped name; the last one's JSON bytes are kept, as consecutive messages repeat it.</summary>
    private static void WriteName(PooledBufferWriter w, string name, ref string? lastText, ref ShortText? lastJson)
    {
        if (!ReferenceEquals(name, lastText) || lastJson is null)
        {
            int mark = w.WrittenCount;
            JsonString.Write(w, name);
            lastJson = new ShortText(w.WrittenSpan[mark..]);
            lastText = name;
            return;
        }
        w.Write(lastJson);
    }

    private static void Write(NmsgMessage message, PooledBufferWriter output, NmsgTextOptions options)
    {
        NmsgModule? module = options.Modules.Find(message.Vid, message.MsgType);
        output.Write("{\"time\":\""u8);
        output.Timestamp(message.Time, clampNanoseconds: true);
        output.Write("\",\"vname\":"u8);
        WriteName(output, options.Modules.VendorName(message.Vid) ?? "(unknown)", ref t_vendorText, ref t_vendorJson);
        output.Write(",\"mname\":"u8);
        WriteName(output, module?.Name ?? "(unknown)", ref t_typeText, ref t_typeJson);
        uint source = options.SetSource != 0 ? options.SetSource : message.Source ?? 0;
        if (source != 0)
        {
            output.Write(",\"source\":\""u8);
            output.Hex(source, 8);
            output.Byte((byte)'"');
        }
        // (No delegate for the alias lookup: a method group argument allocates on every message.)
        uint op = options.SetOperator != 0 ? options.SetOperator : message.Operator ?? 0;
        if (op != 0)
            WriteAliased(output, "operator", op, options.Aliases.OperatorName(op));
        uint group = options.SetGroup != 0 ? options.SetGroup : message.Group ?? 0;
        if (group != 0)
            WriteAliased(output, "group", group, options.Aliases.GroupName(group));

        if (module is null)
        {
            // nmsgtool aborts here; we keep the type numbers and the raw payload.
            output.Write(",\"vid\":"u8);
            output.UInt(message.Vid);
            output.Write(",\"msgtype\":"u8);
            output.UInt(message.MsgType);
            output.Write(",\"payload\":"u8);
            Base64OrNull(output, message.Payload.Span);
            output.Write("}\n"u8);
            return;
        }

        // Written in place; an undecodable payload takes the "message" text back out.
        int mark = output.WrittenCount;
        output.Write(",\"message\":"u8);
        bool ok;
        try
        {
            ok = WriteMessage(message, module, output);
        }
        catch (NmsgFormatException)
        {
            ok = false;
        }
        if (!ok)
        {
            // Undecodable payload: nmsgtool aborts; we give the raw payload instead of "message".
            output.Truncate(mark);
            output.Write(",\"payload\":"u8);
            Base64OrNull(output, message.Payload.Span);
        }
        output.Write("}\n"u8);
    }

    /// <summary>Formats to a string (convenience).</summary>
    public static string Format(NmsgMessage message, NmsgTextOptions? options = null)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Format(message, buffer, options);
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteAliased(PooledBufferWriter w, string key, uint value, string? alias)
    {
        w.Write(",\""u8);
        w.Ascii(key);
        w.Write("\":"u8);
        if (alias is { } name)
            JsonString.Write(w, name);
        else
            w.UInt(value);
    }

    private static void Base64OrNull(PooledBufferWriter w, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            w.Write("null"u8);
            return;
        }
        w.Byte((byte)'"');
        w.Base64(data);
        w.Byte((byte)'"');
    }

    private static bool WriteMessage(NmsgMessage m, NmsgModule module, PooledBufferWriter w)
    {
        PayloadFields fields = PayloadFields.ForThread();
        // Where the last derived bytes value went as base64: dnsqr's "dns" is its "response" again (the same bytes),
        // and its text is copied rather than encoded twice. Text already written stays as it is while a message is
        // written (the formatter only ever cuts back to the start of the value it is writing).
        ReadOnlyMemory<byte> base64Source = default;
        int base64Start = 0, base64Length = 0;
        if (m.HasPayloadField)
            fields.Load(m, module);
        else
            fields.Load(ReadOnlyMemory<byte>.Empty, module);
        w.Byte((byte)'{');
        bool first = true;
        NmsgField[] all = module.FieldArray;
        for (int k = 0; k < all.Length; k++)
        {
            NmsgField f = all[k];
            if (f.IsStored)
            {
                if (!f.IsRepeated)
                {
                    if (!fields.TryGetSingle(f, out NmsgFieldValue single))
                        continue;
                    Key(w, f, ref first);
                    if (f.Fast == NmsgTextFast.None || !TryWriteFast(f, in single, w))
                        WriteValue(f, in single, module, fields, w);
                    continue;
                }
                // A repeated field is written even when absent, as "[]".
                Key(w, f, ref first);
                w.Byte((byte)'[');
                int at = fields.FirstOf(f);
                if (at == -2)
                {
                    List<NmsgFieldValue> collected = t_values ??= [];
                    fields.Collect(f, collected);
                    WriteValues(f, collected, module, fields, w);
                }
                else
                {
                    // The entries themselves, without a list of their values.
                    for (bool comma = false; at >= 0; at = fields.NextOf(at), comma = true)
                    {
                        if (comma)
                            w.Byte((byte)',');
                        NmsgFieldValue v = fields.ValueAt(at, f);
                        if (f.Fast == NmsgTextFast.None || !TryWriteFast(f, in v, w))
                            WriteValue(f, in v, module, fields, w);
                    }
                }
                w.Byte((byte)']');
                continue;
            }
            if (f.Getter is not { } getter)
                continue;
            if (!f.IsRepeated)
            {
                // One derived value: no list.
                if (!getter(m, 0, out NmsgFieldValue derived))
                    continue;
                Key(w, f, ref first);
                if (f.Type != NmsgFieldType.Bytes || f.Format is not (NmsgFieldFormat.Default or NmsgFieldFormat.DnsMessage) || derived.Bytes.IsEmpty)
                {
                    WriteValue(f, in derived, module, fields, w);
                    continue;
                }
                if (base64Length > 0 && derived.Bytes.Equals(base64Source))
                {
                    w.GetSpan(base64Length); // room first: the copy reads from the same buffer
                    w.Write(w.WrittenSpan.Slice(base64Start, base64Length));
                    continue;
                }
                base64Start = w.WrittenCount;
                WriteValue(f, in derived, module, fields, w);
                base64Source = derived.Bytes;
                base64Length = w.WrittenCount - base64Start;
                continue;
            }
            List<NmsgFieldValue> values = t_values ??= [];
            values.Clear();
            for (int i = 0; getter(m, i, out NmsgFieldValue v); i++)
                values.Add(v);
            if (values.Count == 0)
                continue;
            Key(w, f, ref first);
            w.Byte((byte)'[');
            WriteValues(f, values, module, fields, w);
            w.Byte((byte)']');
        }
        w.Byte((byte)'}');
        return true;
    }

    /// <summary>
    /// The values <see cref="NmsgField.Fast"/> marks, written as <see cref="WriteDefault"/> does without its
    /// dispatch; false (nothing written) where the general path must decide (an unnamed enum value, a bad address).
    /// </summary>
    private static bool TryWriteFast(NmsgField f, in NmsgFieldValue v, PooledBufferWriter w)
    {
        if (w.TryWriteInteger(f.Fast, v.Bits))
            return true;
        switch (f.Fast)
        {
            case NmsgTextFast.Ip:
                {
                    ReadOnlySpan<byte> ip = v.Bytes.Span;
                    if (ip.Length is not (4 or 16))
                        return false;
                    Span<byte> dst = w.GetSpan(IpText.MaxLength + 2);
                    dst[0] = (byte)'"';
                    int n = 1 + (ip.Length == 4 ? IpText.WriteV4(ip, dst[1..]) : IpText.WriteV6(ip, dst[1..]));
                    dst[n] = (byte)'"';
                    w.Advance(n + 1);
                    return true;
                }
            case NmsgTextFast.Enum:
                if (f.Enum!.JsonNameOf((int)v.Bits) is not { } name)
                    return false;
                w.Write(name);
                return true;
            default:
                return false;
        }
    }

    /// <summary>A field's key, after a comma unless it is the first.</summary>
    private static void Key(PooledBufferWriter w, NmsgField f, ref bool first)
    {
        w.Write(first ? f.JsonKeyFirstText : f.JsonKeyText);
        first = false;
    }

    private static void WriteValues(NmsgField f, List<NmsgFieldValue> values, NmsgModule module, PayloadFields fields, PooledBufferWriter w)
    {
        for (int i = 0; i < values.Count; i++)
        {
            if (i > 0)
                w.Byte((byte)',');
            NmsgFieldValue v = values[i];
            WriteValue(f, in v, module, fields, w);
        }
    }

    private static void WriteValue(NmsgField f, in NmsgFieldValue v, NmsgModule module, PayloadFields fields, PooledBufferWriter w)
    {
        switch (f.Format)
        {
            case NmsgFieldFormat.DnsName:
                w.Byte((byte)'"');
                if (v.Bytes.Length is >= 1 and <= 255)
                    DnsNameEscaped(v.Bytes.Span, w);
                w.Byte((byte)'"');
                return;
            case NmsgFieldFormat.DnsType or NmsgFieldFormat.SieDnsType:
                if (DnsMnemonics.TypeJson((ushort)v.Bits) is { } typeJson)
                    w.Write(typeJson);
                else
                    Quoted(w, DnsMnemonics.TypeName((ushort)v.Bits), "TYPE", (ushort)v.Bits);
                return;
            case NmsgFieldFormat.DnsClass:
                if (DnsMnemonics.ClassJson((ushort)v.Bits) is { } classJson)
                    w.Write(classJson);
                else
                    Quoted(w, DnsMnemonics.ClassName((ushort)v.Bits), "CLASS", (ushort)v.Bits);
                return;
            case NmsgFieldFormat.SieDnsClass:
                if (DnsMnemonics.ClassJson((ushort)v.Bits) is { } sieClassJson)
                    w.Write(sieClassJson);
                else
                    JsonString.Write(w, DnsMnemonics.ClassName((ushort)v.Bits) ?? "<UNKNOWN>");
                return;
            case NmsgFieldFormat.Rcode:
                if (DnsMnemonics.RcodeJson((ushort)v.Bits) is { } rcodeJson)
                    w.Write(rcodeJson);
                else
                    Quoted(w, DnsMnemonics.RcodeName((ushort)v.Bits), "", (ushort)v.Bits);
                return;
            case NmsgFieldFormat.IpProto:
                switch ((ushort)v.Bits)
                {
                    case 17:
                        w.Write("\"UDP\""u8);
                        return;
                    case 6:
                        w.Write("\"TCP\""u8);
                        return;
                    case 1:
                        w.Write("\"ICMP\""u8);
                        return;
                }
                Quoted(w, NmsgPresentation.IpProtoName((ushort)v.Bits), "", (ushort)v.Bits);
                return;
            case NmsgFieldFormat.DnsRdata:
                if (!NmsgPresentation.RrTypeAndClass(module, fields, out ushort rrtype, out ushort rrclass))
                {
                    w.Write("null"u8); // nmsgtool aborts: rdata cannot be rendered without rrtype and rrclass
                    return;
                }
                w.Byte((byte)'"');
                int rdataAt = w.WrittenCount;
                DnsRdata.Format(rrtype, rrclass, v.Bytes.Span, w);
                EscapeWritten(w, rdataAt);
                w.Byte((byte)'"');
                return;
            case NmsgFieldFormat.DnsMessageJson:
                int mark = w.WrittenCount;
                if (!DnsMessageText.TryFormatJson(v.Bytes.Span, w))
                {
                    w.Truncate(mark);
                    w.Write("null"u8);
                }
                return;
            case NmsgFieldFormat.SieDnsMessage:
                PooledBufferWriter dump = Text();
                if (DnsMessageText.TryFormat(v.Bytes.Span, dump))
                    JsonString.WriteEscaped(w, dump.WrittenSpan, sanitize: false);
                else
                    w.Write("\"<PARSE ERROR>\""u8);
                return;
            case NmsgFieldFormat.SieTime:
                w.Byte((byte)'"');
                w.DateTime((uint)v.Bits);
                w.Byte((byte)'"');
                return;
            case NmsgFieldFormat.Hex:
                w.Byte((byte)'"');
                w.Hex((uint)v.Bits, 0);
                w.Byte((byte)'"');
                return;
            case NmsgFieldFormat.EnumName:
                if (f.Enum?.JsonNameOf((int)v.Bits) is { } enumJson)
                    w.Write(enumJson);
                else if (f.Enum?.NameOf((int)v.Bits) is { } enumName)
                    JsonString.Write(w, enumName);
                else
                    w.UInt(v.Bits);
                return;
            case NmsgFieldFormat.EncodePayload:
                EncodePayload.Write(module, fields, v.Bytes.Span, w);
                return;
            default:
                WriteDefault(f, in v, w);
                return;
        }
    }

    private static void Quoted(PooledBufferWriter w, string? name, string prefix, ushort n)
    {
        w.Byte((byte)'"');
        if (name is not null)
        {
            w.Ascii(name);
        }
        else
        {
            w.Ascii(prefix);
            w.UInt(n);
        }
        w.Byte((byte)'"');
    }

    private static void DnsNameEscaped(ReadOnlySpan<byte> wire, PooledBufferWriter w)
    {
        int at = w.WrittenCount;
        DnsNames.FormatLenient(wire, w);
        EscapeWritten(w, at);
    }

    /// <summary>
    /// JSON-escapes the text written since <paramref name="start"/>. DNS text is written straight into the output
    /// and, in the usual case that nothing in it needs escaping, left there.
    /// </summary>
    private static void EscapeWritten(PooledBufferWriter w, int start)
    {
        ReadOnlySpan<byte> written = w.WrittenSpan[start..];
        if (JsonString.IndexOfNeedsEscape(written) < 0)
            return;
        PooledBufferWriter text = Text();
        text.Write(written);
        w.Truncate(start);
        JsonString.WriteEscapedContent(w, text.WrittenSpan);
    }

    private static void WriteDefault(NmsgField f, in NmsgFieldValue v, PooledBufferWriter w)
    {
        ReadOnlySpan<byte> bytes = v.Bytes.Span;
        switch (f.Type)
        {
            case NmsgFieldType.Enum:
                if (f.Enum?.JsonNameOf((int)v.Bits) is { } json)
                    w.Write(json);
                else if (f.Enum?.NameOf((int)v.Bits) is { } name)
                    JsonString.Write(w, name);
                else
                    w.Int((int)v.Bits);
                return;
            case NmsgFieldType.Bytes:
                Base64OrNull(w, bytes);
                return;
            case NmsgFieldType.String or NmsgFieldType.MLString:
                JsonString.WriteEscaped(w, bytes, sanitize: true);
                return;
            case NmsgFieldType.IP:
                if (bytes.Length is 4 or 16)
                {
                    w.Byte((byte)'"');
                    IpText.TryFormat(bytes, w);
                    w.Byte((byte)'"');
                }
                else
                {
                    w.Write("null"u8);
                }
                return;
            case NmsgFieldType.UInt16:
                w.UInt((ushort)v.Bits);
                return;
            case NmsgFieldType.UInt32:
                w.UInt((uint)v.Bits);
                return;
            case NmsgFieldType.UInt64:
                w.UInt(v.Bits);
                return;
            case NmsgFieldType.Int16:
                w.Int((short)v.Bits);
                return;
            case NmsgFieldType.Int32:
                w.Int((int)v.Bits);
                return;
            case NmsgFieldType.Int64:
                w.Int((long)v.Bits);
                return;
            case NmsgFieldType.Double:
                w.DoubleJson(v.AsDouble);
                return;
            case NmsgFieldType.Bool:
                w.Write(v.Bits != 0 ? "true"u8 : "false"u8);
                return;
        }
    }
}
