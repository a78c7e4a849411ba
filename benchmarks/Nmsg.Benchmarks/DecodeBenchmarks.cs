using BenchmarkDotNet.Attributes;
using Nmsg.Containers;
using Nmsg.Framing;

namespace Nmsg.Benchmarks;

/// <summary>
/// One 1 MiB-budget container of 1000 ipconn payloads, framed header parsed and body decoded into a reused list.
/// Per-op numbers are per payload.
/// </summary>
[Config(typeof(BenchConfig))]
public class DecodeBenchmarks
{
    private readonly List<NmsgMessage> _output = new(BenchData.PayloadCount);
    private byte[] _plain = [];
    private byte[] _zlib = [];
    private NmsgContainerDecoder _decoder = null!;

    [GlobalSetup]
    public void Setup()
    {
        NmsgMessage[] messages = BenchData.IpconnMessages(BenchData.PayloadCount);
        _plain = BenchData.EncodeOne(messages, NmsgEncoderOptions.Default);
        _zlib = BenchData.EncodeOne(messages, NmsgEncoderOptions.Default with { Compress = true });
        _decoder = new NmsgContainerDecoder();
        if (Decode(_plain) != BenchData.PayloadCount || Decode(_zlib) != BenchData.PayloadCount)
            throw new InvalidOperationException("the benchmark containers do not decode to every payload");
    }

    [GlobalCleanup]
    public void Cleanup() => _decoder.Dispose();

    [Benchmark(OperationsPerInvoke = BenchData.PayloadCount)]
    public int DecodePlain() => Decode(_plain);

    [Benchmark(OperationsPerInvoke = BenchData.PayloadCount)]
    public int DecodeZlib() => Decode(_zlib);

    private int Decode(byte[] container)
    {
        if (!NmsgFramer.TryReadHeader(container, allowV1: false, NmsgLimits.Default.MaxContainerLength, 0, out NmsgHeader header))
            throw new InvalidOperationException("short container");
        _output.Clear();
        return _decoder.Decode(header, container.AsMemory(header.HeaderSize, header.Length), _output);
    }
}
