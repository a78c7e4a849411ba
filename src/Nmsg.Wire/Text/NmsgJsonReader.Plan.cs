using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Nmsg.Modules;

namespace Nmsg.Text;

public static partial class NmsgJsonReader
{
    /// <summary>
    /// Which fields a line's message properties are, kept for the lines after it whose properties have the same names
    /// in the same order (a formatter writes the fields of one kind of message the same way every time): the fields
    /// the direct mode reads, in its order, with the property of each. Such a line's names are compared with the
    /// plan's, one after the other, rather than matched to the module's table (<see cref="MatchFields"/>), and its
    /// fields read without looking at those it does not hold. Which property is a field's is a function of the names
    /// alone, so a line that matches gets exactly what matching would give it.
    /// </summary>
    private sealed class FieldPlan
    {
        private NmsgModule? _module;
        private int _count; // the properties
        private Key[] _names = []; // the properties' names
        private int[] _pairs = []; // (table index, property index) of each field read, in the direct mode's order
        private int _pairCount; // ints of _pairs used (two a field)

        /// <summary>
        /// A name as 8-byte little-endian words: of fewer than 8 bytes, its bytes (W0) and the mask of them (W1); of
        /// 8 to 24 (a plan has no longer name: <see cref="MaxName"/>), the words at 0 (W0), at length - 8 (W1) and at
        /// 8 (W2, past 16 bytes), overlapping.
        /// </summary>
        private struct Key
        {
            public int Length;
            public ulong W0, W1, W2;
        }

        /// <summary>The longest name a plan holds (the longest of a base or SIE module's fields has 23 bytes).</summary>
        public const int MaxName = 24;

        /// <summary>The (table index, property index) pairs, two ints a field, in the order the direct mode reads them.</summary>
        public ReadOnlySpan<int> Pairs => _pairs.AsSpan(0, _pairCount);

