using System.Runtime.InteropServices;
using Nmsg.Containers;
using Nmsg.Tests.Support;
using Nmsg.Transports;

namespace Nmsg.Tests;

/// <summary>Pooled container bodies: a body goes back to its pool only when every holder has let it go.</summary>
public class BufferPoolTests
{
    private static byte[] BodyOf(NmsgMessage m)
        => MemoryMarshal.TryGetArray(m.Payload, out ArraySegment<byte> segment) ? segment.Array! : throw new InvalidOperationException("not an array");

    private static async Task<(NmsgStreamReader Reader, PendingPayloads Pending)> ReadOne(byte[] file, ContainerBufferPool pool)
    {
        var reader = new NmsgStreamReader(new MemoryStream(file)) { BufferPool = pool };
        var pending = new PendingPayloads();
        Assert.True(await reader.ReadPendingAsync(pending, CancellationToken.None));
        return (reader, pending);
    }

    [Fact]
    public void A_released_body_is_rented_again_and_the_pool_keeps_the_largest_few()
    {
        var pool = new ContainerBufferPool(keep: 2);
        ContainerLease a = pool.Rent(100_000), b = pool.Rent(10), c = pool.Rent(200_000);
        Assert.True(a.Array.Length >= 100_000 && c.Array.Length >= 200_000);
        byte[] large = c.Array, middle = a.Array;
        a.Release();
        b.Release();
        c.Release(); // three free: the smallest (b's) is dropped
        Assert.Same(middle, pool.Rent(70_000).Array); // the smallest that fits
        Assert.Same(large, pool.Rent(70_000).Array);
        Assert.NotSame(large, pool.Rent(10).Array); // nothing free is left
        Assert.Equal(2, pool.Reused);
        Assert.Equal(4, pool.Allocated);
    }

    [Fact]
    public void Holding_or_releasing_a_released_body_is_an_error()
    {
        var pool = new ContainerBufferPool();
        ContainerLease lease = pool.Rent(10);
        lease.Hold();
        lease.Release();
        lease.Release();
        Assert.Throws<ObjectDisposedException>(() => lease.Array);
        Assert.Throws<InvalidOperationException>(lease.Release);
    }

    [Fact]
    public async Task A_body_returns_only_after_every_slice_of_its_messages_is_released()
    {
        byte[] file = Envelopes.Framed(Envelopes.Container(20, _ => true));
        var pool = new ContainerBufferPool();
        var (reader, pending) = await ReadOne(file, pool);
        await using (reader)
        {
            var output = new List<NmsgMessage>();
            var slices = new List<ContainerLease>();
            while (pending.Remaining > 0)
            {
                pending.Take(output, 6, out ContainerLease? lease);
                slices.Add(lease!);
            }
            Assert.Equal(20, output.Count);
            Assert.Equal(4, slices.Count);
            Assert.All(slices, s => Assert.Same(slices[0], s));
            byte[] body = BodyOf(output[0]);

            foreach (ContainerLease s in slices[..^1])
                s.Release();
            ContainerLease meanwhile = pool.Rent(file.Length);
            Assert.NotSame(body, meanwhile.Array); // a slice still holds it
            for (int i = 0; i < 20; i++)
                Assert.Equal(i, Envelopes.NumberOf(output[i]));

            slices[^1].Release();
            Assert.Same(body, pool.Rent(file.Length).Array);
            Assert.Equal(1, pool.Reused);
        }
    }

    [Fact]
    public async Task A_body_whose_messages_went_out_without_a_hold_is_never_reused()
    {
        byte[] file = Envelopes.Framed(Envelopes.Container(20, _ => true));
        var pool = new ContainerBufferPool();
        var (reader, pending) = await ReadOne(file, pool);
        await using (reader)
        {
            var output = new List<NmsgMessage>();
            pending.Take(output, 6); // no hold: these messages may be kept for as long as anyone likes
            var leases = new List<ContainerLease?>();
            while (pending.Remaining > 0)
            {
                pending.Take(output, 6, out ContainerLease? lease);
                leases.Add(lease);
            }
            Assert.All(leases, Assert.Null);
            pending.Clear();
            Assert.NotSame(BodyOf(output[0]), pool.Rent(file.Length).Array);
            Assert.Equal(0, pool.Reused);
        }
    }

    [Fact]
    public async Task Clearing_pending_payloads_lets_go_of_the_readers_hold()
    {
        byte[] file = Envelopes.Framed(Envelopes.Container(20, _ => true));
        var pool = new ContainerBufferPool();
        var (reader, pending) = await ReadOne(file, pool);
        await using (reader)
        {
            var output = new List<NmsgMessage>();
            pending.Take(output, 6, out ContainerLease? lease);
            pending.Clear(); // a consumer that stops half-way
            lease!.Release();
            Assert.Same(BodyOf(output[0]), pool.Rent(file.Length).Array);
        }
    }

