using System.Buffers;
using System.Runtime.CompilerServices;

namespace Nmsg.Internal;

/// <summary>A growable buffer rented from <see cref="ArrayPool{T}"/>; reused across containers.</summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer;
    private int _written;

    public PooledBufferWriter(int initialCapacity = 4096)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);
    }

    public int WrittenCount => _written;

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    /// <summary>The written bytes, writable (for patching headers in place).</summary>
    public Span<byte> WrittenSpanMutable => _buffer.AsSpan(0, _written);

    public void Clear() => _written = 0;

    /// <summary>Forgets everything after <paramref name="length"/> bytes.</summary>
    public void Truncate(int length) => _written = length;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count > _buffer.Length - _written)
            throw new InvalidOperationException("advanced past the end of the buffer");
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        if (_buffer.Length - _written < Math.Max(sizeHint, 1))
            Grow(sizeHint);
        return _buffer.AsSpan(_written);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(ReadOnlySpan<byte> data)
    {
        data.CopyTo(GetSpan(data.Length));
        _written += data.Length;
    }

    /// <summary>Appends a short fixed text: two vector moves when there is room for its padded form.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(ShortText text)
    {
        if (text.TryCopyPadded(_buffer.AsSpan(_written)))
            _written += text.Length;
        else
            Write(text.Span);
    }

    /// <summary>Appends one byte (the commonest write of the text formats).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteByte(byte b)
    {
        if (_written >= _buffer.Length)
            Grow(1);
        _buffer[_written++] = b;
    }

    private void Ensure(int sizeHint)
    {
        if (_buffer.Length - _written < Math.Max(sizeHint, 1))
            Grow(sizeHint);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int sizeHint)
    {
        if (sizeHint < 1)
            sizeHint = 1;
        long needed = (long)_written + sizeHint;
        if (needed > Array.MaxLength)
            throw new OutOfMemoryException("NMSG buffer would exceed the largest array");
        int size = (int)Math.Min(Math.Max(needed, (long)_buffer.Length * 2), Array.MaxLength);
        byte[] bigger = ArrayPool<byte>.Shared.Rent(size);
        _buffer.AsSpan(0, _written).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    public void Dispose()
    {
        byte[] b = _buffer;
        _buffer = [];
        _written = 0;
        if (b.Length > 0)
            ArrayPool<byte>.Shared.Return(b);
    }
}
