using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Nmsg.Containers;
using Nmsg.Internal;
using Nmsg.Text;
using Nmsg.Transports;

namespace Nmsg.Reactive;

/// <summary>Options of presentation and JSON outputs.</summary>
public sealed record NmsgTextSinkOptions
{
    /// <summary>The defaults: buffered, nmsgtool's formatting.</summary>
    public static NmsgTextSinkOptions Default { get; } = new();

    /// <summary>Endline, aliases and <c>--set*</c> stamping.</summary>
    public NmsgTextOptions Text { get; init; } = NmsgTextOptions.Default;

    /// <summary>Flush after every message (nmsgtool's <c>--unbuffered</c>).</summary>
    public bool Unbuffered { get; init; }

    /// <summary>
    /// How many threads format a stream or file output; 1, the default, formats each message on the writing thread as
    /// it is written. Above 1, messages are collected in batches that dedicated threads format in parallel and write
    /// in order (the same bytes), so a message must not be changed after it is written: its text is made later.
    /// <see cref="NmsgSink.Flush"/> and closing write every collected message; <see cref="Unbuffered"/> output
    /// formats one message at a time regardless.
    /// </summary>
    public int Parallelism
    {
        get;
        init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Parallelism), value, "must be at least 1");
    } = 1;
}

/// <summary>Options of UDP outputs.</summary>
public sealed record NmsgUdpSinkOptions
{
    /// <summary>The defaults: 8192-byte containers, buffered, sequenced.</summary>
    public static NmsgUdpSinkOptions Default { get; } = new();

    /// <summary>Per-socket options (container size, zlib, buffering, send buffer, flush interval).</summary>
    public NmsgUdpSenderOptions Sender { get; init; } = NmsgUdpSenderOptions.Default;
}

/// <summary>What a <see cref="NmsgSink.KickFile"/> output writes.</summary>
public enum NmsgFileFormat
{
    /// <summary>Binary NMSG (suffix <c>.nmsg</c>).</summary>
    Nmsg,

    /// <summary>Presentation text (no suffix, as nmsgtool).</summary>
    Presentation,

    /// <summary>JSON lines (suffix <c>.json</c>).</summary>
    Json,
}

/// <summary>Options of a rotating ("kicker") file output.</summary>
public sealed record NmsgKickFileOptions
{
    /// <summary>What to write.</summary>
    public NmsgFileFormat Format { get; init; } = NmsgFileFormat.Nmsg;

    /// <summary>Binary writer options.</summary>
    public NmsgWriterOptions Writer { get; init; } = NmsgWriterOptions.Default;

    /// <summary>Text options for presentation and JSON.</summary>
    public NmsgTextSinkOptions Text { get; init; } = NmsgTextSinkOptions.Default;

    /// <summary>
    /// A command run as <c>sh -c "command file &amp;"</c> for each closed file (nmsgtool's <c>-k cmd</c>); null or
    /// empty runs nothing.
    /// </summary>
    public string? Command { get; init; }

    /// <summary>Called with the final path of each closed file.</summary>
    public Action<string>? OnClosed { get; init; }

    /// <summary>The clock for file names.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

public abstract partial class NmsgSink
{
    /// <summary>A binary NMSG file (nmsgtool <c>-w</c>; <c>"-"</c> writes standard output).</summary>
    public static NmsgSink File(string path, NmsgWriterOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Stream stream = path == "-" ? Console.OpenStandardOutput()
            : OutputFile.Create(path);
        return new BinarySink(path, new NmsgStreamWriter(stream, options));
    }

    /// <summary>Binary NMSG to a stream.</summary>
    public static NmsgSink Stream(Stream stream, NmsgWriterOptions? options = null, bool leaveOpen = false, string name = "stream")
        => new BinarySink(name, new NmsgStreamWriter(stream, options, leaveOpen));

    /// <summary>Presentation text to a file (nmsgtool <c>-o</c>; <c>"-"</c> writes standard output).</summary>
    public static NmsgSink Presentation(string path, NmsgTextSinkOptions? options = null)
        => new TextSink(path, OpenText(path), leaveOpen: false, json: false, options ?? NmsgTextSinkOptions.Default);

    /// <summary>Presentation text to a stream (UTF-8).</summary>
    public static NmsgSink Presentation(Stream stream, NmsgTextSinkOptions? options = null, bool leaveOpen = false, string name = "presentation")
        => new TextSink(name, stream, leaveOpen, json: false, options ?? NmsgTextSinkOptions.Default);

    /// <summary>Presentation text to a <see cref="TextWriter"/> (left open).</summary>
    public static NmsgSink Presentation(TextWriter writer, NmsgTextSinkOptions? options = null, string name = "presentation")
        => new TextWriterSink(name, writer, json: false, options ?? NmsgTextSinkOptions.Default);

