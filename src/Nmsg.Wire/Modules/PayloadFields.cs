using Nmsg.Protobuf;

namespace Nmsg.Modules;

/// <summary>
/// One pass over a payload's protobuf fields, recording where each occurrence is, so that the formatters can walk a
/// module's table in printing order without materializing the message. Not thread-safe; reuse one per thread.
/// </summary>
internal sealed class PayloadFields
{
    private Entry[] _entries = new Entry[32];
    private int _count;

    // The first and last entry of each field number below IndexedNumbers, or -1, and each entry's next of the same
    // number (Entry.Next): single values, absent fields and repeated fields without a scan of every entry.
    private const int IndexedNumbers = 64;
    private readonly int[] _first = CreateIndex();
    private readonly int[] _last = CreateIndex();

    private static int[] CreateIndex()
    {
        int[] index = new int[IndexedNumbers];
        index.AsSpan().Fill(-1);
        return index;
    }
    private ReadOnlyMemory<byte> _payload;
    private NmsgMessage? _message;

    [ThreadStatic]
    private static PayloadFields? t_cached;

    /// <summary>A per-thread instance (formatting is synchronous and not re-entrant).</summary>
    public static PayloadFields ForThread() => t_cached ??= new PayloadFields();

    /// <summary>One occurrence of a field: its number, wire type, and value bits or where its bytes are.</summary>
    internal struct Entry
    {
        public int Number;
        public WireType Wire;
        public ulong Bits;
        public int Offset;
        public int Length;
        public int Next; // the next entry of the same number (numbers below IndexedNumbers), or -1
    }

    /// <summary>
    /// Indexes a message's payload as <see cref="Load(ReadOnlyMemory{byte}, NmsgModule?)"/> does and remembers the
    /// message, so that its derived fields can use the same index (<see cref="IsLoadedFor"/>).
    /// </summary>
    public void Load(NmsgMessage message, NmsgModule module)
    {
        Load(message.Payload, module);
        _message = message;
    }

    /// <summary>True if this instance holds the index of <paramref name="message"/>'s current payload.</summary>
    public bool IsLoadedFor(NmsgMessage message) => ReferenceEquals(_message, message) && _payload.Equals(message.Payload);

    /// <summary>The indexed occurrences, in wire order.</summary>
    public ReadOnlySpan<Entry> Entries => _entries.AsSpan(0, _count);

    /// <summary>The payload the entries' offsets refer to.</summary>
    public ReadOnlyMemory<byte> Payload => _payload;

    /// <summary>
    /// Indexes a payload; throws <see cref="NmsgFormatException"/> if it is not valid protobuf or lacks one of
    /// <paramref name="module"/>'s required fields (none checked without a module).
    /// </summary>
    public void Load(ReadOnlyMemory<byte> payload, NmsgModule? module)
    {
        _message = null;
        _payload = payload;
        // Only the slots the last payload set are reset while it had a few fields; after more (dnsqr has 17) the two
        // 64-slot indexes are filled whole, a few vector stores instead of two checked stores per field.
        if (_count <= 8)
        {
            for (int i = 0; i < _count; i++)
            {
                int number = _entries[i].Number;
                if ((uint)number < IndexedNumbers)
                    _first[number] = _last[number] = -1;
            }
        }
        else
        {
            _first.AsSpan().Fill(-1);
            _last.AsSpan().Fill(-1);
        }
        _count = 0;
        var reader = new ProtoReader(payload.Span);
        while (reader.TryReadTag(out int field, out WireType wt))
        {
            if (_count == _entries.Length)
                Array.Resize(ref _entries, _entries.Length * 2);
            ref Entry e = ref _entries[_count];
            e.Number = field;
            e.Wire = wt;
            e.Next = -1;
            switch (wt)
            {
                case WireType.Varint:
                    e.Bits = reader.ReadVarint();
                    break;
                case WireType.Fixed32:
                    e.Bits = reader.ReadFixed32();
                    break;
                case WireType.Fixed64:
                    e.Bits = (ulong)reader.ReadFixed32() | ((ulong)reader.ReadFixed32() << 32);
                    break;
                case WireType.LengthDelimited:
                    (e.Offset, e.Length) = reader.ReadLengthDelimited();
                    break;
                default:
                    reader.Skip(wt); // groups: not used by NMSG, rejected
                    continue;
            }
            if ((uint)field < IndexedNumbers)
            {
                int previous = _last[field];
                if (previous >= 0)
                    _entries[previous].Next = _count;
                else
                    _first[field] = _count;
                _last[field] = _count;
            }
            _count++;
        }
        if (module is null)
            return;
        foreach (int required in module.RequiredNumbers)
        {
            if (!Has(required))
                ThrowMissing(module, required);
        }
    }

    public bool Has(int number)
    {
        if ((uint)number < IndexedNumbers)
            return _last[number] >= 0;
        for (int i = 0; i < _count; i++)
        {
            if (_entries[i].Number == number)
                return true;
        }
        return false;
    }

    /// <summary>The values of a stored field in wire order (packed repeated scalars expanded).</summary>
    public void Collect(NmsgField field, List<NmsgFieldValue> values)
    {
        values.Clear();
        if ((uint)field.Number < IndexedNumbers)
        {
            for (int i = _first[field.Number]; i >= 0; i = _entries[i].Next)
                Add(ref _entries[i], field, values);
        }
        else
        {
            for (int i = 0; i < _count; i++)
            {
                if (_entries[i].Number == field.Number)
                    Add(ref _entries[i], field, values);
            }
        }
        // A singular field seen more than once: protobuf keeps the last.
        if (!field.IsRepeated && values.Count > 1)
            values.RemoveRange(0, values.Count - 1);
    }

