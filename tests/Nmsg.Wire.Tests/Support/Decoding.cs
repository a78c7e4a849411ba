using System.Buffers;
using System.IO.Pipelines;
using Nmsg.Containers;
using Nmsg.Transports;

namespace Nmsg.Tests.Support;

/// <summary>What reading a whole stream produced.</summary>
internal sealed record ReadOutcome(List<NmsgMessage> Messages, NmsgException? Error, NmsgInputStatistics Statistics)
{
    /// <summary>A comparable summary: header fields and payload bytes of each message, then the error reason and offset.</summary>
    public string Fingerprint()
    {
        var sb = new System.Text.StringBuilder();
        foreach (NmsgMessage m in Messages)
        {
            sb.Append(m.Vid).Append(':').Append(m.MsgType).Append(' ').Append(m.Time.Seconds).Append('.').Append(m.Time.Nanoseconds)
              .Append(' ').Append(m.Source).Append('/').Append(m.Operator).Append('/').Append(m.Group).Append(' ')
              .Append(m.HasPayloadField).Append(' ').Append(Convert.ToHexString(m.Payload.Span)).Append('\n');
        }
        sb.Append("error=").Append(Error?.Reason.ToString() ?? "none").Append('@').Append(Error?.Offset);
        return sb.ToString();
    }
}

internal static class Decoding
{
    public static ReadOutcome ReadAll(byte[] data, NmsgReaderOptions? options = null)
        => ReadAll(new NmsgStreamReader(new MemoryStream(data), options));

    public static ReadOutcome ReadAll(PipeReader pipe, NmsgReaderOptions? options = null)
        => ReadAll(new NmsgStreamReader(pipe, options));

    public static ReadOutcome ReadAll(NmsgStreamReader reader)
    {
        var messages = new List<NmsgMessage>();
        NmsgException? error = null;
        using (reader)
        {
            try
            {
                while (reader.ReadContainerAsync(messages).AsTask().GetAwaiter().GetResult())
                {
                }
            }
            catch (NmsgException e)
            {
                error = e;
            }
        }
        return new ReadOutcome(messages, error, reader.Statistics);
    }

    /// <summary>Splits a stream into its framed containers (each a separate array), by header lengths.</summary>
    public static List<byte[]> SplitContainers(ReadOnlySpan<byte> file)
    {
        var list = new List<byte[]>();
        while (file.Length >= 10)
        {
            int len = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(file[6..]);
            list.Add(file[..(10 + len)].ToArray());
            file = file[(10 + len)..];
        }
        return list;
    }

    /// <summary>Decodes each container as a datagram (UDP-style) through one decoder.</summary>
    public static List<NmsgMessage> DecodeDatagrams(IEnumerable<ReadOnlyMemory<byte>> datagrams, NmsgContainerDecoder decoder)
    {
        var output = new List<NmsgMessage>();
        foreach (ReadOnlyMemory<byte> d in datagrams)
        {
            // A datagram buffer is the container's own here: copy as a UDP transport would.
            byte[] own = d.ToArray();
            ReadOnlyMemory<byte> body = Framing.NmsgFramer.ParseDatagram(own, decoder.Options.Limits.MaxContainerLength, out var header);
            decoder.Decode(header, body, output);
        }
        return output;
    }
}

/// <summary>A linked segment for building multi-segment sequences.</summary>
internal sealed class TestSegment : ReadOnlySequenceSegment<byte>
{
    public TestSegment(ReadOnlyMemory<byte> memory, TestSegment? previous)
    {
        Memory = memory;
        if (previous is not null)
        {
            RunningIndex = previous.RunningIndex + previous.Memory.Length;
            previous.Next = this;
        }
    }

    /// <summary>Builds a sequence whose segments end at the given cut points.</summary>
    public static ReadOnlySequence<byte> Build(byte[] data, IReadOnlyList<int> cuts)
    {
        if (data.Length == 0)
            return ReadOnlySequence<byte>.Empty;
        TestSegment? first = null, last = null;
        int start = 0;
        foreach (int cut in cuts.Append(data.Length))
        {
            if (cut <= start)
                continue;
            // Each segment gets its own array so no segment can be read past its end by accident.
            last = new TestSegment(data.AsSpan(start, cut - start).ToArray(), last);
            first ??= last;
            start = cut;
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }
}

/// <summary>
/// A pipe reader over a prebuilt multi-segment sequence that reveals one more segment per read once the reader
/// has examined everything it was shown: the worst case a real pipe can present.
/// </summary>
internal sealed class SegmentedPipeReader : PipeReader
{
    private readonly ReadOnlySequence<byte> _all;
    private readonly List<long> _ends = [];
    private int _revealedSegments;
    private long _consumed;
    private bool _needMore = true;

    public SegmentedPipeReader(ReadOnlySequence<byte> all)
    {
        _all = all;
        foreach (ReadOnlyMemory<byte> segment in all)
            _ends.Add((_ends.Count == 0 ? 0 : _ends[^1]) + segment.Length);
    }

    private long Revealed => _revealedSegments == 0 ? 0 : _ends[_revealedSegments - 1];

    public override bool TryRead(out ReadResult result)
    {
        if (_needMore && _revealedSegments < _ends.Count)
            _revealedSegments++;
        _needMore = false;
        result = new ReadResult(_all.Slice(_consumed, Revealed - _consumed), false, Revealed == _all.Length);
        return true;
    }

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        TryRead(out ReadResult r);
        return new ValueTask<ReadResult>(r);
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        _consumed = _all.GetOffset(consumed);
        _needMore = _all.GetOffset(examined) >= Revealed;
    }

    public override void CancelPendingRead() { }

    public override void Complete(Exception? exception = null) { }
}
