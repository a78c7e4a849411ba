using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Nmsg.Containers;
using Nmsg.Framing;

namespace Nmsg.Transports;

/// <summary>Options of a <see cref="NmsgStreamReader"/>.</summary>
public sealed record NmsgReaderOptions
{
    /// <summary>The defaults.</summary>
    public static NmsgReaderOptions Default { get; } = new();

    /// <summary>Bounds on everything read.</summary>
    public NmsgLimits Limits { get; init; } = NmsgLimits.Default;

    /// <summary>
    /// Fail with <see cref="NmsgErrorReason.Truncated"/> when the stream ends inside a container. nmsgtool ends
    /// silently there (a file still being written ends that way); the bytes are counted either way.
    /// </summary>
    public bool ThrowOnTruncatedTail { get; init; }

    /// <summary>Check reassembled fragment sets against their CRC (libnmsg does not).</summary>
    public bool VerifyFragmentCrc { get; init; } = true;

    /// <summary>
    /// Size of the staging buffer that headers and small containers are read through (at least 4096). A plain
    /// container larger than what is staged is read straight into its own array instead.
    /// </summary>
    public int ReadSize { get; init; } = 256 * 1024;

    /// <summary>
    /// Counters to add to, shared with whoever else holds them (e.g. every reader a cold source opens); null gives
    /// each reader its own.
    /// </summary>
    public NmsgInputStatistics? Statistics { get; init; }
}

