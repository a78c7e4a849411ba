using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Nmsg.Internal;
using Nmsg.Protobuf;

namespace Nmsg.Modules;

/// <summary>
/// Collects field values of one module and serializes them as protobuf-c does: fields in ascending number order,
/// repeated scalars unpacked, signed varints sign-extended to ten bytes (SPEC §2.2).
/// </summary>
/// <remarks>
/// Two modes. The list mode keeps (field, value) pairs and sorts them by number in <see cref="ToArray"/>: adds in
/// any order, <see cref="Clear"/>, <see cref="Has"/>. The direct mode (<see cref="ForThread(NmsgModule, bool)"/>, the
/// JSON input's fast path) encodes each value as it is added into a per-thread buffer, which is then the payload:
/// the caller adds the fields one at a time in <see cref="NumberOrder"/> and closes each with <see cref="EndField"/>
/// (which <see cref="First"/> reads back). No pair holding references is stored (no write barriers), nothing is
/// sized or sorted per value.
/// </remarks>
internal sealed class PayloadBuilder(NmsgModule module)
{
    private readonly List<(NmsgField Field, NmsgFieldValue Value)> _values = new(module.Fields.Count);
    private NmsgModule _module = module;
    private byte[] _arena = [];
    private int _arenaUsed;

    // Kept as values are added, so that ToArray neither sizes nor checks the order in passes of its own.
    private int _size;
    private int _lastNumber;
    private bool _ordered = true;

    // The direct mode: values encoded in _out; per field of the table (by index), the start and end of its values.
    private bool _direct;
    private byte[] _out = [];
    private int _outUsed;
    private int[] _segments = [];
    // Payloads handed out by ToSlice: slices of a slab, which only grows (what was handed out is never written again).
    private byte[] _slab = [];
    private int _slabUsed;
    // For the module they were made for: the table indexes of its stored fields by number, and whether the direct
    // mode may take its values in that order.
    private NmsgModule? _orderOf;
    private int[] _order = [];
    private bool _orderSafe;
    private int _rrTypeAt, _rrClassAt; // the table indexes of the module's rrtype and rrclass (-1 if none), which rdata reads

    [ThreadStatic]
    private static PayloadBuilder? t_cached;

    public NmsgModule Module => _module;

    /// <summary>
    /// An empty per-thread builder for <paramref name="module"/> (a parser that is done with it before its next use:
    /// values copied in with <see cref="Copy"/> live in a buffer that the next use overwrites).
    /// </summary>
    public static PayloadBuilder ForThread(NmsgModule module) => ForThread(module, direct: false);

    /// <summary>
    /// <see cref="ForThread(NmsgModule)"/>, in the direct mode if <paramref name="direct"/> and the module allows it
    /// (<see cref="IsDirect"/> tells; see the remarks of <see cref="PayloadBuilder"/>).
    /// </summary>
    public static PayloadBuilder ForThread(NmsgModule module, bool direct)
    {
        PayloadBuilder b = t_cached ??= new PayloadBuilder(module);
        b.Reset(module, direct);
        return b;
    }

    /// <summary>Empties the builder and sets its module and mode (the direct mode if asked for and allowed).</summary>
    internal void Reset(NmsgModule module, bool direct)
    {
        _module = module;
        _values.Clear();
        _arenaUsed = 0;
        _size = 0;
        _lastNumber = 0;
        _ordered = true;
        _direct = false;
        if (!direct)
            return;
        if (!ReferenceEquals(_orderOf, module))
        {
            _order = NumberOrderOf(module, out _orderSafe);
            _rrTypeAt = module.RrTypeField is null ? -1 : Array.IndexOf(module.FieldArray, module.RrTypeField);
            _rrClassAt = module.RrClassField is null ? -1 : Array.IndexOf(module.FieldArray, module.RrClassField);
            _orderOf = module;
        }
        if (!_orderSafe)
            return;
        _direct = true;
        _outUsed = 0;
        int n = module.FieldArray.Length * 2;
        if (_segments.Length < n)
            _segments = new int[Math.Max(n, 64)];
        else
            _segments.AsSpan(0, n).Clear();
    }

