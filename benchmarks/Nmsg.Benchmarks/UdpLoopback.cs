using System.Diagnostics;
using System.Reactive.Linq;
using Nmsg.Reactive;
using Nmsg.Transports;

namespace Nmsg.Benchmarks;

/// <summary>
/// UDP loopback receive: a sender paced at a container rate, <see cref="NmsgSource.Udp(NmsgUdpReceiver)"/> counting
/// what arrives. Prints messages/s and loss for each rate. Run with <c>-- udp [messages] [rate…]</c>; not a
/// BenchmarkDotNet job because loss, not time per op, is the result.
/// </summary>
internal static class UdpLoopback
{
    public static async Task RunAsync(string[] args)
    {
        int count = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2_000_000;
        int[] rates = args.Length > 2 ? [.. args.Skip(2).Select(a => int.Parse(a, System.Globalization.CultureInfo.InvariantCulture))] : [8_000, 12_000, 16_000, 20_000];
        NmsgMessage[] messages = BenchData.IpconnMessages(BenchData.PayloadCount);
        Console.WriteLine($"{"containers/s",12} {"sent",10} {"received",10} {"lost",8} {"seconds",8} {"msgs/s",12}");
        foreach (int rate in rates)
        {
            await using NmsgUdpReceiver receiver = NmsgUdpReceiver.Bind("127.0.0.1/0", new NmsgUdpOptions { QueueCapacity = 16384, ReceiveBufferSize = 16 << 20 });
            long received = 0;
            using var done = new SemaphoreSlim(0);
            var clock = Stopwatch.StartNew();
            using IDisposable sub = NmsgSource.Udp(receiver).Subscribe(m =>
            {
                if (Interlocked.Increment(ref received) == count)
                    done.Release();
            });
            var options = new NmsgUdpSinkOptions { Sender = NmsgUdpSenderOptions.Default with { RateLimiter = new NmsgRateLimiter(rate, 64) } };
            var endpoint = receiver.LocalEndPoints[0];
            await Task.Run(async () =>
            {
                await using NmsgSink sink = NmsgSink.Udp($"{endpoint.Address}/{endpoint.Port}", options);
                for (int i = 0; i < count; i++)
                    sink.OnNext(messages[i % messages.Length]);
            });
            await done.WaitAsync(TimeSpan.FromSeconds(5 + count / 100_000));
            double seconds = clock.Elapsed.TotalSeconds;
            long got = Interlocked.Read(ref received);
            Console.WriteLine($"{rate,12} {count,10} {got,10} {count - got,8} {seconds,8:F2} {got / seconds,12:N0}  (queue drops {receiver.Statistics.QueueDrops}, seq lost {receiver.Statistics.ContainersLost})");
        }
    }
}