    [Fact]
    public async Task A_malformed_container_gives_its_body_back()
    {
        // The last payload lacks its required vid: the container yields nothing, and its body is free again.
        byte[] bad = Envelopes.Framed(Envelopes.Container(20, _ => true, bad: 19));
        var pool = new ContainerBufferPool();
        await using var reader = new NmsgStreamReader(new MemoryStream(bad)) { BufferPool = pool };
        var pending = new PendingPayloads();
        await Assert.ThrowsAnyAsync<NmsgException>(() => reader.ReadPendingAsync(pending, CancellationToken.None).AsTask());
        Assert.Equal(0, pending.Remaining);
        pool.Rent(bad.Length);
        Assert.Equal(1, pool.Reused);
    }

    [Fact]
    public async Task Payloads_all_dropped_for_their_crc_give_the_body_back()
    {
        byte[] file = Envelopes.Framed(Envelopes.Container(5, _ => false));
        var pool = new ContainerBufferPool();
        await using var reader = new NmsgStreamReader(new MemoryStream(file)) { BufferPool = pool };
        var pending = new PendingPayloads();
        Assert.False(await reader.ReadPendingAsync(pending, CancellationToken.None)); // nothing else in the file
        pool.Rent(file.Length);
        Assert.Equal(1, pool.Reused);
    }

    [Fact]
    public async Task A_compressed_container_is_inflated_into_a_pooled_body_used_again_once_released()
    {
        byte[] body = Envelopes.Container(20, _ => true);
        byte[] file = [.. Envelopes.FramedZlib(body), .. Envelopes.FramedZlib(body)];
        var pool = new ContainerBufferPool();
        await using var reader = new NmsgStreamReader(new MemoryStream(file)) { BufferPool = pool };
        var pending = new PendingPayloads();
        var output = new List<NmsgMessage>();

        Assert.True(await reader.ReadPendingAsync(pending, CancellationToken.None));
        pending.Take(output, 20, out ContainerLease? first);
        Assert.NotNull(first);
        byte[] inflated = BodyOf(output[0]);
        Assert.Same(first.Array, inflated);
        Assert.Equal(1, pool.Allocated);

        // Still held: the next container is inflated elsewhere, and the first one's messages stay intact.
        Assert.True(await reader.ReadPendingAsync(pending, CancellationToken.None));
        pending.Take(output, 20, out ContainerLease? second);
        Assert.NotSame(inflated, second!.Array);
        Assert.Equal(2, pool.Allocated);
        for (int i = 0; i < 40; i++)
            Assert.Equal(i % 20, Envelopes.NumberOf(output[i]));

        first.Release();
        Assert.Same(inflated, pool.Rent(body.Length).Array);
        Assert.Equal(1, pool.Reused);
        second.Release();
    }

    [Fact]
    public async Task A_compressed_container_that_fails_gives_its_inflated_body_back()
    {
        // Inflates, but the last payload lacks its required vid: nothing goes out, and the body is free again.
        byte[] file = Envelopes.FramedZlib(Envelopes.Container(20, _ => true, bad: 19));
        var pool = new ContainerBufferPool();
        await using var reader = new NmsgStreamReader(new MemoryStream(file)) { BufferPool = pool };
        var pending = new PendingPayloads();
        await Assert.ThrowsAnyAsync<NmsgException>(() => reader.ReadPendingAsync(pending, CancellationToken.None).AsTask());
        Assert.Equal(0, pending.Remaining);
        Assert.Equal(1, pool.Allocated);
        pool.Rent(1);
        Assert.Equal(1, pool.Reused);
    }

    [Fact]
    public async Task A_corrupt_zlib_stream_gives_its_inflated_body_back()
    {
        byte[] file = Envelopes.FramedZlib(Envelopes.Container(20, _ => true));
        file[^3] ^= 0xFF; // the Adler-32 trailer
        var pool = new ContainerBufferPool();
        await using var reader = new NmsgStreamReader(new MemoryStream(file)) { BufferPool = pool };
        var pending = new PendingPayloads();
        var e = await Assert.ThrowsAnyAsync<NmsgFormatException>(() => reader.ReadPendingAsync(pending, CancellationToken.None).AsTask());
        Assert.Equal(NmsgErrorReason.InflateFailed, e.Reason);
        pool.Rent(1);
        Assert.Equal(1, pool.Reused);
    }
}