    /// <summary>JSON lines to a file (nmsgtool <c>-J</c>; <c>"-"</c> writes standard output).</summary>
    public static NmsgSink Json(string path, NmsgTextSinkOptions? options = null)
        => new TextSink(path, OpenText(path), leaveOpen: false, json: true, options ?? NmsgTextSinkOptions.Default);

    /// <summary>JSON lines to a stream (UTF-8).</summary>
    public static NmsgSink Json(Stream stream, NmsgTextSinkOptions? options = null, bool leaveOpen = false, string name = "json")
        => new TextSink(name, stream, leaveOpen, json: true, options ?? NmsgTextSinkOptions.Default);

    /// <summary>JSON lines to a <see cref="TextWriter"/> (left open).</summary>
    public static NmsgSink Json(TextWriter writer, NmsgTextSinkOptions? options = null, string name = "json")
        => new TextWriterSink(name, writer, json: true, options ?? NmsgTextSinkOptions.Default);

    /// <summary>
    /// UDP datagrams to <c>addr/port[..port][,rate[,freq]]</c> (nmsgtool <c>-s</c>): one socket per port, messages
    /// striped round-robin across them, and a rate in containers per second shared by all of them.
    /// </summary>
    public static NmsgSink Udp(string spec, NmsgUdpSinkOptions? options = null)
        => Udp(NmsgSocketSpec.Parse(spec), options);

    /// <inheritdoc cref="Udp(string, NmsgUdpSinkOptions?)"/>
    public static NmsgSink Udp(NmsgSocketSpec spec, NmsgUdpSinkOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        options ??= NmsgUdpSinkOptions.Default;
        NmsgUdpSenderOptions sender = options.Sender;
        if (spec.Rate > 0 && sender.RateLimiter is null)
            sender = sender with { RateLimiter = new NmsgRateLimiter(spec.Rate, spec.Frequency, sender.TimeProvider) };
        IReadOnlyList<System.Net.IPEndPoint> endPoints = spec.EndPoints;
        var senders = new NmsgUdpSender[endPoints.Count];
        try
        {
            for (int i = 0; i < senders.Length; i++)
                senders[i] = NmsgUdpSender.Connect(endPoints[i], sender);
        }
        catch
        {
            foreach (NmsgUdpSender? s in senders)
                s?.Dispose();
            throw;
        }
        return new UdpSink(spec.ToString(), senders);
    }

    /// <summary>Calls <paramref name="callback"/> for each message, on the writer's thread.</summary>
    public static NmsgSink Callback(Action<NmsgMessage> callback, string name = "callback")
        => new CallbackSink(name, callback);

    /// <summary>
    /// Calls <paramref name="callback"/> for each message, one at a time and in order, off the writer's thread. Up
    /// to <paramref name="capacity"/> messages wait; a writer beyond that blocks (backpressure). Closing waits for
    /// every accepted message to be handled; a callback's exception faults the sink.
    /// </summary>
    public static NmsgSink Callback(Func<NmsgMessage, CancellationToken, ValueTask> callback, int capacity = 1024, string name = "callback")
        => new AsyncCallbackSink(name, callback, capacity);

    /// <summary>
    /// A file written as <c>base.YYYYMMDD.HHMM.epoch.nsec.part</c> and renamed on close to
    /// <c>base.YYYYMMDD.HHMM.epoch.nsec</c> plus the format's suffix, then handed to a command or callback:
    /// nmsgtool's <c>-k</c> file. Pair it with <see cref="NmsgIo"/>'s count or interval to rotate.
    /// </summary>
    public static NmsgSink KickFile(string basePath, NmsgKickFileOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(basePath);
        return new KickFileSink(basePath, options ?? new NmsgKickFileOptions());
    }

    /// <summary>The kick-file timestamp of nmsgtool: <c>YYYYMMDD.HHMM.epoch.nnnnnnnnn</c> (UTC).</summary>
    public static string KickFileTime(DateTimeOffset now) => KickFileTime(now, 0);

    internal static string KickFileTime(DateTimeOffset now, int extraNanoseconds)
    {
        long ticks = now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        long seconds = ticks / TimeSpan.TicksPerSecond;
        long nanos = ticks % TimeSpan.TicksPerSecond * 100 + extraNanoseconds;
        if (nanos >= 1_000_000_000)
        {
            seconds += nanos / 1_000_000_000;
            nanos %= 1_000_000_000;
        }
        return string.Create(CultureInfo.InvariantCulture, $"{now.UtcDateTime:yyyyMMdd.HHmm}.{seconds}.{nanos:D9}");
    }

