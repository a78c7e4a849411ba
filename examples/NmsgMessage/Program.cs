using System.Net;
using Nmsg.Modules.Base;
using Nmsg.Reactive;

namespace Nmsg.Examples.IPConnSender;

/// <summary>
/// pynmsg's nmsg_message.py: builds a base.ipconn message field by field and sends 100 variants (changing addresses
/// and ports) to UDP, one container each. Usage: NmsgMessage [addr [port]] (default 127.0.0.1 9430).
/// </summary>
public static class Example
{
    public const int Variants = 100;

    public static int Main(string[] args) => ExampleSupport.RunMain(args, RunAsync);

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        string address = args.Length > 0 ? args[0] : "127.0.0.1";
        int port = args.Length > 1 ? ExampleSupport.Port(args[1]) : 9430;
        await using NmsgSink output = ExampleSupport.UnbufferedUdp(address, port);
        for (int i = 0; i < Variants && !cancellationToken.IsCancellationRequested; i++)
        {
            NmsgMessage m = Build(i);
            await output.WriteAsync(m, cancellationToken);
        }
        await output.CloseAsync();
        await output.Completion;
        await stdout.WriteLineAsync($"sent {output.Written} messages to {address}/{port}");
        return 0;
    }

    /// <summary>Variant <paramref name="i"/>: TCP from 192.0.2.(i+1):(10000+i) to 198.51.100.(100-i):80.</summary>
    public static NmsgMessage Build(int i)
    {
        var m = NmsgMessage.Create(new IPConn(), NmsgTimestamp.Now);
        m["proto"] = 6;
        m["srcip"] = IPAddress.Parse($"192.0.2.{i + 1}");
        m["srcport"] = 10000 + i;
        m["dstip"] = $"198.51.100.{Variants - i}";
        m["dstport"] = 80;
        return m;
    }
}
