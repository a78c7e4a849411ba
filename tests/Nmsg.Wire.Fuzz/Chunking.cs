using System.Buffers;
using Nmsg.Testing;

namespace Nmsg.Fuzz;

/// <summary>A read-only stream that never returns more than <c>chunk</c> bytes per read.</summary>
internal sealed class ShortReadStream(byte[] data, int chunk) : ReadOnlyStream
{
    private int _position;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = Math.Min(Math.Min(buffer.Length, chunk), data.Length - _position);
        data.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => Task.FromResult(Read(buffer.AsSpan(offset, count)));
}

/// <summary>Builds a <see cref="ReadOnlySequence{T}"/> of segments of at most <c>chunk</c> bytes.</summary>
internal static class Segments
{
    public static ReadOnlySequence<byte> Split(byte[] data, int chunk)
    {
        if (data.Length <= chunk)
            return new ReadOnlySequence<byte>(data);
        Segment first = new(data.AsMemory(0, chunk), 0);
        Segment last = first;
        for (int at = chunk; at < data.Length; at += chunk)
            last = last.Append(data.AsMemory(at, Math.Min(chunk, data.Length - at)));
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
