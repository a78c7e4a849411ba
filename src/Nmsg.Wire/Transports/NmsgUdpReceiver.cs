using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Nmsg.Containers;

namespace Nmsg.Transports;

/// <summary>What a socket input does when its queue to the consumer is full.</summary>
public enum NmsgOverflowPolicy
{
    /// <summary>Drop the container just received (counted). The receive loop never waits. The default.</summary>
    DropNewest,

    /// <summary>Drop the oldest queued container to make room (counted).</summary>
    DropOldest,

    /// <summary>
    /// Stop receiving until the consumer catches up; the kernel's socket buffer absorbs what it can and then drops
    /// datagrams where we cannot count them (sequence gaps still show them).
    /// </summary>
    Wait,
}

/// <summary>Why a socket input dropped something.</summary>
public enum NmsgDropReason
{
    /// <summary>The datagram is not one whole NMSG container (bad magic, version or length).</summary>
    Malformed,

    /// <summary>The consumer's queue was full.</summary>
    QueueFull,

    /// <summary>The container could not be decoded (bad envelope, zlib or limits).</summary>
    Undecodable,
}

/// <summary>A report of drops, coalesced: raised at most once per read timeout per reason.</summary>
/// <param name="Reason">Why.</param>
/// <param name="Count">How many since the previous report of this reason.</param>
/// <param name="LastError">The last error behind them, when there was one.</param>
public sealed record NmsgDropReport(NmsgDropReason Reason, long Count, Exception? LastError);

/// <summary>Options of a UDP input.</summary>
public sealed record NmsgUdpOptions
{
    /// <summary>The defaults.</summary>
    public static NmsgUdpOptions Default { get; } = new();

    /// <summary>
    /// Socket receive buffer in bytes (SO_RCVBUF; SO_RCVBUFFORCE is tried first, as nmsgtool does as root).
    /// Default 4 MiB; null leaves the system default.
    /// </summary>
    public int? ReceiveBufferSize { get; init; } = 4 * 1024 * 1024;

    /// <summary>
    /// SO_REUSEADDR and SO_REUSEPORT, so that several processes can bind the same port (nmsgtool sets both). Off by
    /// default for unicast, where a forgotten listener would silently take datagrams; multicast inputs always set it.
    /// </summary>
    public bool ReuseAddress { get; init; }

    /// <summary>For a multicast spec, the local interface index to join on (0: let the system choose).</summary>
    public int MulticastInterface { get; init; }

    /// <summary>
    /// How long a read waits before the input does its housekeeping (expiring fragment sets, reporting drops) and a
    /// non-blocking read gives up. nmsgtool's is fixed at 500 ms.
    /// </summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Containers queued between the receive loops and the consumer. Default 1024.</summary>
    public int QueueCapacity { get; init; } = 1024;

    /// <summary>What to do when the queue is full.</summary>
    public NmsgOverflowPolicy OverflowPolicy { get; init; } = NmsgOverflowPolicy.DropNewest;

    /// <summary>Bounds on what is read; <see cref="NmsgLimits.MaxContainerLength"/> caps datagrams too.</summary>
    public NmsgLimits Limits { get; init; } = NmsgLimits.Default;

    /// <summary>Track sequence numbers per sender and count lost containers. Default true, as libnmsg does for sockets.</summary>
    public bool TrackSequence { get; init; } = true;

    /// <summary>Verify each reassembled fragment set's CRC (libnmsg never does). Default true.</summary>
    public bool VerifyFragmentCrc { get; init; } = true;

    /// <summary>The clock for fragment and sequence-source expiry.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Called with each coalesced drop report (as <see cref="NmsgUdpReceiver.Dropped"/>), off the receive loops; for
    /// sources that create their receiver per subscription.
    /// </summary>
    public Action<NmsgDropReport>? OnDropped { get; init; }

    /// <summary>The container-decoder options these imply (for staged decoding of this input's containers).</summary>
    public NmsgDecoderOptions DecoderOptions => new()
    {
        Limits = Limits,
        TrackSequence = TrackSequence,
        VerifyFragmentCrc = VerifyFragmentCrc,
        ExpireFragmentSets = true,
        TimeProvider = TimeProvider,
    };

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(QueueCapacity, 1, nameof(QueueCapacity));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ReadTimeout, TimeSpan.Zero, nameof(ReadTimeout));
        if (ReceiveBufferSize is int size)
            ArgumentOutOfRangeException.ThrowIfNegative(size, nameof(ReceiveBufferSize));
        Limits.Validate();
    }
}

