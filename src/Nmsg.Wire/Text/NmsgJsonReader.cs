using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Json;
using Nmsg.Dns;
using Nmsg.Modules;

namespace Nmsg.Text;

/// <summary>
/// JSON input (nmsgtool <c>-j</c>, SPEC §6.5): one JSON object per line, as <see cref="NmsgJson"/> writes them.
/// Parsed with <see cref="Utf8JsonReader"/> straight into the payload, without a document object.
/// </summary>
public static partial class NmsgJsonReader
{
    /// <summary>
    /// Parses one line. Throws <see cref="NmsgFormatException"/> (reason <see cref="NmsgErrorReason.TextInvalid"/>)
    /// naming the line and the field for anything nmsgtool would reject.
    /// </summary>
    public static NmsgMessage Parse(ReadOnlySpan<byte> line, NmsgTextOptions? options = null, long lineNumber = 0)
        => Parse(line, options ?? NmsgTextOptions.Default, lineNumber, ascii: false);

    /// <summary>Parses one line; <paramref name="ascii"/>: the caller has found it all ASCII (the scanner then does not look again).</summary>
    private static NmsgMessage Parse(ReadOnlySpan<byte> line, NmsgTextOptions options, long lineNumber, bool ascii)
    {
        try
        {
            return ParseCore(line, options, lineNumber, useScanner: true, ascii);
        }
        catch (JsonException e)
        {
            throw Error(lineNumber, null, $"not JSON: {e.Message}");
        }
    }

    /// <summary>
    /// <see cref="Parse(ReadOnlySpan{byte}, NmsgTextOptions?, long)"/> with every line indexed by Utf8JsonReader and
    /// every value read by it (no fast value path): what tests compare the scanner and the fast value paths with.
    /// </summary>
    internal static NmsgMessage ParseWithReader(ReadOnlySpan<byte> line, NmsgTextOptions? options = null, long lineNumber = 0)
    {
        try
        {
            return ParseCore(line, options ?? NmsgTextOptions.Default, lineNumber, useScanner: false, ascii: false);
        }
        catch (JsonException e)
        {
            throw Error(lineNumber, null, $"not JSON: {e.Message}");
        }
    }

    /// <summary>Parses one line given as text.</summary>
    public static NmsgMessage Parse(string line, NmsgTextOptions? options = null, long lineNumber = 0)
    {
        ArgumentNullException.ThrowIfNull(line);
        byte[] rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(line.Length));
        try
        {
            int n = Encoding.UTF8.GetBytes(line, rented);
            return Parse(rented.AsSpan(0, n), options, lineNumber);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static NmsgFormatException Error(long line, string? field, string message)
        => new(NmsgErrorReason.TextInvalid, $"JSON line {line}{(field is null ? "" : $", field \"{field}\"")}: {message}");

    private static uint? NonZero(uint v) => v == 0 ? null : v;

    /// <summary>A property of the "message" object: where its value lies in the line.</summary>
    private struct Property
    {
        public int NameStart, NameLength, ValueStart, ValueLength;
        public bool NameEscaped, ValueEscaped;
        public JsonTokenType Token;
    }

    /// <summary>The last (vname, mname) a thread resolved: lines of one stream almost always repeat them.</summary>
    private sealed class ModuleCache
    {
        public byte[] Vname = [], Mname = [];
        public string? VnameText, MnameText;
        public NmsgModules? Modules;
        public int Version;
        public NmsgModule? Module;
        public FieldPlans? Plans;
    }

    [ThreadStatic]
    private static ModuleCache? t_moduleCache;

