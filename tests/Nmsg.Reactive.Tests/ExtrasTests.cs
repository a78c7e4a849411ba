using Nmsg.Containers;
using Nmsg.Transports;

namespace Nmsg.Reactive.Tests;

public class ExtrasTests
{
    [Fact]
    public async Task WriteToAsyncWritesEverythingThenFlushesAndCloses()
    {
        string path = Path.GetTempFileName();
        try
        {
            long n = await NmsgSource.File(Support.Vector("multi/ipconn-1000.nmsg")).ReadAllAsync().WriteToAsync(NmsgSink.File(path));
            Assert.Equal(1000, n);
            Assert.Equal(await File.ReadAllBytesAsync(Support.Vector("multi/ipconn-1000.nmsg")), await File.ReadAllBytesAsync(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task WriteToAsyncStopsAtASinkFailure()
    {
        NmsgSink sink = NmsgSink.Callback(m => throw new InvalidDataException("nope"));
        await Assert.ThrowsAsync<IOException>(() => NmsgSource.File(Support.Vector("multi/ipconn-1000.nmsg")).ReadAllAsync().WriteToAsync(sink));
        Assert.Equal(1, sink.Rejected);
        await Assert.ThrowsAsync<IOException>(() => sink.Completion);
    }

    [Fact]
    public async Task PerSenderLossAndDropReportsReachTheSourceUser()
    {
        var reports = new List<NmsgDropReport>();
        int port = Support.FreePort();
        var options = new NmsgUdpOptions
        {
            ReadTimeout = TimeSpan.FromMilliseconds(50),
            OnDropped = r =>
            {
                lock (reports)
                    reports.Add(r);
            },
        };
        NmsgInput input = NmsgSource.Udp($"127.0.0.1/{port}", options);
        await using NmsgMessageReader reader = input.OpenReader();
        Assert.Null(await reader.TryReadAsync(TimeSpan.FromMilliseconds(20))); // bound now

        using var encoder = new NmsgContainerEncoder(new NmsgEncoderOptions { Buffered = false, Sequenced = true, SequenceId = 7 });
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        socket.Connect(System.Net.IPAddress.Loopback, port);
        for (int i = 0; i < 10; i++)
        {
            encoder.Add(Support.Numbered(i));
            if (i != 5)
                socket.Send(encoder.Ready.Span);
            encoder.ConsumeReady();
        }
        socket.Send("garbage!"u8);
        var got = new List<int>();
        while (got.Count < 9)
            got.Add(Support.NumberOf((await reader.TryReadAsync(TimeSpan.FromSeconds(10)))!));
        Assert.Equal(Enumerable.Range(0, 10).Where(i => i != 5), got);
        var source = Assert.Single(input.SequenceSources);
        Assert.Equal((7UL, 1UL, 9UL), (source.SequenceId, source.Lost, source.Containers));
        Assert.Equal(1, input.Statistics.ContainersLost);
        await Support.Eventually(() =>
        {
            lock (reports)
                return reports.Any(r => r.Reason == NmsgDropReason.Malformed && r.Count == 1 && r.LastError is NmsgException);
        });
    }

    [Fact]
    public async Task APortRangeBindsOneSocketPerPortAndTheSinkStripesAcrossThem()
    {
        int first = 0;
        for (int attempt = 0; attempt < 50 && first == 0; attempt++)
        {
            int p = Support.FreePort();
            if (p < 65535 && IsFree(p + 1))
                first = p;
        }
        Assert.NotEqual(0, first);
        string spec = $"127.0.0.1/{first}..{first + 1}";
        NmsgInput input = NmsgSource.Udp(spec);
        int inside = 0, overlaps = 0;
        var got = new List<int>();
        using var all = new SemaphoreSlim(0);
        using (input.Subscribe(m =>
        {
            if (Interlocked.Increment(ref inside) != 1)
                overlaps++;
            got.Add(Support.NumberOf(m));
            if (got.Count == 200)
                all.Release();
            Interlocked.Decrement(ref inside);
        }))
        {
            await Task.Delay(100);
            var options = new NmsgUdpSinkOptions { Sender = NmsgUdpSenderOptions.Default with { Encoder = new NmsgEncoderOptions { BufferSize = 1280, Sequenced = true } } };
            await using (NmsgSink sink = NmsgSink.Udp(spec, options))
            {
                for (int i = 0; i < 200; i++)
                    sink.OnNext(Support.Numbered(i));
            }
            Assert.True(await all.WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.Equal(0, overlaps);
            Assert.Equal(Enumerable.Range(0, 200), got.Order());
            // Striped: two senders (one socket and sequence id per port), each seen once with no loss.
            Assert.Equal(2, input.SequenceSources.Count);
            Assert.All(input.SequenceSources, s => Assert.Equal(0UL, s.Lost));
            Assert.Equal(2, input.SequenceSources.Select(s => s.SequenceId).Distinct().Count());
        }

        static bool IsFree(int port)
        {
            using var s = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
            try
            {
                s.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port));
                return true;
            }
            catch (System.Net.Sockets.SocketException)
            {
                return false;
            }
        }
    }
}
