using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using Nmsg.Containers;
using Nmsg.Framing;
using Nmsg.Transports;

namespace Nmsg.Fuzz;

/// <summary>
/// The fuzz target. Input byte 0 chooses how the rest is chunked and which options apply; the rest is read
/// (1) as a stream through <see cref="NmsgStreamReader"/> over a <see cref="Stream"/> that returns short reads,
/// (2) as a stream through <see cref="NmsgStreamReader"/> over a multi-segment <see cref="ReadOnlySequence{T}"/>,
/// (3) as one datagram (<see cref="NmsgFramer.ParseDatagram"/> + <see cref="NmsgContainerDecoder.Decode"/>), and
/// (4) container by container as datagrams into one network-style decoder (sequence tracking, fragment expiry).
/// Only <see cref="NmsgException"/> is expected; anything else escapes and is a bug, as is (1) and (2) disagreeing:
/// the chunking of a stream must never change what is read from it.
/// </summary>
public static class WireTarget
{
    // Bits 0-4 of byte 0 pick the segment size.
    private static readonly int[] ChunkSizes =
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 17, 31, 32, 33, 63, 64, 100, 127, 128, 255, 256, 511, 1000, 1024, 4096, 65536, int.MaxValue];

    private const int SmallLimitsBit = 0x20;      // tight NmsgLimits, to reach every limit branch
    private const int ThrowOnTruncatedBit = 0x40; // NmsgReaderOptions.ThrowOnTruncatedTail
    private const int NoFragmentCrcBit = 0x80;    // VerifyFragmentCrc = false (what libnmsg accepts)

    private static readonly NmsgLimits SmallLimits = new()
    {
        MaxContainerLength = 4096,
        MaxMessageLength = 16384,
        MaxFragmentsPerSet = 8,
        MaxPendingFragmentSets = 2,
        MaxPendingFragmentBytes = 4096,
        MaxSequenceSources = 2,
    };

    private static readonly NmsgPeer[] Peers =
    [
        NmsgPeer.FromEndPoint(new IPEndPoint(IPAddress.Loopback, 8430)),
        NmsgPeer.FromEndPoint(new IPEndPoint(IPAddress.IPv6Loopback, 8430)),
    ];

    /// <summary>One fuzz iteration.</summary>
    public static void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
            return;
        byte control = input[0];
        byte[] data = input[1..].ToArray();
        int chunk = ChunkSizes[control & 0x1F];
        NmsgLimits limits = (control & SmallLimitsBit) != 0 ? SmallLimits : NmsgLimits.Default;
        var readerOptions = new NmsgReaderOptions
        {
            Limits = limits,
            ThrowOnTruncatedTail = (control & ThrowOnTruncatedBit) != 0,
            VerifyFragmentCrc = (control & NoFragmentCrcBit) == 0,
            ReadSize = 4096,
        };

        Outcome viaStream = ReadStream(new NmsgStreamReader(new ShortReadStream(data, chunk), readerOptions));
        Outcome viaSequence = ReadStream(new NmsgStreamReader(PipeReader.Create(Segments.Split(data, chunk)), readerOptions));
        if (!viaStream.Equals(viaSequence))
            throw new InvalidOperationException(
                $"chunking changed the result (segment size {chunk}):\n stream:   {viaStream}\n sequence: {viaSequence}");

        var decoderOptions = new NmsgDecoderOptions
        {
            Limits = limits,
            TrackSequence = true,
            VerifyFragmentCrc = readerOptions.VerifyFragmentCrc,
        };
        ReadDatagram(data, decoderOptions);
        ReadDatagrams(data, decoderOptions);
    }

    private static Outcome ReadStream(NmsgStreamReader reader)
    {
        var messages = new List<string>();
        NmsgException? error = null;
        using (reader)
        {
            try
            {
                IAsyncEnumerator<NmsgMessage> e = reader.ReadAllAsync().GetAsyncEnumerator();
                while (e.MoveNextAsync().AsTask().GetAwaiter().GetResult())
                    messages.Add(Describe(e.Current));
            }
            catch (NmsgException ex)
            {
                error = ex;
                // A faulted reader must keep failing with the same exception.
                try
                {
                    reader.ReadContainerAsync([]).AsTask().GetAwaiter().GetResult();
                    throw new InvalidOperationException("a faulted NmsgStreamReader read on", ex);
                }
                catch (NmsgException again) when (ReferenceEquals(again, ex))
                {
                }
            }
            if (error is null && reader.ReadContainerAsync([]).AsTask().GetAwaiter().GetResult())
                throw new InvalidOperationException("a completed NmsgStreamReader read on");
        }
        return new Outcome(messages, error?.GetType().Name, error?.Reason, error?.Offset);
    }

    private static void ReadDatagram(byte[] data, NmsgDecoderOptions options)
    {
        using var decoder = new NmsgContainerDecoder(options);
        var output = new List<NmsgMessage>();
        try
        {
            ReadOnlyMemory<byte> body = NmsgFramer.ParseDatagram(data, options.Limits.MaxContainerLength, out NmsgHeader header);
            decoder.Decode(header, body, output, Peers[0]);
        }
        catch (NmsgException)
        {
            if (output.Count != 0)
                throw new InvalidOperationException("Decode threw but left messages in the output");
            return;
        }
        foreach (NmsgMessage m in output)
            Describe(m);
    }

    /// <summary>Splits the input into containers and feeds each as a datagram, as a UDP input that drops bad ones.</summary>
    private static void ReadDatagrams(byte[] data, NmsgDecoderOptions options)
    {
        using var decoder = new NmsgContainerDecoder(options);
        var output = new List<NmsgMessage>();
        var rest = new ReadOnlySequence<byte>(data);
        for (int i = 0; ; i++)
        {
            long start = data.Length - rest.Length;
            NmsgHeader header;
            try
            {
                if (!NmsgFramer.TryReadContainer(ref rest, allowV1: true, options.Limits.MaxContainerLength, start, out header, out _))
                    break;
            }
            catch (NmsgException)
            {
                break;
            }
            byte[] datagram = data.AsSpan((int)start, (int)(data.Length - rest.Length - start)).ToArray();
            int before = output.Count;
            try
            {
                ReadOnlyMemory<byte> body = NmsgFramer.ParseDatagram(datagram, options.Limits.MaxContainerLength, out NmsgHeader parsed);
                if (parsed != header)
                    throw new InvalidOperationException($"ParseDatagram read {parsed}, TryReadContainer {header}");
                decoder.Decode(parsed, body, output, Peers[i & 1]);
            }
            catch (NmsgException)
            {
                if (output.Count != before)
                    throw new InvalidOperationException("Decode threw but left messages in the output");
                decoder.CountMalformed();
            }
        }
        decoder.Fragments.Collect();
        _ = decoder.SequenceSources;
        foreach (NmsgMessage m in output)
            Describe(m);
    }

    private static string Describe(NmsgMessage m)
        => $"{m.Vid}/{m.MsgType} {m.Time.Seconds}.{m.Time.Nanoseconds} s={m.Source} o={m.Operator} g={m.Group} " +
           $"p={m.HasPayloadField}:{Convert.ToHexString(m.Payload.Span)} {m}";

    private sealed record Outcome(List<string> Messages, string? Error, NmsgErrorReason? Reason, long? Offset)
    {
        public bool Equals(Outcome? other)
            => other is not null && Messages.SequenceEqual(other.Messages)
               && Error == other.Error && Reason == other.Reason && Offset == other.Offset;

        public override int GetHashCode() => HashCode.Combine(Messages.Count, Error, Reason, Offset);

        public override string ToString()
            => $"{Messages.Count} messages, error {Error ?? "none"} {Reason} at {Offset}";
    }
}
