using BenchmarkDotNet.Attributes;
using Nmsg.Containers;
using Nmsg.Transports;

namespace Nmsg.Benchmarks;

/// <summary>
/// <see cref="NmsgStreamReader.ReadAllAsync"/> over a <see cref="MemoryStream"/> holding 100 000 ipconn payloads.
/// Per-op numbers are per payload (reader setup included).
/// </summary>
[Config(typeof(BenchConfig))]
public class StreamReadBenchmarks
{
    private const int Containers = 100;
    private const int Total = Containers * BenchData.PayloadCount;

    private byte[] _file = [];
    private byte[] _fullFile = [];

    [GlobalSetup]
    public void Setup()
    {
        NmsgMessage[] messages = BenchData.IpconnMessages(BenchData.PayloadCount);
        using var encoder = new NmsgContainerEncoder(NmsgEncoderOptions.Default);
        using var file = new MemoryStream();
        for (int c = 0; c < Containers; c++)
        {
            foreach (NmsgMessage m in messages)
                encoder.Add(m);
            encoder.Flush();
            file.Write(encoder.Ready.Span);
            encoder.ConsumeReady();
        }
        _file = file.ToArray();
        // The same payloads as nmsgtool writes a file: containers filled to the 1 MiB budget (~22 700 each).
        _fullFile = BenchData.EncodeFile(messages, Containers);
        if (Read(_file).GetAwaiter().GetResult() != Total || Read(_fullFile).GetAwaiter().GetResult() != Total)
            throw new InvalidOperationException("the benchmark file does not read back to every payload");
    }

    /// <summary>100 containers × 1000 payloads (~45 KB containers).</summary>
    [Benchmark(OperationsPerInvoke = Total)]
    public Task<int> StreamRead() => Read(_file);

    /// <summary>The same 100 000 payloads in 1 MiB containers, as nmsgtool writes files.</summary>
    [Benchmark(OperationsPerInvoke = Total)]
    public Task<int> StreamReadFullContainers() => Read(_fullFile);

    private static async Task<int> Read(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        await using var reader = new NmsgStreamReader(stream);
        int count = 0;
        await foreach (NmsgMessage _ in reader.ReadAllAsync().ConfigureAwait(false))
            count++;
        return count;
    }
}