    /// <summary>The type name string: the cached one when the raw bytes are the cached bytes (no allocation).</summary>
    private static string ReadName(ref Utf8JsonReader reader, byte[] cached, string? cachedText, string key, long line)
    {
        reader.Read();
        if (cachedText is not null && reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && !reader.HasValueSequence
            && reader.ValueSpan.SequenceEqual(cached))
            return cachedText;
        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            throw Error(line, key, "missing or not a string");
        }
        return reader.GetString()!;
    }

    private static NmsgModule? FindModule(NmsgModules modules, string vname, string mname, ReadOnlySpan<byte> json, int vAt, int mAt)
    {
        ModuleCache c = t_moduleCache ??= new ModuleCache();
        if (ReferenceEquals(vname, c.VnameText) && ReferenceEquals(mname, c.MnameText) && ReferenceEquals(modules, c.Modules)
            && modules.Version == c.Version)
            return c.Module;
        int version = modules.Version;
        NmsgModule? module = modules.Find(vname, mname);
        c.VnameText = c.MnameText = null;
        if (module is not null && vAt >= 0 && mAt >= 0)
        {
            // Raw (unescaped) bytes of both names, as the next line will hold them.
            c.Vname = RawString(json, vAt);
            c.Mname = RawString(json, mAt);
            c.VnameText = vname;
            c.MnameText = mname;
            c.Modules = modules;
            c.Version = version;
            c.Module = module;
        }
        return module;
    }

    private static byte[] RawString(ReadOnlySpan<byte> json, int tokenStart)
    {
        var r = new Utf8JsonReader(json[tokenStart..]);
        r.Read();
        return r.ValueSpan.ToArray();
    }

    [ThreadStatic]
    private static Property[]? t_properties;

    private static NmsgMessage ParseCore(ReadOnlySpan<byte> json, NmsgTextOptions options, long line, bool useScanner, bool ascii)
    {
        Property[] props = t_properties ??= new Property[32];
        var scan = new Scanner(json, t_moduleCache ??= new ModuleCache());
        bool fast = useScanner && scan.Index(ref props, ascii);
        return ParseIndexed(json, ref scan, fast, props, options, line, useScanner);
    }

    /// <summary>
    /// The line that starts at <paramref name="at"/> in a chunk's <paramref name="text"/>, scanned where it stands
    /// (no pass of its own to find its end): the message, with <paramref name="at"/> moved to the next line, when
    /// the scanner takes the line's object and a line terminator (or the end of the text) follows it at once; null,
    /// with <paramref name="at"/> unchanged, for any other line (a blank one, one the scanner does not take, one with
    /// something after its object), which the caller then reads as a line. The scanner does not skip line
    /// terminators as whitespace and takes only ASCII, so a line it takes is exactly the one the line splitter would
    /// find, and all ASCII; what follows is the line parse. May throw as that does: the caller reads the line again.
    /// </summary>
    private static NmsgMessage? TryParseAt(ReadOnlySpan<byte> text, ref int at, NmsgTextOptions options, long line)
    {
        ReadOnlySpan<byte> rest = text[at..];
        Property[] props = t_properties ??= new Property[32];
        var scan = new Scanner(rest, t_moduleCache ??= new ModuleCache());
        bool taken = scan.Index(ref props, ascii: true);
        t_properties = props;
        int end = scan.End;
        if (!taken || (end < rest.Length && rest[end] is not ((byte)'\n' or (byte)'\r')))
            return null;
        NmsgMessage message = ParseIndexed(rest[..end], ref scan, fast: true, props, options, line, useScanner: true);
        at += end == rest.Length ? end : TextChunk.AfterTerminator(rest, end);
        return message;
    }

    /// <summary>The message of a line <paramref name="scan"/> has indexed (<paramref name="fast"/>) or not.</summary>
    [SkipLocalsInit] // stack buffers are written before they are read
    private static NmsgMessage ParseIndexed(ReadOnlySpan<byte> json, ref Scanner scan, bool fast, Property[] props, NmsgTextOptions options,
        long line, bool useScanner)
    {
        uint source = 0, op = 0, group = 0;
        string? opName = null, groupName = null;
        ModuleCache cache = t_moduleCache!;
        string? vname = scan.Vname, mname = scan.Mname;
        NmsgTimestamp? time = scan.Time;
        bool hasMessage = scan.HasMessage;
        int count = scan.Count, vAt = scan.VnameAt, mAt = scan.MnameAt;
        if (!fast)
        {
            // Anything the scanner does not take (escapes, non-ASCII, numeric times, source/operator/group, errors)
            // is read, and rejected, by Utf8JsonReader as it always was.
            vname = mname = null;
            time = null;
            hasMessage = false;
            count = 0;
            vAt = mAt = -1;
            IndexWithReader(json, line, cache, ref props, ref vname, ref mname, ref time, ref hasMessage, ref count, ref vAt, ref mAt,
                ref source, ref op, ref group, ref opName, ref groupName);
        }
        t_properties = props;
        if (vname is null)
            throw Error(line, "vname", "missing or not a string");
        if (mname is null)
            throw Error(line, "mname", "missing or not a string");
        NmsgModule module = FindModule(options.Modules, vname, mname, json, vAt, mAt) ?? throw Error(line, "mname", $"unknown message type {vname}/{mname}");
        if (!hasMessage)
            throw Error(line, "message", "missing or not an object");
        NmsgField[] fields = module.FieldArray;
        Span<int> propertyOf = fields.Length <= 128 ? stackalloc int[fields.Length] : new int[fields.Length];
        // The fast path takes the fields in number order, encoding each value into the payload as it is read (the
        // builder's direct mode). The values of a line do not depend on the order they are read in but for rdata,
        // which the builder allows for; nor does whether each is valid: only which error a line with several bad
        // values reports does. So on any failure the line is read again in table order, as the reader-only parse
        // (what tests compare with) always reads it, into the builder's list mode, whose encoding is independent.
        PayloadBuilder builder = PayloadBuilder.ForThread(module, direct: useScanner);
        // Which property is each field's: from the plan of an earlier line named the same, else matched here (and
        // kept as a plan for the lines after it).
        FieldPlan? plan = null;
        bool matched = false;
        FieldPlans? plans = fast && builder.IsDirect ? cache.Plans ??= new FieldPlans() : null;
        if (plans is not null && plans.On())
        {
            plan = plans.Find(module, json, props, count);
            plans.Count(hit: plan is not null);
            if (plan is null)
            {
                MatchFields(json, props, count, fields, propertyOf);
                matched = true;
                plans.Add(module, json, props, count, builder.NumberOrder, propertyOf);
            }
        }
        else
        {
            MatchFields(json, props, count, fields, propertyOf);
            matched = true;
        }
        ReadOnlyMemory<byte> payload;
        if (builder.IsDirect)
        {
            try
            {
                if (plan is not null)
                {
                    ReadOnlySpan<int> pairs = plan.Pairs;
                    for (int i = 0; i + 1 < pairs.Length; i += 2)
                        ParseFieldDirect(fields, pairs[i], json, in props[pairs[i + 1]], fast, builder, line);
                }
                else
                {
                    ReadOnlySpan<int> order = builder.NumberOrder;
                    for (int i = 0; i < order.Length; i++)
                    {
                        int k = order[i];
                        if (propertyOf[k] >= 0)
                            ParseFieldDirect(fields, k, json, in props[propertyOf[k]], fast, builder, line);
                    }
                }
                payload = builder.ToSlice();
            }
            catch (Exception)
            {
                if (!matched)
                    MatchFields(json, props, count, fields, propertyOf);
                payload = ParseInTableOrder(json, props, fields, propertyOf, fast, PayloadBuilder.ForThread(module), line, useScanner);
            }
        }
        else
        {
            payload = ParseInTableOrder(json, props, fields, propertyOf, fast, builder, line, useScanner);
        }

        var message = new NmsgMessage(module.Vid, module.MsgType, time ?? NmsgTimestamp.Now, payload);
        if (opName is not null)
            op = options.Aliases.OperatorValue(opName);
        if (groupName is not null)
            group = options.Aliases.GroupValue(groupName);
        if (source != 0)
            message.Source = source;
        if (op != 0)
            message.Operator = op;
        if (group != 0)
            message.Group = group;
        return message;
    }

    /// <summary>The values of the fields in table order, into a list-mode builder; the payload.</summary>
    private static byte[] ParseInTableOrder(ReadOnlySpan<byte> json, Property[] props, NmsgField[] fields, ReadOnlySpan<int> propertyOf, bool fast,
        PayloadBuilder builder, long line, bool useScanner)
    {
        for (int k = 0; k < fields.Length; k++)
        {
            NmsgField f = fields[k];
            if (!f.IsStored || f.Wire == NmsgWireKind.Message)
                continue;
            int at = propertyOf[k];
            if (at >= 0)
                ParseField(f, json, in props[at], fast, builder, line, useScanner);
        }
        return builder.ToArray();
    }

    /// <summary>The direct mode's <see cref="ParseField"/> of the field at <paramref name="k"/> in the table, closed with EndField.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ParseFieldDirect(NmsgField[] fields, int k, ReadOnlySpan<byte> json, in Property p, bool fast, PayloadBuilder builder, long line)
    {
        int mark = builder.Mark;
        ParseField(fields[k], json, in p, fast, builder, line, useScanner: true);
        builder.EndField(k, mark);
    }

    /// <summary>
    /// Adds the value(s) of a field from its property; <paramref name="useScanner"/>: by the fast value paths where
    /// they take it (the reader-only parse takes every value the general way).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // into the loops over a line's fields: a call of its own cost ~30 instructions a field
    private static void ParseField(NmsgField f, ReadOnlySpan<byte> json, in Property p, bool fast, PayloadBuilder builder, long line, bool useScanner)
    {
        ReadOnlySpan<byte> raw = json.Slice(p.ValueStart, p.ValueLength);
        if (useScanner)
        {
            if (!f.IsRepeated ? TryParseSimple(f, raw, p.Token, p.ValueEscaped, fast, builder)
                : p.Token == JsonTokenType.StartArray && TryParseSimpleArray(f, raw, fast, builder))
                return;
        }
        ParseFieldWithReader(f, raw, builder, line, useScanner);
    }

    /// <summary>
    /// <see cref="ParseField"/>'s general path, in a method of its own: the reader's struct (with references, so
    /// zeroed by the prolog whatever SkipLocalsInit says) is then cleared only for the values that take it.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ParseFieldWithReader(NmsgField f, ReadOnlySpan<byte> raw, PayloadBuilder builder, long line, bool useScanner)
    {
        var value = new Utf8JsonReader(raw);
        value.Read();
        if (f.IsRepeated)
        {
            if (value.TokenType != JsonTokenType.StartArray)
                throw Error(line, f.Name, "a repeated field needs an array");
            while (value.Read() && value.TokenType != JsonTokenType.EndArray)
            {
                builder.Add(f, ParseValue(f, ref value, builder, line, useScanner));
                if (value.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                    value.Skip();
            }
        }
        else
        {
            builder.Add(f, ParseValue(f, ref value, builder, line, useScanner));
        }
    }

    private static void IndexWithReader(ReadOnlySpan<byte> json, long line, ModuleCache cache, ref Property[] props, ref string? vname,
        ref string? mname, ref NmsgTimestamp? time, ref bool hasMessage, ref int count, ref int vAt, ref int mAt, ref uint source,
        ref uint op, ref uint group, ref string? opName, ref string? groupName)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            throw Error(line, null, "not a JSON object");
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("message"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                    throw Error(line, "message", "missing or not an object");
                // Index the message's properties in this same pass; values are parsed later, in table order.
                hasMessage = true;
                count = 0;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (count == props.Length)
                        Array.Resize(ref props, props.Length * 2);
                    ref Property p = ref props[count++];
                    p.NameStart = (int)reader.TokenStartIndex + 1;
                    p.NameLength = reader.HasValueSequence ? (int)reader.ValueSequence.Length : reader.ValueSpan.Length;
                    p.NameEscaped = reader.ValueIsEscaped;
                    reader.Read();
                    p.ValueStart = (int)reader.TokenStartIndex;
                    p.Token = reader.TokenType;
                    p.ValueEscaped = reader.TokenType == JsonTokenType.String && reader.ValueIsEscaped;
                    reader.Skip();
                    p.ValueLength = (int)reader.BytesConsumed - p.ValueStart;
                }
            }
            else if (reader.ValueTextEquals("vname"u8))
            {
                vname = ReadName(ref reader, cache.Vname, cache.VnameText, "vname", line);
                vAt = reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && !reader.HasValueSequence ? (int)reader.TokenStartIndex : -1;
            }
            else if (reader.ValueTextEquals("mname"u8))
            {
                mname = ReadName(ref reader, cache.Mname, cache.MnameText, "mname", line);
                mAt = reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && !reader.HasValueSequence ? (int)reader.TokenStartIndex : -1;
            }
            else if (reader.ValueTextEquals("time"u8))
            {
                reader.Read();
                time = ParseTime(ref reader, line);
            }
            else if (reader.ValueTextEquals("source"u8))
            {
                reader.Read();
                source = ParseSource(ref reader, line);
            }
            else if (reader.ValueTextEquals("operator"u8))
            {
                reader.Read();
                op = ParseAliased(ref reader, "operator", line, out opName);
            }
            else if (reader.ValueTextEquals("group"u8))
            {
                reader.Read();
                group = ParseAliased(ref reader, "group", line, out groupName);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    /// <summary>
    /// The first pass over the common line without Utf8JsonReader: strict JSON over all-ASCII text whose strings have
    /// no escapes, with vname, mname, a string time and the message object. Anything else, valid or not, makes
    /// <see cref="Index"/> return false and the line goes to the reader, which decides exactly as before.
    /// </summary>
    private ref partial struct Scanner(ReadOnlySpan<byte> s, ModuleCache cache)
    {
        private const int MaxDepth = 60; // Utf8JsonReader's default limit is 64
        private readonly ReadOnlySpan<byte> _s = s;
        private int _p;

        public string? Vname, Mname;
        public NmsgTimestamp? Time;
        public bool HasMessage;
        public int Count, VnameAt = -1, MnameAt = -1;

        /// <summary>Where the line's object ends (after its closing brace), once <see cref="Index"/> has taken it.</summary>
        public int End;

        public bool Index(ref Property[] props, bool ascii)
        {
            ReadOnlySpan<byte> s = _s;
            if (!ascii && !System.Text.Ascii.IsValid(s))
                return false;
            // The position is kept in a local (see Members); _p is set for the calls that use it.
            int p = SkipWs(s, 0);
            if ((uint)p >= (uint)s.Length || s[p] != (byte)'{')
                return false;
            p = SkipWs(s, p + 1);
            if ((uint)p < (uint)s.Length && s[p] == (byte)'}')
            {
                End = p + 1;
                return true;
            }
            for (; ; )
            {
                p = SkipWs(s, p);
                if ((uint)p >= (uint)s.Length || s[p] != (byte)'"')
                    return false;
                int keyAt = p + 1;
                if ((p = StringEnd(s, keyAt, out bool keyEscaped)) < 0 || keyEscaped)
                    return false;
                ReadOnlySpan<byte> key = s.Slice(keyAt, p - 1 - keyAt);
                p = SkipWs(s, p);
                if ((uint)p >= (uint)s.Length || s[p] != (byte)':')
                    return false;
                p = SkipWs(s, p + 1);
                if (key.Length == 7 && key.SequenceEqual("message"u8))
                {
                    _p = p;
                    if (!Members(ref props))
                        return false;
                    p = _p;
                }
                else if (key.Length == 5 && (key.SequenceEqual("vname"u8) || key.SequenceEqual("mname"u8)))
                {
                    bool isV = key[0] == (byte)'v';
                    int at = p;
                    bool escaped = false;
                    if ((uint)p >= (uint)s.Length || s[p] != (byte)'"' || (p = StringEnd(s, at + 1, out escaped)) < 0 || escaped)
                        return false;
                    ReadOnlySpan<byte> raw = s.Slice(at + 1, p - 2 - at);
                    byte[] cachedRaw = isV ? cache.Vname : cache.Mname;
                    string? cachedText = isV ? cache.VnameText : cache.MnameText;
                    string text = cachedText is not null && raw.SequenceEqual(cachedRaw) ? cachedText : Encoding.ASCII.GetString(raw);
                    if (isV)
                    {
                        Vname = text;
                        VnameAt = at;
                    }
                    else
                    {
                        Mname = text;
                        MnameAt = at;
                    }
                }
                else if (key.Length == 4 && key.SequenceEqual("time"u8))
                {
                    int at = p;
                    bool escaped = false;
                    if ((uint)p >= (uint)s.Length || s[p] != (byte)'"' || (p = StringEnd(s, at + 1, out escaped)) < 0 || escaped
                        || !TryParseTimeAscii(s.Slice(at + 1, p - 2 - at), out NmsgTimestamp t))
                        return false;
                    Time = t;
                }
                else if (key.SequenceEqual("source"u8) || key.SequenceEqual("operator"u8) || key.SequenceEqual("group"u8))
                {
                    return false;
                }
                else
                {
                    _p = p;
                    if (!Value(1))
                        return false;
                    p = _p;
                }
                p = SkipWs(s, p);
                if ((uint)p < (uint)s.Length && s[p] == (byte)',')
                {
                    p++;
                    continue;
                }
                if ((uint)p >= (uint)s.Length || s[p] != (byte)'}')
                    return false;
                End = p + 1; // what follows the object is not read (nor is it by the reader path)
                return true;
            }
        }

        /// <summary>
        /// The message object: each member's name and value positions. The position is kept in a local, not in
        /// <see cref="_p"/>, between the values (a field is read and written back at every step).
        /// </summary>
        private bool Members(ref Property[] props)
        {
            ReadOnlySpan<byte> s = _s;
            int p = _p;
            if ((uint)p >= (uint)s.Length || s[p] != (byte)'{')
                return false;
            HasMessage = true;
            Count = 0;
            p = SkipWs(s, p + 1);
            if ((uint)p < (uint)s.Length && s[p] == (byte)'}')
            {
                _p = p + 1;
                return true;
            }
            Property[] array = props;
            int count = 0;
            for (; ; )
            {
                // Whitespace is looked for only where the expected byte is not there (a formatter writes none).
                if ((uint)p >= (uint)s.Length)
                    return false;
                if (At(s, p) != (byte)'"' && ((uint)(p = SkipWs(s, p)) >= (uint)s.Length || At(s, p) != (byte)'"'))
                    return false;
                if (count == array.Length)
                {
                    Array.Resize(ref array, array.Length * 2);
                    props = array;
                }
                // The property is written as it is read (fewer values live across the calls; a line not taken is
                // indexed again by the reader). count < array.Length: checked just above.
                ref Property prop = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(array), count);
                int nameAt = p + 1;
                prop.NameStart = nameAt;
                byte c;
                if (nameAt + Vector128<byte>.Count <= s.Length)
                {
                    // A name that ends within the sixteen (or thirty-two) bytes after its quote, with the two bytes
                    // after it within them: the colon and the value's first byte read without checks (as in Value).
                    int i = BitOperations.TrailingZeroCount(SpecialBits32(s, nameAt));
                    if (Within(i, 14) && At(s, nameAt + i) == (byte)'"')
                    {
                        prop.NameEscaped = false;
                        prop.NameLength = i;
                        p = nameAt + i + 1;
                        if (At(s, p) == (byte)':' && (c = At(s, p + 1)) > (byte)' ')
                        {
                            p++;
                            goto value;
                        }
                        goto colon;
                    }
                }
                if ((p = StringEnd(s, nameAt, out prop.NameEscaped)) < 0)
                    return false;
                prop.NameLength = p - 1 - nameAt;
            colon:
                if ((p = Colon(s, p)) < 0)
                    return false;
                c = At(s, p); // Colon returns a position within the text
            value:
                int valueAt = p;
                prop.ValueStart = p;
                if (c == (byte)'"')
                {
                    prop.Token = JsonTokenType.String;
                    if (p + 1 + Vector128<byte>.Count <= s.Length)
                    {
                        // A string that ends within the sixteen (or thirty-two) bytes after its quote: the byte
                        // after it is within them.
                        int i = BitOperations.TrailingZeroCount(SpecialBits32(s, p + 1));
                        if (Within(i, 15) && At(s, p + 1 + i) == (byte)'"')
                        {
                            prop.ValueEscaped = false;
                            p += i + 2;
                            prop.ValueLength = p - valueAt;
                            count++;
                            c = At(s, p);
                            goto after;
                        }
                    }
                    if ((p = StringEnd(s, p + 1, out prop.ValueEscaped)) < 0)
                        return false;
                }
                else
                {
                    prop.ValueEscaped = false;
                    if ((c | 0x20) == (byte)'{')
                    {
                        // { or [ (the only bytes that are { with bit 5 set)
                        prop.Token = c == (byte)'{' ? JsonTokenType.StartObject : JsonTokenType.StartArray;
                        _p = p;
                        if (!Value(2))
                            return false;
                        p = _p;
                    }
                    else
                    {
                        prop.Token = c switch
                        {
                            (byte)'t' => JsonTokenType.True,
                            (byte)'f' => JsonTokenType.False,
                            (byte)'n' => JsonTokenType.Null,
                            _ => JsonTokenType.Number,
                        };
                        if ((p = ScalarEnd(s, p)) < 0)
                            return false;
                    }
                }
                prop.ValueLength = p - valueAt;
                count++;
                if ((uint)p >= (uint)s.Length)
                    return false;
                c = At(s, p);
            after: // c = s[p]
                if (c <= (byte)' ')
                {
                    if ((uint)(p = SkipWs(s, p)) >= (uint)s.Length)
                        return false;
                    c = At(s, p);
                }
                if (c == (byte)',')
                {
                    p++;
                    continue;
                }
                if (c != (byte)'}')
                    return false;
                Count = count;
                _p = p + 1;
                return true;
            }
        }

        /// <summary>Steps over one escape (<c>\"</c>, <c>\\</c>, <c>\/</c>, <c>\b</c>, <c>\f</c>, <c>\n</c>, <c>\r</c>, <c>\t</c>, <c>\uXXXX</c>).</summary>
        private static bool SkipEscape(ReadOnlySpan<byte> s, ref int p)
        {
            if (p + 1 >= s.Length)
                return false;
            switch (s[p + 1])
            {
                case (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t':
                    p += 2;
                    return true;
                case (byte)'u':
                    if (p + 6 > s.Length || !char.IsAsciiHexDigit((char)s[p + 2]) || !char.IsAsciiHexDigit((char)s[p + 3])
                        || !char.IsAsciiHexDigit((char)s[p + 4]) || !char.IsAsciiHexDigit((char)s[p + 5]))
                        return false;
                    p += 6;
                    return true;
                default:
                    return false;
            }
        }

        /// <summary>
        /// Steps over one value at nesting <paramref name="depth"/> (the line's object is 1), checking it as strictly
        /// as the rest: one loop over the value's bytes with the open containers kept as bits, not a call per token,
        /// since most of a dnsqr line is the derived query_json/response_json objects that are checked and ignored.
        /// Whitespace is looked for only where the expected byte is not there. A container that would hold values
        /// deeper than <see cref="MaxDepth"/> is not taken (even an empty one: the reader then decides).
        /// </summary>
        private bool Value(int depth)
        {
            // A state machine over labels, each entered with the position (and at some, the byte there) known, so
            // that the common token costs one bounds check: a value at p (value), the same with c = s[p] (dispatch),
            // after a value (after, afterByte), a member name with c = s[p] (key).
            ReadOnlySpan<byte> s = _s;
            int p = _p;
            ulong objects = 0; // bit i set: the container opened i levels up is an object
            int open = 0, limit = MaxDepth - depth;
            byte c;
        value:
            if ((uint)p >= (uint)s.Length)
                return false;
            c = At(s, p);
        dispatch:
            if (c == (byte)'"')
            {
                // Most strings end within the sixteen (or thirty-two) bytes after the quote; then the byte after
                // the string is within them too, read without a check.
                if (p + 1 + Vector128<byte>.Count <= s.Length)
                {
                    int i = BitOperations.TrailingZeroCount(SpecialBits32(s, p + 1));
                    if (Within(i, 15) && At(s, p + 1 + i) == (byte)'"')
                    {
                        p += i + 2;
                        if (open == 0)
                        {
                            _p = p;
                            return true;
                        }
                        c = At(s, p);
                        goto afterByte;
                    }
                }
                if ((p = StringEndSlow(s, p + 1)) < 0)
                    return false;
                goto after;
            }
            if ((c | 0x20) == (byte)'{')
            {
                // { or [ (the only bytes that are { with bit 5 set)
                if (open >= limit)
                    return false;
                open++;
                ulong isObject = c == (byte)'{' ? 1UL : 0UL;
                objects = (objects << 1) | isObject;
                if ((uint)++p >= (uint)s.Length)
                    return false;
                c = At(s, p);
                if (c <= (byte)' ')
                {
                    if ((uint)(p = SkipWs(s, p)) >= (uint)s.Length)
                        return false;
                    c = At(s, p);
                }
                if (c == (isObject != 0 ? (byte)'}' : (byte)']'))
                {
                    p++;
                    open--;
                    objects >>= 1;
                    goto after;
                }
                if (isObject == 0)
                    goto dispatch; // the first element
                goto key; // the first member
            }
            if ((p = ScalarEnd(s, p)) < 0)
                return false;
        after:
            // After a value: close containers, or go on to the next element or member.
            if (open == 0)
            {
                _p = p;
                return true;
            }
            if ((uint)p >= (uint)s.Length)
                return false;
            c = At(s, p);
        afterByte: // open > 0, c = s[p]
            if (c <= (byte)' ')
            {
                if ((uint)(p = SkipWs(s, p)) >= (uint)s.Length)
                    return false;
                c = At(s, p);
            }
            if (c == (byte)',')
            {
                if ((uint)++p >= (uint)s.Length)
                    return false;
                c = At(s, p);
                if (c <= (byte)' ')
                {
                    if ((uint)(p = SkipWs(s, p)) >= (uint)s.Length)
                        return false;
                    c = At(s, p);
                }
                if ((objects & 1) == 0)
                    goto dispatch; // the next element
                goto key;
            }
            if (c != ((objects & 1) != 0 ? (byte)'}' : (byte)']'))
                return false;
            p++;
            open--;
            objects >>= 1;
            goto after;
        key:
            // A member's name at p (c = s[p]), its colon and the value after it.
            if (c != (byte)'"')
                return false;
            if (p + 1 + Vector128<byte>.Count <= s.Length)
            {
                // A name that ends within the sixteen (or thirty-two) bytes after its quote, with the two bytes
                // after it within them: the colon and the value's first byte read without checks.
                int i = BitOperations.TrailingZeroCount(SpecialBits32(s, p + 1));
                if (Within(i, 14) && At(s, p + 1 + i) == (byte)'"')
                {
                    p += i + 2;
                    if (At(s, p) == (byte)':' && (c = At(s, p + 1)) > (byte)' ')
                    {
                        p++;
                        goto dispatch;
                    }
                    goto colon;
                }
            }
            if ((p = StringEndSlow(s, p + 1)) < 0)
                return false;
        colon:
            if ((p = Colon(s, p)) < 0)
                return false;
            goto value;
        }

        /// <summary>
        /// The colon after a member's name at <paramref name="p"/> (whitespace around it allowed): where the value
        /// starts, which is within the text; -1 if there is no colon or nothing after it.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int Colon(ReadOnlySpan<byte> s, int p)
        {
            if ((uint)p >= (uint)s.Length)
                return -1;
            if (At(s, p) != (byte)':' && ((uint)(p = SkipWs(s, p)) >= (uint)s.Length || At(s, p) != (byte)':'))
                return -1;
            if ((uint)++p >= (uint)s.Length)
                return -1;
            if (At(s, p) <= (byte)' ' && (uint)(p = SkipWs(s, p)) >= (uint)s.Length)
                return -1;
            return p;
        }

        /// <summary>
        /// Where the spaces and tabs from <paramref name="p"/> end. Not line terminators: a line has none, and in a
        /// chunk (<see cref="TryParseAt"/>) a line must not run on into the next (the reader takes a line that has).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int SkipWs(ReadOnlySpan<byte> s, int p)
        {
            while ((uint)p < (uint)s.Length)
            {
                byte c = At(s, p);
                if (c != (byte)' ' && c != (byte)'\t')
                    break;
                p++;
            }
            return p;
        }

        /// <summary>
        /// The position after a string's closing quote, its content starting at <paramref name="p"/> (-1 for a control
        /// byte, a bad escape or no end), and whether the string has escapes. The first sixteen bytes are classified
        /// inline: most names end there.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int StringEnd(ReadOnlySpan<byte> s, int p, out bool escaped)
        {
            escaped = false;
            if (p + Vector128<byte>.Count <= s.Length)
            {
                uint special = SpecialBits(Vector128.LoadUnsafe(ref MemoryMarshal.GetReference(s), (nuint)p));
                if (special != 0)
                {
                    p += BitOperations.TrailingZeroCount(special);
                    if (s[p] == (byte)'"')
                        return p + 1;
                    return StringEndSlow(s, p, out escaped);
                }
                p += Vector128<byte>.Count;
            }
            return StringEndSlow(s, p, out escaped);
        }

        /// <summary>As <see cref="StringEndSlow(ReadOnlySpan{byte}, int, out bool)"/> without the flag (whose local a caller would keep in memory).</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static int StringEndSlow(ReadOnlySpan<byte> s, int p) => StringEndSlow(s, p, out _);

        private static int StringEndSlow(ReadOnlySpan<byte> s, int p, out bool escaped)
        {
            escaped = false;
            for (; ; )
            {
                p = NmsgJsonReader.PlainEnd(s, p);
                if (p >= s.Length)
                    return -1;
                if (s[p] == (byte)'"')
                    return p + 1;
                if (s[p] != (byte)'\\' || !SkipEscape(s, ref p))
                    return -1;
                escaped = true;
            }
        }

        /// <summary>
        /// Where the number or literal (true, false, null) at <paramref name="p"/> ends, or -1 if it is not one or is
        /// not followed by whitespace or structure (or the end). Static, over a local position.
        /// </summary>
        private static int ScalarEnd(ReadOnlySpan<byte> s, int p) => s[p] switch
        {
            (byte)'t' => LiteralEnd(s, p, "true"u8),
            (byte)'f' => LiteralEnd(s, p, "false"u8),
            (byte)'n' => LiteralEnd(s, p, "null"u8),
            _ => NumberEnd(s, p),
        };

        private static int LiteralEnd(ReadOnlySpan<byte> s, int p, ReadOnlySpan<byte> word)
            => s[p..].StartsWith(word) && Delimited(s, p + word.Length) ? p + word.Length : -1;

        /// <summary>-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, a byte at a time (see <see cref="NumberEnd"/>).</summary>
        private static int NumberEndSlow(ReadOnlySpan<byte> s, int p)
        {
            if ((uint)p < (uint)s.Length && s[p] == (byte)'-')
                p++;
            if ((uint)p >= (uint)s.Length)
                return -1;
            if (s[p] == (byte)'0')
                p++;
            else if (IsDigit(s[p]))
                p = Digits(s, p + 1);
            else
                return -1;
            if ((uint)p < (uint)s.Length && s[p] == (byte)'.')
            {
                int d = Digits(s, p + 1);
                if (d == p + 1)
                    return -1;
                p = d;
            }
            if ((uint)p < (uint)s.Length && (s[p] | 0x20) == (byte)'e')
            {
                p++;
                if ((uint)p < (uint)s.Length && (s[p] == (byte)'+' || s[p] == (byte)'-'))
                    p++;
                int d = Digits(s, p);
                if (d == p)
                    return -1;
                p = d;
            }
            return Delimited(s, p) ? p : -1;
        }

        /// <summary>A number or literal must be followed by whitespace or structure (or the end).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static bool Delimited(ReadOnlySpan<byte> s, int p)
            => (uint)p >= (uint)s.Length || s[p] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)',' or (byte)'}' or (byte)']';

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int Digits(ReadOnlySpan<byte> s, int p)
        {
            while ((uint)p < (uint)s.Length && IsDigit(s[p]))
                p++;
            return p;
        }

        private static bool IsDigit(byte c) => c >= (byte)'0' && c <= (byte)'9';
    }

    /// <summary><see cref="ParseTime"/> of an ASCII string without escapes; false where that would fail.</summary>
    private static bool TryParseTimeAscii(ReadOnlySpan<byte> ascii, out NmsgTimestamp time)
    {
        time = default;
        int dot = ascii.IndexOf((byte)'.');
        if (!TimeText.TryParse(dot >= 0 ? ascii[..dot] : ascii, out long seconds))
            return false;
        ulong ns = 0;
        if (dot >= 0)
        {
            // As uint.TryParse with NumberStyles.None: one digit or more, and no more than uint holds.
            ReadOnlySpan<byte> digits = ascii[(dot + 1)..];
            if (digits.IsEmpty)
                return false;
            foreach (byte c in digits)
            {
                if (c is < (byte)'0' or > (byte)'9' || (ns = ns * 10 + (uint)(c - '0')) > uint.MaxValue)
                    return false;
            }
        }
        time = new NmsgTimestamp(seconds, (uint)ns);
        return true;
    }

    /// <summary>
    /// Where the run of plain string bytes from <paramref name="p"/> ends: the first quote, backslash, control byte
    /// or byte above ASCII (the length if none). Sixteen bytes are looked at a time (most names and values end in the first
    /// sixteen, and long ones, base64, go on at that pace; thirty-two at a time was no faster on dnsqr), and the last
    /// few bytes of a text of sixteen or more in one load of its last sixteen (the last string of a line).
    /// </summary>
    internal static int PlainEnd(ReadOnlySpan<byte> s, int p)
    {
        ref byte start = ref MemoryMarshal.GetReference(s);
        for (; p + Vector128<byte>.Count <= s.Length; p += Vector128<byte>.Count)
        {
            uint special = SpecialBits(Vector128.LoadUnsafe(ref start, (nuint)p));
            if (special != 0)
                return p + BitOperations.TrailingZeroCount(special);
        }
        if (p >= s.Length)
            return s.Length;
        if (s.Length >= Vector128<byte>.Count)
        {
            // Fewer than sixteen bytes left: the text's last sixteen, without the bits of those before p.
            int last = s.Length - Vector128<byte>.Count;
            uint special = SpecialBits(Vector128.LoadUnsafe(ref start, (nuint)last)) >> (p - last);
            return special != 0 ? p + BitOperations.TrailingZeroCount(special) : s.Length;
        }
        for (; p < s.Length; p++)
        {
            byte c = s[p];
            if (c < (byte)' ' || c == (byte)'"' || c == (byte)'\\' || c >= 0x80)
                return p;
        }
        return s.Length;
    }

    /// <summary>
    /// For each field of the table, the first property of the message named as it, or -1. Lines written by a
    /// formatter hold the fields in table order, so each name is looked for from the field after the last one
    /// matched: the common line is matched in one walk over both.
    /// </summary>
    private static void MatchFields(ReadOnlySpan<byte> json, Property[] props, int count, NmsgField[] fields, Span<int> propertyOf)
    {
        propertyOf.Fill(-1);
        int hint = 0;
        for (int i = 0; i < count; i++)
        {
            ref Property p = ref props[i];
            int k;
            // The field at the hint, compared inline: a formatter's line is matched here, property after property.
            if (!p.NameEscaped && (uint)hint < (uint)fields.Length && NameIs(json.Slice(p.NameStart, p.NameLength), fields[hint].NameUtf8))
                k = hint;
            else if ((k = FindField(json, in p, fields, hint)) < 0)
                continue;
            if (propertyOf[k] < 0)
                propertyOf[k] = i;
            hint = k + 1; // past the last field, the search wraps to the first
        }
    }

    /// <summary>The first field named as <paramref name="p"/>, looked for from <paramref name="hint"/> on and around; -1 if none is.</summary>
    private static int FindField(ReadOnlySpan<byte> json, in Property p, NmsgField[] fields, int hint)
    {
        string? unescaped = p.NameEscaped ? Unescaped(json, p) : null;
        ReadOnlySpan<byte> name = json.Slice(p.NameStart, p.NameLength);
        for (int n = 0; n < fields.Length; n++)
        {
            int k = hint + n < fields.Length ? hint + n : hint + n - fields.Length;
            NmsgField f = fields[k];
            // The length first: a field the line does not hold costs no call.
            if (unescaped is null ? name.Length == f.NameUtf8.Length && name.SequenceEqual(f.NameUtf8) : unescaped == f.Name)
                return k;
        }
        return -1;
    }

    /// <summary>
    /// Whether <paramref name="name"/> is <paramref name="field"/>: as SequenceEqual, without its call for the short
    /// names of fields (two overlapping loads from each side up to 16 bytes).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool NameIs(ReadOnlySpan<byte> name, ReadOnlySpan<byte> field)
    {
        int length = name.Length;
        if (length != field.Length)
            return false;
        ref byte a = ref MemoryMarshal.GetReference(name);
        ref byte b = ref MemoryMarshal.GetReference(field);
        if (length >= 8)
        {
            return length <= 16
                ? Unsafe.ReadUnaligned<ulong>(ref a) == Unsafe.ReadUnaligned<ulong>(ref b)
                    && Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref a, length - 8)) == Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b, length - 8))
                : name.SequenceEqual(field);
        }
        if (length >= 4)
        {
            return Unsafe.ReadUnaligned<uint>(ref a) == Unsafe.ReadUnaligned<uint>(ref b)
                && Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref a, length - 4)) == Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref b, length - 4));
        }
        // 0 to 3 bytes: the first, middle and last cover them all.
        return length == 0
            || (a == b && Unsafe.Add(ref a, length - 1) == Unsafe.Add(ref b, length - 1) && Unsafe.Add(ref a, length >> 1) == Unsafe.Add(ref b, length >> 1));
    }

    private static string Unescaped(ReadOnlySpan<byte> json, in Property p)
    {
        var r = new Utf8JsonReader(json[(p.NameStart - 1)..]);
        r.Read();
        return r.GetString()!;
    }

    private static uint ParseSource(ref Utf8JsonReader e, long line)
    {
        if (e.TokenType == JsonTokenType.Number && e.TryGetUInt32(out uint n))
            return n;
        if (e.TokenType == JsonTokenType.String && !e.ValueIsEscaped
            && uint.TryParse(e.ValueSpan, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint hex))
            return hex;
        throw Error(line, "source", "not a hex string or an integer");
    }

    private static uint ParseAliased(ref Utf8JsonReader e, string key, long line, out string? name)
    {
        name = null;
        if (e.TokenType == JsonTokenType.Number && e.TryGetUInt32(out uint n))
            return n;
        if (e.TokenType == JsonTokenType.String)
        {
            name = e.GetString(); // resolved once the options are known; a name that is not an alias yields 0
            return 0;
        }
        throw Error(line, key, "not an alias name or an integer");
    }

    /// <summary>libnmsg's time: "%Y-%m-%d %T[.nanoseconds]" (raw digits), or seconds as an integer or a double.</summary>
    [SkipLocalsInit] // stack buffers are written before they are read
    private static NmsgTimestamp ParseTime(ref Utf8JsonReader e, long line)
    {
        if (e.TokenType == JsonTokenType.Number)
        {
            if (e.TryGetInt64(out long secs))
                return new NmsgTimestamp(secs, 0);
            double d = e.GetDouble();
            double whole = Math.Floor(d);
            return new NmsgTimestamp((long)whole, (uint)Math.Round((d - whole) * 1e9));
        }
        if (e.TokenType != JsonTokenType.String)
            throw Error(line, "time", "not a string or a number");
        Span<char> buffer = stackalloc char[64];
        ReadOnlySpan<char> s = !e.HasValueSequence && e.ValueSpan.Length <= buffer.Length
            ? buffer[..e.CopyString(buffer)]
            : e.GetString().AsSpan();
        int dot = s.IndexOf('.');
        if (!TimeText.TryParse(dot >= 0 ? s[..dot] : s, out long seconds))
            throw Error(line, "time", $"'{s}' is not YYYY-MM-DD HH:MM:SS[.nnnnnnnnn]");
        uint ns = 0;
        // libnmsg reads the digits after the dot as a raw nanosecond count (".5" is 5 ns): kept for compatibility.
        if (dot >= 0 && !uint.TryParse(s[(dot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out ns))
            throw Error(line, "time", $"'{s}' has a bad fraction");
        return new NmsgTimestamp(seconds, ns);
    }

    /// <summary>
    /// Adds a singular value from its raw JSON token where that needs no reader: integers, IP addresses and
    /// custom-parsed ASCII strings. False, with nothing added (the reader path then decides, with its errors), for
    /// anything else.
    /// <paramref name="ascii"/>: the whole line is known to be ASCII (the scanner took it). Each kind of string is
    /// read by a method of its own: one method with all their stack buffers and value temporaries had its prolog
    /// zero ~400 bytes of stack at every call (~40 instructions a field).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryParseSimple(NmsgField f, ReadOnlySpan<byte> raw, JsonTokenType token, bool escaped, bool ascii, PayloadBuilder builder)
    {
        if (token == JsonTokenType.String)
        {
            if (escaped || raw.Length < 2)
                return false;
            ReadOnlySpan<byte> text = raw[1..^1];
            if (!ascii && !System.Text.Ascii.IsValid(text))
                return false;
            if (f.HasTextParser)
                return FieldParsers.TryAddAscii(f, text, builder);
            return f.Type switch
            {
                NmsgFieldType.Bytes => TryBase64(f, text, builder),
                NmsgFieldType.Enum => TryEnum(f, text, builder),
                NmsgFieldType.String or NmsgFieldType.MLString => TryString(f, text, builder),
                NmsgFieldType.IP => TryIp(f, text, builder),
                _ => false,
            };
        }
        return TryAddNumber(f, raw, token, builder);
    }

    /// <summary>
    /// <see cref="TryParseSimple"/>'s numbers, in a method of their own: with the builder's AddBits inlined, its
    /// temporaries made the one method's prolog zero ~240 bytes of stack at every call, strings' calls too.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool TryAddNumber(NmsgField f, ReadOnlySpan<byte> raw, JsonTokenType token, PayloadBuilder builder)
    {
        if (!TryParseNumber(f, raw, token, out ulong bits))
            return false;
        builder.AddBits(f, bits);
        return true;
    }

    /// <summary>As Utf8JsonReader.TryGetBytesFromBase64 decodes, into the builder (in place) rather than an array.</summary>
    private static bool TryBase64(NmsgField f, ReadOnlySpan<byte> text, PayloadBuilder builder)
    {
        int max = System.Buffers.Text.Base64.GetMaxDecodedFromUtf8Length(text.Length);
        Span<byte> decoded = builder.ReserveBytes(f, max, max); // padding leaves the length within a byte or two of max
        if (System.Buffers.Text.Base64.DecodeFromUtf8(text, decoded, out _, out int written) != OperationStatus.Done)
            return false;
        builder.CommitBytes(f, written);
        return true;
    }

    private static bool TryString(NmsgField f, ReadOnlySpan<byte> text, PayloadBuilder builder)
    {
        Span<byte> terminated = builder.ReserveBytes(f, text.Length + 1, text.Length + 1); // the last byte is the terminating NUL
        text.CopyTo(terminated);
        terminated[text.Length] = 0;
        builder.CommitBytes(f, text.Length + 1);
        return true;
    }

    [SkipLocalsInit] // the stack buffer is written before it is read
    private static bool TryEnum(NmsgField f, ReadOnlySpan<byte> text, PayloadBuilder builder)
    {
        if (text.Length > 64)
            return false;
        if (f.Enum!.TryParseExactUtf8(text, out int exact))
        {
            builder.AddBits(f, (ulong)(long)exact);
            return true;
        }
        Span<char> name = stackalloc char[64];
        name = name[..Encoding.ASCII.GetChars(text, name)];
        if (!f.Enum!.TryParse(name, out int number))
            return false;
        builder.AddBits(f, (ulong)(long)number);
        return true;
    }

    private static bool TryIp(NmsgField f, ReadOnlySpan<byte> text, PayloadBuilder builder)
    {
        if (text.Length > 64)
            return false;
        Span<byte> ip = builder.ReserveBytes(f, 16, 16);
        if (IpText.TryParseV4(text, ip))
            builder.CommitBytes(f, 4);
        else if (IpText.TryParseV6(text, ip))
            builder.CommitBytes(f, 16);
        else
            return false;
        return true;
    }

    /// <summary>The number kinds of <see cref="TryParseSimple"/>: the value's raw bits (as <see cref="NmsgFieldValue.Bits"/>).</summary>
    private static bool TryParseNumber(NmsgField f, ReadOnlySpan<byte> raw, JsonTokenType token, out ulong bits)
    {
        bits = 0;
        if (token != JsonTokenType.Number || FieldParsers.HasParser(f))
            return false;
        if (TryDigits(raw, out ulong digits))
        {
            // A plain non-negative integer (most are), read here; anything else as below.
            ulong max = f.Type switch
            {
                NmsgFieldType.UInt16 => ushort.MaxValue,
                NmsgFieldType.UInt32 => uint.MaxValue,
                NmsgFieldType.UInt64 => ulong.MaxValue,
                NmsgFieldType.Int16 => (ulong)short.MaxValue,
                NmsgFieldType.Int32 => int.MaxValue,
                NmsgFieldType.Int64 => long.MaxValue,
                _ => 0,
            };
            if (digits <= max && max != 0)
            {
                bits = f.Type is NmsgFieldType.UInt16 or NmsgFieldType.UInt32 or NmsgFieldType.UInt64 ? digits : SignedBits(f, (long)digits);
                return true;
            }
        }
        return TryParseNumberSlow(f, raw, out bits);
    }

    /// <summary>
    /// <see cref="TryParseNumberSlow(NmsgField, ReadOnlySpan{byte}, out NmsgFieldValue)"/>'s raw bits, in a method of
    /// its own: an NmsgFieldValue local (it holds a reference) is zeroed in the prolog of the method that has it.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool TryParseNumberSlow(NmsgField f, ReadOnlySpan<byte> raw, out ulong bits)
    {
        bool ok = TryParseNumberSlow(f, raw, out NmsgFieldValue value);
        bits = value.Bits;
        return ok;
    }

    /// <summary>The numbers <see cref="TryParseNumber"/> does not read itself: signs, fractions, exponents, many digits.</summary>
    private static bool TryParseNumberSlow(NmsgField f, ReadOnlySpan<byte> raw, out NmsgFieldValue value)
    {
        value = default;
        int consumed;
        switch (f.Type)
        {
            case NmsgFieldType.UInt16:
                if (!System.Buffers.Text.Utf8Parser.TryParse(raw, out ushort u16, out consumed) || consumed != raw.Length)
                    return false;
                value = new NmsgFieldValue(u16);
                return true;
            case NmsgFieldType.UInt32:
                if (!System.Buffers.Text.Utf8Parser.TryParse(raw, out uint u32, out consumed) || consumed != raw.Length)
                    return false;
                value = new NmsgFieldValue(u32);
                return true;
            case NmsgFieldType.UInt64:
                if (!System.Buffers.Text.Utf8Parser.TryParse(raw, out ulong u64, out consumed) || consumed != raw.Length)
                    return false;
                value = new NmsgFieldValue(u64);
                return true;
            case NmsgFieldType.Int16 or NmsgFieldType.Int32 or NmsgFieldType.Int64:
                long min = f.Type == NmsgFieldType.Int16 ? short.MinValue : f.Type == NmsgFieldType.Int32 ? int.MinValue : long.MinValue;
                long max = f.Type == NmsgFieldType.Int16 ? short.MaxValue : f.Type == NmsgFieldType.Int32 ? int.MaxValue : long.MaxValue;
                if (!System.Buffers.Text.Utf8Parser.TryParse(raw, out long i64, out consumed) || consumed != raw.Length || i64 < min || i64 > max)
                    return false;
                value = Signed(f, i64);
                return true;
            case NmsgFieldType.Double:
                // As ParseValue: a JSON double only (not an integer literal), read as Utf8JsonReader.GetDouble reads
                // it; what that would not give (out of range) goes there.
                if (raw.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0
                    || !System.Buffers.Text.Utf8Parser.TryParse(raw, out double d, out consumed) || consumed != raw.Length || !double.IsFinite(d))
                    return false;
                value = NmsgFieldValue.FromDouble(d);
                return true;
            default:
                return false;
        }
    }

    /// <summary>One to nineteen decimal digits and nothing else (so no overflow): their value; false for anything else.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryDigits(ReadOnlySpan<byte> raw, out ulong value)
    {
        value = 0;
        if ((uint)(raw.Length - 1) >= 19)
            return false;
        foreach (byte c in raw)
        {
            uint d = (uint)(c - '0');
            if (d > 9)
                return false;
            value = (value * 10) + d;
        }
        return true;
    }

    /// <summary>
    /// A repeated value whose elements are all what <see cref="TryParseSimple"/> takes, read from the (already
    /// validated) array text; false, with nothing added, where any element needs the reader path (the elements
    /// go to the builder as they are read and are taken back then).
    /// </summary>
    private static bool TryParseSimpleArray(NmsgField f, ReadOnlySpan<byte> array, bool ascii, PayloadBuilder builder)
    {
        // The common array of one element without spaces (dnsqr's packets and times): the element as it stands,
        // without the loop. Anything else, or an element the fast path does not take, goes through the loop.
        if (array.Length > 2)
        {
            byte first = array[1];
            if (first == (byte)'"')
            {
                if (f.Type == NmsgFieldType.Bytes && !f.HasTextParser)
                {
                    // Base64 is not looked through for the closing quote first: decoding takes no quote, backslash
                    // or byte above ASCII, and the array has been checked (no control byte in a string), so text
                    // that is not one plain string fails to decode and goes to the loop, as it would have.
                    if (array.Length >= 4 && array[^2] == (byte)'"'
                        && TryParseSimple(f, array[1..^1], JsonTokenType.String, escaped: false, ascii, builder))
                        return true;
                }
                else
                {
                    int end = PlainEnd(array, 2);
                    if (end == array.Length - 2 && array[end] == (byte)'"') // the closing quote, then the bracket
                        return TryParseSimple(f, array[1..^1], JsonTokenType.String, escaped: false, ascii, builder);
                }
            }
            else if ((uint)(first - '0') <= 9 && TryParseSimple(f, array[1..^1], JsonTokenType.Number, escaped: false, ascii, builder))
            {
                return true; // the whole inside is one number
            }
        }
        int before = builder.Mark;
        bool any = false;
        int p = 1;
        for (; ; )
        {
            while (p < array.Length && array[p] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
                p++;
            if (p >= array.Length)
                return Undo(builder, before);
            if (array[p] == (byte)']')
                return true;
            if (array[p] == (byte)',' && any)
            {
                p++;
                continue;
            }
            int start = p;
            JsonTokenType token;
            if (array[p] == (byte)'"')
            {
                int end = PlainEnd(array, p + 1);
                if (end >= array.Length || array[end] != (byte)'"')
                    return Undo(builder, before); // escapes: the reader path
                p = end + 1;
                token = JsonTokenType.String;
            }
            else if (array[p] == (byte)'-' || (array[p] >= (byte)'0' && array[p] <= (byte)'9'))
            {
                while (p < array.Length && array[p] is not ((byte)',' or (byte)']' or (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r'))
                    p++;
                token = JsonTokenType.Number;
            }
            else
            {
                return Undo(builder, before);
            }
            if (!TryParseSimple(f, array[start..p], token, escaped: false, ascii, builder))
                return Undo(builder, before);
            any = true;
        }
    }

    private static bool Undo(PayloadBuilder builder, int count)
    {
        builder.Truncate(count);
        return false;
    }

    [SkipLocalsInit] // stack buffers are written before they are read
    private static NmsgFieldValue ParseValue(NmsgField f, ref Utf8JsonReader e, PayloadBuilder builder, long line, bool fastText)
    {
        if (FieldParsers.HasParser(f))
        {
            if (e.TokenType != JsonTokenType.String)
                throw Error(line, f.Name, "needs a string");
            // Without fastText (the reader-only parse tests compare with), every value goes to the parser as text.
            if (fastText && !e.ValueIsEscaped && !e.HasValueSequence && System.Text.Ascii.IsValid(e.ValueSpan)
                && FieldParsers.TryParseAscii(f, e.ValueSpan, builder, out NmsgFieldValue fast))
                return fast;
            if (fastText && e.ValueIsEscaped && !e.HasValueSequence && e.ValueSpan.Length <= 512 && e.ValueSpan.IndexOf("\\u"u8) < 0)
            {
                // Escaped text (TXT rdata quotes its strings) unescaped on the stack, without a string.
                Span<byte> unescaped = stackalloc byte[512];
                int n = e.CopyString(unescaped);
                if (System.Text.Ascii.IsValid(unescaped[..n]) && FieldParsers.TryParseAscii(f, unescaped[..n], builder, out NmsgFieldValue fromEscaped))
                    return fromEscaped;
            }
            string? error = FieldParsers.Parse(f, e.GetString()!, builder, out NmsgFieldValue parsed);
            return error is null ? parsed : throw Error(line, f.Name, error);
        }
        switch (f.Type)
        {
            case NmsgFieldType.Bool:
                if (e.TokenType is JsonTokenType.True or JsonTokenType.False)
                    return new NmsgFieldValue(e.TokenType == JsonTokenType.True ? 1UL : 0UL);
                if (e.TokenType == JsonTokenType.Number && e.TryGetInt64(out long b))
                    return new NmsgFieldValue(b != 0 ? 1UL : 0UL);
                if (e.TokenType == JsonTokenType.String && bool.TryParse(e.GetString(), out bool bs))
                    return new NmsgFieldValue(bs ? 1UL : 0UL);
                throw Error(line, f.Name, "not a boolean");
            case NmsgFieldType.Bytes:
                if (e.TokenType == JsonTokenType.StartObject)
                {
                    // {"val":…,"b64":"…"}: take b64.
                    byte[]? fromObject = null;
                    while (e.Read() && e.TokenType == JsonTokenType.PropertyName)
                    {
                        bool isB64 = e.ValueTextEquals("b64"u8);
                        e.Read();
                        if (isB64 && e.TokenType == JsonTokenType.String && e.TryGetBytesFromBase64(out byte[]? inner))
                            fromObject = inner;
                        else
                            e.Skip();
                    }
                    return fromObject is not null ? new NmsgFieldValue(fromObject) : throw Error(line, f.Name, "an object needs \"b64\"");
                }
                if (e.TokenType == JsonTokenType.String && e.TryGetBytesFromBase64(out byte[]? bytes))
                    return new NmsgFieldValue(bytes);
                throw Error(line, f.Name, "not base64");
            case NmsgFieldType.Enum:
                if (e.TokenType == JsonTokenType.String && f.Enum!.TryParse(e.GetString()!, out int ev))
                    return new NmsgFieldValue((ulong)(long)ev);
                // libnmsg compares a number against the count of values, not against valid values: kept.
                if (e.TokenType == JsonTokenType.Number && e.TryGetInt32(out int en) && en >= 0 && en < f.Enum!.Values.Count)
                    return new NmsgFieldValue((ulong)en);
                throw Error(line, f.Name, "not a value of " + f.Enum!.Name);
            case NmsgFieldType.String or NmsgFieldType.MLString:
                if (e.TokenType != JsonTokenType.String)
                    throw Error(line, f.Name, "not a string");
                if (!e.ValueIsEscaped && !e.HasValueSequence)
                {
                    byte[] raw = new byte[e.ValueSpan.Length + 1]; // the last byte stays the terminating NUL
                    e.ValueSpan.CopyTo(raw);
                    return new NmsgFieldValue(raw);
                }
                string text = e.GetString()!;
                byte[] utf8 = new byte[Encoding.UTF8.GetByteCount(text) + 1];
                Encoding.UTF8.GetBytes(text, utf8);
                return new NmsgFieldValue(utf8);
            case NmsgFieldType.IP:
                if (e.TokenType == JsonTokenType.Null)
                    return new NmsgFieldValue(ReadOnlyMemory<byte>.Empty);
                if (e.TokenType == JsonTokenType.String && e.ValueSpan.Length <= 64 && !e.ValueIsEscaped)
                {
                    Span<char> chars = stackalloc char[64];
                    int n = Encoding.UTF8.GetChars(e.ValueSpan, chars);
                    if (IpText.TryParse(chars[..n], out byte[] ip))
                        return new NmsgFieldValue(ip);
                }
                throw Error(line, f.Name, "not an IP address");
            case NmsgFieldType.UInt16:
                return e.TokenType == JsonTokenType.Number && e.TryGetUInt16(out ushort u16) ? new NmsgFieldValue(u16) : throw Error(line, f.Name, "not an integer 0..65535");
            case NmsgFieldType.UInt32:
                return e.TokenType == JsonTokenType.Number && e.TryGetUInt32(out uint u32) ? new NmsgFieldValue(u32) : throw Error(line, f.Name, "not an integer 0..4294967295");
            case NmsgFieldType.UInt64:
                if (e.TokenType == JsonTokenType.Number && e.TryGetUInt64(out ulong u64))
                    return new NmsgFieldValue(u64);
                if (e.TokenType == JsonTokenType.String && ulong.TryParse(e.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out u64))
                    return new NmsgFieldValue(u64);
                throw Error(line, f.Name, "not an unsigned 64-bit integer");
            case NmsgFieldType.Int16 or NmsgFieldType.Int32 or NmsgFieldType.Int64:
                long min = f.Type == NmsgFieldType.Int16 ? short.MinValue : f.Type == NmsgFieldType.Int32 ? int.MinValue : long.MinValue;
                long max = f.Type == NmsgFieldType.Int16 ? short.MaxValue : f.Type == NmsgFieldType.Int32 ? int.MaxValue : long.MaxValue;
                if (e.TokenType == JsonTokenType.Number)
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
                if (e.TokenType == JsonTokenType.Number && e.ValueSpan.IndexOfAny("."u8[0], (byte)'e', (byte)'E') >= 0)
                    return NmsgFieldValue.FromDouble(e.GetDouble());
                throw Error(line, f.Name, "not a double (write 1.0, not 1)");
            default:
                throw Error(line, f.Name, "unsupported field type");
        }
    }

    /// <summary>A signed value as stored: varints sign-extend to 64 bits; sfixed32 keeps 32.</summary>
    private static NmsgFieldValue Signed(NmsgField f, long v) => new(SignedBits(f, v));

    /// <summary>The raw bits of the signed value <paramref name="v"/> of <paramref name="f"/> (an sfixed32 as 32 bits).</summary>
    private static ulong SignedBits(NmsgField f, long v) => f.Wire == NmsgWireKind.SFixed32 ? (uint)(int)v : unchecked((ulong)v);
}