    private static Stream OpenText(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return path == "-" ? Console.OpenStandardOutput()
            : OutputFile.Create(path);
    }
}

internal sealed class BinarySink(string name, NmsgStreamWriter writer) : NmsgSink(name)
{
    protected override void WriteCore(NmsgMessage message) => writer.Write(message);

    internal override bool ReleasesMessages => true; // the encoder copies each message before Write returns

    protected override void FlushCore() => writer.Flush();

    protected override async ValueTask CloseCoreAsync(bool flush)
    {
        // The writer flushes on dispose unless it is already faulted.
        await writer.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>The two text formats behind one switch, for the text sinks.</summary>
internal static class TextFormat
{
    public static void Write(bool json, NmsgMessage message, IBufferWriter<byte> output, NmsgTextOptions text)
    {
        if (json)
            NmsgJson.Format(message, output, text);
        else
            NmsgPresentation.Format(message, output, text);
    }
}

internal sealed class TextSink(string name, Stream stream, bool leaveOpen, bool json, NmsgTextSinkOptions options) : NmsgSink(name)
{
    private const int FlushAt = 64 * 1024;
    private readonly PooledBufferWriter _buffer = new(FlushAt + 4096);
    private readonly ParallelTextWriter? _parallel = options.Parallelism > 1 && !options.Unbuffered
        ? new ParallelTextWriter(stream, json, options.Text, options.Parallelism) : null;

    // The parallel writer holds each lease until its messages are formatted; the serial path formats at once.
    internal override bool ReleasesMessages => true;

    protected override void WriteCore(NmsgMessage message) => WriteCore(message, null);

    internal override void WriteCore(NmsgMessage message, ContainerLease? lease)
    {
        if (_parallel is not null)
        {
            _parallel.Add(message, lease);
            return;
        }
        // The formatters write into the buffer directly: a message that throws must leave none of its text there.
        int mark = _buffer.WrittenCount;
        try
        {
            TextFormat.Write(json, message, _buffer, options.Text);
        }
        catch
        {
            _buffer.Truncate(mark);
            throw;
        }
        if (options.Unbuffered)
            FlushCore();
        else if (_buffer.WrittenCount >= FlushAt)
            Drain();
    }

    private void Drain()
    {
        if (_buffer.WrittenCount == 0)
            return;
        stream.Write(_buffer.WrittenSpan);
        _buffer.Clear();
    }

    protected override void FlushCore()
    {
        _parallel?.Drain();
        Drain();
        stream.Flush();
    }

    protected override async ValueTask CloseCoreAsync(bool flush)
    {
        try
        {
            if (flush)
            {
                _parallel?.Drain();
                await stream.WriteAsync(_buffer.WrittenMemory).ConfigureAwait(false);
                _buffer.Clear();
                await stream.FlushAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _parallel?.Stop(); // never close the stream under a write
            if (!leaveOpen)
                await stream.DisposeAsync().ConfigureAwait(false);
        }
    }
}

internal sealed class TextWriterSink(string name, TextWriter writer, bool json, NmsgTextSinkOptions options) : NmsgSink(name)
{
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);

    internal override bool ReleasesMessages => true; // formats each message before WriteCore returns

    protected override void WriteCore(NmsgMessage message)
    {
        _buffer.ResetWrittenCount();
        TextFormat.Write(json, message, _buffer, options.Text);
        writer.Write(Encoding.UTF8.GetString(_buffer.WrittenSpan));
        if (options.Unbuffered)
            writer.Flush();
    }

    protected override void FlushCore() => writer.Flush();

    protected override async ValueTask CloseCoreAsync(bool flush)
    {
        if (flush)
            await writer.FlushAsync().ConfigureAwait(false);
    }
}

internal sealed class UdpSink(string name, NmsgUdpSender[] senders) : NmsgSink(name)
{
    private int _next;

    public IReadOnlyList<NmsgUdpSender> Senders => senders;

    internal override bool ReleasesMessages => true; // the encoder copies each message before Write returns

    protected override void WriteCore(NmsgMessage message)
    {
        NmsgUdpSender sender = senders[_next];
        if (++_next == senders.Length)
            _next = 0;
        sender.Write(message);
    }

    protected override void FlushCore()
    {
        foreach (NmsgUdpSender s in senders)
            s.Flush();
    }

    protected override ValueTask CloseCoreAsync(bool flush)
    {
        Exception? first = null;
        foreach (NmsgUdpSender s in senders)
        {
            try
            {
                s.Dispose();
            }
            catch (Exception e)
            {
                first ??= e;
            }
        }
        return first is null ? default : ValueTask.FromException(first);
    }
}

internal sealed class CallbackSink(string name, Action<NmsgMessage> callback) : NmsgSink(name)
{
    protected override void WriteCore(NmsgMessage message) => callback(message);

    protected override void FlushCore()
    {
    }

    protected override ValueTask CloseCoreAsync(bool flush) => default;
}

internal sealed class AsyncCallbackSink : NmsgSink
{
    private readonly Channel<NmsgMessage> _queue;
    private readonly Func<NmsgMessage, CancellationToken, ValueTask> _callback;
    private readonly CancellationTokenSource _abort = new();
    private readonly Task _worker;
    private Exception? _callbackError;

    public AsyncCallbackSink(string name, Func<NmsgMessage, CancellationToken, ValueTask> callback, int capacity)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(callback);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _callback = callback;
        _queue = Channel.CreateBounded<NmsgMessage>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _worker = Task.Run(RunAsync);
    }

    private async Task RunAsync()
    {
        try
        {
            await foreach (NmsgMessage m in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
                await _callback(m, _abort.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Volatile.Write(ref _callbackError, e);
            _queue.Writer.TryComplete();
        }
    }

    protected override void WriteCore(NmsgMessage message)
    {
        if (Volatile.Read(ref _callbackError) is { } error)
            throw new InvalidOperationException("the callback failed", error);
        if (!_queue.Writer.TryWrite(message))
        {
            // Backpressure: the writer waits for room (Rx observers are synchronous).
            if (!_queue.Writer.WriteAsync(message).AsTask().Wait(Timeout.Infinite))
                throw new InvalidOperationException("the callback queue closed");
        }
    }

    protected override void FlushCore()
    {
    }

    protected override async ValueTask CloseCoreAsync(bool flush)
    {
        _queue.Writer.TryComplete();
        if (!flush)
            await _abort.CancelAsync().ConfigureAwait(false);
        await _worker.ConfigureAwait(false);
        if (_callbackError is { } error)
            throw new InvalidOperationException("the callback failed", error);
    }
}

internal sealed class KickFileSink : NmsgSink
{
    private readonly NmsgKickFileOptions _options;
    private readonly NmsgSink _inner;

    public KickFileSink(string basePath, NmsgKickFileOptions options)
        : this(basePath, options, UniqueTime(basePath, options))
    {
    }

    private KickFileSink(string basePath, NmsgKickFileOptions options, string time)
        : base($"{basePath}.{time}.part")
    {
        _options = options;
        PartPath = $"{basePath}.{time}.part";
        FinalPath = $"{basePath}.{time}{Suffix(options.Format)}";
        _inner = options.Format switch
        {
            NmsgFileFormat.Nmsg => NmsgSink.File(PartPath, options.Writer),
            NmsgFileFormat.Json => NmsgSink.Json(PartPath, options.Text),
            _ => NmsgSink.Presentation(PartPath, options.Text),
        };
    }

    private static string Suffix(NmsgFileFormat format) => format switch
    {
        NmsgFileFormat.Nmsg => ".nmsg",
        NmsgFileFormat.Json => ".json",
        _ => "",
    };

    // Two rotations within one clock tick would get one name; step the nanoseconds until the name is free.
    private static string UniqueTime(string basePath, NmsgKickFileOptions options)
    {
        DateTimeOffset now = options.TimeProvider.GetUtcNow();
        string suffix = Suffix(options.Format);
        for (int i = 0; ; i++)
        {
            string time = NmsgSink.KickFileTime(now, i);
            if (!System.IO.File.Exists($"{basePath}.{time}.part") && !System.IO.File.Exists($"{basePath}.{time}{suffix}"))
                return time;
        }
    }

    public string PartPath { get; }

    public string FinalPath { get; }

    protected override void WriteCore(NmsgMessage message) => WriteCore(message, null);

    internal override bool ReleasesMessages => _inner.ReleasesMessages;

    internal override void WriteCore(NmsgMessage message, ContainerLease? lease)
    {
        _inner.OnNext(message, lease);
        if (_inner.Fault is { } fault)
            throw new IOException($"writing {PartPath} failed", fault);
    }

    protected override void FlushCore() => _inner.Flush();

    protected override async ValueTask CloseCoreAsync(bool flush)
    {
        await _inner.CloseAsync().ConfigureAwait(false);
        await _inner.Completion.ConfigureAwait(false);
        System.IO.File.Move(PartPath, FinalPath, overwrite: false);
        if (!string.IsNullOrEmpty(_options.Command))
        {
            var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add($"{_options.Command} \"$0\" &");
            start.ArgumentList.Add(FinalPath);
            using Process? process = Process.Start(start);
        }
        _options.OnClosed?.Invoke(FinalPath);
    }
}
