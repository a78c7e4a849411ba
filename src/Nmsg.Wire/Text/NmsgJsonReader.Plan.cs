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
        // Each name as the 8-byte words at 0, 8, 16, ... and the last 8 of it (overlapping); a name shorter than 8
        // bytes as one word of its bytes, zero above them. _names[i]: name i's length and first word in _words.
        private (int Length, int Word)[] _names = [];
        private ulong[] _words = [];
        private int[] _pairs = []; // (table index, property index) of each field read, in the direct mode's order
        private int _pairCount; // ints of _pairs used (two a field)

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
            ref (int Length, int Word) name = ref MemoryMarshal.GetArrayDataReference(_names);
            ref ulong words = ref MemoryMarshal.GetArrayDataReference(_words);
            for (int i = 0; i < count; i++)
            {
                // Both within their arrays (count checked above); each name lies within the text (the scanner's).
                ref Property p = ref Unsafe.Add(ref prop, i);
                (int length, int word) = Unsafe.Add(ref name, i);
                if (p.NameLength != length)
                    return false;
                ref byte at = ref Unsafe.Add(ref text, p.NameStart);
                ref ulong expected = ref Unsafe.Add(ref words, word);
                if (length >= 8)
                {
                    int w = 0;
                    for (; w + 8 < length; w += 8)
                    {
                        if (Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref at, w)) != expected)
                            return false;
                        expected = ref Unsafe.Add(ref expected, 1);
                    }
                    if (Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref at, length - 8)) != expected)
                        return false;
                }
                else if (json.Length - p.NameStart >= 8)
                {
                    // The name and the bytes after it (its quote, at least), those masked off.
                    if ((Unsafe.ReadUnaligned<ulong>(ref at) & ((1UL << (8 * length)) - 1)) != expected)
                        return false;
                }
                else if (Word(json.Slice(p.NameStart, length)) != expected)
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
        /// Makes this the plan of a line none of whose names is escaped: <paramref name="propertyOf"/> is what
        /// <see cref="MatchFields"/> gave it, <paramref name="order"/> the direct mode's order of table indexes.
        /// </summary>
        public void Set(NmsgModule module, ReadOnlySpan<byte> json, Property[] props, int count, ReadOnlySpan<int> order, ReadOnlySpan<int> propertyOf)
        {
            int words = 0;
            for (int i = 0; i < count; i++)
                words += props[i].NameLength < 8 ? 1 : (props[i].NameLength + 7) / 8;
            if (_names.Length < count)
                _names = new (int, int)[Math.Max(count, 2 * _names.Length)];
            if (_words.Length < words)
                _words = new ulong[Math.Max(words, 2 * _words.Length)];
            if (_pairs.Length < 2 * order.Length)
                _pairs = new int[2 * order.Length];
            int at = 0;
            for (int i = 0; i < count; i++)
            {
                ReadOnlySpan<byte> name = json.Slice(props[i].NameStart, props[i].NameLength);
                _names[i] = (name.Length, at);
                if (name.Length < 8)
                {
                    _words[at++] = Word(name);
                    continue;
                }
                for (int w = 0; w + 8 < name.Length; w += 8)
                    _words[at++] = BinaryPrimitives.ReadUInt64LittleEndian(name[w..]);
                _words[at++] = BinaryPrimitives.ReadUInt64LittleEndian(name[^8..]);
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
        /// if all are taken; nothing if any of its names is escaped.
        /// </summary>
        public void Add(NmsgModule module, ReadOnlySpan<byte> json, Property[] props, int count, ReadOnlySpan<int> order, ReadOnlySpan<int> propertyOf)
        {
            if (!BitConverter.IsLittleEndian)
                return; // the words are compared as little-endian loads
            for (int i = 0; i < count; i++)
            {
                if (props[i].NameEscaped)
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
