using BenchmarkDotNet.Attributes;
using Nmsg.Containers;
using Nmsg.Framing;
using Nmsg.Internal;
using Nmsg.Text;

namespace Nmsg.Benchmarks;

/// <summary>
/// Presentation and JSON formatting as the CLI does it: a container of 1000 payloads (the reference vectors'
/// ipconn, dns and dnsqr-pcap messages, repeated as the end-to-end files are) is decoded into fresh messages and
/// every message is formatted into a sink-sized buffer. Unlike <see cref="FormatBenchmarks"/> no message is reused,
/// so per-message decode and lookup costs count. Per-op numbers are per message; <see cref="DecodeOnly"/> is the
/// decode share.
/// </summary>
[Config(typeof(BenchConfig))]
public class FormatStreamBenchmarks
{
    private const int Messages = BenchData.PayloadCount;
    private const int FlushAt = 64 * 1024;

    // The text sinks' own buffer type, which the formatters write into directly (no per-message copy).
    private readonly PooledBufferWriter _output = new(FlushAt + 4096);
    private readonly List<NmsgMessage> _decoded = new(Messages);
    private NmsgContainerDecoder _decoder = null!;
    private byte[] _container = [];

    /// <summary>The vector file the messages come from.</summary>
    [Params("ipconn", "dns", "dnsqr-pcap")]
    public string Type { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        string[] lines = File.ReadAllLines(Path.Combine(VectorsDirectory(), "plain", Type + ".json"));
        var messages = new NmsgMessage[Messages];
        for (int i = 0; i < Messages; i++)
            messages[i] = NmsgJsonReader.Parse(lines[i % lines.Length]);
        _container = BenchData.EncodeOne(messages, NmsgEncoderOptions.Default);
        _decoder = new NmsgContainerDecoder();
        if (DecodeOnly() != Messages)
            throw new InvalidOperationException("the benchmark container does not decode to every payload");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _decoder.Dispose();
        _output.Dispose();
    }

    [Benchmark(OperationsPerInvoke = Messages)]
    public int DecodeOnly()
    {
        if (!NmsgFramer.TryReadHeader(_container, allowV1: false, NmsgLimits.Default.MaxContainerLength, 0, out NmsgHeader header))
            throw new InvalidOperationException("short container");
        _decoded.Clear();
        return _decoder.Decode(header, _container.AsMemory(header.HeaderSize, header.Length), _decoded);
    }

    [Benchmark(OperationsPerInvoke = Messages)]
    public long Presentation()
    {
        DecodeOnly();
        long total = 0;
        foreach (NmsgMessage m in _decoded)
        {
            NmsgPresentation.Format(m, _output);
            total += Drain();
        }
        return total;
    }

    [Benchmark(OperationsPerInvoke = Messages)]
    public long Json()
    {
        DecodeOnly();
        long total = 0;
        foreach (NmsgMessage m in _decoded)
        {
            NmsgJson.Format(m, _output);
            total += Drain();
        }
        return total;
    }

    /// <summary>Empties the buffer once it holds a sink's worth, as the text sink does.</summary>
    private int Drain()
    {
        int n = _output.WrittenCount;
        if (n < FlushAt)
            return 0;
        _output.Clear();
        return n;
    }

    private static string VectorsDirectory()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "Nmsg.Wire.Tests", "vectors");
            if (Directory.Exists(candidate))
                return candidate;
        }
        throw new DirectoryNotFoundException("tests/Nmsg.Wire.Tests/vectors not found above " + AppContext.BaseDirectory);
    }
}
