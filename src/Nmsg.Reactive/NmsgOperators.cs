using System.Reactive;
using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Runtime.CompilerServices;
using Google.Protobuf;
using Nmsg.Modules;
using Nmsg.Text;
using Nmsg.Transports;

namespace Nmsg.Reactive;

/// <summary>NMSG-specific LINQ operators over message streams (filters, stamping, pacing and limits).</summary>
public static class NmsgOperators
{
    /// <summary>Keeps messages of one type, by ids (nmsgtool <c>-V</c>/<c>-T</c> on an NMSG input).</summary>
    public static IObservable<NmsgMessage> WhereType(this IObservable<NmsgMessage> source, uint vid, uint msgType)
        => source.Where(m => m.Vid == vid && m.MsgType == msgType);

    /// <summary>Keeps messages of one type, by names (case-insensitive; "ISC" is base).</summary>
    /// <exception cref="ArgumentException">The type is unknown.</exception>
    public static IObservable<NmsgMessage> WhereType(this IObservable<NmsgMessage> source, string vendor, string msgType, NmsgModules? modules = null)
    {
        NmsgModule module = Resolve(vendor, msgType, modules);
        return source.WhereType(module.Vid, module.MsgType);
    }

    /// <summary>Keeps messages whose type is the generated protobuf type <typeparamref name="T"/>.</summary>
    public static IObservable<NmsgMessage> WhereType<T>(this IObservable<NmsgMessage> source, NmsgModules? modules = null)
        where T : class, IMessage<T>, new()
    {
        NmsgModule module = (modules ?? NmsgModules.Default).Find(new T().Descriptor)
            ?? throw new ArgumentException($"{typeof(T).Name} is not a registered NMSG message type");
        return source.WhereType(module.Vid, module.MsgType);
    }

    /// <summary>Keeps messages of one type, by names (async sequences).</summary>
    public static IAsyncEnumerable<NmsgMessage> WhereType(this IAsyncEnumerable<NmsgMessage> source, string vendor, string msgType, NmsgModules? modules = null)
    {
        NmsgModule module = Resolve(vendor, msgType, modules);
        return Filter(source, module.Vid, module.MsgType);
    }

    private static async IAsyncEnumerable<NmsgMessage> Filter(IAsyncEnumerable<NmsgMessage> source, uint vid, uint msgType,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (NmsgMessage m in source.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (m.Vid == vid && m.MsgType == msgType)
                yield return m;
        }
    }

    private static NmsgModule Resolve(string vendor, string msgType, NmsgModules? modules)
    {
        ArgumentNullException.ThrowIfNull(vendor);
        ArgumentNullException.ThrowIfNull(msgType);
        return (modules ?? NmsgModules.Default).Find(vendor, msgType)
            ?? throw new ArgumentException($"unknown message type {vendor}/{msgType}");
    }

    /// <summary>Keeps messages whose source is <paramref name="source"/> (nmsgtool <c>--getsource</c>; 0 keeps all).</summary>
    public static IObservable<NmsgMessage> WhereSource(this IObservable<NmsgMessage> messages, uint source)
        => source == 0 ? messages : messages.Where(m => m.Source == source);

    /// <summary>Keeps messages of one operator (nmsgtool <c>--getoperator</c>; 0 keeps all).</summary>
    public static IObservable<NmsgMessage> WhereOperator(this IObservable<NmsgMessage> messages, uint @operator)
        => @operator == 0 ? messages : messages.Where(m => m.Operator == @operator);

    /// <summary>Keeps messages of one operator given by alias or number.</summary>
    /// <exception cref="ArgumentException">Neither a number nor a known alias.</exception>
    public static IObservable<NmsgMessage> WhereOperator(this IObservable<NmsgMessage> messages, string @operator, NmsgAliases aliases)
        => messages.WhereOperator(ResolveAlias(@operator, aliases, isGroup: false));

