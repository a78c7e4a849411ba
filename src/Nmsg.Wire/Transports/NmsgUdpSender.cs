using System.Net;
using System.Net.Sockets;
using Nmsg.Containers;
using Nmsg.Framing;

namespace Nmsg.Transports;

/// <summary>Options of a UDP output.</summary>
public sealed record NmsgUdpSenderOptions
{
    /// <summary>The defaults: jumbo (8192-byte) containers, buffered, sequenced, no zlib.</summary>
    public static NmsgUdpSenderOptions Default { get; } = new();

    /// <summary>
    /// Container encoding. <see cref="NmsgEncoderOptions.BufferSize"/> is the MTU (nmsgtool's <c>-m</c>, default
    /// 8192; about 1280–1400 avoids IP fragmentation). Socket outputs are sequenced, as in libnmsg.
    /// </summary>
    public NmsgEncoderOptions Encoder { get; init; } = new() { BufferSize = NmsgConstants.JumboBufferSize, Sequenced = true };

    /// <summary>SO_SNDBUF in bytes; null leaves the system default (nmsgtool sets 32 KiB).</summary>
    public int? SendBufferSize { get; init; }

    /// <summary>Pace containers (each datagram counts); share one limiter across outputs to share the rate.</summary>
    public NmsgRateLimiter? RateLimiter { get; init; }

    /// <summary>Send a buffered partial container once its first message has waited this long (nmsgtool never does).</summary>
    public TimeSpan? FlushInterval { get; init; }

    /// <summary>The clock for <see cref="FlushInterval"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>
/// A UDP output to one endpoint: messages are packed into containers of at most the MTU (fragmented when one
/// message is larger), sequenced, optionally compressed and paced, and each container is one datagram. Flush or
/// dispose to send a partly filled container. Thread-safe.
/// </summary>
public sealed class NmsgUdpSender : IAsyncDisposable, IDisposable
{
    private readonly Socket _socket;
    private readonly NmsgContainerEncoder _encoder;
    private readonly NmsgRateLimiter? _rate;
    private readonly Lock _lock = new();
    private readonly ITimer? _timer;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private long _firstPendingAt;
    private long _datagrams;
    private long _refused;
    private Exception? _fault;
    private bool _disposed;

    private NmsgUdpSender(Socket socket, NmsgUdpSenderOptions options)
    {
        _socket = socket;
        _encoder = new NmsgContainerEncoder(options.Encoder);
        _rate = options.RateLimiter;
        _time = options.TimeProvider;
        RemoteEndPoint = (IPEndPoint)socket.RemoteEndPoint!;
        if (options.FlushInterval is TimeSpan interval)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero, nameof(options.FlushInterval));
            _interval = interval;
            TimeSpan period = interval / 4 > TimeSpan.FromMilliseconds(1) ? interval / 4 : TimeSpan.FromMilliseconds(1);
            _timer = _time.CreateTimer(static s => ((NmsgUdpSender)s!).OnTimer(), this, period, period);
        }
    }

    /// <summary>Creates a socket connected to <paramref name="endPoint"/> (broadcast allowed, as nmsgtool does).</summary>
    public static NmsgUdpSender Connect(IPEndPoint endPoint, NmsgUdpSenderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        options ??= NmsgUdpSenderOptions.Default;
        var socket = new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (endPoint.AddressFamily == AddressFamily.InterNetwork)
                socket.EnableBroadcast = true;
            if (options.SendBufferSize is int size)
                socket.SendBufferSize = size;
            socket.Connect(endPoint);
            return new NmsgUdpSender(socket, options);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Where the datagrams go.</summary>
    public IPEndPoint RemoteEndPoint { get; }

    /// <summary>The encoder (sequence id, containers and payloads written).</summary>
    public NmsgContainerEncoder Encoder => _encoder;

    /// <summary>Datagrams sent.</summary>
    public long DatagramsSent => Volatile.Read(ref _datagrams);

    /// <summary>
    /// Sends refused by the peer (an ICMP port-unreachable from an earlier datagram; nobody listens there). The
    /// datagram is sent again once, as UDP gives no other feedback.
    /// </summary>
    public long SendsRefused => Volatile.Read(ref _refused);

    /// <summary>Adds a message; sends every container that fills.</summary>
    /// <exception cref="IOException">A send failed now or earlier (the output is then faulted).</exception>
    public void Write(NmsgMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ThrowIfFaulted();
            if (_timer is not null && _encoder.PendingCount == 0)
                _firstPendingAt = _time.GetTimestamp();
            _encoder.Add(message);
            if (_encoder.HasReady)
                SendReady();
        }
    }

    /// <summary>Sends the partly filled container, if any.</summary>
    public void Flush()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ThrowIfFaulted();
            _encoder.Flush();
            SendReady();
        }
    }

    private void SendReady()
    {
        ReadOnlyMemory<byte> ready = _encoder.Ready;
        IReadOnlyList<int> ends = _encoder.ReadyEnds;
        int start = 0;
        try
        {
            for (int i = 0; i < ends.Count; i++)
            {
                _rate?.Wait();
                ReadOnlySpan<byte> datagram = ready.Span[start..ends[i]];
                try
                {
                    _socket.Send(datagram);
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
                {
                    Interlocked.Increment(ref _refused);
                    try
                    {
                        _socket.Send(datagram);
                    }
                    catch (SocketException again) when (again.SocketErrorCode == SocketError.ConnectionRefused)
                    {
                        Interlocked.Increment(ref _refused);
                    }
                }
                Interlocked.Increment(ref _datagrams);
                start = ends[i];
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            _fault ??= e;
            throw new IOException($"sending to {RemoteEndPoint} failed", e);
        }
        finally
        {
            _encoder.ConsumeReady();
        }
    }

    private void OnTimer()
    {
        if (!_lock.TryEnter())
            return;
        try
        {
            if (!_disposed && _fault is null && _encoder.PendingCount > 0 && _time.GetElapsedTime(_firstPendingAt) >= _interval)
            {
                _encoder.Flush();
                SendReady();
            }
        }
        catch (IOException)
        {
            // Recorded as the fault; the next call reports it.
        }
        finally
        {
            _lock.Exit();
        }
    }

    private void ThrowIfFaulted()
    {
        if (_fault is { } e)
            throw new IOException($"an earlier send to {RemoteEndPoint} failed; messages not yet sent are lost", e);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _timer?.Dispose();
        lock (_lock)
        {
            if (_disposed)
                return;
            try
            {
                if (_fault is null)
                {
                    _encoder.Flush();
                    SendReady();
                }
            }
            finally
            {
                _disposed = true;
                _encoder.Dispose();
                _socket.Dispose();
            }
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return default;
    }
}