/// <summary>
/// A UDP input: one socket per port of a spec, each with a receive loop that never waits for the consumer. Each
/// datagram becomes one container (in its own exactly-sized array) on a bounded queue; a malformed datagram or a
/// full queue is a counted drop and the input keeps listening. Read containers with <see cref="ReadContainersAsync"/>
/// (fragments and zlib untouched, for staged decoding) or decoded messages with <see cref="ReadAllAsync"/>.
/// Disposing closes the sockets.
/// </summary>
public sealed class NmsgUdpReceiver : IAsyncDisposable, IDisposable
{
    private const int MaxDatagram = 65535;
    private const int SolSocket = 1;
    private const int SoReusePort = 15;
    private const int SoRcvBufForce = 33;

    private readonly NmsgUdpOptions _options;
    private readonly Socket[] _sockets;
    private readonly Channel<NmsgContainer> _queue;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _loops;
    private readonly long[] _pendingDrops = new long[3];
    private readonly Exception?[] _lastErrors = new Exception?[3];
    private int _reportScheduled;
    private NmsgContainerDecoder? _decoder;
    private CancellationTokenSource? _timeout;
    private int _readers;
    private int _disposed;

    private NmsgUdpReceiver(NmsgSocketSpec spec, NmsgUdpOptions options, NmsgInputStatistics statistics)
    {
        _options = options;
        Spec = spec;
        Statistics = statistics;
        if (options.OnDropped is { } onDropped)
            Dropped += onDropped;
        _queue = Channel.CreateBounded<NmsgContainer>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            AllowSynchronousContinuations = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
        IReadOnlyList<IPEndPoint> endPoints = spec.EndPoints;
        _sockets = new Socket[endPoints.Count];
        try
        {
            for (int i = 0; i < _sockets.Length; i++)
                _sockets[i] = Open(endPoints[i], spec.IsMulticast, options);
        }
        catch
        {
            foreach (Socket? s in _sockets)
                s?.Dispose();
            throw;
        }
        var locals = new IPEndPoint[_sockets.Length];
        for (int i = 0; i < locals.Length; i++)
            locals[i] = (IPEndPoint)_sockets[i].LocalEndPoint!;
        LocalEndPoints = locals;
        _loops = new Task[_sockets.Length];
        for (int i = 0; i < _sockets.Length; i++)
        {
            Socket socket = _sockets[i];
            _loops[i] = Task.Run(() => ReceiveLoopAsync(socket));
        }
    }

    /// <summary>Binds every port of <paramref name="spec"/> and starts receiving.</summary>
    /// <exception cref="SocketException">A port could not be bound (nothing stays bound).</exception>
    public static NmsgUdpReceiver Bind(NmsgSocketSpec spec, NmsgUdpOptions? options = null, NmsgInputStatistics? statistics = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        options ??= NmsgUdpOptions.Default;
        options.Validate();
        return new NmsgUdpReceiver(spec, options, statistics ?? new NmsgInputStatistics());
    }

    /// <summary>Binds <c>addr/port[..port]</c> and starts receiving.</summary>
    public static NmsgUdpReceiver Bind(string spec, NmsgUdpOptions? options = null, NmsgInputStatistics? statistics = null)
        => Bind(NmsgSocketSpec.Parse(spec), options, statistics);

    /// <summary>The spec bound.</summary>
    public NmsgSocketSpec Spec { get; }

    /// <summary>The bound endpoints, one per socket (port 0 resolved to the port chosen).</summary>
    public IReadOnlyList<IPEndPoint> LocalEndPoints { get; }

    /// <summary>The counters of this input (datagrams, bytes, drops, and what decoding adds).</summary>
    public NmsgInputStatistics Statistics { get; }

    /// <summary>The options in force.</summary>
    public NmsgUdpOptions Options => _options;

    /// <summary>Per-sender sequence statistics (containers and losses per sequence id and sender) of the message reads.</summary>
    public IReadOnlyList<Sequencing.SequenceSourceStatistics> SequenceSources => _decoder?.SequenceSources ?? [];

    /// <summary>Containers waiting in the queue.</summary>
    public int QueuedContainers => _queue.Reader.Count;

