using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Nmsg.Internal;
using Nmsg.Protobuf;

namespace Nmsg.Modules;

/// <summary>
/// Collects field values of one module and serializes them as protobuf-c does: fields in ascending number order,
/// repeated scalars unpacked, signed varints sign-extended to ten bytes (SPEC §2.2).
/// </summary>
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

    [ThreadStatic]
    private static PayloadBuilder? t_cached;

    public NmsgModule Module => _module;

    /// <summary>
    /// An empty per-thread builder for <paramref name="module"/> (a parser that is done with it before its next use:
    /// values copied in with <see cref="Copy"/> live in a buffer that the next use overwrites).
    /// </summary>
    public static PayloadBuilder ForThread(NmsgModule module)
    {
        PayloadBuilder b = t_cached ??= new PayloadBuilder(module);
        b._module = module;
        b._values.Clear();
        b._arenaUsed = 0;
        b._size = 0;
        b._lastNumber = 0;
        b._ordered = true;
        return b;
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

    /// <summary>Takes back the values added after the first <paramref name="count"/>.</summary>
    public void Truncate(int count)
    {
        _values.RemoveRange(count, _values.Count - count);
        Recount();
    }

    /// <summary>Removes the values of a field (a singular field set twice keeps the last).</summary>
    public void Clear(NmsgField field)
    {
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

    public bool Has(NmsgField field)
    {
        foreach (var (f, _) in _values)
        {
            if (f == field)
                return true;
        }
        return false;
    }

    public NmsgFieldValue? First(NmsgField field)
    {
        ReadOnlySpan<(NmsgField Field, NmsgFieldValue Value)> values = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_values);
        for (int i = 0; i < values.Length; i++)
        {
            if (values[i].Field == field)
                return values[i].Value;
        }
        return null;
    }

    [SkipLocalsInit] // the order is written before it is read
    public byte[] ToArray()
    {
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