        /// <summary>
        /// Whether the line's properties have the plan's names, byte for byte as they stand in the line (an escaped
        /// name has a backslash, which no name of a plan has).
        /// </summary>
        public bool Matches(NmsgModule module, ReadOnlySpan<byte> json, Property[] props, int count)
        {
            if (count != _count || !ReferenceEquals(module, _module) || (uint)count > (uint)props.Length || (uint)count > (uint)_names.Length)
                return false;
            ref byte text = ref MemoryMarshal.GetReference(json);
            ref Property prop = ref MemoryMarshal.GetArrayDataReference(props);
            ref Key key = ref MemoryMarshal.GetArrayDataReference(_names);
            for (int i = 0; i < count; i++)
            {
                // Both within their arrays (count checked above); each name lies within the text (the scanner's).
                ref Property p = ref Unsafe.Add(ref prop, i);
                ref Key k = ref Unsafe.Add(ref key, i);
                int length = k.Length;
                if (p.NameLength != length)
                    return false;
                ref byte at = ref Unsafe.Add(ref text, p.NameStart);
                if (length >= 8)
                {
                    if (Unsafe.ReadUnaligned<ulong>(ref at) != k.W0 || Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref at, length - 8)) != k.W1)
                        return false;
                    if (length > 16 && Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref at, 8)) != k.W2)
                        return false;
                }
                else if (json.Length - p.NameStart >= 8)
                {
                    // The name and the bytes after it (its quote, at least), those masked off.
                    if ((Unsafe.ReadUnaligned<ulong>(ref at) & k.W1) != k.W0)
                        return false;
                }
                else if (Word(json.Slice(p.NameStart, length)) != k.W0)
                {
                    return false;
                }
            }
            return true;
        }

        /// <summary>A name of fewer than 8 bytes as a word, zero above them (as a little-endian load masked to it).</summary>
        private static ulong Word(ReadOnlySpan<byte> name)
        {
            ulong v = 0;
            for (int i = name.Length - 1; i >= 0; i--)
                v = (v << 8) | name[i];
            return v;
        }

        /// <summary>
        /// Makes this the plan of a line none of whose names is escaped or longer than <see cref="MaxName"/>:
        /// <paramref name="propertyOf"/> is what <see cref="MatchFields"/> gave it, <paramref name="order"/> the
        /// direct mode's order of table indexes.
        /// </summary>
        public void Set(NmsgModule module, ReadOnlySpan<byte> json, Property[] props, int count, ReadOnlySpan<int> order, ReadOnlySpan<int> propertyOf)
        {
            if (_names.Length < count)
                _names = new Key[Math.Max(count, 2 * _names.Length)];
            if (_pairs.Length < 2 * order.Length)
                _pairs = new int[2 * order.Length];
            for (int i = 0; i < count; i++)
            {
                ReadOnlySpan<byte> name = json.Slice(props[i].NameStart, props[i].NameLength);
                ref Key k = ref _names[i];
                k = new Key { Length = name.Length };
                if (name.Length < 8)
                {
                    k.W0 = Word(name);
                    k.W1 = (1UL << (8 * name.Length)) - 1;
                    continue;
                }
                k.W0 = BinaryPrimitives.ReadUInt64LittleEndian(name);
                k.W1 = BinaryPrimitives.ReadUInt64LittleEndian(name[^8..]);
                if (name.Length > 16)
                    k.W2 = BinaryPrimitives.ReadUInt64LittleEndian(name[8..]);
            }
            int n = 0;
            foreach (int k in order)
            {
                if (propertyOf[k] < 0)
                    continue;
                _pairs[n++] = k;
                _pairs[n++] = propertyOf[k];
            }
            _pairCount = n;
            _count = count;
            _module = module;
        }
    }

    /// <summary>
    /// A thread's plans, the one used last first. A stream of more kinds of line than it keeps (each line misses,
    /// then is matched and made a plan of, ~20% more instructions a line than matching alone) turns them off: after
    /// a stretch of lines more than a quarter of which missed, the next <see cref="OffLines"/> lines are matched
    /// without plans, then plans are tried again.
    /// </summary>
    private sealed class FieldPlans
    {
        private const int Capacity = 8;
        private const int Stretch = 256;
        private const int OffLines = 16 * Stretch;
        private readonly FieldPlan[] _plans = new FieldPlan[Capacity];
        private int _used;
        private int _lines, _misses, _off;

        /// <summary>Whether this line is to be looked up (and kept) as a plan; false while plans are off.</summary>
        public bool On()
        {
            if (_off == 0)
                return true;
            _off--;
            return false;
        }

        /// <summary>Counts a line that was looked up: <paramref name="hit"/>, whether a plan matched it.</summary>
        public void Count(bool hit)
        {
            if (!hit)
                _misses++;
            if (++_lines < Stretch)
                return;
            if (_misses > Stretch / 4)
                _off = OffLines;
            _lines = _misses = 0;
        }

        /// <summary>The plan the line's properties match (moved to the front), or null.</summary>
        public FieldPlan? Find(NmsgModule module, ReadOnlySpan<byte> json, Property[] props, int count)
        {
            FieldPlan[] plans = _plans;
            for (int i = 0; i < _used; i++)
            {
                FieldPlan plan = plans[i];
                if (plan.Matches(module, json, props, count))
                {
                    if (i > 0)
                    {
                        Array.Copy(plans, 0, plans, 1, i);
                        plans[0] = plan;
                    }
                    return plan;
                }
            }
            return null;
        }

        /// <summary>
        /// Keeps the plan of a line (<see cref="FieldPlan.Set"/>) at the front, in place of the one used longest ago
        /// if all are taken; nothing if any of its names is escaped or longer than <see cref="FieldPlan.MaxName"/>.
        /// </summary>
        public void Add(NmsgModule module, ReadOnlySpan<byte> json, Property[] props, int count, ReadOnlySpan<int> order, ReadOnlySpan<int> propertyOf)
        {
            if (!BitConverter.IsLittleEndian)
                return; // the words are compared as little-endian loads
            for (int i = 0; i < count; i++)
            {
                if (props[i].NameEscaped || props[i].NameLength > FieldPlan.MaxName)
                    return;
            }
            FieldPlan[] plans = _plans;
            FieldPlan plan;
            if (_used < Capacity)
            {
                plan = new FieldPlan();
                _used++;
            }
            else
            {
                plan = plans[Capacity - 1];
            }
            Array.Copy(plans, 0, plans, 1, _used - 1);
            plans[0] = plan;
            plan.Set(module, json, props, count, order, propertyOf);
        }
    }
}
