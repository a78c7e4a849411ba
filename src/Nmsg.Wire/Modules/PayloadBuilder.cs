using System.Buffers.Binary;
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

    public NmsgModule Module => module;

    public void Add(NmsgField field, NmsgFieldValue value) => _values.Add((field, value));

    /// <summary>Removes the values of a field (a singular field set twice keeps the last).</summary>
    public void Clear(NmsgField field) => _values.RemoveAll(v => v.Field == field);

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
        foreach (var (f, v) in _values)
        {
            if (f == field)
                return v;
        }
        return null;
    }

    public byte[] ToArray()
    {
        using var w = new PooledBufferWriter(256);
        foreach (NmsgField f in module.StoredByNumber)
        {
            foreach (var (field, v) in _values)
            {
                if (field == f)
                    Write(w, f, v);
            }
        }
        return w.WrittenSpan.ToArray();
    }

    private static void Write(PooledBufferWriter w, NmsgField f, NmsgFieldValue v)
    {
        Span<byte> dst = w.GetSpan(5 + 10 + 5 + v.Bytes.Length);
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
        w.Advance(at);
    }
}
