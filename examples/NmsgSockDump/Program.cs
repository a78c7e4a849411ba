namespace Nmsg.Examples.NmsgSockDump;

/// <summary>
/// pynmsg's nmsg_sock_dump.py: listens on UDP and prints each message's header and fields (one line per value of a
/// repeated field). Usage: NmsgSockDump addr port [count] (count: stop after that many messages).
/// </summary>
public static class Example
{
    public static int Main(string[] args) => ExampleSupport.RunMain(args, RunAsync);

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (args.Length < 2)
        {
            await stderr.WriteLineAsync("usage: NmsgSockDump addr port [count]");
            return 1;
        }
        long count = args.Length > 2 ? ExampleSupport.Number(args[2]) : long.MaxValue;
        await using Transports.NmsgUdpReceiver receiver = ExampleSupport.Listen(args[0], ExampleSupport.Port(args[1]));
        await stderr.WriteLineAsync($"listening on {receiver.Spec}");
        long seen = 0;
        try
        {
            await foreach (NmsgMessage m in receiver.ReadAllAsync(cancellationToken))
            {
                ExampleSupport.Dump(m, stdout);
                if (++seen >= count)
                    break;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        await stdout.FlushAsync(CancellationToken.None);
        return 0;
    }
}