    /// <summary>
    /// The table indexes of the stored (not embedded-message) fields, by number (fields of one number in table
    /// order); <paramref name="safe"/>: whether taking a line's values in that order rather than the table's can give
    /// nothing but the same payload. The one value that reads others is rdata (rrtype and rrclass before it): the
    /// module is safe if each of them comes before rdata in both orders or in neither.
    /// </summary>
    private static int[] NumberOrderOf(NmsgModule module, out bool safe)
    {
        NmsgField[] fields = module.FieldArray;
        var order = new List<int>(fields.Length);
        for (int k = 0; k < fields.Length; k++)
        {
            if (fields[k].IsStored && fields[k].Wire != NmsgWireKind.Message)
                order.Add(k);
        }
        // Insertion: stable, and the table is nearly in order.
        for (int i = 1; i < order.Count; i++)
        {
            int k = order[i], j = i - 1;
            for (; j >= 0 && fields[order[j]].Number > fields[k].Number; j--)
                order[j + 1] = order[j];
            order[j + 1] = k;
        }
        safe = true;
        for (int k = 0; k < fields.Length; k++)
        {
            if (fields[k].Format != NmsgFieldFormat.DnsRdata)
                continue;
            foreach (NmsgField? other in (ReadOnlySpan<NmsgField?>)[module.RrTypeField, module.RrClassField, module.FindField("rrtype"), module.FindField("rrclass")])
            {
                int o = other is null ? -1 : Array.IndexOf(fields, other);
                if (o >= 0 && (o < k) != (order.IndexOf(o) < order.IndexOf(k)))
                    safe = false;
            }
        }
        return [.. order];
    }

    /// <summary>Whether values are encoded as they are added (the direct mode).</summary>
    internal bool IsDirect => _direct;

    /// <summary>The direct mode: the table indexes of the fields in the order their values are to be added.</summary>
    internal ReadOnlySpan<int> NumberOrder => _order;

    /// <summary>
    /// Where the next value goes: what <see cref="Truncate"/> takes the builder back to (a count of values in the
    /// list mode, an offset in the direct mode), and the start of a field for <see cref="EndField"/>.
    /// </summary>
    internal int Mark => _direct ? _outUsed : _values.Count;

    /// <summary>
    /// The direct mode: the values added since <paramref name="start"/> (a <see cref="Mark"/>) are those of the
    /// field at <paramref name="index"/> in the table.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void EndField(int index, int start)
    {
        int[] segments = _segments;
        segments[2 * index] = start;
        segments[(2 * index) + 1] = _outUsed;
    }

    /// <summary>Keeps a copy of <paramref name="bytes"/> for a value without allocating one array per value.</summary>
    public ReadOnlyMemory<byte> Copy(ReadOnlySpan<byte> bytes)
    {
        if (_arena.Length - _arenaUsed < bytes.Length)
        {
            // Values already handed out keep the old array alive; later ones go to the new one.
            _arena = new byte[Math.Max(1024, Math.Max(_arena.Length * 2, bytes.Length))];
            _arenaUsed = 0;
        }
        Memory<byte> slot = _arena.AsMemory(_arenaUsed, bytes.Length);
        bytes.CopyTo(slot.Span);
        _arenaUsed += bytes.Length;
        return slot;
    }

    /// <summary>
    /// Room for a value of at most <paramref name="maxLength"/> bytes written in place (a decoder's output); keep
    /// what was written with <see cref="Commit"/>, or leave it (the next reservation or copy reuses the room).
    /// </summary>
    public Span<byte> Reserve(int maxLength)
    {
        if (_arena.Length - _arenaUsed < maxLength)
        {
            _arena = new byte[Math.Max(1024, Math.Max(_arena.Length * 2, maxLength))];
            _arenaUsed = 0;
        }
        return _arena.AsSpan(_arenaUsed, maxLength);
    }

