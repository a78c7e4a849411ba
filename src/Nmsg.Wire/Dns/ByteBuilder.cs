using System.Buffers;
using System.Runtime.CompilerServices;

namespace Nmsg.Dns;

/// <summary>
/// A growable ASCII/UTF-8 text buffer that starts on a caller's stack span and rents from the shared pool only
/// when it outgrows it. wdns builds its text in one buffer and trims a trailing space of the *whole* buffer after
/// rdata, so the formatters here need a buffer they can look back into and truncate.
/// </summary>
internal ref struct ByteBuilder
{
    private Span<byte> _span;
    private byte[]? _rented;
    private int _length;

    public ByteBuilder(Span<byte> initial)
    {
        _span = initial;
        _rented = null;
        _length = 0;
    }

    public readonly int Length => _length;

    public readonly ReadOnlySpan<byte> Written => _span[.._length];

    /// <summary>The last byte written, or 0 when empty.</summary>
    public readonly byte Last => _length == 0 ? (byte)0 : _span[_length - 1];

    public void Truncate(int length) => _length = length;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Append(byte b)
    {
        if (_length == _span.Length)
            Grow(1);
        _span[_length++] = b;
    }

    /// <summary>Appends bytes; inlined, so that the copy of a short literal is a few moves rather than a call.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Append(scoped ReadOnlySpan<byte> bytes)
    {
        if (_length + bytes.Length > _span.Length)
            Grow(bytes.Length);
        bytes.CopyTo(_span[_length..]);
        _length += bytes.Length;
    }

    /// <summary>Appends a short fixed text: two vector moves when there is room for its padded form.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Append(Nmsg.Internal.ShortText text)
    {
        if (text.TryCopyPadded(_span[_length..]))
            _length += text.Length;
        else
            Append(text.Span);
    }

    /// <summary>Appends an ASCII string (mnemonics); every char must be below 0x80.</summary>
    public void AppendAscii(string s)
    {
        if (_length + s.Length > _span.Length)
            Grow(s.Length);
        Span<byte> dst = _span[_length..];
        for (int i = 0; i < s.Length; i++)
            dst[i] = (byte)s[i];
        _length += s.Length;
    }

    /// <summary>
    /// Appends the decimal digits of <paramref name="value"/>. Inlined for one digit (counts, flags, versions);
    /// longer values are written two digits at a time from the right, without the general formatter.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AppendDecimal(ulong value)
    {
        if (value < 10 && _length < _span.Length)
        {
            _span[_length++] = (byte)('0' + (int)value);
            return;
        }
        AppendDecimalDigits(value);
    }

    private void AppendDecimalDigits(ulong value)
    {
        if (_length + 20 > _span.Length)
            Grow(20);
        int n = Nmsg.Text.Utf8Output.DecimalLength(value);
        ref byte d = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(_span[_length..]);
        int at = n;
        while (value >= 100)
        {
            ulong q = value / 100;
            at -= 2;
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref d, at), Nmsg.Text.Utf8Output.Pair((int)(value - q * 100)));
            value = q;
        }
        if (value >= 10)
            Unsafe.WriteUnaligned(ref d, Nmsg.Text.Utf8Output.Pair((int)value));
        else
            d = (byte)('0' + (int)value);
        _length += n;
    }

    /// <summary>Two lowercase hex digits (<c>%02x</c>).</summary>
    public void AppendHexLower(byte b)
    {
        if (_length + 2 > _span.Length)
            Grow(2);
        _span[_length++] = HexLower[b >> 4];
        _span[_length++] = HexLower[b & 0xF];
    }

    /// <summary>Two uppercase hex digits (<c>%02X</c>).</summary>
    public void AppendHexUpper(byte b)
    {
        if (_length + 2 > _span.Length)
            Grow(2);
        _span[_length++] = HexUpper[b >> 4];
        _span[_length++] = HexUpper[b & 0xF];
    }

    /// <summary>
    /// At least <paramref name="count"/> writable bytes after the text, to fill and then <see cref="Advance"/> past
    /// (bytes written there without advancing are not part of the text).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> Reserve(int count)
    {
        if (_length + count > _span.Length)
            Grow(count);
        return _span[_length..];
    }

    /// <summary>Takes <paramref name="count"/> bytes filled after <see cref="Reserve"/> into the text.</summary>
    public void Advance(int count) => _length += count;

    /// <summary>Backslash and three decimal digits (<c>\%.3d</c>).</summary>
    public void AppendDecimalEscape(byte b)
    {
        if (_length + 4 > _span.Length)
            Grow(4);
        _span[_length++] = (byte)'\\';
        _span[_length++] = (byte)('0' + b / 100);
        _span[_length++] = (byte)('0' + b / 10 % 10);
        _span[_length++] = (byte)('0' + b % 10);
    }

    /// <summary>
    /// A builder over the free space of <paramref name="output"/> (at least <paramref name="sizeHint"/> bytes), so
    /// that <see cref="CommitTo"/> usually only advances it: no intermediate copy.
    /// </summary>
    public static ByteBuilder Over(Nmsg.Internal.PooledBufferWriter output, int sizeHint) => new(output.GetSpan(sizeHint));

    /// <summary>Completes a builder made by <see cref="Over"/>: advances past the text, or copies it if it outgrew the space.</summary>
    public readonly void CommitTo(Nmsg.Internal.PooledBufferWriter output)
    {
        if (_rented is null)
            output.Advance(_length);
        else
            output.Write(_span[.._length]);
    }

    /// <summary>Writes everything into <paramref name="output"/> in one copy.</summary>
    public readonly void CopyTo(IBufferWriter<byte> output)
    {
        if (_length == 0)
            return;
        ReadOnlySpan<byte> src = _span[.._length];
        Span<byte> dst = output.GetSpan(src.Length);
        src.CopyTo(dst);
        output.Advance(src.Length);
    }

    public void Dispose()
    {
        byte[]? rented = _rented;
        _rented = null;
        _span = default;
        _length = 0;
        if (rented is not null)
            ArrayPool<byte>.Shared.Return(rented);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int needed)
    {
        int size = Math.Max(_span.Length * 2, _length + needed);
        size = Math.Max(size, 256);
        byte[] next = ArrayPool<byte>.Shared.Rent(size);
        _span[.._length].CopyTo(next);
        byte[]? old = _rented;
        _rented = next;
        _span = next;
        if (old is not null)
            ArrayPool<byte>.Shared.Return(old);
    }

    internal static ReadOnlySpan<byte> HexLower => "0123456789abcdef"u8;

    internal static ReadOnlySpan<byte> HexUpper => "0123456789ABCDEF"u8;
}
