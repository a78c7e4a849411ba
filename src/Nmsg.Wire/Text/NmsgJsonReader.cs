using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Nmsg.Dns;
using Nmsg.Modules;

namespace Nmsg.Text;

/// <summary>
/// JSON input (nmsgtool <c>-j</c>, SPEC §6.5): one JSON object per line, as <see cref="NmsgJson"/> writes them.
/// </summary>
public static class NmsgJsonReader
{
    /// <summary>
    /// Parses one line. Throws <see cref="NmsgFormatException"/> (reason <see cref="NmsgErrorReason.TextInvalid"/>)
    /// naming the line and the field for anything nmsgtool would reject.
    /// </summary>
    public static NmsgMessage Parse(ReadOnlySpan<byte> line, NmsgTextOptions? options = null, long lineNumber = 0)
    {
        options ??= NmsgTextOptions.Default;
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(line.ToArray());
        }
        catch (JsonException e)
        {
            throw Error(lineNumber, null, $"not JSON: {e.Message}");
        }
        using (doc)
            return Parse(doc.RootElement, options, lineNumber);
    }

    /// <summary>Parses one line given as text.</summary>
    public static NmsgMessage Parse(string line, NmsgTextOptions? options = null, long lineNumber = 0)
    {
        ArgumentNullException.ThrowIfNull(line);
        options ??= NmsgTextOptions.Default;
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw Error(lineNumber, null, $"not JSON: {e.Message}");
        }
        using (doc)
            return Parse(doc.RootElement, options, lineNumber);
    }

    /// <summary>
    /// Reads every line of a stream. Blank lines are skipped. A bad line throws unless <paramref name="onError"/> is
    /// given, in which case it is reported there and skipped (as nmsgtool does). Unlike nmsgtool, a last line
    /// without a newline is read, not dropped.
    /// </summary>
    public static async IAsyncEnumerable<NmsgMessage> ReadAllAsync(Stream stream, NmsgTextOptions? options = null,
        Action<NmsgFormatException>? onError = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new StreamReader(stream, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 65536, leaveOpen: true);
        long number = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            number++;
            if (line.Length == 0)
                continue;
            NmsgMessage? message = null;
            try
            {
                message = Parse(line, options, number);
            }
            catch (NmsgFormatException e) when (onError is not null)
            {
                onError(e);
            }
            if (message is not null)
                yield return message;
        }
    }

    private static NmsgFormatException Error(long line, string? field, string message)
        => new(NmsgErrorReason.TextInvalid, $"JSON line {line}{(field is null ? "" : $", field \"{field}\"")}: {message}");

    private static NmsgMessage Parse(JsonElement root, NmsgTextOptions options, long line)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw Error(line, null, "not a JSON object");
        string vname = RequiredString(root, "vname", line);
        string mname = RequiredString(root, "mname", line);
        NmsgModule module = options.Modules.Find(vname, mname) ?? throw Error(line, "mname", $"unknown message type {vname}/{mname}");

        NmsgTimestamp time = root.TryGetProperty("time", out JsonElement t) ? ParseTime(t, line) : NmsgTimestamp.Now;
        if (!root.TryGetProperty("message", out JsonElement body) || body.ValueKind != JsonValueKind.Object)
            throw Error(line, "message", "missing or not an object");

        var builder = new PayloadBuilder(module);
        foreach (NmsgField f in module.Fields)
        {
            if (!f.IsStored || f.Wire == NmsgWireKind.Message || !body.TryGetProperty(f.Name, out JsonElement value))
                continue;
            if (f.IsRepeated)
            {
                if (value.ValueKind != JsonValueKind.Array)
                    throw Error(line, f.Name, "a repeated field needs an array");
                foreach (JsonElement item in value.EnumerateArray())
                    builder.Add(f, ParseValue(f, item, builder, line));
            }
            else
            {
                builder.Add(f, ParseValue(f, value, builder, line));
            }
        }

        var message = new NmsgMessage(module.Vid, module.MsgType, time, builder.ToArray());
        if (root.TryGetProperty("source", out JsonElement src))
            message.Source = NonZero(ParseSource(src, line));
        if (root.TryGetProperty("operator", out JsonElement op))
            message.Operator = NonZero(ParseAliased(op, options.Aliases.OperatorValue, "operator", line));
        if (root.TryGetProperty("group", out JsonElement group))
            message.Group = NonZero(ParseAliased(group, options.Aliases.GroupValue, "group", line));
        return message;
    }

    private static uint? NonZero(uint v) => v == 0 ? null : v;

    private static string RequiredString(JsonElement root, string key, long line)
        => root.TryGetProperty(key, out JsonElement v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()!
            : throw Error(line, key, "missing or not a string");

    private static uint ParseSource(JsonElement e, long line)
    {
        if (e.ValueKind == JsonValueKind.Number && e.TryGetUInt32(out uint n))
            return n;
        if (e.ValueKind == JsonValueKind.String
            && uint.TryParse(e.GetString(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint hex))
            return hex;
        throw Error(line, "source", "not a hex string or an integer");
    }

    private static uint ParseAliased(JsonElement e, Func<string, uint> alias, string key, long line)
    {
        if (e.ValueKind == JsonValueKind.Number && e.TryGetUInt32(out uint n))
            return n;
        if (e.ValueKind == JsonValueKind.String)
            return alias(e.GetString()!); // a name that is not an alias yields 0, as in libnmsg
        throw Error(line, key, "not an alias name or an integer");
    }

    /// <summary>libnmsg's time: "%Y-%m-%d %T[.nanoseconds]" (raw digits), or seconds as an integer or a double.</summary>
    private static NmsgTimestamp ParseTime(JsonElement e, long line)
    {
        if (e.ValueKind == JsonValueKind.Number)
        {
            if (e.TryGetInt64(out long secs))
                return new NmsgTimestamp(secs, 0);
            double d = e.GetDouble();
            double whole = Math.Floor(d);
            return new NmsgTimestamp((long)whole, (uint)Math.Round((d - whole) * 1e9));
        }
        if (e.ValueKind != JsonValueKind.String)
            throw Error(line, "time", "not a string or a number");
        string s = e.GetString()!;
        int dot = s.IndexOf('.', StringComparison.Ordinal);
        if (!TimeText.TryParse(dot >= 0 ? s.AsSpan(0, dot) : s, out long seconds))
            throw Error(line, "time", $"'{s}' is not YYYY-MM-DD HH:MM:SS[.nnnnnnnnn]");
        uint ns = 0;
        // libnmsg reads the digits after the dot as a raw nanosecond count (".5" is 5 ns): kept for compatibility.
        if (dot >= 0 && !uint.TryParse(s.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out ns))
            throw Error(line, "time", $"'{s}' has a bad fraction");
        return new NmsgTimestamp(seconds, ns);
    }

    private static NmsgFieldValue ParseValue(NmsgField f, JsonElement e, PayloadBuilder builder, long line)
    {
        if (FieldParsers.HasParser(f))
        {
            if (e.ValueKind != JsonValueKind.String)
                throw Error(line, f.Name, "needs a string");
            string? error = FieldParsers.Parse(f, e.GetString()!, builder, out NmsgFieldValue parsed);
            return error is null ? parsed : throw Error(line, f.Name, error);
        }
        switch (f.Type)
        {
            case NmsgFieldType.Bool:
                if (e.ValueKind is JsonValueKind.True or JsonValueKind.False)
                    return new NmsgFieldValue(e.ValueKind == JsonValueKind.True ? 1UL : 0UL);
                if (e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out long b))
                    return new NmsgFieldValue(b != 0 ? 1UL : 0UL);
                if (e.ValueKind == JsonValueKind.String && bool.TryParse(e.GetString(), out bool bs))
                    return new NmsgFieldValue(bs ? 1UL : 0UL);
                throw Error(line, f.Name, "not a boolean");
            case NmsgFieldType.Bytes:
                JsonElement b64 = e;
                if (e.ValueKind == JsonValueKind.Object && !e.TryGetProperty("b64", out b64))
                    throw Error(line, f.Name, "an object needs \"b64\"");
                if (b64.ValueKind == JsonValueKind.String && b64.TryGetBytesFromBase64(out byte[]? bytes))
                    return new NmsgFieldValue(bytes);
                throw Error(line, f.Name, "not base64");
            case NmsgFieldType.Enum:
                if (e.ValueKind == JsonValueKind.String && f.Enum!.TryParse(e.GetString()!, out int ev))
                    return new NmsgFieldValue((ulong)(long)ev);
                // libnmsg compares a number against the count of values, not against valid values: kept.
                if (e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int en) && en >= 0 && en < f.Enum!.Values.Count)
                    return new NmsgFieldValue((ulong)en);
                throw Error(line, f.Name, "not a value of " + f.Enum!.Name);
            case NmsgFieldType.String or NmsgFieldType.MLString:
                if (e.ValueKind != JsonValueKind.String)
                    throw Error(line, f.Name, "not a string");
                string text = e.GetString()!;
                byte[] utf8 = new byte[System.Text.Encoding.UTF8.GetByteCount(text) + 1];
                System.Text.Encoding.UTF8.GetBytes(text, utf8); // the last byte stays the terminating NUL
                return new NmsgFieldValue(utf8);
            case NmsgFieldType.IP:
                if (e.ValueKind == JsonValueKind.Null)
                    return new NmsgFieldValue(ReadOnlyMemory<byte>.Empty);
                if (e.ValueKind == JsonValueKind.String && IpText.TryParse(e.GetString()!, out byte[] ip))
                    return new NmsgFieldValue(ip);
                throw Error(line, f.Name, "not an IP address");
            case NmsgFieldType.UInt16:
                return e.ValueKind == JsonValueKind.Number && e.TryGetUInt16(out ushort u16) ? new NmsgFieldValue(u16) : throw Error(line, f.Name, "not an integer 0..65535");
            case NmsgFieldType.UInt32:
                return e.ValueKind == JsonValueKind.Number && e.TryGetUInt32(out uint u32) ? new NmsgFieldValue(u32) : throw Error(line, f.Name, "not an integer 0..4294967295");
            case NmsgFieldType.UInt64:
                if (e.ValueKind == JsonValueKind.Number && e.TryGetUInt64(out ulong u64))
                    return new NmsgFieldValue(u64);
                if (e.ValueKind == JsonValueKind.String && ulong.TryParse(e.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out u64))
                    return new NmsgFieldValue(u64);
                throw Error(line, f.Name, "not an unsigned 64-bit integer");
            case NmsgFieldType.Int16 or NmsgFieldType.Int32 or NmsgFieldType.Int64:
                long min = f.Type == NmsgFieldType.Int16 ? short.MinValue : f.Type == NmsgFieldType.Int32 ? int.MinValue : long.MinValue;
                long max = f.Type == NmsgFieldType.Int16 ? short.MaxValue : f.Type == NmsgFieldType.Int32 ? int.MaxValue : long.MaxValue;
                if (e.ValueKind == JsonValueKind.Number)
                {
                    if (e.TryGetInt64(out long i64) && i64 >= min && i64 <= max)
                        return Signed(f, i64);
                    // nmsgtool writes negative values as their two's-complement uint64: read that back too.
                    if (e.TryGetUInt64(out ulong u) && unchecked((long)u) is long wrapped && wrapped < 0 && wrapped >= min)
                        return Signed(f, wrapped);
                }
                throw Error(line, f.Name, $"not an integer {min}..{max}");
            case NmsgFieldType.Double:
                // libnmsg takes only a JSON double here: an integer literal is rejected.
                if (e.ValueKind == JsonValueKind.Number && e.GetRawText().AsSpan().IndexOfAny(".eE") >= 0)
                    return NmsgFieldValue.FromDouble(e.GetDouble());
                throw Error(line, f.Name, "not a double (write 1.0, not 1)");
            default:
                throw Error(line, f.Name, "unsupported field type");
        }
    }

    /// <summary>A signed value as stored: varints sign-extend to 64 bits; sfixed32 keeps 32.</summary>
    private static NmsgFieldValue Signed(NmsgField f, long v)
        => new(f.Wire == NmsgWireKind.SFixed32 ? (uint)(int)v : unchecked((ulong)v));
}