    /// <summary>Keeps the first <paramref name="length"/> bytes of the last <see cref="Reserve"/> as a value.</summary>
    public ReadOnlyMemory<byte> Commit(int length)
    {
        Memory<byte> slot = _arena.AsMemory(_arenaUsed, length);
        _arenaUsed += length;
        return slot;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per value parsed
    public void Add(NmsgField field, NmsgFieldValue value)
    {
        if (_direct)
        {
            Encode(field, in value);
            return;
        }
        Track(field, in value);
        _values.Add((field, value));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Track(NmsgField field, in NmsgFieldValue value)
    {
        _size += Size(field, in value);
        if (field.Number < _lastNumber)
            _ordered = false;
        else
            _lastNumber = field.Number;
    }

    /// <summary>The number of values added so far.</summary>
    public int Count => _values.Count;

    /// <summary>Takes back the values added after the first <paramref name="count"/> (a <see cref="Mark"/>).</summary>
    public void Truncate(int count)
    {
        if (_direct)
        {
            _outUsed = count;
            return;
        }
        _values.RemoveRange(count, _values.Count - count);
        Recount();
    }

    /// <summary>Removes the values of a field (a singular field set twice keeps the last).</summary>
    public void Clear(NmsgField field)
    {
        ListModeOnly();
        _values.RemoveAll(v => v.Field == field);
        Recount();
    }

    /// <summary>The size and order of the values left after some were taken back.</summary>
    private void Recount()
    {
        _size = 0;
        _lastNumber = 0;
        _ordered = true;
        foreach (var (f, v) in _values)
            Track(f, in v);
    }

    private void ListModeOnly()
    {
        if (_direct)
            throw new InvalidOperationException("not in the direct mode");
    }

    /// <summary>Whether a value of the field was added. The list mode only.</summary>
    public bool Has(NmsgField field)
    {
        ListModeOnly();
        foreach (var (f, _) in _values)
        {
            if (f == field)
                return true;
        }
        return false;
    }

    public NmsgFieldValue? First(NmsgField field)
    {
        if (_direct)
            return FirstEncoded(field);
        ReadOnlySpan<(NmsgField Field, NmsgFieldValue Value)> values = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_values);
        for (int i = 0; i < values.Length; i++)
        {
            if (values[i].Field == field)
                return values[i].Value;
        }
        return null;
    }

    /// <summary>The direct mode's <see cref="First"/>: the first value of the field's closed segment, decoded.</summary>
    private NmsgFieldValue? FirstEncoded(NmsgField field)
    {
        // rrtype and rrclass, which rdata reads (twice per value), where they are; any other field looked for.
        int known = ReferenceEquals(field, _module.RrTypeField) ? _rrTypeAt : ReferenceEquals(field, _module.RrClassField) ? _rrClassAt : -1;
        if (known >= 0 && _segments[2 * known] != _segments[(2 * known) + 1])
            return Decode(field, _segments[2 * known], _segments[(2 * known) + 1]);
        NmsgField[] fields = _module.FieldArray;
        for (int k = 0; k < fields.Length; k++)
        {
            int start = _segments[2 * k], end = _segments[(2 * k) + 1];
            if (ReferenceEquals(fields[k], field) && start != end)
                return Decode(field, start, end);
        }
        return null;
    }

    /// <summary>The first value encoded in <c>_out[start..end]</c>.</summary>
    private NmsgFieldValue Decode(NmsgField field, int start, int end)
    {
        var reader = new ProtoReader(_out.AsSpan(start, end - start));
        reader.TryReadTag(out _, out _);
        switch (field.Wire)
        {
            case NmsgWireKind.Varint:
                return new NmsgFieldValue(reader.ReadVarint());
            case NmsgWireKind.Fixed32 or NmsgWireKind.SFixed32:
                return new NmsgFieldValue(reader.ReadFixed32());
            case NmsgWireKind.Fixed64:
                return new NmsgFieldValue(reader.ReadFixed32() | ((ulong)reader.ReadFixed32() << 32));
            default:
                (int offset, int length) = reader.ReadLengthDelimited();
                return new NmsgFieldValue(_out.AsMemory(start + offset, length));
        }
    }

    /// <summary>The end of the direct mode's buffer, with room for <paramref name="n"/> more bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref byte Room(int n)
    {
        if (_out.Length - _outUsed < n)
            Grow(n);
        return ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_out), _outUsed);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int n)
    {
        byte[] grown = new byte[Math.Max(256, Math.Max(_out.Length * 2, _outUsed + n))];
        _out.AsSpan(0, _outUsed).CopyTo(grown);
        _out = grown;
    }

    /// <summary>The direct mode's <see cref="Add"/>: the value encoded as <see cref="Write"/> writes it.</summary>
    private void Encode(NmsgField f, in NmsgFieldValue v)
    {
        int max = IsLengthDelimited(f.Wire) ? 10 + v.Bytes.Length : 15;
        Room(max);
        _outUsed += Write(_out.AsSpan(_outUsed), f, in v);
    }

    /// <summary>What <see cref="Write"/> writes as bytes (its default case): anything but the number kinds.</summary>
    private static bool IsLengthDelimited(NmsgWireKind wire) => wire is not (NmsgWireKind.Varint or NmsgWireKind.Fixed32 or NmsgWireKind.SFixed32 or NmsgWireKind.Fixed64);

    /// <summary>Adds a number (its raw bits, as <see cref="NmsgFieldValue(ulong)"/>) without a value in between.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per number parsed
    internal void AddBits(NmsgField f, ulong bits)
    {
        if (!_direct)
        {
            AddListed(f, bits);
            return;
        }
        ulong number = (ulong)f.Number << 3;
        ref byte d = ref Room(15);
        int n;
        switch (f.Wire)
        {
            case NmsgWireKind.Varint:
                n = WriteVarint(ref d, number);
                n += WriteVarint(ref Unsafe.Add(ref d, n), bits);
                break;
            case NmsgWireKind.Fixed32 or NmsgWireKind.SFixed32:
                n = WriteVarint(ref d, number | 5);
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref d, n), BitConverter.IsLittleEndian ? (uint)bits : BinaryPrimitives.ReverseEndianness((uint)bits));
                n += 4;
                break;
            case NmsgWireKind.Fixed64:
                n = WriteVarint(ref d, number | 1);
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref d, n), BitConverter.IsLittleEndian ? bits : BinaryPrimitives.ReverseEndianness(bits));
                n += 8;
                break;
            default:
                EncodeBits(f, bits);
                return;
        }
        _outUsed += n;
    }

    // AddBits' other ways, not inlined into it: an NmsgFieldValue (which holds a reference) among its locals made
    // every method AddBits is inlined into zero it (and the rest of its frame) in its prolog, at every call.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AddListed(NmsgField f, ulong bits) => Add(f, new NmsgFieldValue(bits));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void EncodeBits(NmsgField f, ulong bits) => Encode(f, new NmsgFieldValue(bits));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AddCommitted(NmsgField f, int length) => Add(f, new NmsgFieldValue(Commit(length)));

    // The direct mode: where the last ReserveBytes put the value, after its tag and length.
    private int _reservedHeader;

    /// <summary>
    /// Room for a bytes value of at most <paramref name="maxLength"/> bytes written in place (a decoder's output):
    /// in the direct mode right where it is encoded, after room for its tag and length, made for a length of
    /// <paramref name="likelyLength"/> (the value is moved if its length takes another number of bytes). Keep it
    /// with <see cref="CommitBytes"/>, or leave it.
    /// </summary>
    internal Span<byte> ReserveBytes(NmsgField f, int maxLength, int likelyLength)
    {
        if (!_direct || !IsLengthDelimited(f.Wire))
            return Reserve(maxLength);
        int header = TagSize(f) + ProtoWriter.VarintSize((ulong)likelyLength);
        _reservedHeader = header;
        Room(header + maxLength + 5);
        return _out.AsSpan(_outUsed + header, maxLength);
    }

    /// <summary>Adds the first <paramref name="length"/> bytes of the last <see cref="ReserveBytes"/> as a value of <paramref name="f"/>.</summary>
    internal void CommitBytes(NmsgField f, int length)
    {
        if (!_direct || !IsLengthDelimited(f.Wire))
        {
            AddCommitted(f, length);
            return;
        }
        int tagSize = TagSize(f);
        int header = tagSize + ProtoWriter.VarintSize((ulong)length);
        Span<byte> d = _out.AsSpan(_outUsed);
        if (header != _reservedHeader)
            d.Slice(_reservedHeader, length).CopyTo(d[header..]); // the length takes more or fewer bytes than made room for
        int at = WriteVarint(ref MemoryMarshal.GetReference(d), ((ulong)f.Number << 3) | 2);
        WriteVarint(ref Unsafe.Add(ref MemoryMarshal.GetReference(d), at), (ulong)length);
        _outUsed += header + length;
    }

    private static int TagSize(NmsgField f) => ProtoWriter.VarintSize((ulong)f.Number << 3);

    /// <summary>A varint at <paramref name="d"/> (room for ten bytes); its length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int WriteVarint(ref byte d, ulong v)
    {
        if (v < 0x80)
        {
            d = (byte)v;
            return 1;
        }
        return WriteLongVarint(ref d, v);
    }

    private static int WriteLongVarint(ref byte d, ulong v)
    {
        int i = 0;
        while (v >= 0x80)
        {
            Unsafe.Add(ref d, i++) = (byte)(v | 0x80);
            v >>= 7;
        }
        Unsafe.Add(ref d, i++) = (byte)v;
        return i;
    }

    /// <summary>Bytes of each payload slab (<see cref="ToSlice"/>); payloads above an eighth of it get an array of their own.</summary>
    internal const int SlabSize = 16 * 1024;

    /// <summary>
    /// The payload, in the direct mode as a slice of a slab shared with the payloads built before it on this thread
    /// (as a container's messages share the container's buffer): one uninitialized array per sixteen kilobytes of
    /// payloads instead of a zeroed one per payload, which a JSON read of 1M dnsqr lines spent 2% of its instructions
    /// clearing. Holding the message holds its slab (see docs/buffer-lifetime.md). In the list mode, <see cref="ToArray"/>.
    /// </summary>
    public ReadOnlyMemory<byte> ToSlice()
    {
        if (!_direct)
            return ToArray();
        int n = _outUsed;
        if (n > SlabSize / 8)
            return _out.AsSpan(0, n).ToArray();
        if (_slab.Length - _slabUsed < n)
        {
            _slab = GC.AllocateUninitializedArray<byte>(SlabSize);
            _slabUsed = 0;
        }
        _out.AsSpan(0, n).CopyTo(_slab.AsSpan(_slabUsed));
        var payload = new ReadOnlyMemory<byte>(_slab, _slabUsed, n);
        _slabUsed += n;
        return payload;
    }

    [SkipLocalsInit] // the order is written before it is read
    public byte[] ToArray()
    {
        if (_direct)
            return _out.AsSpan(0, _outUsed).ToArray(); // the values were added in number order
        // Sized as the values were added, then written straight into the result: fields by number, each field's
        // values in order.
        ReadOnlySpan<(NmsgField Field, NmsgFieldValue Value)> values = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_values);
        int size = _size;
        byte[] result = new byte[size];
        Span<byte> dst = result;
        int at = 0;
        if (_ordered)
        {
            for (int i = 0; i < values.Length; i++)
                at += Write(dst[at..], values[i].Field, in values[i].Value);
        }
        else
        {
            // Fields by number, each field's values in the order added: a stable sort (insertion: a few dozen
            // values, mostly in order already) of their indexes, which moves ints rather than values with references.
            Span<int> order = values.Length <= 256 ? stackalloc int[values.Length] : new int[values.Length];
            for (int i = 0; i < order.Length; i++)
            {
                int number = values[i].Field.Number;
                int j = i - 1;
                for (; j >= 0 && values[order[j]].Field.Number > number; j--)
                    order[j + 1] = order[j];
                order[j + 1] = i;
            }
            for (int i = 0; i < order.Length; i++)
            {
                ref readonly (NmsgField Field, NmsgFieldValue Value) v = ref values[order[i]];
                if (v.Field.IsStored)
                    at += Write(dst[at..], v.Field, in v.Value);
            }
        }
        return at == size ? result : result[..at];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per value added
    private static int Size(NmsgField f, in NmsgFieldValue v)
    {
        int tag = ProtoWriter.VarintSize((ulong)f.Number << 3);
        return f.Wire switch
        {
            NmsgWireKind.Varint => tag + ProtoWriter.VarintSize(v.Bits),
            NmsgWireKind.Fixed32 or NmsgWireKind.SFixed32 => tag + 4,
            NmsgWireKind.Fixed64 => tag + 8,
            _ => tag + ProtoWriter.VarintSize((ulong)v.Bytes.Length) + v.Bytes.Length,
        };
    }

    private static int Write(Span<byte> dst, NmsgField f, in NmsgFieldValue v)
    {
        int at = 0;
        switch (f.Wire)
        {
            case NmsgWireKind.Varint:
                at += ProtoWriter.WriteVarint(dst, (ulong)f.Number << 3);
                at += ProtoWriter.WriteVarint(dst[at..], v.Bits);
                break;
            case NmsgWireKind.Fixed32 or NmsgWireKind.SFixed32:
                at += ProtoWriter.WriteVarint(dst, ((ulong)f.Number << 3) | 5);
                BinaryPrimitives.WriteUInt32LittleEndian(dst[at..], (uint)v.Bits);
                at += 4;
                break;
            case NmsgWireKind.Fixed64:
                at += ProtoWriter.WriteVarint(dst, ((ulong)f.Number << 3) | 1);
                BinaryPrimitives.WriteUInt64LittleEndian(dst[at..], v.Bits);
                at += 8;
                break;
            default:
                at += ProtoWriter.WriteVarint(dst, ((ulong)f.Number << 3) | 2);
                at += ProtoWriter.WriteVarint(dst[at..], (ulong)v.Bytes.Length);
                v.Bytes.Span.CopyTo(dst[at..]);
                at += v.Bytes.Length;
                break;
        }
        return at;
    }
}
