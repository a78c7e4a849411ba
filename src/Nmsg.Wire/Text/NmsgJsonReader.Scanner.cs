using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nmsg.Text;

public static partial class NmsgJsonReader
{
    /// <summary>
    /// Bit i set where byte i is a quote, a backslash, a control byte (below 0x20) or above ASCII (so that the scanner
    /// takes only ASCII without a pass of its own over the line). v ^ 0x82 as a signed byte is below -95 exactly for
    /// the control bytes (to -128..-97) and the quote (to -96), so one compare finds both; v's own high bit is the
    /// rest.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint SpecialBits(Vector128<byte> v)
        => (Vector128.LessThan((v ^ Vector128.Create((byte)0x82)).AsSByte(), Vector128.Create((sbyte)-95)).AsByte()
            | Vector128.Equals(v, Vector128.Create((byte)'\\')) | v).ExtractMostSignificantBits();

    private ref partial struct Scanner
    {
        /// <summary>
        /// <see cref="SpecialBits"/> of the sixteen bytes at <paramref name="q"/> (which the caller has checked are
        /// within the text), and where none of them is special and the sixteen after them are within the text too,
        /// theirs as bits 16-31 instead: a string of 16 to 31 bytes (a DNS name, dnsqr's type) is found in place, not
        /// by a call. Bit i set: byte q + i is special; none set: no end found.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static uint SpecialBits32(ReadOnlySpan<byte> s, int q)
        {
            ref byte start = ref MemoryMarshal.GetReference(s);
            uint special = SpecialBits(Vector128.LoadUnsafe(ref start, (nuint)(uint)q));
            if (special == 0 && s.Length - q >= 2 * Vector128<byte>.Count)
                special = SpecialBits(Vector128.LoadUnsafe(ref start, (nuint)(uint)q + (uint)Vector128<byte>.Count)) << 16;
            return special;
        }

        /// <summary>
        /// Whether the first special byte <paramref name="i"/> of <see cref="SpecialBits32"/> leaves
        /// <paramref name="room"/> bytes loaded after it (so within the text): i below room in the first sixteen,
        /// or 16 + i below 16 + room in the second (loaded only when the text holds all thirty-two).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static bool Within(int i, int room) => i < room || (uint)(i - Vector128<byte>.Count) < (uint)room;

        /// <summary>The byte at <paramref name="p"/>, which the caller has checked is within the text (no second check).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static byte At(ReadOnlySpan<byte> s, int p) => Unsafe.Add(ref MemoryMarshal.GetReference(s), (nuint)(uint)p);

        /// <summary>
        /// Where the number at <paramref name="p"/> ends, or -1 (as <see cref="NumberEndSlow"/>): its digits are
        /// classified sixteen bytes at once, so an integer or a fraction within them costs no loop over its digits.
        /// Exponents, sixteen digits or more and numbers near the end of the text go the byte-at-a-time way.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)] // into ScalarEnd
        private static int NumberEnd(ReadOnlySpan<byte> s, int p)
        {
            if (!Vector128.IsHardwareAccelerated || p + 1 + Vector128<byte>.Count > s.Length)
                return NumberEndSlow(s, p);
            // p + 17 <= length: a minus and the sixteen bytes after it are within the text.
            ref byte start = ref MemoryMarshal.GetReference(s);
            int q = Unsafe.Add(ref start, p) == (byte)'-' ? p + 1 : p;
            Vector128<byte> v = Vector128.LoadUnsafe(ref start, (nuint)q);
            // Bit i set where byte q + i is not a digit (bytes as unsigned: below '0' wraps above 9); bits 16-31 set.
            uint other = ~Vector128.LessThan(v - Vector128.Create((byte)'0'), Vector128.Create((byte)10)).ExtractMostSignificantBits();
            int n = BitOperations.TrailingZeroCount(other); // the integer part's digits, 0..16
            if (n == 0 || (n > 1 && Unsafe.Add(ref start, q) == (byte)'0'))
                return -1;
            if (n == Vector128<byte>.Count)
                return NumberEndSlow(s, p);
            int e = q + n; // within the sixteen bytes
            byte c = Unsafe.Add(ref start, e);
            if (c == (byte)'.')
            {
                // The fraction's digits: other's bits past the dot (bit 16 - n - 1 on are set, so m <= 15 - n).
                int m = BitOperations.TrailingZeroCount(other >> (n + 1));
                if (m == 0)
                    return -1;
                e += 1 + m;
                if (e - q == Vector128<byte>.Count)
                    return NumberEndSlow(s, p);
                c = Unsafe.Add(ref start, e);
            }
            if ((c | 0x20) == (byte)'e')
                return NumberEndSlow(s, p);
            return c == (byte)',' || c == (byte)'}' || c == (byte)']' || c == (byte)' ' || c == (byte)'\t' || c == (byte)'\n' || c == (byte)'\r' ? e : -1;
        }
    }
}
