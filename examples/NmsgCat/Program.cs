using Nmsg.Reactive;

namespace Nmsg.Examples.NmsgCat;

/// <summary>
/// pynmsg's nmsg_cat.py: relays messages from one UDP socket to another, with a dot on stderr per 1,000 messages and
/// the count per 10,000. Usage: NmsgCat [in-addr in-port out-addr out-port [count]]
/// (default 127.0.0.1 8430 → 127.0.0.1 9430; count: stop after that many).
/// </summary>
public static class Example
{
    public static int Main(string[] args) => ExampleSupport.RunMain(args, RunAsync);

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        string inAddress = args.Length > 0 ? args[0] : "127.0.0.1";
        int inPort = args.Length > 1 ? ExampleSupport.Port(args[1]) : 8430;
        string outAddress = args.Length > 2 ? args[2] : "127.0.0.1";
        int outPort = args.Length > 3 ? ExampleSupport.Port(args[3]) : 9430;
        long count = args.Length > 4 ? ExampleSupport.Number(args[4]) : long.MaxValue;

        await using Transports.NmsgUdpReceiver receiver = ExampleSupport.Listen(inAddress, inPort);
        await using NmsgSink output = ExampleSupport.UnbufferedUdp(outAddress, outPort);
        await stderr.WriteLineAsync($"listening on {receiver.Spec}, sending to {outAddress}/{outPort}");
        long n = 0;
        try
        {
            await foreach (NmsgMessage m in receiver.ReadAllAsync(cancellationToken))
            {
                await output.WriteAsync(m, cancellationToken);
                n++;
                if (n % 10_000 == 0)
                    await stderr.WriteAsync($"{n}\n");
                else if (n % 1_000 == 0)
                    await stderr.WriteAsync('.');
                if (n >= count)
                    break;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        await output.CloseAsync();
        await stdout.WriteLineAsync($"relayed {n} messages");
        return 0;
    }
}
