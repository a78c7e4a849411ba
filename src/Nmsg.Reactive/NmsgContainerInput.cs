using System.Reactive.Disposables;
using System.Reactive.Linq;
using Nmsg.Containers;

namespace Nmsg.Reactive;

/// <summary>
/// A cold stream of raw containers (from <see cref="NmsgSource.UdpContainers"/>, <see cref="NmsgSource.FileContainers"/>
/// or a stage of <see cref="NmsgContainerOperators"/>), carrying the input's statistics and decoder options so that
/// the stages after it count into the same input.
/// </summary>
public sealed class NmsgContainerInput : IObservable<NmsgContainer>
{
    private readonly IObservable<NmsgContainer> _observable;

    internal static NmsgContainerInput Create(string name, NmsgDecoderOptions options, Func<NmsgInputStatistics, CancellationToken, IAsyncEnumerable<NmsgContainer>> open)
    {
        var statistics = new NmsgInputStatistics();
        IObservable<NmsgContainer> containers = Observable.Create<NmsgContainer>(async (observer, ct) =>
        {
            await foreach (NmsgContainer c in open(statistics, ct).ConfigureAwait(false))
                observer.OnNext(c);
            observer.OnCompleted();
        });
        return new NmsgContainerInput(name, options, statistics, containers);
    }

    /// <summary>Wraps a container stream with the context its stages count into.</summary>
    public NmsgContainerInput(string name, NmsgDecoderOptions options, NmsgInputStatistics statistics, IObservable<NmsgContainer> containers)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(statistics);
        Name = name;
        Options = options;
        Statistics = statistics;
        _observable = containers;
    }

    /// <summary>The input's name.</summary>
    public string Name { get; }

    /// <summary>Decoder options (limits, sequence tracking, fragment CRC and expiry) the stages use.</summary>
    public NmsgDecoderOptions Options { get; }

    /// <summary>The input's counters, shared by every stage.</summary>
    public NmsgInputStatistics Statistics { get; }

    /// <inheritdoc />
    public IDisposable Subscribe(IObserver<NmsgContainer> observer) => _observable.Subscribe(observer);
}

/// <summary>
/// The container stages as LINQ operators: <c>UdpContainers(spec).Reassemble().Decompress().Payloads()</c> is what
/// <see cref="NmsgSource.Udp(string, Nmsg.Transports.NmsgUdpOptions?)"/> does. Each stage keeps its state per
/// subscription; a container a stage cannot handle is a counted drop (malformed), never an error that ends the
/// stream.
/// </summary>
public static class NmsgContainerOperators
{
    /// <summary>
    /// Reassembles fragment sets (bounded and expired per the options' limits, also while no datagram arrives);
    /// containers that are not fragments pass through.
    /// </summary>
    public static NmsgContainerInput Reassemble(this IObservable<NmsgContainer> source, NmsgDecoderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        (string name, NmsgDecoderOptions opts, NmsgInputStatistics stats) = Context(source, options);
        IObservable<NmsgContainer> stage = Observable.Create<NmsgContainer>(observer =>
        {
            var decoder = new NmsgContainerDecoder(opts, stats);
            var gate = new Lock();
            TimeSpan period = opts.Limits.FragmentSetTimeout / 4;
            ITimer? timer = opts.ExpireFragmentSets
                ? opts.TimeProvider.CreateTimer(_ =>
                {
                    lock (gate)
                        decoder.Fragments.Collect();
                }, null, period, period)
                : null;
            IDisposable upstream = source.Subscribe(
                c =>
                {
                    bool whole;
                    NmsgContainer result;
                    lock (gate)
                    {
                        try
                        {
                            whole = decoder.Reassemble(c, out result);
                        }
                        catch (NmsgException)
                        {
                            stats.CountMalformed();
                            return;
                        }
                    }
                    if (whole)
                        observer.OnNext(result);
                },
                observer.OnError,
                observer.OnCompleted);
            return Disposable.Create(() =>
            {
                upstream.Dispose();
                timer?.Dispose();
                lock (gate)
                    decoder.Dispose();
            });
        });
        return new NmsgContainerInput(name, opts, stats, stage);
    }

    /// <summary>Inflates zlib containers (bounded by the options' message limit); plain ones pass through.</summary>
    public static NmsgContainerInput Decompress(this IObservable<NmsgContainer> source, NmsgDecoderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        (string name, NmsgDecoderOptions opts, NmsgInputStatistics stats) = Context(source, options);
        IObservable<NmsgContainer> stage = Observable.Create<NmsgContainer>(observer =>
        {
            var decoder = new NmsgContainerDecoder(opts, stats);
            return source.Subscribe(
                c =>
                {
                    NmsgContainer plain;
                    try
                    {
                        plain = decoder.Decompress(c);
                    }
                    catch (Exception e) when (e is NmsgException or ArgumentException)
                    {
                        stats.CountMalformed();
                        return;
                    }
                    observer.OnNext(plain);
                },
                observer.OnError,
                observer.OnCompleted);
        });
        return new NmsgContainerInput(name, opts, stats, stage);
    }

    /// <summary>
    /// Parses each container's payloads (checking CRCs and tracking sequence numbers per sender, as the options
    /// say) and emits its messages; fragment or compressed containers that reach it are taken through the
    /// earlier stages first.
    /// </summary>
    public static IObservable<NmsgMessage> Payloads(this IObservable<NmsgContainer> source, NmsgDecoderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        (_, NmsgDecoderOptions opts, NmsgInputStatistics stats) = Context(source, options);
        return Observable.Create<NmsgMessage>(observer =>
        {
            var decoder = new NmsgContainerDecoder(opts, stats);
            var batch = new List<NmsgMessage>();
            IDisposable upstream = source.Subscribe(
                c =>
                {
                    batch.Clear();
                    try
                    {
                        decoder.DecodePayloads(c, batch);
                    }
                    catch (NmsgException)
                    {
                        stats.CountMalformed();
                        return;
                    }
                    for (int i = 0; i < batch.Count; i++)
                        observer.OnNext(batch[i]);
                },
                observer.OnError,
                observer.OnCompleted);
            return Disposable.Create(() =>
            {
                upstream.Dispose();
                decoder.Dispose();
            });
        });
    }

    private static (string, NmsgDecoderOptions, NmsgInputStatistics) Context(IObservable<NmsgContainer> source, NmsgDecoderOptions? options)
        => source is NmsgContainerInput input
            ? (input.Name, options ?? input.Options, input.Statistics)
            : ("containers", options ?? NmsgDecoderOptions.Default, new NmsgInputStatistics());
}
