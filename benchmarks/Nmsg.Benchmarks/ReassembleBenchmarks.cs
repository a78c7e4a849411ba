using BenchmarkDotNet.Attributes;
using Nmsg.Containers;
using Nmsg.Framing;

namespace Nmsg.Benchmarks;

/// <summary>
/// One 100 KB payload fragmented into 8 KiB containers (the UDP default budget), each fragment container decoded
/// until the set is reassembled. One op = one whole set.
/// </summary>
[Config(typeof(BenchConfig))]
public class ReassembleBenchmarks
{
    private const int PayloadSize = 100 * 1024;

    private readonly List<NmsgMessage> _output = new(1);
    private byte[] _containers = [];
    private int[] _ends = [];
    private NmsgContainerDecoder _decoder = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        byte[] payload = new byte[PayloadSize];
        random.NextBytes(payload);
        var message = new NmsgMessage(1, 5, new NmsgTimestamp(1_700_000_000, 123_456_789), payload);
        _containers = BenchData.Encode([message],
            NmsgEncoderOptions.Default with { BufferSize = NmsgConstants.JumboBufferSize, Random = new Random(11) }, out _ends);
        if (_ends.Length < 2)
            throw new InvalidOperationException("the payload did not fragment");
        _decoder = new NmsgContainerDecoder();
        if (Reassemble() != 1 || _output[0].Payload.Length != PayloadSize)
            throw new InvalidOperationException("the fragment set does not reassemble");
    }

    [GlobalCleanup]
    public void Cleanup() => _decoder.Dispose();

    [Benchmark]
    public int Reassemble()
    {
        _output.Clear();
        ReadOnlyMemory<byte> all = _containers;
        int start = 0, added = 0;
        foreach (int end in _ends)
        {
            ReadOnlyMemory<byte> container = all[start..end];
            if (!NmsgFramer.TryReadHeader(container.Span, allowV1: false, NmsgLimits.Default.MaxContainerLength, start, out NmsgHeader header))
                throw new InvalidOperationException("short container");
            added += _decoder.Decode(header, container[header.HeaderSize..], _output);
            start = end;
        }
        return added;
    }
}
