using Nmsg.Containers;
using Nmsg.Text;
using Nmsg.Transports;

namespace Nmsg.Reactive;

/// <summary>Options of file and stream inputs.</summary>
public sealed record NmsgFileSourceOptions
{
    /// <summary>The defaults.</summary>
    public static NmsgFileSourceOptions Default { get; } = new();

    /// <summary>Wire-layer reading options (limits, fragment CRC checks, truncated tails).</summary>
    public NmsgReaderOptions Reader { get; init; } = NmsgReaderOptions.Default;

    /// <summary>Ingress cap in container bytes per second (nmsgtool's <c>-B</c>); 0 for none.</summary>
    public long ByteRate { get; init; }

    /// <summary>The clock <see cref="ByteRate"/> paces by.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>Options of JSON and presentation-text inputs.</summary>
public sealed record NmsgTextSourceOptions
{
    /// <summary>The defaults: nmsgtool's, where a bad line is skipped (counted as malformed and reported).</summary>
    public static NmsgTextSourceOptions Default { get; } = new();

    /// <summary>Aliases, modules and stamping used while parsing.</summary>
    public NmsgTextOptions Text { get; init; } = NmsgTextOptions.Default;

    /// <summary>Fail the input at the first bad line instead of skipping it.</summary>
    public bool StopOnError { get; init; }

    /// <summary>Called for each bad line that is skipped (after it is counted).</summary>
    public Action<NmsgFormatException>? OnError { get; init; }

    /// <summary>
    /// Threads that parse JSON input (<see cref="NmsgSource.Json(string, NmsgTextSourceOptions?)"/>): chunks of lines
    /// are parsed in parallel and messages, bad-line reports included, still come in line order. 1 parses on the
    /// reading thread. The default is <see cref="NmsgJsonReader.DefaultParallelism"/>.
    /// </summary>
    public int Parallelism
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = NmsgJsonReader.DefaultParallelism;
}

/// <summary>
/// Where NMSG comes from. Every source is cold: nothing is opened until it is subscribed to or enumerated, each
/// subscription opens its own file or sockets, and disposing the subscription closes them.
/// </summary>
public static class NmsgSource
{
    /// <summary>An NMSG file (nmsgtool <c>-r</c>); <c>"-"</c> reads standard input.</summary>
    public static NmsgInput File(string path, NmsgFileSourceOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= NmsgFileSourceOptions.Default;
        return new NmsgInput(path, stats =>
        {
            NmsgReaderOptions reader = options.Reader with { Statistics = stats };
            NmsgStreamReader r = path == "-"
                ? new NmsgStreamReader(Console.OpenStandardInput(), reader)
                : NmsgStreamReader.OpenFile(path, reader);
            return new StreamBatchReader(r, options);
        });
    }

    /// <summary>
    /// A byte stream in the NMSG file format, opened per subscription by <paramref name="open"/> (and disposed
    /// afterwards).
    /// </summary>
    public static NmsgInput Stream(Func<Stream> open, NmsgFileSourceOptions? options = null, string name = "stream")
    {
        ArgumentNullException.ThrowIfNull(open);
        options ??= NmsgFileSourceOptions.Default;
        return new NmsgInput(name, stats => new StreamBatchReader(new NmsgStreamReader(open(), options.Reader with { Statistics = stats }), options));
    }

    /// <summary>
    /// A byte stream in the NMSG file format. A stream reads once: a second subscription continues where the first
    /// stopped. The stream is left open; use the <see cref="Stream(Func{Stream}, NmsgFileSourceOptions?, string)"/>
    /// overload to open and close one per subscription.
    /// </summary>
    public static NmsgInput Stream(Stream stream, NmsgFileSourceOptions? options = null, string name = "stream")
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= NmsgFileSourceOptions.Default;
        return new NmsgInput(name, stats => new StreamBatchReader(
            new NmsgStreamReader(stream, options.Reader with { Statistics = stats }, leaveOpen: true), options));
    }

    /// <summary>
    /// UDP datagrams on <c>addr/port</c> or <c>addr/first..last</c> (nmsgtool <c>-l</c>; one socket per port),
    /// IPv4 or IPv6, unicast, broadcast or multicast (the group is joined). Composed of
    /// <see cref="UdpContainers(string, NmsgUdpOptions?)"/>, <see cref="NmsgContainerOperators.Reassemble"/>,
    /// <see cref="NmsgContainerOperators.Decompress"/> and <see cref="NmsgContainerOperators.Payloads"/>: a
    /// malformed datagram is a counted drop and the input keeps listening.
    /// </summary>
    public static NmsgInput Udp(string spec, NmsgUdpOptions? options = null)
        => Udp(NmsgSocketSpec.Parse(spec), options);

    /// <inheritdoc cref="Udp(string, NmsgUdpOptions?)"/>
    public static NmsgInput Udp(NmsgSocketSpec spec, NmsgUdpOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        options ??= NmsgUdpOptions.Default;
        return new NmsgInput(spec.ToString(), stats => new UdpBatchReader(NmsgUdpReceiver.Bind(spec, options, stats)))
        {
            ReadTimeout = options.ReadTimeout,
        };
    }

