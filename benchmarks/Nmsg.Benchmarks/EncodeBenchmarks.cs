using BenchmarkDotNet.Attributes;
using Nmsg.Containers;

namespace Nmsg.Benchmarks;

/// <summary>
/// 1000 ipconn messages added to a long-lived encoder, flushed into one container and consumed: the steady state
/// of a file or stream output. Per-op numbers are per payload.
/// </summary>
[Config(typeof(BenchConfig))]
public class EncodeBenchmarks
{
    private NmsgMessage[] _messages = [];
    private NmsgContainerEncoder _plain = null!;
    private NmsgContainerEncoder _zlib = null!;
    private NmsgContainerEncoder _zlibReference = null!;

    [GlobalSetup]
    public void Setup()
    {
        _messages = BenchData.IpconnMessages(BenchData.PayloadCount);
        _plain = new NmsgContainerEncoder(NmsgEncoderOptions.Default);
        _zlib = new NmsgContainerEncoder(NmsgEncoderOptions.Default with { Compress = true });
        _zlibReference = new NmsgContainerEncoder(NmsgEncoderOptions.Default with { Compress = true, Deflater = Compression.NmsgDeflater.Reference });
        // Grow the pooled buffers once, outside the measurement.
        Encode(_plain);
        Encode(_zlib);
        Encode(_zlibReference);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _plain.Dispose();
        _zlib.Dispose();
        _zlibReference.Dispose();
    }

    [Benchmark(OperationsPerInvoke = BenchData.PayloadCount)]
    public int EncodePlain() => Encode(_plain);

    [Benchmark(OperationsPerInvoke = BenchData.PayloadCount)]
    public int EncodeZlib() => Encode(_zlib);

    /// <summary>zlib through the platform's libz: nmsgtool's exact bytes.</summary>
    [Benchmark(OperationsPerInvoke = BenchData.PayloadCount)]
    public int EncodeZlibReference() => Encode(_zlibReference);

    private int Encode(NmsgContainerEncoder encoder)
    {
        NmsgMessage[] messages = _messages;
        for (int i = 0; i < messages.Length; i++)
            encoder.Add(messages[i]);
        encoder.Flush();
        int bytes = encoder.Ready.Length;
        encoder.ConsumeReady();
        return bytes;
    }
}