/// <summary>
/// Reads NMSG containers from a file or byte stream (SPEC §1.2: v2, and v1 as files allow) and yields their
/// messages. Every good message before a bad container is delivered; then the read fails with an
/// <see cref="NmsgException"/> naming the reason and the container's byte offset.
/// </summary>
/// <remarks>
/// Small containers are read through a staging buffer of <see cref="NmsgReaderOptions.ReadSize"/> bytes; the body of
/// a plain container larger than what is staged is read straight from the stream into the array its messages will
/// point into, so a 1 MiB container is copied once, not twice.
/// </remarks>
public sealed class NmsgStreamReader : IAsyncDisposable, IDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly NmsgReaderOptions _options;
    private readonly NmsgContainerDecoder _decoder;
    private readonly List<NmsgMessage> _batch = new(1024);
    private readonly byte[] _staging;
    private int _stagedStart;
    private int _stagedEnd;
    private bool _endOfStream;
    private long _offset;
    private bool _completed;
    private Exception? _fault;

    /// <summary>
    /// Messages made from a container at a time by <see cref="ReadAllAsync"/> and the file inputs: a 1 MiB container of
    /// small payloads holds tens of thousands, and only the slice handed out need exist as objects.
    /// </summary>
    internal const int SliceSize = 1024;

    /// <summary>Reads from <paramref name="stream"/>.</summary>
    public NmsgStreamReader(Stream stream, NmsgReaderOptions? options = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _leaveOpen = leaveOpen;
        _options = options ?? NmsgReaderOptions.Default;
        _staging = new byte[Math.Max(4096, _options.ReadSize)];
        _decoder = new NmsgContainerDecoder(new NmsgDecoderOptions
        {
            Limits = _options.Limits,
            TrackSequence = false, // libnmsg never tracks sequence numbers on file inputs
            VerifyFragmentCrc = _options.VerifyFragmentCrc,
            ExpireFragmentSets = false, // nor expires fragment sets there; memory stays bounded by the limits
        }, _options.Statistics ?? new NmsgInputStatistics());
    }

    /// <summary>Reads from a pipe (completed when this reader is disposed).</summary>
    public NmsgStreamReader(PipeReader reader, NmsgReaderOptions? options = null)
        : this((reader ?? throw new ArgumentNullException(nameof(reader))).AsStream(), options)
    {
    }

    /// <summary>Opens a file for reading.</summary>
    public static NmsgStreamReader OpenFile(string path, NmsgReaderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete,
            bufferSize: 0, FileOptions.SequentialScan);
        return new NmsgStreamReader(stream, options);
    }

    /// <summary>The counters of this input.</summary>
    public NmsgInputStatistics Statistics => _decoder.Statistics;

    /// <summary>Byte offset of the next container in the stream.</summary>
    public long Position => _offset;

    /// <summary>
    /// Where the bodies of plain and inflated containers come from when set: a reader of <see cref="ReadPendingAsync"/> whose
    /// consumers release every batch's <see cref="ContainerLease"/> once they let go of its messages. Null (the
    /// default): every container gets a new array, and messages stay valid as long as they are held.
    /// </summary>
    internal ContainerBufferPool? BufferPool { get; set; }

    /// <summary>
    /// Reads containers until one yields messages, and appends them to <paramref name="output"/>. Returns false
    /// at the end of the stream.
    /// </summary>
    public ValueTask<bool> ReadContainerAsync(List<NmsgMessage> output, CancellationToken cancellationToken = default)
        => ReadMessagesAsync(output, int.MaxValue, cancellationToken);

    /// <summary>
    /// Appends up to <paramref name="max"/> messages: the rest of the current container's, or the first of the
    /// next container that yields any (parsed and checked in full before any is appended). Returns false at the
    /// end of the stream. Taking a slice at a time keeps only that many message objects alive per batch.
    /// </summary>
    internal async ValueTask<bool> ReadMessagesAsync(List<NmsgMessage> output, int max, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        PendingPayloads pending = _decoder.Pending;
        if (pending.Remaining == 0 && !await ReadPendingAsync(pending, cancellationToken).ConfigureAwait(false))
            return false;
        pending.Take(output, max);
        return true;
    }

    /// <summary>
    /// Reads and decodes containers into <paramref name="pending"/> (replacing what it held) until one yields
    /// messages. Returns false at the end of the stream. One call at a time; <see cref="Position"/> moves past the
    /// container.
    /// </summary>
    internal async ValueTask<bool> ReadPendingAsync(PendingPayloads pending, CancellationToken cancellationToken)
    {
        if (_fault is not null)
            throw _fault;
        pending.Clear();
        while (pending.Remaining == 0)
        {
            if (_completed)
                return false;
            try
            {
                if (await ReadRawAsync(owned: false, cancellationToken).ConfigureAwait(false) is not var (header, body, rented, lease))
                    return false;
                try
                {
                    _decoder.CountBytes(header.HeaderSize + header.Length);
                    // A compressed container is inflated into a pooled body that pending then holds.
                    _decoder.DecodePending(new NmsgContainer(header, body, NmsgPeer.None), pending, BufferPool);
                    if (lease is not null)
                    {
                        pending.Own(lease);
                        lease = null;
                    }
                }
                finally
                {
                    if (rented is not null)
                        ArrayPool<byte>.Shared.Return(rented);
                    lease?.Release(); // a malformed container: none of its messages went out
                }
                _offset += header.HeaderSize + header.Length;
            }
            catch (NmsgException e) when (!ReferenceEquals(e, _fault))
            {
                throw Fault(e.Offset >= 0 ? e : WithOffset(e, _offset));
            }
        }
        return true;
    }

    /// <summary>
    /// Reads the next whole container. Its body is a new array of its own when <paramref name="owned"/> or the
    /// container is plain (its messages will point into it), or a body of <see cref="BufferPool"/> held once by the
    /// caller for a plain container that is not <paramref name="owned"/>; otherwise it may be a slice of the staging
    /// buffer or a rented array (returned to <see cref="ArrayPool{T}.Shared"/> by the caller after decoding). Null
    /// at the end of the stream (a truncated last container is counted, or thrown as the options say).
    /// </summary>
    private async ValueTask<(NmsgHeader Header, ReadOnlyMemory<byte> Body, byte[]? Rented, ContainerLease? Lease)?> ReadRawAsync(bool owned, CancellationToken cancellationToken)
    {
        // The header: up to 10 bytes staged (fewer only at the end of the stream).
        if (_stagedEnd - _stagedStart < NmsgConstants.HeaderSize)
            await StageAsync(NmsgConstants.HeaderSize, cancellationToken).ConfigureAwait(false);
        int staged = _stagedEnd - _stagedStart;
        if (staged == 0 || !NmsgFramer.TryReadHeader(_staging.AsSpan(_stagedStart, staged), allowV1: true,
                _options.Limits.MaxContainerLength, _offset, out NmsgHeader header))
        {
            Complete(staged);
            return null;
        }
        int length = header.Length;
        _stagedStart += header.HeaderSize;
        staged -= header.HeaderSize;

        if (!owned && (header.Flags & (NmsgContainerFlags.Zlib | NmsgContainerFlags.Fragment)) != 0 && length <= _staging.Length)
        {
            // Inflated or reassembled into new arrays, so the body may stay in the staging buffer.
            if (staged < length)
                await StageAsync(length, cancellationToken).ConfigureAwait(false);
            staged = _stagedEnd - _stagedStart;
            if (staged < length)
            {
                Complete(header.HeaderSize + staged);
                return null;
            }
            ReadOnlyMemory<byte> body = _staging.AsMemory(_stagedStart, length);
            _stagedStart += length;
            return (header, body, null, null);
        }

        bool plain = owned || (header.Flags & (NmsgContainerFlags.Zlib | NmsgContainerFlags.Fragment)) == 0;
        ContainerLease? lease = plain && !owned ? BufferPool?.Rent(length) : null;
        byte[] array = lease is not null ? lease.Array
            : plain ? GC.AllocateUninitializedArray<byte>(length) : ArrayPool<byte>.Shared.Rent(length);
        int have = Math.Min(staged, length);
        _staging.AsSpan(_stagedStart, have).CopyTo(array);
        _stagedStart += have;
        while (have < length)
        {
            int n = await _stream.ReadAsync(array.AsMemory(have, length - have), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                _endOfStream = true;
                if (!plain)
                    ArrayPool<byte>.Shared.Return(array);
                lease?.Release();
                Complete(header.HeaderSize + have);
                return null;
            }
            have += n;
        }
        return (header, array.AsMemory(0, length), plain ? null : array, lease);
    }

    // Stages at least `wanted` bytes (at most the staging buffer's size), fewer only at the end of the stream.
    private async ValueTask StageAsync(int wanted, CancellationToken cancellationToken)
    {
        if (_stagedStart > 0)
        {
            _staging.AsSpan(_stagedStart, _stagedEnd - _stagedStart).CopyTo(_staging);
            _stagedEnd -= _stagedStart;
            _stagedStart = 0;
        }
        while (_stagedEnd < wanted && !_endOfStream)
        {
            int n = await _stream.ReadAsync(_staging.AsMemory(_stagedEnd), cancellationToken).ConfigureAwait(false);
            if (n == 0)
                _endOfStream = true;
            _stagedEnd += n;
        }
    }

    // The end of the stream: leftover bytes are a truncated container, ignored (counted) as nmsgtool does, or an error.
    private void Complete(long leftover)
    {
        _stagedStart = _stagedEnd = 0;
        if (leftover > 0)
        {
            Interlocked.Add(ref Statistics.TruncatedTailBytesField, leftover);
            if (_options.ThrowOnTruncatedTail)
                throw Fault(new NmsgFormatException(NmsgErrorReason.Truncated,
                    $"the stream ends {leftover} bytes into a container", _offset));
        }
        _completed = true;
    }

    private Exception Fault(Exception e)
    {
        _fault = e;
        return e;
    }

    private static NmsgException WithOffset(NmsgException e, long offset) => e switch
    {
        NmsgLimitException l => new NmsgLimitException(l.LimitName, l.Value, l.Limit, offset),
        _ => new NmsgFormatException(e.Reason, e.Message, offset, e),
    };

    /// <summary>
    /// Every container of the stream as it is on the wire (fragments and zlib untouched, each body in its own
    /// array), for staged decoding with <see cref="NmsgContainerDecoder.Reassemble"/> and friends. Do not mix with
    /// the message reads of this reader.
    /// </summary>
    public async IAsyncEnumerable<NmsgContainer> ReadContainersAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (_fault is not null)
            throw _fault;
        while (!_completed)
        {
            NmsgContainer next;
            try
            {
                if (await ReadRawAsync(owned: true, cancellationToken).ConfigureAwait(false) is not var (header, body, _, _))
                    yield break;
                Interlocked.Add(ref Statistics.BytesField, header.HeaderSize + header.Length);
                _offset += header.HeaderSize + header.Length;
                next = new NmsgContainer(header, body, NmsgPeer.None);
            }
            catch (NmsgException e) when (!ReferenceEquals(e, _fault))
            {
                throw Fault(e.Offset >= 0 ? e : WithOffset(e, _offset));
            }
            yield return next;
        }
    }

    /// <summary>Every message of the stream, in order; backpressure is the consumer's pace.</summary>
    public async IAsyncEnumerable<NmsgMessage> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await ReadMessagesAsync(_batch, SliceSize, cancellationToken).ConfigureAwait(false))
        {
            for (int i = 0; i < _batch.Count; i++)
                yield return _batch[i];
            _batch.Clear();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _decoder.Dispose();
        if (!_leaveOpen)
            await _stream.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _decoder.Dispose();
        if (!_leaveOpen)
            _stream.Dispose();
    }
}