    /// <summary>
    /// A UDP input that is already bound (for example to port 0, to learn the port before subscribing). The
    /// receiver is shared: one subscription at a time, and disposing the subscription does not close it.
    /// </summary>
    public static NmsgInput Udp(NmsgUdpReceiver receiver)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        return new NmsgInput(receiver.Spec.ToString(), _ => new UdpBatchReader(receiver, ownsReceiver: false))
        {
            ReadTimeout = receiver.Options.ReadTimeout,
        };
    }

    /// <summary>
    /// Raw containers from UDP, fragments and zlib untouched: place <see cref="NmsgContainerOperators.Reassemble"/>,
    /// <see cref="NmsgContainerOperators.Decompress"/> and <see cref="NmsgContainerOperators.Payloads"/> after it
    /// (or your own stages).
    /// </summary>
    public static NmsgContainerInput UdpContainers(string spec, NmsgUdpOptions? options = null)
    {
        NmsgSocketSpec parsed = NmsgSocketSpec.Parse(spec);
        options ??= NmsgUdpOptions.Default;
        return NmsgContainerInput.Create(parsed.ToString(), options.DecoderOptions, (stats, ct) => UdpContainersAsync(parsed, options, stats, ct));
    }

    /// <summary>Raw containers from an NMSG file, fragments and zlib untouched.</summary>
    public static NmsgContainerInput FileContainers(string path, NmsgReaderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= NmsgReaderOptions.Default;
        var decoder = new NmsgDecoderOptions { Limits = options.Limits, VerifyFragmentCrc = options.VerifyFragmentCrc, ExpireFragmentSets = false };
        return NmsgContainerInput.Create(path, decoder, (stats, ct) => FileContainersAsync(path, options with { Statistics = stats }, ct));
    }

    private static async IAsyncEnumerable<NmsgContainer> UdpContainersAsync(NmsgSocketSpec spec, NmsgUdpOptions options,
        NmsgInputStatistics stats, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using NmsgUdpReceiver receiver = NmsgUdpReceiver.Bind(spec, options, stats);
        await foreach (NmsgContainer c in receiver.ReadContainersAsync(cancellationToken).ConfigureAwait(false))
            yield return c;
    }

    private static async IAsyncEnumerable<NmsgContainer> FileContainersAsync(string path, NmsgReaderOptions options,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using NmsgStreamReader reader = NmsgStreamReader.OpenFile(path, options);
        await foreach (NmsgContainer c in reader.ReadContainersAsync(cancellationToken).ConfigureAwait(false))
            yield return c;
    }

    /// <summary>JSON lines, one message each (nmsgtool <c>-j</c>); <c>"-"</c> reads standard input.</summary>
    public static NmsgInput Json(string path, NmsgTextSourceOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Json(() => path == "-" ? Console.OpenStandardInput() : OpenRead(path), options, path);
    }

    /// <summary>JSON lines from a stream opened per subscription.</summary>
    public static NmsgInput Json(Func<Stream> open, NmsgTextSourceOptions? options = null, string name = "json")
    {
        ArgumentNullException.ThrowIfNull(open);
        options ??= NmsgTextSourceOptions.Default;
        return new NmsgInput(name, stats =>
        {
            Stream stream = open();
            Action<NmsgFormatException>? onError = options.StopOnError ? null : e =>
            {
                stats.CountMalformed();
                options.OnError?.Invoke(e);
            };
            return new EnumerableBatchReader(ct => NmsgJsonReader.ReadAllAsync(stream, options.Text, onError, options.Parallelism, ct), stats, stream);
        });
    }

    /// <summary>
    /// Presentation text of one message type (nmsgtool <c>-f</c> with <c>-V</c>/<c>-T</c>); <c>"-"</c> reads
    /// standard input.
    /// </summary>
    public static NmsgInput Presentation(string path, string vendor, string messageType, NmsgTextSourceOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Presentation(() => path == "-" ? Console.OpenStandardInput() : OpenRead(path), vendor, messageType, options, path);
    }

    /// <summary>Presentation text of one message type from a stream opened per subscription (and disposed after).</summary>
    public static NmsgInput Presentation(Func<Stream> open, string vendor, string messageType, NmsgTextSourceOptions? options = null, string name = "presentation")
    {
        ArgumentNullException.ThrowIfNull(open);
        NmsgPresentationReader parser = NmsgPresentationReader.For(vendor, messageType, (options ?? NmsgTextSourceOptions.Default).Text.Modules);
        return new NmsgInput(name, stats =>
        {
            var text = new StreamReader(open(), System.Text.Encoding.UTF8, false, 65536);
            return new EnumerableBatchReader(ct => parser.ReadAllAsync(text, ct), stats, text);
        });
    }

    /// <summary>Messages the caller already has (each subscription enumerates them again).</summary>
    public static NmsgInput From(IEnumerable<NmsgMessage> messages, string name = "messages")
    {
        ArgumentNullException.ThrowIfNull(messages);
        return From(_ => ToAsync(messages), name);
    }

    /// <summary>Messages from an async sequence, enumerated once per subscription.</summary>
    public static NmsgInput From(Func<CancellationToken, IAsyncEnumerable<NmsgMessage>> messages, string name = "messages")
    {
        ArgumentNullException.ThrowIfNull(messages);
        return new NmsgInput(name, stats => new EnumerableBatchReader(messages, stats, null) { ReadAhead = false });
    }

    /// <summary>
    /// Fan-in: every message of every input, as one input. Each input keeps its own statistics (and is read
    /// concurrently with the others); <see cref="NmsgInput.Statistics"/> of the result counts payloads only.
    /// </summary>
    public static NmsgInput Merge(params NmsgInput[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Length == 0)
            throw new ArgumentException("merge needs at least one input", nameof(inputs));
        return new NmsgInput(string.Join(",", (object[])inputs), stats => new MergeBatchReader(inputs, stats));
    }

    private static FileStream OpenRead(string path)
        => new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 0, FileOptions.SequentialScan);

    private static async IAsyncEnumerable<NmsgMessage> ToAsync(IEnumerable<NmsgMessage> messages)
    {
        foreach (NmsgMessage m in messages)
            yield return m;
        await Task.CompletedTask.ConfigureAwait(false);
    }
}
