using System.Net;
using Nmsg.Reactive;
using Nmsg.Text;
using Nmsg.Transports;

namespace Nmsg.Examples.NmsgNonblocking;

/// <summary>
/// pynmsg's nmsg_nonblocking.py: a pull reader with a one-second timeout; prints each message, or "no messages!"
/// when a second passes without one. Usage: NmsgNonblocking addr port [messages [timeouts]] (stop after that many
/// messages, or that many empty seconds).
/// </summary>
public static class Example
{
    public static int Main(string[] args) => ExampleSupport.RunMain(args, RunAsync);

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (args.Length < 2)
        {
            await stderr.WriteLineAsync("usage: NmsgNonblocking addr port [messages [timeouts]]");
            return 1;
        }
        int port = ExampleSupport.Port(args[1]);
        long maxMessages = args.Length > 2 ? ExampleSupport.Number(args[2]) : long.MaxValue;
        long maxTimeouts = args.Length > 3 ? ExampleSupport.Number(args[3]) : long.MaxValue;
        NmsgInput input = NmsgSource.Udp(new NmsgSocketSpec(IPAddress.Parse(args[0]), port, port));
        await using NmsgMessageReader reader = input.OpenReader(); // binds the socket now
        await stderr.WriteLineAsync($"listening on {input.Name}");
        long messages = 0, timeouts = 0;
        try
        {
            while (messages < maxMessages && timeouts < maxTimeouts)
            {
                NmsgMessage? m = await reader.TryReadAsync(TimeSpan.FromSeconds(1), cancellationToken);
                if (m is null)
                {
                    if (reader.IsCompleted)
                        break;
                    timeouts++;
                    await stdout.WriteLineAsync("no messages!");
                    continue;
                }
                messages++;
                await stdout.WriteAsync(NmsgPresentation.Format(m));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        await stdout.FlushAsync(CancellationToken.None);
        return 0;
    }
}
