using System.Diagnostics.Metrics;
using System.Reactive.Concurrency;
using System.Reactive.Linq;
using Nmsg.Containers;
using Nmsg.Text;
using Nmsg.Transports;

namespace Nmsg.Reactive.Tests;

public class PipelineTests
{
    private static readonly string Ipconn1000 = Support.Vector("multi/ipconn-1000.nmsg");

    [Fact]
    public async Task FileToFileThroughRxIsByteIdenticalToTheReference()
    {
        string output = Path.GetTempFileName();
        try
        {
            NmsgSink sink = NmsgSink.File(output);
            using (NmsgSource.File(Ipconn1000).Subscribe(sink))
                await sink.Completion.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(await File.ReadAllBytesAsync(Ipconn1000), await File.ReadAllBytesAsync(output));
            Assert.Equal(1000, sink.Written);
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Theory]
    [InlineData("multi/ipconn-1000", 1)]
    [InlineData("multi/ipconn-1000.z", 1)]
    [InlineData("plain/dns", 1)]
    [InlineData("multi/ipconn-1000", 4)] // formatted in parallel batches
    [InlineData("multi/ipconn-1000.z", 4)]
    [InlineData("plain/dns", 4)]
    [InlineData("plain/dnsqr-pcap", 4)]
    public async Task PresentationAndJsonSinksPrintWhatNmsgtoolPrinted(string vector, int parallelism)
    {
        var pres = new MemoryStream();
        var json = new MemoryStream();
        var options = new NmsgTextSinkOptions { Parallelism = parallelism };
        NmsgSink presSink = NmsgSink.Presentation(pres, options, leaveOpen: true);
        NmsgSink jsonSink = NmsgSink.Json(json, options, leaveOpen: true);
        using (NmsgSource.File(Support.Vector(vector + ".nmsg")).Subscribe(NmsgFanOut.Mirror(presSink, jsonSink)))
            await Task.WhenAll(presSink.Completion, jsonSink.Completion).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(await File.ReadAllBytesAsync(Support.Vector(vector + ".pres")), pres.ToArray());
        Assert.Equal(await File.ReadAllBytesAsync(Support.Vector(vector + ".json")), json.ToArray());
    }

    [Fact]
    public async Task AFileEndsWithTheTypedErrorAfterEveryGoodMessage()
    {
        var got = new List<NmsgMessage>();
        var error = new TaskCompletionSource<Exception>();
        using IDisposable _ = NmsgSource.File(Support.Vector("malformed/valid-then-bad-magic.nmsg"))
            .Subscribe(got.Add, e => error.SetResult(e), () => error.SetResult(new InvalidOperationException("completed")));
        Exception e = await error.Task.WaitAsync(TimeSpan.FromSeconds(10));
        NmsgFormatException format = Assert.IsType<NmsgFormatException>(e);
        Assert.Equal(NmsgErrorReason.BadMagic, format.Reason);
        Assert.Equal(4, got.Count); // RESULTS.tsv: nmsgtool printed 4 payloads, then failed

        // The async shape: the same messages, then the same error.
        int n = 0;
        await Assert.ThrowsAsync<NmsgFormatException>(async () =>
        {
            await foreach (NmsgMessage m in NmsgSource.File(Support.Vector("malformed/valid-then-bad-magic.nmsg")).ReadAllAsync())
                n++;
        });
        Assert.Equal(4, n);
    }

    [Fact]
    public async Task AsyncReadingHasBackpressureAndStopsOnCancellation()
    {
        using var cts = new CancellationTokenSource();
        NmsgInput input = NmsgSource.File(Ipconn1000);
        int n = 0;
        await foreach (NmsgMessage m in input.ReadAllAsync(cts.Token))
        {
            if (++n == 10)
                cts.Cancel();
        }
        Assert.Equal(10, n); // cancellation ends the sequence quietly, at once
    }

    [Fact]
    public async Task MergedInputsNeverCallOnNextConcurrently()
    {
        NmsgInput merged = NmsgSource.Merge(NmsgSource.File(Ipconn1000), NmsgSource.File(Ipconn1000), NmsgSource.File(Support.Vector("multi/ipconn-1000.z.nmsg")));
        int inside = 0, overlaps = 0, count = 0;
        var done = new TaskCompletionSource();
        using IDisposable _ = merged.Subscribe(m =>
        {
            if (Interlocked.Increment(ref inside) != 1)
                overlaps++;
            Thread.SpinWait(50);
            count++;
            Interlocked.Decrement(ref inside);
        }, e => done.SetException(e), done.SetResult);
        await done.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(0, overlaps);
        Assert.Equal(3000, count);
        Assert.Equal(3000, merged.Statistics.Payloads);
    }

    [Fact]
    public void TypeSourceOperatorAndGroupFiltersAndStamping()
    {
        NmsgMessage[] messages = [.. Enumerable.Range(0, 10).Select(i => Support.Numbered(i))];
        for (int i = 0; i < messages.Length; i++)
        {
            if (i % 2 == 0)
                messages[i].Source = 7;
            if (i % 3 == 0)
                messages[i].Operator = 2;
            if (i % 5 == 0)
                messages[i].Group = 3;
        }
        NmsgAliases aliases = NmsgAliases.FromLines(["2 research"], ["3 honeypot"]);
        IObservable<NmsgMessage> all = messages.ToObservable();
        Assert.Equal(10, all.WhereType("base", "ipconn").ToEnumerable().Count());
        Assert.Equal(10, all.WhereType<Nmsg.Modules.Base.IPConn>().ToEnumerable().Count());
        Assert.Empty(all.WhereType("base", "dns").ToEnumerable());
        Assert.Throws<ArgumentException>(() => all.WhereType("base", "nosuch"));
        Assert.Equal([0, 2, 4, 6, 8], all.WhereSource(7).Select(Support.NumberOf).ToEnumerable());
        Assert.Equal([0, 3, 6, 9], all.WhereOperator("research", aliases).Select(Support.NumberOf).ToEnumerable());
        Assert.Equal([0, 5], all.WhereGroup("0x3", aliases).Select(Support.NumberOf).ToEnumerable());
        Assert.Throws<ArgumentException>(() => all.WhereGroup("nosuch", aliases));
        Assert.All(all.Stamp(source: 0xAB, group: 9).ToEnumerable(), m => Assert.Equal((0xABu, 9u), (m.Source!.Value, m.Group!.Value)));
    }

    [Fact]
    public void MirrorCopiesAndStripeDistributesRoundRobin()
    {
        var a = new List<int>();
        var b = new List<int>();
        var c = new List<int>();
        IObservable<NmsgMessage> source = Enumerable.Range(0, 10).Select(i => Support.Numbered(i)).ToObservable();
        source.Subscribe(NmsgFanOut.Stripe(NmsgSink.Callback(m => a.Add(Support.NumberOf(m))), NmsgSink.Callback(m => b.Add(Support.NumberOf(m))), NmsgSink.Callback(m => c.Add(Support.NumberOf(m)))));
        Assert.Equal([0, 3, 6, 9], a);
        Assert.Equal([1, 4, 7], b);
        Assert.Equal([2, 5, 8], c);
        a.Clear();
        b.Clear();
        source.Subscribe(NmsgFanOut.Mirror(NmsgSink.Callback(m => a.Add(Support.NumberOf(m))), NmsgSink.Callback(m => b.Add(Support.NumberOf(m)))));
        Assert.Equal(Enumerable.Range(0, 10), a);
        Assert.Equal(Enumerable.Range(0, 10), b);
    }

    [Fact]
    public void TakeIntervalEndsOnTheEpochAlignedBoundaryInVirtualTime()
    {
        // 10:59:30 UTC: a 1-hour interval ends at 11:00:00, i.e. after 30 virtual seconds.
        var start = new DateTimeOffset(2026, 11, 22, 10, 59, 30, TimeSpan.Zero);
        var scheduler = new HistoricalScheduler(start);
        var got = new List<long>();
        bool completed = false;
        Observable.Interval(TimeSpan.FromSeconds(10), scheduler).Select(i => Support.Numbered((int)i))
            .TakeInterval(TimeSpan.FromHours(1), scheduler: scheduler)
            .Subscribe(m => got.Add(Support.NumberOf(m)), () => completed = true);
        scheduler.AdvanceBy(TimeSpan.FromSeconds(29));
        Assert.Equal([0, 1], got);
        Assert.False(completed);
        scheduler.AdvanceBy(TimeSpan.FromSeconds(1));
        Assert.True(completed);
        Assert.Equal([0, 1], got);

        Assert.Equal(new DateTimeOffset(2026, 11, 22, 11, 0, 0, TimeSpan.Zero), NmsgOperators.IntervalEnd(start, TimeSpan.FromHours(1)));
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 11, 0, 0, TimeSpan.Zero), NmsgOperators.IntervalEnd(start.AddSeconds(30).AddTicks(-1), TimeSpan.FromHours(1)));
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero), NmsgOperators.IntervalEnd(start.AddSeconds(30), TimeSpan.FromHours(1)));
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 11, 20, 0, TimeSpan.Zero), NmsgOperators.IntervalEnd(start, TimeSpan.FromHours(1), TimeSpan.FromMinutes(20)));
    }

    [Fact]
    public void StatisticsSnapshotsArriveOnTheSchedulersPeriod()
    {
        var scheduler = new HistoricalScheduler();
        NmsgInput input = NmsgSource.File(Ipconn1000);
        var snapshots = new List<NmsgStatisticsSnapshot>();
        using IDisposable _ = input.StatisticsSnapshots(TimeSpan.FromSeconds(5), scheduler).Subscribe(snapshots.Add);
        scheduler.AdvanceBy(TimeSpan.FromSeconds(5));
        Assert.Single(snapshots);
        Assert.Equal(0, snapshots[0].Payloads);
        int n = input.ToEnumerable().Count();
        scheduler.AdvanceBy(TimeSpan.FromSeconds(10));
        Assert.Equal(3, snapshots.Count);
        Assert.Equal(1000, n);
        Assert.Equal(1000, snapshots[^1].Payloads);
        Assert.Equal(1, snapshots[^1].ContainersReceived);
        Assert.Equal(new FileInfo(Ipconn1000).Length, snapshots[^1].Bytes);
    }

    [Fact]
    public async Task MetricsReportEveryLiveInput()
    {
        NmsgInput input = NmsgSource.File(Ipconn1000);
        Assert.Equal(1000, (await input.ReadAllAsync().ToListAsync()).Count);
        var payloads = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == NmsgMetrics.MeterName)
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "nmsg.input.payloads")
            {
                foreach (KeyValuePair<string, object?> tag in tags)
                {
                    if (tag.Key == "nmsg.input" && ReferenceEquals(tag.Value, input.Name))
                        payloads[(string)tag.Value!] = value;
                }
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        Assert.Equal(1000, payloads[input.Name]);
        GC.KeepAlive(input);
    }

    [Fact]
    public async Task JsonAndPresentationInputsReadWhatTheyDescribe()
    {
        // JSON lines of the vector parse back to the vector's payloads.
        NmsgMessage[] binary = [.. NmsgSource.File(Ipconn1000).ToEnumerable()];
        NmsgMessage[] fromJson = [.. await NmsgSource.Json(Support.Vector("multi/ipconn-1000.json")).ReadAllAsync().ToListAsync()];
        Assert.Equal(binary.Select(m => m.Payload.ToArray()), fromJson.Select(m => m.Payload.ToArray()));

        // A bad line is skipped and counted, as nmsgtool does, unless asked to stop.
        string path = Path.GetTempFileName();
        try
        {
            string[] lines = File.ReadLines(Support.Vector("multi/ipconn-1000.json")).Take(3).ToArray();
            await File.WriteAllLinesAsync(path, [lines[0], "{not json", lines[1], lines[2]]);
            var errors = new List<NmsgFormatException>();
            NmsgInput input = NmsgSource.Json(path, new NmsgTextSourceOptions { OnError = errors.Add });
            Assert.Equal(3, input.ToEnumerable().Count());
            Assert.Equal(1, input.Statistics.MalformedContainers);
            Assert.Contains("line 2", Assert.Single(errors).Message);
            await Assert.ThrowsAsync<NmsgFormatException>(async () =>
                await NmsgSource.Json(path, new NmsgTextSourceOptions { StopOnError = true }).ReadAllAsync().ToListAsync());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task JsonInputParsedInParallelGivesTheSequentialMessagesAndReports()
    {
        string[] lines = File.ReadLines(Support.Vector("multi/ipconn-1000.json")).ToArray();
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < lines.Length; i++)
            text.Append(i % 97 == 5 ? "{\"vname\":\"base\",\"mname\":\"nosuch\",\"message\":{}}\n" : "").Append(lines[i]).Append('\n');
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(text.ToString());

        async Task<(byte[][] Payloads, string[] Errors, long Malformed)> ReadAsync(int parallelism)
        {
            var errors = new List<string>();
            NmsgInput input = NmsgSource.Json(() => new MemoryStream(bytes), new NmsgTextSourceOptions { OnError = e => errors.Add(e.Message), Parallelism = parallelism });
            List<NmsgMessage> read = await input.ReadAllAsync().ToListAsync();
            return ([.. read.Select(m => m.Payload.ToArray())], [.. errors], input.Statistics.MalformedContainers);
        }

        var sequential = await ReadAsync(1);
        var parallel = await ReadAsync(3);
        Assert.Equal(lines.Length, sequential.Payloads.Length);
        Assert.Equal(11, sequential.Errors.Length);
        Assert.Equal(sequential.Payloads, parallel.Payloads);
        Assert.Equal(sequential.Errors, parallel.Errors);
        Assert.Equal(11, parallel.Malformed);
        Assert.True(NmsgTextSourceOptions.Default.Parallelism >= 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => new NmsgTextSourceOptions { Parallelism = 0 });
    }

    [Fact]
    public async Task PresentationInputFromAStreamReadsBackPresentationOutput()
    {
        byte[] text = await File.ReadAllBytesAsync(Support.Vector("multi/ipconn-1000.pres"));
        NmsgMessage[] binary = [.. NmsgSource.File(Ipconn1000).ToEnumerable()];
        NmsgMessage[] parsed = [.. await NmsgSource.Presentation(() => new MemoryStream(text), "base", "ipconn").ReadAllAsync().ToListAsync()];
        Assert.Equal(binary.Length, parsed.Length);
        Assert.Equal(binary.Select(m => m.Get<Nmsg.Modules.Base.IPConn>()), parsed.Select(m => m.Get<Nmsg.Modules.Base.IPConn>()));
    }

    [Fact]
    public async Task TheNonBlockingReaderTimesOutAndThenDelivers()
    {
        await using NmsgUdpReceiver receiver = Support.Listen();
        await using NmsgMessageReader reader = NmsgSource.Udp(receiver).OpenReader();
        Assert.Null(await reader.TryReadAsync(TimeSpan.FromMilliseconds(50)));
        Assert.False(reader.IsCompleted);
        await using (NmsgSink sink = NmsgSink.Udp(Support.SpecOf(receiver)))
            sink.OnNext(Support.Numbered(5));
        NmsgMessage? m = await reader.TryReadAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(m);
        Assert.Equal(5, Support.NumberOf(m));
    }
}
