using System.Diagnostics.Metrics;
using Nmsg.Containers;

namespace Nmsg.Reactive;

/// <summary>
/// <see cref="System.Diagnostics.Metrics"/> instruments for every live <see cref="NmsgInput"/> and
/// <see cref="NmsgSink"/>, on the meter named <c>Nmsg</c>. Each measurement carries the tag <c>nmsg.input</c> or
/// <c>nmsg.output</c> with the input's or output's name. Observing never throws into the caller.
/// </summary>
public static class NmsgMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Nmsg";

    private static readonly Lock Gate = new();
    private static readonly List<WeakReference<NmsgInput>> Inputs = [];
    private static readonly List<WeakReference<NmsgSink>> Outputs = [];
    private static readonly Meter Meter = new(MeterName, typeof(NmsgMetrics).Assembly.GetName().Version?.ToString());

    static NmsgMetrics()
    {
        Counter("nmsg.input.containers", "{container}", "Containers decoded", s => s.ContainersReceived);
        Counter("nmsg.input.containers.lost", "{container}", "Containers lost (sequence gaps)", s => s.ContainersLost);
        Counter("nmsg.input.payloads", "{payload}", "Payloads read", s => s.Payloads);
        Counter("nmsg.input.bytes", "By", "Bytes read", s => s.Bytes);
        Counter("nmsg.input.datagrams", "{datagram}", "Datagrams received", s => s.Datagrams);
        Counter("nmsg.input.crc_failures", "{payload}", "Payloads dropped for a bad CRC", s => s.CrcFailures);
        Counter("nmsg.input.malformed", "{container}", "Datagrams or containers dropped as malformed", s => s.MalformedContainers);
        Counter("nmsg.input.queue_drops", "{container}", "Containers dropped because the consumer queue was full", s => s.QueueDrops);
        Counter("nmsg.input.fragment_sets.expired", "{set}", "Fragment sets expired or evicted",
            s => s.FragmentSetsExpired + s.FragmentSetsEvicted);
        Meter.CreateObservableUpDownCounter("nmsg.input.fragment_sets.pending",
            () => Measure(s => s.FragmentSetsPending), "{set}", "Incomplete fragment sets held");
        Meter.CreateObservableUpDownCounter("nmsg.input.fragment_bytes.pending",
            () => Measure(s => s.FragmentBytesPending), "By", "Bytes held by incomplete fragment sets");
        Meter.CreateObservableCounter("nmsg.output.payloads", MeasureOutputs, "{payload}", "Payloads written");
    }

    private static void Counter(string name, string unit, string description, Func<NmsgStatisticsSnapshot, long> value)
        => Meter.CreateObservableCounter(name, () => Measure(value), unit, description);

    internal static void Register(NmsgInput input)
    {
        lock (Gate)
        {
            Prune(Inputs);
            Inputs.Add(new WeakReference<NmsgInput>(input));
        }
    }

    internal static void Register(NmsgSink sink)
    {
        lock (Gate)
        {
            Prune(Outputs);
            Outputs.Add(new WeakReference<NmsgSink>(sink));
        }
    }

    private static void Prune<T>(List<WeakReference<T>> list) where T : class
    {
        if (list.Count < 64 || (list.Count & 63) != 0)
            return;
        list.RemoveAll(w => !w.TryGetTarget(out _));
    }

    private static List<Measurement<long>> Measure(Func<NmsgStatisticsSnapshot, long> value)
    {
        var result = new List<Measurement<long>>();
        try
        {
            lock (Gate)
            {
                foreach (WeakReference<NmsgInput> w in Inputs)
                {
                    if (w.TryGetTarget(out NmsgInput? input))
                        result.Add(new Measurement<long>(value(input.Statistics.Snapshot()), new KeyValuePair<string, object?>("nmsg.input", input.Name)));
                }
            }
        }
        catch (Exception)
        {
            // Instrumentation must never fail the caller.
        }
        return result;
    }

    private static List<Measurement<long>> MeasureOutputs()
    {
        var result = new List<Measurement<long>>();
        try
        {
            lock (Gate)
            {
                foreach (WeakReference<NmsgSink> w in Outputs)
                {
                    if (w.TryGetTarget(out NmsgSink? sink))
                        result.Add(new Measurement<long>(sink.Written, new KeyValuePair<string, object?>("nmsg.output", sink.Name)));
                }
            }
        }
        catch (Exception)
        {
            // Instrumentation must never fail the caller.
        }
        return result;
    }
}
