using System.Globalization;
using System.Runtime.CompilerServices;
using Nmsg.Dns;
using Nmsg.Modules;

namespace Nmsg.Text;

/// <summary>
/// Presentation input (nmsgtool <c>-f</c> with <c>-V</c>/<c>-T</c>, SPEC §5.3): "field: value" lines, a blank line
/// ending each message of one fixed type. Times are the current time; source, operator and group are not read.
/// Differences from nmsgtool 1.3.3, each deliberate: values keep their spaces (nmsgtool keeps the first word),
/// multi-line strings work (nmsgtool hangs), DNS fields take their presentation text (nmsgtool cannot set them),
/// booleans are read, an unknown key is an error (nmsgtool silently sets the module's last field), and nmsgtool's
/// own header lines ("[len] [time] …") are skipped so that its output can be read back.
/// </summary>
public sealed class NmsgPresentationReader
{
    private readonly NmsgModule _module;
    private readonly TimeProvider _time;

    /// <summary>Reads messages of <paramref name="module"/>.</summary>
    public NmsgPresentationReader(NmsgModule module, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        _module = module;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Reads messages of the named type (nmsgtool <c>-V</c>/<c>-T</c>; vendor defaults to base).</summary>
    public static NmsgPresentationReader For(string vendor, string messageType, NmsgModules? modules = null)
        => new((modules ?? NmsgModules.Default).Find(vendor, messageType)
               ?? throw new ArgumentException($"unknown message type {vendor}/{messageType}", nameof(messageType)));

    /// <summary>Every message in the text; a bad line throws <see cref="NmsgFormatException"/> naming the line and field.</summary>
    public async IAsyncEnumerable<NmsgMessage> ReadAllAsync(TextReader reader, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        PayloadBuilder? builder = null;
        long number = 0;
        var lines = new LineReader(reader);
        while (await lines.ReadAsync(cancellationToken).ConfigureAwait(false) is { } rawLine)
        {
            number++;
            // Field lines may come with CRLF; multi-line values below keep their bytes as they are.
            string line = rawLine.EndsWith('\r') ? rawLine[..^1] : rawLine;
            if (line.Length == 0)
            {
                if (builder is not null)
                    yield return Complete(builder);
                builder = null;
                continue;
            }
            if (line.StartsWith('[') && line.EndsWith("] ", StringComparison.Ordinal))
                continue; // a header line of nmsgtool's own output
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
                throw Error(number, null, "expected \"field: value\"");
            string key = line[..colon];
            NmsgField f = _module.FindField(key) ?? throw Error(number, key, $"{_module.Name} has no such field");
            if (!f.IsStored || f.Wire == NmsgWireKind.Message)
                throw Error(number, key, "derived from other fields; it cannot be set");
            builder ??= new PayloadBuilder(_module);
            string value = line[(colon + 1)..].TrimStart(' ');
            if (f.Type == NmsgFieldType.MLString && value.Length == 0)
            {
                // Multi-line: lines up to one holding only "."; "body." glues the dot to text without a final newline.
                var text = new System.Text.StringBuilder();
                while (true)
                {
                    string? next = await lines.ReadAsync(cancellationToken).ConfigureAwait(false);
                    number++;
                    if (next is null)
                        throw Error(number, key, "multi-line value not ended by a \".\" line");
                    if (next is "." or ".\r")
                        break;
                    text.Append(next).Append('\n');
                }
                value = text.ToString();
            }
            else if (value.Length == 0 && f.Type != NmsgFieldType.String)
            {
                throw Error(number, key, "empty value"); // an empty string is fine: presentation prints "field: " for one
            }
            if (!f.IsRepeated)
                builder.Clear(f);
            builder.Add(f, ParseValue(f, value, builder, number));
        }
        if (builder is not null)
            yield return Complete(builder);
    }

    /// <summary>Lines split at "\n" only, so that a "\r" inside a multi-line value survives.</summary>
    private sealed class LineReader(TextReader reader)
    {
        private readonly char[] _buffer = new char[8192];
        private readonly System.Text.StringBuilder _line = new();
        private int _pos, _len;
        private bool _eof;

        public async ValueTask<string?> ReadAsync(CancellationToken cancellationToken)
        {
            _line.Clear();
            while (true)
            {
                if (_pos == _len)
                {
                    if (_eof)
                        return _line.Length > 0 ? _line.ToString() : null;
                    _len = await reader.ReadAsync(_buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
                    _pos = 0;
                    if (_len == 0)
                    {
                        _eof = true;
                        continue;
                    }
                }
                int nl = Array.IndexOf(_buffer, '\n', _pos, _len - _pos);
                if (nl < 0)
                {
                    _line.Append(_buffer, _pos, _len - _pos);
                    _pos = _len;
                    continue;
                }
                _line.Append(_buffer, _pos, nl - _pos);
                _pos = nl + 1;
                return _line.ToString();
            }
        }
    }

    private NmsgMessage Complete(PayloadBuilder builder)
        => new(_module.Vid, _module.MsgType, NmsgTimestamp.FromDateTimeOffset(_time.GetUtcNow()), builder.ToArray());

    private static NmsgFormatException Error(long line, string? field, string message)
        => new(NmsgErrorReason.TextInvalid, $"presentation line {line}{(field is null ? "" : $", field \"{field}\"")}: {message}");

    private static NmsgFieldValue ParseValue(NmsgField f, string value, PayloadBuilder builder, long line)
    {
        if (FieldParsers.HasParser(f))
        {
            // Accept what presentation output prints: "A (1)", "IN (1)", "NOERROR (0)", "UDP (17)".
            string text = value;
            int paren = text.LastIndexOf(" (", StringComparison.Ordinal);
            if (paren > 0 && text.EndsWith(')') && f.Format is not NmsgFieldFormat.DnsRdata and not NmsgFieldFormat.DnsName)
                text = text[..paren];
            if (f.Format is NmsgFieldFormat.DnsType or NmsgFieldFormat.SieDnsType or NmsgFieldFormat.DnsClass or NmsgFieldFormat.SieDnsClass
                && NmsgAliases.TryParseBase0(text, out uint number) && number <= ushort.MaxValue)
                return new NmsgFieldValue(number);
            string? error = FieldParsers.Parse(f, text, builder, out NmsgFieldValue parsed);
            return error is null ? parsed : throw Error(line, f.Name, error);
        }
        switch (f.Type)
        {
            case NmsgFieldType.Enum:
                return f.Enum!.Values.FirstOrDefault(v => v.Name == value) is { Name: not null } ev
                    ? new NmsgFieldValue((ulong)(long)ev.Value)
                    : throw Error(line, f.Name, $"'{value}' is not a value of {f.Enum.Name}");
            case NmsgFieldType.String or NmsgFieldType.MLString:
                byte[] utf8 = new byte[System.Text.Encoding.UTF8.GetByteCount(value) + 1];
                System.Text.Encoding.UTF8.GetBytes(value, utf8);
                return new NmsgFieldValue(utf8);
            case NmsgFieldType.IP:
                return IpText.TryParse(value, out byte[] ip) ? new NmsgFieldValue(ip) : throw Error(line, f.Name, $"'{value}' is not an IP address");
            case NmsgFieldType.UInt16:
                return TryUnsigned(value, out ulong u16) && u16 <= ushort.MaxValue ? new NmsgFieldValue(u16) : throw Error(line, f.Name, "not 0..65535");
            case NmsgFieldType.UInt32:
                return TryUnsigned(value, out ulong u32) && u32 <= uint.MaxValue ? new NmsgFieldValue(u32) : throw Error(line, f.Name, "not 0..4294967295");
            case NmsgFieldType.UInt64:
                return TryUnsigned(value, out ulong u64) ? new NmsgFieldValue(u64) : throw Error(line, f.Name, "not an unsigned integer");
            case NmsgFieldType.Int16 or NmsgFieldType.Int32 or NmsgFieldType.Int64:
                long max = f.Type == NmsgFieldType.Int16 ? short.MaxValue : f.Type == NmsgFieldType.Int32 ? int.MaxValue : long.MaxValue;
                if (!TrySigned(value, out long s) || s > max || s < -max - 1)
                    throw Error(line, f.Name, $"not a {f.Type} value");
                return new NmsgFieldValue(f.Wire == NmsgWireKind.SFixed32 ? (uint)(int)s : unchecked((ulong)s));
            case NmsgFieldType.Double:
                return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double d)
                    ? NmsgFieldValue.FromDouble(d) : throw Error(line, f.Name, "not a number");
            case NmsgFieldType.Bool:
                return value switch
                {
                    "True" or "true" or "1" => new NmsgFieldValue(1UL),
                    "False" or "false" or "0" => new NmsgFieldValue(0UL),
                    _ => throw Error(line, f.Name, "not True or False"),
                };
            default:
                throw Error(line, f.Name, "bytes fields cannot be given as text");
        }
    }

    /// <summary>strtoull base 0.</summary>
    private static bool TryUnsigned(string s, out ulong v)
    {
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return ulong.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out v);
        if (s.Length > 1 && s[0] == '0')
        {
            try
            {
                v = Convert.ToUInt64(s, 8);
                return true;
            }
            catch (Exception e) when (e is FormatException or OverflowException)
            {
                v = 0;
                return false;
            }
        }
        return ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out v);
    }

    /// <summary>strtoll base 0.</summary>
    private static bool TrySigned(string s, out long v)
    {
        bool negative = s.StartsWith('-');
        if (!TryUnsigned(negative ? s[1..] : s, out ulong u) || u > (ulong)long.MaxValue + (negative ? 1UL : 0UL))
        {
            v = 0;
            return false;
        }
        v = negative ? unchecked(-(long)u) : (long)u;
        return true;
    }
}
