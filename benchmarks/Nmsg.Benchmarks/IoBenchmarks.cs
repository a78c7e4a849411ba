using BenchmarkDotNet.Attributes;
using Nmsg.Reactive;

namespace Nmsg.Benchmarks;

/// <summary>
/// <c>nmsg -r F -w G</c> in process: <see cref="NmsgIo"/> from a file of 1M ipconn payloads in 1 MiB containers
/// (as nmsgtool writes them) to a file output, with and without <see cref="NmsgIo.ReuseBuffers"/>. Per-op numbers
/// are per payload (the run's set-up included); the allocation column shows what a container body costs per message
/// without reuse (about 1 MiB per 23 000 payloads) and that the message object is what is left with it.
/// </summary>
[Config(typeof(BenchConfig))]
public class IoBenchmarks
{
    private const int Repeats = 50;
    private const int Total = Repeats * 20_000;

    private byte[] _file = [];

    [GlobalSetup]
    public void Setup()
    {
        _file = BenchData.EncodeFile(BenchData.IpconnMessages(20_000), Repeats);
        if (Run(reuse: false).GetAwaiter().GetResult() != Total || Run(reuse: true).GetAwaiter().GetResult() != Total)
            throw new InvalidOperationException("the benchmark file does not copy every payload");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Total)]
    public Task<long> FileToFile() => Run(reuse: false);

    [Benchmark(OperationsPerInvoke = Total)]
    public Task<long> FileToFileReusingBuffers() => Run(reuse: true);

    private async Task<long> Run(bool reuse)
    {
        NmsgIoStatistics stats = await new NmsgIo()
            .ReuseBuffers(reuse)
            .AddInput(NmsgSource.Stream(() => new MemoryStream(_file, writable: false)))
            .AddOutput(NmsgSink.Stream(Stream.Null))
            .RunAsync().ConfigureAwait(false);
        return stats.PayloadsOut;
    }
}
