using BenchmarkDotNet.Attributes;
using Nmsg.Containers;
using Nmsg.Reactive;
using Nmsg.Transports;

namespace Nmsg.Benchmarks;

/// <summary>
/// File → file of 100 000 ipconn payloads (in memory, 1 MiB containers as nmsgtool writes them): the plain wire
/// reader and writer against the same job through <see cref="NmsgSource"/> → <see cref="NmsgSink"/>, and through
/// <see cref="NmsgIo"/>. Per-op numbers are per payload. The Rx layer's budget is &lt; 20% over the wire layer.
/// </summary>
[Config(typeof(BenchConfig))]
public class RxPipelineBenchmarks
{
    private const int Containers = 100;
    private const int Total = Containers * BenchData.PayloadCount;
    private byte[] _file = [];

    [GlobalSetup]
    public void Setup() => _file = BenchData.EncodeFile(BenchData.IpconnMessages(BenchData.PayloadCount), Containers);

    [Benchmark(Baseline = true, OperationsPerInvoke = Total)]
    public async Task<long> WireReaderToWriter()
    {
        await using var reader = new NmsgStreamReader(new MemoryStream(_file, writable: false));
        await using var writer = new NmsgStreamWriter(Stream.Null);
        await foreach (NmsgMessage m in reader.ReadAllAsync())
            writer.Write(m);
        await writer.FlushAsync();
        return writer.Encoder.PayloadsWritten;
    }

    [Benchmark(OperationsPerInvoke = Total)]
    public async Task<long> ObservableSourceToSink()
    {
        NmsgSink sink = NmsgSink.Stream(Stream.Null);
        using (NmsgSource.Stream(() => new MemoryStream(_file, writable: false)).Subscribe(sink))
            await sink.Completion;
        return sink.Written;
    }

    [Benchmark(OperationsPerInvoke = Total)]
    public async Task<long> AsyncSourceToSink()
    {
        await using NmsgSink sink = NmsgSink.Stream(Stream.Null);
        await foreach (NmsgMessage m in NmsgSource.Stream(() => new MemoryStream(_file, writable: false)).ReadAllAsync())
            sink.OnNext(m);
        return sink.Written;
    }

    [Benchmark(OperationsPerInvoke = Total)]
    public async Task<long> NmsgIoFileToFile()
    {
        NmsgIoStatistics stats = await new NmsgIo()
            .AddInput(NmsgSource.Stream(() => new MemoryStream(_file, writable: false)))
            .AddOutput(NmsgSink.Stream(Stream.Null))
            .RunAsync();
        return stats.PayloadsOut;
    }
}
