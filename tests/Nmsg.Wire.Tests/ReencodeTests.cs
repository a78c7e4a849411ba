using Nmsg.Containers;
using Nmsg.Tests.Support;
using Nmsg.Transports;

namespace Nmsg.Tests;

/// <summary>Re-encoding decoded vectors reproduces nmsgtool's bytes (SPEC §1.3 packing, §2.2 serialization).</summary>
public class ReencodeTests
{
    /// <summary>The 48 single-container vectors of plain/, zlib/, multi/ and gos/ (vectors/README.txt).</summary>
    public static IEnumerable<string> SingleContainerVectors()
        => Vectors.ValidBinaries()
            .Where(v => v.StartsWith("plain", StringComparison.Ordinal) || v.StartsWith("zlib", StringComparison.Ordinal)
                        || v.StartsWith("multi", StringComparison.Ordinal) || v.StartsWith("gos", StringComparison.Ordinal))
            .Where(v => Vectors.CountContainers(Vectors.Read(v)) == 1);

    public static TheoryData<string> SingleContainers => [.. SingleContainerVectors()];

    [Fact]
    public void The_system_zlib_is_used_where_one_is_installed()
    {
        // Guards the byte-identity tests above against silently falling back to the managed deflater.
        if (System.Runtime.InteropServices.NativeLibrary.TryLoad("libz.so.1", out IntPtr lib))
        {
            System.Runtime.InteropServices.NativeLibrary.Free(lib);
            Assert.True(Compression.NmsgZlib.ReferenceAvailable);
        }
    }

    [Fact]
    public void The_fast_deflater_round_trips_what_it_compresses()
    {
        byte[] data = Vectors.Read("multi/ipconn-1000.nmsg");
        var output = new Internal.PooledBufferWriter();
        Compression.NmsgZlib.Compress(data, output, Compression.NmsgDeflater.Fast);
        Assert.Equal(data, Compression.NmsgZlib.Inflate(output.WrittenMemory.ToArray(), 1 << 24));
    }

    [Fact]
    public void There_are_48_single_container_vectors()
        => Assert.Equal(48, SingleContainerVectors().Count());

    private static byte[] Reencode(IEnumerable<NmsgMessage> messages, NmsgEncoderOptions options)
    {
        var output = new MemoryStream();
        using (var writer = new NmsgStreamWriter(output, new NmsgWriterOptions { Encoder = options }, leaveOpen: true))
        {
            foreach (NmsgMessage m in messages)
                writer.Write(m);
        }
        return output.ToArray();
    }

    [Theory]
    [MemberData(nameof(SingleContainers))]
    public void Reencoding_a_single_container_vector_reproduces_it(string vector)
    {
        byte[] original = Vectors.Read(vector);
        bool compressed = (original[4] & 1) != 0;
        List<NmsgMessage> messages = Decoding.ReadAll(original).Messages;

        byte[] ours = Reencode(messages, new NmsgEncoderOptions { Compress = compressed, Deflater = Compression.NmsgDeflater.Reference });

        if (!compressed || Compression.NmsgZlib.ReferenceAvailable)
        {
            // With the platform's zlib (as on the build machines) compressed output is byte-identical too.
            Assert.Equal(Convert.ToHexString(original), Convert.ToHexString(ours));
        }
        if (compressed)
        {
            // Whatever the deflater (.NET's own is zlib-ng, whose bytes differ), the container must decode equal,
            // and the uncompressed form must be exactly what nmsgtool would have written uncompressed.
            Assert.Equal(Decoding.ReadAll(original).Fingerprint(), Decoding.ReadAll(ours).Fingerprint());
            Assert.Equal(0x01, ours[4]);
            byte[] plainOurs = Reencode(messages, new NmsgEncoderOptions());
            byte[] inflated = Compression.NmsgZlib.Inflate(original.AsMemory(10), 1 << 24);
            Assert.Equal(Convert.ToHexString(inflated), Convert.ToHexString(plainOurs.AsSpan(10)));
        }
    }

    [Fact]
    public void A_decoded_message_given_a_new_payload_is_written_with_that_payload_s_crc()
    {
        // The encoder reuses the CRC a decoded payload arrived with; a replaced payload must not keep it.
        List<NmsgMessage> messages = Decoding.ReadAll(Vectors.Read("plain/dns.nmsg")).Messages;
        Assert.NotEmpty(messages);
        byte[] changed = messages[0].Payload.ToArray();
        changed[^1] ^= 0x01;
        messages[0].Payload = changed;

        byte[] ours = Reencode(messages, new NmsgEncoderOptions());
        ReadOutcome back = Decoding.ReadAll(ours);
        Assert.Null(back.Error);
        Assert.Equal(0, back.Statistics.CrcFailures); // a stale CRC would have the decoder drop the message
        Assert.Equal(messages.Count, back.Messages.Count);
        Assert.Equal(changed, back.Messages[0].Payload.ToArray());
    }