    /// <summary>Keeps messages of one group (nmsgtool <c>--getgroup</c>; 0 keeps all).</summary>
    public static IObservable<NmsgMessage> WhereGroup(this IObservable<NmsgMessage> messages, uint group)
        => group == 0 ? messages : messages.Where(m => m.Group == group);

    /// <summary>Keeps messages of one group given by alias or number.</summary>
    public static IObservable<NmsgMessage> WhereGroup(this IObservable<NmsgMessage> messages, string group, NmsgAliases aliases)
        => messages.WhereGroup(ResolveAlias(group, aliases, isGroup: true));

    /// <summary>Resolves an operator or group given as a number (any base nmsgtool accepts) or an alias.</summary>
    /// <exception cref="ArgumentException">Neither a number nor a known alias.</exception>
    public static uint ResolveAlias(string value, NmsgAliases aliases, bool isGroup)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(aliases);
        if (NmsgAliases.TryParseBase0(value, out uint number))
            return number;
        uint found = isGroup ? aliases.GroupValue(value) : aliases.OperatorValue(value);
        if (found == 0)
            throw new ArgumentException($"unknown {(isGroup ? "group" : "operator")} alias '{value}'");
        return found;
    }

    /// <summary>
    /// Stamps source, operator and group on every message (nmsgtool <c>--setsource</c> etc.; null or 0 leaves the
    /// field alone). The message is changed in place.
    /// </summary>
    public static IObservable<NmsgMessage> Stamp(this IObservable<NmsgMessage> messages, uint? source = null, uint? @operator = null, uint? group = null)
        => messages.Select(m => StampOne(m, source, @operator, group));

    /// <summary>Stamps source, operator and group on every message of an async sequence.</summary>
    public static async IAsyncEnumerable<NmsgMessage> Stamp(this IAsyncEnumerable<NmsgMessage> messages, uint? source = null, uint? @operator = null, uint? group = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (NmsgMessage m in messages.WithCancellation(cancellationToken).ConfigureAwait(false))
            yield return StampOne(m, source, @operator, group);
    }

    internal static NmsgMessage StampOne(NmsgMessage m, uint? source, uint? @operator, uint? group)
    {
        if (source is uint s and not 0)
            m.Source = s;
        if (@operator is uint o and not 0)
            m.Operator = o;
        if (group is uint g and not 0)
            m.Group = g;
        return m;
    }

    /// <summary>
    /// Paces messages to <paramref name="perSecond"/> by holding the producer back (the observer blocks until the
    /// message's slot is due), so a file input slows down instead of buffering. Messages are never dropped.
    /// </summary>
    public static IObservable<NmsgMessage> RateLimit(this IObservable<NmsgMessage> messages, int perSecond, int burst = 1, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return Observable.Create<NmsgMessage>(observer =>
        {
            var limiter = new NmsgRateLimiter(perSecond, burst, timeProvider);
            return messages.Subscribe(m =>
            {
                limiter.Wait();
                observer.OnNext(m);
            }, observer.OnError, observer.OnCompleted);
        });
    }

    /// <summary>Paces an async sequence to <paramref name="perSecond"/> messages per second.</summary>
    public static async IAsyncEnumerable<NmsgMessage> RateLimit(this IAsyncEnumerable<NmsgMessage> messages, int perSecond, int burst = 1, TimeProvider? timeProvider = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var limiter = new NmsgRateLimiter(perSecond, burst, timeProvider);
        await foreach (NmsgMessage m in messages.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            await limiter.WaitAsync(cancellationToken).ConfigureAwait(false);
            yield return m;
        }
    }

    /// <summary>
    /// Ends the stream at the next epoch-aligned multiple of <paramref name="interval"/> (nmsgtool <c>-t</c>;
    /// 3600 s ends on the hour), or at a random point inside the interval when <paramref name="randomize"/> is set
    /// (<c>-R</c>).
    /// </summary>
    public static IObservable<NmsgMessage> TakeInterval(this IObservable<NmsgMessage> messages, TimeSpan interval, bool randomize = false,
        IScheduler? scheduler = null, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return Observable.Defer(() =>
        {
            IScheduler s = scheduler ?? DefaultScheduler.Instance;
            DateTimeOffset end = IntervalEnd(s.Now, interval, randomize ? RandomOffset(interval, random) : TimeSpan.Zero);
            return messages.TakeUntil(end, s);
        });
    }

    /// <summary>
    /// The end of the interval that contains <paramref name="now"/>: the next epoch-aligned multiple of
    /// <paramref name="interval"/>, shifted by <paramref name="offset"/> (the <c>-R</c> randomization); always after
    /// <paramref name="now"/>.
    /// </summary>
    public static DateTimeOffset IntervalEnd(DateTimeOffset now, TimeSpan interval, TimeSpan offset = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        long ticks = now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        long start = ticks - (ticks % interval.Ticks);
        long end = start + offset.Ticks;
        while (end <= ticks)
            end += interval.Ticks;
        return new DateTimeOffset(DateTimeOffset.UnixEpoch.UtcTicks + end, TimeSpan.Zero);
    }

    internal static TimeSpan RandomOffset(TimeSpan interval, Random? random)
        => TimeSpan.FromTicks((long)((random ?? Random.Shared).NextDouble() * interval.Ticks));
}

