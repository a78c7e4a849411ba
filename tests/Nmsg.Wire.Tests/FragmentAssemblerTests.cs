using Nmsg.Checksums;
using Nmsg.Containers;
using Nmsg.Fragments;
using Nmsg.Transports;

namespace Nmsg.Tests;

public class FragmentAssemblerTests
{
    private static readonly NmsgPeer Peer = NmsgPeer.FromEndPoint(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 9430));

    private static (FragmentAssembler Assembler, NmsgInputStatistics Stats) Create(NmsgLimits? limits = null, TimeProvider? time = null)
    {
        var stats = new NmsgInputStatistics();
        return (new FragmentAssembler(limits ?? NmsgLimits.Default, stats, time), stats);
    }

    /// <summary>Splits a blob into pieces of <paramref name="size"/> with an independently computed CRC.</summary>
    private static List<NmsgFragmentInfo> Pieces(byte[] blob, int size, uint id, bool withCrc = true)
    {
        uint crc = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(Crc32C.Compute(blob));
        int count = (blob.Length + size - 1) / size;
        return [.. Enumerable.Range(0, count).Select(i => new NmsgFragmentInfo(id, (uint)i, (uint)(count - 1),
            blob.AsMemory(i * size, Math.Min(size, blob.Length - i * size)), withCrc ? crc : null))];
    }

    private static byte[] Blob(int n, int seed)
    {
        byte[] b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    [Fact]
    public void Any_order_reassembles()
    {
        byte[] blob = Blob(1000, 1);
        foreach (int[] order in new[] { new[] { 0, 1, 2, 3 }, [3, 2, 1, 0], [2, 0, 3, 1] })
        {
            var (a, stats) = Create();
            var pieces = Pieces(blob, 300, 5);
            byte[]? result = null;
            foreach (int i in order)
                result = a.Add(pieces[i], Peer) ?? result;
            Assert.Equal(blob, result);
            Assert.Equal(0, a.PendingSets);
            Assert.Equal(1, stats.FragmentSetsCompleted);
        }
    }

    [Fact]
    public void Interleaved_sets_from_different_senders_and_ids_stay_apart()
    {
        var (a, _) = Create();
        byte[] b1 = Blob(700, 2), b2 = Blob(700, 3);
        var p1 = Pieces(b1, 300, 7);
        var p2 = Pieces(b2, 300, 7); // same id, different crc → different set
        var other = NmsgPeer.FromEndPoint(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 9431));
        var p3 = Pieces(b1, 300, 7); // same id and crc, different sender → different set
        var done = new List<byte[]>();
        for (int i = 0; i < 3; i++)
        {
            foreach (var (p, who) in new[] { (p1[i], Peer), (p2[i], Peer), (p3[i], other) })
            {
                if (a.Add(p, who) is { } r)
                    done.Add(r);
            }
        }
        Assert.Equal(3, done.Count);
        Assert.Equal(b1, done[0]);
        Assert.Equal(b2, done[1]);
        Assert.Equal(b1, done[2]);
    }

    [Fact]
    public void Hostile_pieces_are_counted_drops()
    {
        var (a, stats) = Create();
        byte[] blob = Blob(900, 4);
        var p = Pieces(blob, 300, 9);
        Assert.Null(a.Add(p[0], Peer));
        Assert.Null(a.Add(p[0], Peer));                                   // duplicate
        Assert.Null(a.Add(p[1] with { Last = 5 }, Peer));                 // disagreeing last
        Assert.Null(a.Add(p[1] with { Current = 9, Last = 2 }, Peer));    // current > last (new set key is the same)
        Assert.Null(a.Add(p[1] with { Last = uint.MaxValue, Current = 1 }, Peer)); // absurd last: no allocation for it
        Assert.Equal(4, stats.FragmentsDropped);
        Assert.Null(a.Add(p[1], Peer));
        Assert.Equal(blob, a.Add(p[2], Peer));
    }

    [Fact]
    public void The_blob_crc_is_verified_unless_disabled()
    {
        byte[] blob = Blob(600, 5);
        var bad = Pieces(blob, 300, 11).Select(f => f with { Crc = 12345 }).ToList();
        var (strict, s1) = Create();
        Assert.Null(strict.Add(bad[0], Peer));
        Assert.Null(strict.Add(bad[1], Peer));
        Assert.Equal(1, s1.FragmentCrcFailures);

        var stats = new NmsgInputStatistics();
        var lenient = new FragmentAssembler(NmsgLimits.Default, stats) { VerifyCrc = false };
        lenient.Add(bad[0], Peer);
        Assert.Equal(blob, lenient.Add(bad[1], Peer));

        // A set without a crc field cannot be checked and is accepted.
        var (a, _) = Create();
        var nocrc = Pieces(blob, 300, 12, withCrc: false);
        a.Add(nocrc[0], Peer);
        Assert.Equal(blob, a.Add(nocrc[1], Peer));
    }

    [Fact]
    public void Incomplete_sets_expire_after_the_timeout()
    {
        var time = new ManualTimeProvider();
        var (a, stats) = Create(time: time);
        var p = Pieces(Blob(600, 6), 300, 13);
        a.Add(p[0], Peer);
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(0, a.Collect());
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, a.Collect());
        Assert.Equal(1, stats.FragmentSetsExpired);
        Assert.Null(a.Add(p[1], Peer)); // its partner arrived too late: starts a new, incomplete set
        Assert.Equal(1, a.PendingSets);
    }

    [Fact]
    public void Pending_sets_and_bytes_are_bounded()
    {
        var (a, stats) = Create(NmsgLimits.Default with { MaxPendingFragmentSets = 10, MaxPendingFragmentBytes = 100_000 });
        for (uint id = 0; id < 1000; id++)
            a.Add(Pieces(Blob(600, (int)id), 300, id)[0], Peer);
        Assert.Equal(10, a.PendingSets);
        Assert.Equal(990, stats.FragmentSetsEvicted);

        for (uint id = 2000; id < 2100; id++)
            a.Add(Pieces(Blob(40_000, (int)id), 20_000, id)[0], Peer);
        Assert.True(a.PendingBytes <= 100_000, $"{a.PendingBytes} bytes pending");
        Assert.Equal(a.PendingBytes, stats.FragmentBytesPending);
    }

    [Fact]
    public void A_set_larger_than_the_message_limit_is_dropped()
    {
        var (a, stats) = Create(NmsgLimits.Default with { MaxMessageLength = 1000 });
        var p = Pieces(Blob(1500, 7), 500, 20);
        a.Add(p[0], Peer);
        a.Add(p[1], Peer);
        Assert.Null(a.Add(p[2], Peer));
        Assert.Equal(0, a.PendingSets);
        Assert.True(stats.FragmentsDropped >= 1);
    }
}