    /// <summary>A Random that replays the fragment ids nmsgtool drew, so fragmented output can be compared byte for byte.</summary>
    private sealed class ReplayRandom(IEnumerable<uint> ids) : Random
    {
        private readonly Queue<uint> _ids = new(ids);

        public override long NextInt64(long minValue, long maxValue) => _ids.Dequeue();
    }

    private static (ulong SequenceId, List<uint> FragmentIds) ReadSequenceIdAndFragmentIds(byte[] file)
    {
        ulong seqId = 0;
        var ids = new List<uint>();
        foreach (byte[] container in Decoding.SplitContainers(file))
        {
            if ((container[4] & 2) != 0)
            {
                var frag = NmsgEnvelope.ParseFragment(container.AsMemory(10));
                if (frag.Current == 0)
                    ids.Add(frag.Id);
            }
        }
        // Recover the sequence id through an independent decode with sequence tracking.
        using var decoder = new NmsgContainerDecoder(new NmsgDecoderOptions { TrackSequence = true });
        Decoding.DecodeDatagrams(Decoding.SplitContainers(file).Select(c => (ReadOnlyMemory<byte>)c), decoder);
        seqId = decoder.SequenceSources.Single().SequenceId;
        return (seqId, ids);
    }

    [Theory]
    [InlineData("frag/ipconn-1000-m512-seq.nmsg")]    // 1000 payloads packed into 512-byte UDP containers
    [InlineData("frag/logline-big-m512.nmsg")]        // three payloads fragmented into 7 pieces each
    [InlineData("frag/mixed-jumbo-seq.nmsg")]         // mixed types at the 8192 default MTU
    [InlineData("frag/ipconn-1000-m512-seq-z.nmsg")]  // -z: needs the platform zlib for identical deflate bytes
    [InlineData("frag/encode-random-m512-z.nmsg")]    // -z and fragmented: compress first, then split
    public void Sequenced_udp_output_is_byte_identical_to_nmsgtool(string vector)
    {
        byte[] original = Vectors.Read(vector);
        bool compress = (original[4] & 1) != 0;
        if (compress && !Compression.NmsgZlib.ReferenceAvailable)
            return; // covered by Compressed_udp_output_packs_the_same_payloads_per_container below
        var (seqId, fragmentIds) = ReadSequenceIdAndFragmentIds(original);
        int mtu = vector.Contains("jumbo", StringComparison.Ordinal) ? 8192 : 512;
        List<NmsgMessage> messages = Decoding.ReadAll(original).Messages;

        byte[] ours = Reencode(messages, new NmsgEncoderOptions
        {
            BufferSize = mtu,
            Sequenced = true,
            Compress = compress,
            Deflater = Compression.NmsgDeflater.Reference,
            SequenceId = seqId,
            Random = new ReplayRandom(fragmentIds),
        });
        Assert.Equal(Decoding.SplitContainers(original).Count, Decoding.SplitContainers(ours).Count);
        Assert.Equal(Convert.ToHexString(original), Convert.ToHexString(ours));
    }

    [Theory]
    [InlineData("frag/ipconn-1000-m512-seq-z.nmsg", 512)]
    [InlineData("frag/encode-random-m512-z.nmsg", 512)]
    public void Compressed_udp_output_packs_the_same_payloads_per_container(string vector, int mtu)
    {
        byte[] original = Vectors.Read(vector);
        List<NmsgMessage> messages = Decoding.ReadAll(original).Messages;
        byte[] ours = Reencode(messages, new NmsgEncoderOptions { BufferSize = mtu, Sequenced = true, Compress = true });

        static List<int> PayloadsPerContainer(byte[] file)
        {
            using var decoder = new NmsgContainerDecoder();
            var counts = new List<int>();
            var sink = new List<NmsgMessage>();
            foreach (byte[] c in Decoding.SplitContainers(file))
            {
                var body = Framing.NmsgFramer.ParseDatagram(c, 1 << 21, out var header);
                counts.Add(decoder.Decode(header, body, sink));
            }
            return counts;
        }

        Assert.Equal(Decoding.ReadAll(original).Fingerprint(), Decoding.ReadAll(ours).Fingerprint());
        if (!vector.Contains("random", StringComparison.Ordinal))
            Assert.Equal(PayloadsPerContainer(original), PayloadsPerContainer(ours));
        else
            Assert.Equal(PayloadsPerContainer(original).Count(n => n > 0), PayloadsPerContainer(ours).Count(n => n > 0));
    }
}
