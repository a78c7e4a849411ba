namespace Nmsg.Containers;

/// <summary>
/// Bodies of plain containers, and of zlib containers once inflated, that are used again once every holder of one has
/// let it go, for a pipeline that can say when it lets go of messages (see <see cref="ContainerLease"/>). A file read
/// otherwise allocates a new array per container (about 1 MiB each, on the large-object heap), and the dead ones pile
/// up until a full collection: 5-10 MB of a <c>-r -w</c> run's peak memory. Thread-safe; keeps a few free bodies and leaves the rest to the GC.
/// </summary>
internal sealed class ContainerBufferPool(int keep = 4)
{
    // Bodies are rounded up to this, so that the last, shorter container of a file and the next file's fit.
    private const int Granularity = 64 * 1024;
    private readonly Lock _lock = new();
    private readonly List<byte[]> _free = [];
    private long _allocated;
    private long _reused;

    /// <summary>Bodies allocated (not found free).</summary>
    public long Allocated => Interlocked.Read(ref _allocated);

    /// <summary>Bodies used again.</summary>
    public long Reused => Interlocked.Read(ref _reused);

    /// <summary>A body of at least <paramref name="length"/> bytes, held once (by the caller).</summary>
    public ContainerLease Rent(int length)
    {
        byte[]? array = null;
        lock (_lock)
        {
            int best = -1;
            for (int i = 0; i < _free.Count; i++)
            {
                if (_free[i].Length >= length && (best < 0 || _free[i].Length < _free[best].Length))
                    best = i;
            }
            if (best >= 0)
            {
                array = _free[best];
                _free.RemoveAt(best);
            }
        }
        if (array is null)
        {
            long rounded = ((long)length + Granularity - 1) / Granularity * Granularity;
            array = GC.AllocateUninitializedArray<byte>((int)Math.Min(rounded, Array.MaxLength));
            Interlocked.Increment(ref _allocated);
        }
        else
        {
            Interlocked.Increment(ref _reused);
        }
        return new ContainerLease(this, array);
    }

    internal void Return(byte[] array)
    {
        lock (_lock)
        {
            if (_free.Count < keep)
            {
                _free.Add(array);
                return;
            }
            // Full: keep the larger bodies (they fit any container the smaller ones do).
            int smallest = 0;
            for (int i = 1; i < _free.Count; i++)
            {
                if (_free[i].Length < _free[smallest].Length)
                    smallest = i;
            }
            if (_free[smallest].Length < array.Length)
                _free[smallest] = array;
        }
    }
}

/// <summary>
/// One container body from a <see cref="ContainerBufferPool"/> and a count of its holders: the reader while it still
/// has payloads of it to hand out, and every consumer that keeps messages made from it after its call returns. The
/// body goes back to the pool when the count reaches zero. A holder that never releases only costs the reuse: the
/// GC takes the body as it would without a pool.
/// </summary>
internal sealed class ContainerLease
{
    private readonly ContainerBufferPool _pool;
    private byte[]? _array;
    private int _holders = 1;

    internal ContainerLease(ContainerBufferPool pool, byte[] array)
    {
        _pool = pool;
        _array = array;
    }

    /// <summary>The body (only while held).</summary>
    public byte[] Array => _array ?? throw new ObjectDisposedException(nameof(ContainerLease), "the container buffer was released");

    /// <summary>Adds a holder.</summary>
    public void Hold()
    {
        if (Interlocked.Increment(ref _holders) <= 1)
            throw new InvalidOperationException("the container buffer was already released");
    }

    /// <summary>Removes a holder; the last one returns the body to the pool.</summary>
    public void Release()
    {
        int left = Interlocked.Decrement(ref _holders);
        if (left > 0)
            return;
        if (left < 0)
            throw new InvalidOperationException("a container buffer was released more often than held");
        byte[] array = _array!;
        _array = null;
        _pool.Return(array);
    }
}
