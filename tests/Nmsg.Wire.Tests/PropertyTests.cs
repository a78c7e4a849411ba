using CsCheck;
using Nmsg.Containers;
using Nmsg.Tests.Support;

namespace Nmsg.Tests;

/// <summary>Random payload sets survive encode → (shuffled fragments) → decode unchanged.</summary>
public class PropertyTests
{
    private static readonly Gen<uint?> GenOptional = Gen.Select(Gen.Bool, Gen.UInt, (present, v) => present ? v : (uint?)null);

    private static readonly Gen<NmsgMessage> GenMessage =
        Gen.Select(Gen.UInt[0, 3], Gen.UInt[0, 300], Gen.Long, Gen.UInt, Gen.Frequency((8, Gen.Int[0, 200]), (2, Gen.Int[200, 20_000]), (1, Gen.Int[20_000, 120_000])),
                   GenOptional, GenOptional, GenOptional)
           .SelectMany(t => Gen.Byte.Array[t.Item5].Select(bytes => new NmsgMessage(t.Item1, t.Item2, new NmsgTimestamp(t.Item3, t.Item4), bytes)
           {
               Source = t.Item6,
               Operator = t.Item7,
               Group = t.Item8,
           }));

    private sealed record Case(List<NmsgMessage> Messages, int BufferSize, bool Compress, bool Buffered, bool Sequenced, int ShuffleSeed);

    private static readonly Gen<Case> GenCase =
        Gen.Select(GenMessage.List[0, 40], Gen.OneOf(Gen.Int[512, 2048], Gen.Int[2048, 70_000], Gen.Const(1 << 20)),
                   Gen.Bool, Gen.Bool, Gen.Bool, Gen.Int)
           .Select(t => new Case(t.Item1, t.Item2, t.Item3, t.Item4, t.Item5, t.Item6));

    private static string Key(NmsgMessage m)
        => $"{m.Vid}:{m.MsgType} {m.Time} {m.Source}/{m.Operator}/{m.Group} {Convert.ToHexString(m.Payload.Span)}";

    [Fact]
    public void Encode_then_decode_is_the_identity()
    {
        GenCase.Sample(c =>
        {
            using var encoder = new NmsgContainerEncoder(new NmsgEncoderOptions
            {
                BufferSize = c.BufferSize,
                Compress = c.Compress,
                Buffered = c.Buffered,
                Sequenced = c.Sequenced,
            });
            var containers = new List<byte[]>();
            void Take()
            {
                int start = 0;
                foreach (int end in encoder.ReadyEnds)
                {
                    containers.Add(encoder.Ready.Span[start..end].ToArray());
                    start = end;
                }
                encoder.ConsumeReady();
            }
            foreach (NmsgMessage m in c.Messages)
            {
                encoder.Add(m);
                Take();
            }
            encoder.Flush();
            Take();

            // As one stream.
            var stream = Decoding.ReadAll([.. containers.SelectMany(x => x)]);
            Assert.Null(stream.Error);
            Assert.Equal(c.Messages.Select(Key), stream.Messages.Select(Key));

            // As datagrams, each fragment set shuffled (sets stay in order relative to other containers).
            var rng = new Random(c.ShuffleSeed);
            var datagrams = new List<byte[]>();
            for (int i = 0; i < containers.Count;)
            {
                int j = i;
                while (j < containers.Count && (containers[j][4] & 2) != 0 && (j == i || SameSet(containers[i], containers[j])))
                    j++;
                if (j == i)
                {
                    datagrams.Add(containers[i++]);
                    continue;
                }
                datagrams.AddRange(containers.Skip(i).Take(j - i).OrderBy(_ => rng.Next()));
                i = j;
            }
            using var decoder = new NmsgContainerDecoder(new NmsgDecoderOptions { TrackSequence = c.Sequenced });
            var decoded = Decoding.DecodeDatagrams(datagrams.Select(d => (ReadOnlyMemory<byte>)d), decoder);
            Assert.Equal(c.Messages.Select(Key), decoded.Select(Key));
            Assert.Equal(0, decoder.Statistics.ContainersLost);
            Assert.Equal(0, decoder.Statistics.FragmentSetsPending);
        }, iter: 300);
    }

    private static bool SameSet(byte[] a, byte[] b)
        => NmsgEnvelope.ParseFragment(a.AsMemory(10)).Id == NmsgEnvelope.ParseFragment(b.AsMemory(10)).Id;
}