    /// <summary>
    /// The first entry of a repeated stored field, to walk with <see cref="NextOf"/> and <see cref="ValueAt"/>
    /// without a list: -1 if the field is absent, -2 if its values need <see cref="Collect"/> (packed scalars, or a
    /// number beyond the index).
    /// </summary>
    public int FirstOf(NmsgField field)
    {
        if ((uint)field.Number >= IndexedNumbers)
            return -2;
        int first = _first[field.Number];
        if (field.Wire is NmsgWireKind.Varint or NmsgWireKind.Fixed32 or NmsgWireKind.SFixed32 or NmsgWireKind.Fixed64)
        {
            for (int i = first; i >= 0; i = _entries[i].Next)
            {
                if (_entries[i].Wire == WireType.LengthDelimited)
                    return -2;
            }
        }
        return first;
    }

    /// <summary>The next entry of the same field after <paramref name="entry"/>, or -1.</summary>
    public int NextOf(int entry) => _entries[entry].Next;

    /// <summary>The value of an entry found by <see cref="FirstOf"/> (never a packed one).</summary>
    public NmsgFieldValue ValueAt(int entry, NmsgField field) => Convert(ref _entries[entry], field);

    private void Add(ref Entry e, NmsgField field, List<NmsgFieldValue> values)
    {
        if (e.Wire == WireType.LengthDelimited && field.Wire is NmsgWireKind.Varint or NmsgWireKind.Fixed32 or NmsgWireKind.SFixed32 or NmsgWireKind.Fixed64)
            ExpandPacked(field.Wire, _payload.Span.Slice(e.Offset, e.Length), values);
        else
            values.Add(Convert(ref e, field));
    }

    /// <summary>The value of a singular stored field (the last occurrence, as protobuf keeps), without a list.</summary>
    // Inlined: the formatters ask once per field per message, and most answers are the fast cases below.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public bool TryGetSingle(NmsgField field, out NmsgFieldValue value)
    {
        int number = field.Number;
        if ((uint)number < IndexedNumbers)
        {
            int last = _last[number];
            if (last < 0)
            {
                value = default;
                return false;
            }
            // The common kinds without the general conversion.
            ref Entry e = ref _entries[last];
            if (e.Wire == WireType.Varint && field.Wire == NmsgWireKind.Varint)
            {
                value = new NmsgFieldValue(e.Bits);
                return true;
            }
            if (e.Wire == WireType.LengthDelimited && field.Wire == NmsgWireKind.Bytes)
            {
                value = new NmsgFieldValue(_payload.Slice(e.Offset, e.Length));
                return true;
            }
        }
        return TryGetSingleSlow(field, out value);
    }

    private bool TryGetSingleSlow(NmsgField field, out NmsgFieldValue value)
    {
        int start = (uint)field.Number < IndexedNumbers ? _last[field.Number] : _count - 1;
        for (int i = start; i >= 0; i--)
        {
            ref Entry e = ref _entries[i];
            if (e.Number != field.Number)
                continue;
            if (e.Wire == WireType.LengthDelimited && field.Wire is NmsgWireKind.Varint or NmsgWireKind.Fixed32 or NmsgWireKind.SFixed32 or NmsgWireKind.Fixed64)
                return TryGetSinglePacked(field, out value); // a packed singular: rare enough for the general path
            value = Convert(ref e, field);
            return true;
        }
        value = default;
        return false;
    }

    private bool TryGetSinglePacked(NmsgField field, out NmsgFieldValue value)
    {
        var list = new List<NmsgFieldValue>(1);
        Collect(field, list);
        value = list.Count > 0 ? list[0] : default;
        return list.Count > 0;
    }

    private NmsgFieldValue Convert(ref Entry e, NmsgField field)
    {
        switch (field.Wire)
        {
            case NmsgWireKind.Bytes or NmsgWireKind.Message when e.Wire == WireType.LengthDelimited:
                return new NmsgFieldValue(_payload.Slice(e.Offset, e.Length));
            case NmsgWireKind.Varint when e.Wire == WireType.Varint:
            case NmsgWireKind.Fixed64 when e.Wire == WireType.Fixed64:
            case NmsgWireKind.Fixed32 when e.Wire == WireType.Fixed32:
                return new NmsgFieldValue(e.Bits);
            case NmsgWireKind.SFixed32 when e.Wire == WireType.Fixed32:
                return new NmsgFieldValue((ulong)(long)(int)(uint)e.Bits);
            default:
                ThrowWireMismatch(field, e.Wire);
                return default;
        }
    }

    // The messages are built out of line: an interpolated string in a hot method costs every call its setup.
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void ThrowMissing(NmsgModule module, int required)
        => ThrowHelper.Protobuf($"{module.Name} payload lacks required field {required}");

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void ThrowWireMismatch(NmsgField field, WireType wire)
        => ThrowHelper.Protobuf($"field {field.Name} has wire type {(int)wire}");

    private static void ExpandPacked(NmsgWireKind kind, ReadOnlySpan<byte> data, List<NmsgFieldValue> values)
    {
        var r = new ProtoReader(data);
        while (!r.End)
        {
            switch (kind)
            {
                case NmsgWireKind.Varint:
                    values.Add(new NmsgFieldValue(r.ReadVarint()));
                    break;
                case NmsgWireKind.Fixed32:
                    values.Add(new NmsgFieldValue(r.ReadFixed32()));
                    break;
                case NmsgWireKind.SFixed32:
                    values.Add(new NmsgFieldValue((ulong)(long)(int)r.ReadFixed32()));
                    break;
                default:
                    values.Add(new NmsgFieldValue(r.ReadFixed32() | ((ulong)r.ReadFixed32() << 32)));
                    break;
            }
        }
    }
}