/// <summary>Fan-out observers: one message to every output, or each to the next in turn.</summary>
public static class NmsgFanOut
{
    /// <summary>Every message to every observer (nmsgtool <c>--mirror</c>); completion and errors go to all.</summary>
    public static IObserver<NmsgMessage> Mirror(params IObserver<NmsgMessage>[] outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        IObserver<NmsgMessage>[] copy = [.. outputs];
        return Fan(copy, m =>
        {
            foreach (IObserver<NmsgMessage> o in copy)
                o.OnNext(m);
        });
    }

    /// <summary>Messages round-robin across the observers (nmsgtool's default); completion and errors go to all.</summary>
    public static IObserver<NmsgMessage> Stripe(params IObserver<NmsgMessage>[] outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        if (outputs.Length == 0)
            throw new ArgumentException("stripe needs at least one output", nameof(outputs));
        IObserver<NmsgMessage>[] copy = [.. outputs];
        int next = 0;
        return Fan(copy, m =>
        {
            int i = next;
            next = i + 1 == copy.Length ? 0 : i + 1;
            copy[i].OnNext(m);
        });
    }

    // Messages as the fan-out decides; completion and errors to every output.
    private static IObserver<NmsgMessage> Fan(IObserver<NmsgMessage>[] outputs, Action<NmsgMessage> onNext)
        => Observer.Create(
            onNext,
            e =>
            {
                foreach (IObserver<NmsgMessage> o in outputs)
                    o.OnError(e);
            },
            () =>
            {
                foreach (IObserver<NmsgMessage> o in outputs)
                    o.OnCompleted();
            });
}

/// <summary>Writing async sequences to sinks.</summary>
public static class NmsgAsyncEnumerableExtensions
{
    /// <summary>
    /// Writes every message of <paramref name="source"/> to <paramref name="sink"/> (pulling the next one only after
    /// the sink took the last), then completes the sink and waits until it has flushed and closed. Returns the
    /// number of messages written.
    /// </summary>
    /// <exception cref="IOException">The sink failed; the sequence is not read further.</exception>
    public static async Task<long> WriteToAsync(this IAsyncEnumerable<NmsgMessage> source, NmsgSink sink, bool complete = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(sink);
        long n = 0;
        try
        {
            await foreach (NmsgMessage m in source.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                await sink.WriteAsync(m, cancellationToken).ConfigureAwait(false);
                n++;
            }
        }
        catch (Exception) when (complete)
        {
            await sink.CloseAsync().ConfigureAwait(false);
            throw;
        }
        if (complete)
        {
            await sink.CloseAsync().ConfigureAwait(false);
            await sink.Completion.ConfigureAwait(false);
        }
        return n;
    }
}
