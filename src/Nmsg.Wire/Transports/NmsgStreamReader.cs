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

    /// <summary>Size of the reads from the underlying stream.</summary>
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
public sealed class NmsgStreamReader : IAsyncDisposable, IDisposable
{
    private readonly PipeReader _pipe;
    private readonly NmsgReaderOptions _options;
    private readonly NmsgContainerDecoder _decoder;
    private readonly List<NmsgMessage> _batch = new(1024);
    private long _offset;
    private bool _completed;
    private Exception? _fault;

    /// <summary>Reads from <paramref name="stream"/>.</summary>
    public NmsgStreamReader(Stream stream, NmsgReaderOptions? options = null, bool leaveOpen = false)
        : this(CreatePipe(stream, options ?? NmsgReaderOptions.Default, leaveOpen), options)
    {
    }

    /// <summary>Reads from a pipe.</summary>
    public NmsgStreamReader(PipeReader reader, NmsgReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        _pipe = reader;
        _options = options ?? NmsgReaderOptions.Default;
        _decoder = new NmsgContainerDecoder(new NmsgDecoderOptions
        {
            Limits = _options.Limits,
            TrackSequence = false, // libnmsg never tracks sequence numbers on file inputs
            VerifyFragmentCrc = _options.VerifyFragmentCrc,
            ExpireFragmentSets = false, // nor expires fragment sets there; memory stays bounded by the limits
        }, _options.Statistics ?? new NmsgInputStatistics());
    }

    /// <summary>Opens a file for reading.</summary>
    public static NmsgStreamReader OpenFile(string path, NmsgReaderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete,
            bufferSize: 0, FileOptions.SequentialScan);
        return new NmsgStreamReader(stream, options);
    }

    private static PipeReader CreatePipe(Stream stream, NmsgReaderOptions options, bool leaveOpen)
    {
        ArgumentNullException.ThrowIfNull(stream);
        int size = Math.Max(4096, options.ReadSize);
        return PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: size, minimumReadSize: Math.Min(size, 65536), leaveOpen: leaveOpen));
    }

    /// <summary>The counters of this input.</summary>
    public NmsgInputStatistics Statistics => _decoder.Statistics;

    /// <summary>Byte offset of the next container in the stream.</summary>
    public long Position => _offset;

    /// <summary>
    /// Reads containers until one yields messages, and appends them to <paramref name="output"/>. Returns false
    /// at the end of the stream.
    /// </summary>
    public async ValueTask<bool> ReadContainerAsync(List<NmsgMessage> output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (_fault is not null)
            throw _fault;
        if (_completed)
            return false;
        while (true)
        {
            ReadResult result = await _pipe.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            SequencePosition consumed = buffer.Start;
            SequencePosition examined = buffer.End;
            try
            {
                while (TryDecodeNext(ref buffer, output, out int added))
                {
                    consumed = buffer.Start;
                    examined = consumed;
                    if (added > 0)
                        return true;
                }
                if (result.IsCompleted || result.IsCanceled)
                {
                    Complete(buffer.Length);
                    return false;
                }
            }
            catch (NmsgException e) when (!ReferenceEquals(e, _fault))
            {
                throw Fault(e.Offset >= 0 ? e : WithOffset(e, _offset));
            }
            finally
            {
                _pipe.AdvanceTo(consumed, examined);
            }
        }
    }

    private bool TryDecodeNext(ref ReadOnlySequence<byte> buffer, List<NmsgMessage> output, out int added)
    {
        added = 0;
        ReadOnlySequence<byte> rest = buffer;
        if (!NmsgFramer.TryReadContainer(ref rest, allowV1: true, _options.Limits.MaxContainerLength, _offset, out NmsgHeader header, out ReadOnlySequence<byte> body))
            return false;

        ReadOnlyMemory<byte> memory;
        byte[]? rented = null;
        if ((header.Flags & (NmsgContainerFlags.Zlib | NmsgContainerFlags.Fragment)) == 0)
        {
            // Plain: payloads will slice this buffer, so it is the container's own.
            byte[] owned = GC.AllocateUninitializedArray<byte>(header.Length);
            body.CopyTo(owned);
            memory = owned;
        }
        else if (body.IsSingleSegment)
        {
            memory = body.First; // inflated or reassembled into new buffers; not referenced after Decode
        }
        else
        {
            rented = ArrayPool<byte>.Shared.Rent(header.Length);
            body.CopyTo(rented);
            memory = rented.AsMemory(0, header.Length);
        }
        try
        {
            added = _decoder.Decode(header, memory, output);
        }
        finally
        {
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented);
        }
        _offset += header.HeaderSize + header.Length;
        buffer = rest;
        return true;
    }

    // The end of the stream: leftover bytes are a truncated container, ignored (counted) as nmsgtool does, or an error.
    private void Complete(long leftover)
    {
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
            ReadResult result = await _pipe.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            NmsgContainer? next = null;
            try
            {
                ReadOnlySequence<byte> rest = buffer;
                if (NmsgFramer.TryReadContainer(ref rest, allowV1: true, _options.Limits.MaxContainerLength, _offset, out NmsgHeader header, out ReadOnlySequence<byte> body))
                {
                    byte[] owned = GC.AllocateUninitializedArray<byte>(header.Length);
                    body.CopyTo(owned);
                    Interlocked.Add(ref Statistics.BytesField, header.HeaderSize + header.Length);
                    _offset += header.HeaderSize + header.Length;
                    next = new NmsgContainer(header, owned, NmsgPeer.None);
                    buffer = rest;
                }
                else if (result.IsCompleted || result.IsCanceled)
                {
                    Complete(buffer.Length);
                }
            }
            catch (NmsgException e) when (!ReferenceEquals(e, _fault))
            {
                throw Fault(e.Offset >= 0 ? e : WithOffset(e, _offset));
            }
            finally
            {
                if (next is not null)
                    _pipe.AdvanceTo(buffer.Start);
                else
                    _pipe.AdvanceTo(buffer.Start, buffer.End);
            }
            if (next is NmsgContainer c)
                yield return c;
        }
    }

    /// <summary>Every message of the stream, in order; backpressure is the consumer's pace.</summary>
    public async IAsyncEnumerable<NmsgMessage> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await ReadContainerAsync(_batch, cancellationToken).ConfigureAwait(false))
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
        await _pipe.CompleteAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _decoder.Dispose();
        _pipe.Complete();
    }
}
