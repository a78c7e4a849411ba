using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nmsg.Internal;

/// <summary>
/// A short piece of fixed text (a field's key, a mnemonic, an enum name) kept in a 32-byte array padded with
/// zeros, so that writing it is two 16-byte moves and an advance instead of a call to a general copy. Text longer
/// than 32 bytes is kept as it is and written with the general copy.
/// </summary>
internal sealed class ShortText
{
    /// <summary>The padded size: two vector moves.</summary>
    public const int PaddedLength = 32;

    /// <summary>The text (exactly).</summary>
    public readonly byte[] Bytes;

    /// <summary>The text then zeros, <see cref="PaddedLength"/> bytes; null when the text is longer.</summary>
    public readonly byte[]? Padded;

    public ShortText(ReadOnlySpan<byte> text)
    {
        Bytes = text.ToArray();
        if (text.Length <= PaddedLength)
        {
            Padded = new byte[PaddedLength];
            text.CopyTo(Padded);
        }
    }

    /// <summary>The text as a span.</summary>
    public ReadOnlySpan<byte> Span => Bytes;

    /// <summary>The text's length.</summary>
    public int Length => Bytes.Length;

    /// <summary>ASCII text of a string whose chars are all below 0x80 (each char becomes one byte).</summary>
    public static ShortText Ascii(string s)
    {
        byte[] bytes = new byte[s.Length];
        for (int i = 0; i < s.Length; i++)
            bytes[i] = (byte)s[i];
        return new ShortText(bytes);
    }

    /// <summary>
    /// Copies the padded text to <paramref name="destination"/>, which must have room for <see cref="PaddedLength"/>
    /// bytes (the bytes past the text are overwritten with zeros and not counted). False, copying nothing, when there
    /// is no padded form or the room is short.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryCopyPadded(Span<byte> destination)
    {
        byte[]? padded = Padded;
        if (padded is null || destination.Length < PaddedLength || !Vector128.IsHardwareAccelerated)
            return false;
        ref byte src = ref MemoryMarshal.GetArrayDataReference(padded);
        ref byte dst = ref MemoryMarshal.GetReference(destination);
        Vector128.LoadUnsafe(ref src).StoreUnsafe(ref dst);
        Vector128.LoadUnsafe(ref src, 16).StoreUnsafe(ref dst, 16);
        return true;
    }
}