    /// <summary>
    /// Raised, off the receive loops, when datagrams were dropped (malformed, queue full, undecodable); coalesced to
    /// at most one report per reason per <see cref="NmsgUdpOptions.ReadTimeout"/>. A handler's exception is ignored.
    /// </summary>
    public event Action<NmsgDropReport>? Dropped;

    private static Socket Open(IPEndPoint endPoint, bool multicast, NmsgUdpOptions options)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (options.ReuseAddress || multicast)
            {
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                if (OperatingSystem.IsLinux())
                    TrySetRaw(socket, SoReusePort, 1);
            }
            if (options.ReceiveBufferSize is int size && size > 0)
            {
                if (!(OperatingSystem.IsLinux() && TrySetRaw(socket, SoRcvBufForce, size)))
                    socket.ReceiveBufferSize = size;
            }
            if (endPoint.AddressFamily == AddressFamily.InterNetwork && !multicast)
                socket.EnableBroadcast = true;
            if (multicast)
            {
                IPAddress any = endPoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
                socket.Bind(new IPEndPoint(any, endPoint.Port));
                if (endPoint.AddressFamily == AddressFamily.InterNetworkV6)
                    socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.AddMembership,
                        new IPv6MulticastOption(endPoint.Address, options.MulticastInterface));
                else
                    socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership,
                        new MulticastOption(endPoint.Address, options.MulticastInterface));
            }
            else
            {
                socket.Bind(endPoint);
            }
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static bool TrySetRaw(Socket socket, int option, int value)
    {
        try
        {
            socket.SetRawSocketOption(SolSocket, option, BitConverter.GetBytes(value));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private async Task ReceiveLoopAsync(Socket socket)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(MaxDatagram);
        var address = new SocketAddress(socket.AddressFamily);
        CancellationToken stop = _stop.Token;
        int maxContainer = _options.Limits.MaxContainerLength;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                int n;
                try
                {
                    n = await socket.ReceiveFromAsync(buffer.AsMemory(), SocketFlags.None, address, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                catch (ObjectDisposedException)
                {
                    break;
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
                {
                    // An ICMP error from an earlier send, or an oversized datagram: not fatal to a listener.
                    Drop(NmsgDropReason.Malformed, e);
                    continue;
                }
                Statistics.CountDatagram(n);
                NmsgPeer sender = NmsgPeer.FromSocketAddress(address);
                NmsgContainer container;
                try
                {
                    // The container owns an exactly-sized copy: its payloads will slice it.
                    byte[] owned = GC.AllocateUninitializedArray<byte>(n);
                    buffer.AsSpan(0, n).CopyTo(owned);
                    container = NmsgContainer.FromDatagram(owned, sender, maxContainer);
                }
                catch (NmsgException e)
                {
                    Statistics.CountMalformed();
                    Drop(NmsgDropReason.Malformed, e);
                    continue;
                }
                if (!await EnqueueAsync(container, stop).ConfigureAwait(false))
                    break;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async ValueTask<bool> EnqueueAsync(NmsgContainer container, CancellationToken stop)
    {
        ChannelWriter<NmsgContainer> writer = _queue.Writer;
        if (writer.TryWrite(container))
            return true;
        switch (_options.OverflowPolicy)
        {
            case NmsgOverflowPolicy.DropNewest:
                Statistics.CountQueueDrop();
                Drop(NmsgDropReason.QueueFull, null);
                return true;
            case NmsgOverflowPolicy.DropOldest:
                while (!writer.TryWrite(container))
                {
                    if (_queue.Reader.TryRead(out _))
                    {
                        Statistics.CountQueueDrop();
                        Drop(NmsgDropReason.QueueFull, null);
                    }
                }
                return true;
            default:
                try
                {
                    await writer.WriteAsync(container, stop).ConfigureAwait(false);
                    return true;
                }
                catch (OperationCanceledException)
                {
                    return false;
                }
                catch (ChannelClosedException)
                {
                    return false;
                }
        }
    }

    /// <summary>
    /// Counts nothing, but records a drop for the next coalesced <see cref="Dropped"/> report; for stages outside the
    /// receiver (e.g. an operator that failed to decode one of its containers).
    /// </summary>
    public void ReportDrop(NmsgDropReason reason, Exception? error) => Drop(reason, error);

    private void Drop(NmsgDropReason reason, Exception? error)
    {
        Interlocked.Increment(ref _pendingDrops[(int)reason]);
        if (error is not null)
            _lastErrors[(int)reason] = error;
        if (Dropped is not null && Interlocked.Exchange(ref _reportScheduled, 1) == 0)
            _ = ReportDropsAsync();
    }

    private async Task ReportDropsAsync()
    {
        try
        {
            await Task.Delay(_options.ReadTimeout, _options.TimeProvider, _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        Volatile.Write(ref _reportScheduled, 0);
        for (int r = 0; r < _pendingDrops.Length; r++)
        {
            long count = Interlocked.Exchange(ref _pendingDrops[r], 0);
            if (count == 0)
                continue;
            Exception? last = Interlocked.Exchange(ref _lastErrors[r], null);
            try
            {
                Dropped?.Invoke(new NmsgDropReport((NmsgDropReason)r, count, last));
            }
            catch (Exception)
            {
                // A reporting hook must never take the input down.
            }
        }
    }

    /// <summary>
    /// Every container received, fragments and zlib untouched, until cancelled or disposed. Only one reader at a
    /// time.
    /// </summary>
    public async IAsyncEnumerable<NmsgContainer> ReadContainersAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _readers, 1) != 0)
            throw new InvalidOperationException("a UDP input has one reader at a time");
        try
        {
            ChannelReader<NmsgContainer> reader = _queue.Reader;
            while (true)
            {
                bool more;
                try
                {
                    more = await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    yield break;
                }
                if (!more)
                    yield break;
                while (reader.TryRead(out NmsgContainer c))
                    yield return c;
            }
        }
        finally
        {
            Volatile.Write(ref _readers, 0);
        }
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for containers, decodes every one already queued (fragments
    /// reassembled, zlib inflated, sequence tracked per sender) and appends their messages to
    /// <paramref name="output"/>. While waiting it expires stale fragment sets. A container that fails to decode is
    /// a counted drop. Returns the number of messages appended (0 on timeout, or when the containers were pieces of
    /// incomplete fragment sets), or -1 once the input is closed. Only one reader at a time.
    /// </summary>
    public async ValueTask<int> ReadBatchAsync(List<NmsgMessage> output, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ChannelReader<NmsgContainer> reader = _queue.Reader;
        NmsgContainerDecoder decoder = _decoder ??= new NmsgContainerDecoder(_options.DecoderOptions, Statistics);
        if (!reader.TryPeek(out _))
        {
            if (reader.Completion.IsCompleted)
                return -1;
            decoder.Fragments.Collect();
            if (!await WaitAsync(reader, timeout, cancellationToken).ConfigureAwait(false))
                return reader.Completion.IsCompleted ? -1 : 0;
        }
        int before = output.Count;
        // Drain what is queued, but hand a batch back every so often so the consumer keeps pace.
        for (int i = 0; i < 256 && reader.TryRead(out NmsgContainer container); i++)
        {
            try
            {
                decoder.DecodePayloads(container, output);
            }
            catch (NmsgException e)
            {
                Statistics.CountMalformed();
                Drop(NmsgDropReason.Undecodable, e);
            }
        }
        return output.Count - before;
    }

    private async ValueTask<bool> WaitAsync(ChannelReader<NmsgContainer> reader, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            try
            {
                return await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
        }
        if (timeout <= TimeSpan.Zero)
            return false;
        _timeout ??= new CancellationTokenSource();
        if (!_timeout.TryReset())
        {
            _timeout.Dispose();
            _timeout = new CancellationTokenSource();
        }
        _timeout.CancelAfter(timeout);
        using CancellationTokenRegistration link = cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _timeout);
        try
        {
            return await reader.WaitToReadAsync(_timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>
    /// Every message received, decoded, until cancelled or disposed (see <see cref="ReadBatchAsync"/>). Only one
    /// reader at a time.
    /// </summary>
    public async IAsyncEnumerable<NmsgMessage> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var batch = new List<NmsgMessage>();
        while (true)
        {
            batch.Clear();
            int n;
            try
            {
                n = await ReadBatchAsync(batch, _options.ReadTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                yield break;
            }
            if (n < 0)
                yield break;
            for (int i = 0; i < batch.Count; i++)
                yield return batch[i];
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _stop.Cancel();
        foreach (Socket s in _sockets)
            s.Dispose();
        _queue.Writer.TryComplete();
        try
        {
            Task.WaitAll(_loops, TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (Socket s in _sockets)
            s.Dispose();
        _queue.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_loops).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The loops end on their own; a timeout here only means one is still unwinding.
        }
    }
}
