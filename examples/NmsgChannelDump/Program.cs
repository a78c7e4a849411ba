using Nmsg.Reactive;
using Nmsg.Text;
using Nmsg.Transports;

namespace Nmsg.Examples.NmsgChannelDump;

/// <summary>
/// pynmsg's nmsg_channel_dump.py: NmsgIo over the UDP sockets of a channel alias (NMSG_CHALIAS_FILE, else
/// /usr/local/etc/nmsg.chalias), with a callback output that prints each message. Usage: NmsgChannelDump channel [count].
/// </summary>
public static class Example
{
    public static int Main(string[] args) => ExampleSupport.RunMain(args, RunAsync);

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (args.Length < 1)
        {
            await stderr.WriteLineAsync("usage: NmsgChannelDump channel [count]");
            return 1;
        }
        string? file = Environment.GetEnvironmentVariable("NMSG_CHALIAS_FILE");
        if (string.IsNullOrEmpty(file))
            file = File.Exists("/usr/local/etc/nmsg.chalias") ? "/usr/local/etc/nmsg.chalias" : "/usr/local/etc/nmsgtool.chalias";
        string[]? specs = File.Exists(file)
            ? File.ReadLines(file).Select(l => l.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)).FirstOrDefault(t => t.Length > 1 && t[0] == args[0])?[1..]
            : null;
        if (specs is null)
        {
            await stderr.WriteLineAsync($"channel {args[0]} not found in {file}");
            return 1;
        }

        NmsgAliases aliases = NmsgAliases.LoadDefault();
        var receivers = specs.Select(s => NmsgUdpReceiver.Bind(s)).ToList();
        try
        {
            var io = new NmsgIo();
            foreach (NmsgUdpReceiver r in receivers)
                io.AddInput(NmsgSource.Udp(r));
            io.AddOutput(NmsgSink.Callback(m => ExampleSupport.Dump(m, stdout, aliases)));
            if (args.Length > 1)
                io.Count(ExampleSupport.Number(args[1]));
            await stderr.WriteLineAsync($"listening on {string.Join(", ", specs)}");
            NmsgIoStatistics stats = await io.RunAsync(cancellationToken);
            await stdout.FlushAsync(CancellationToken.None);
            return stats.Errors.Count == 0 ? 0 : 1;
        }
        finally
        {
            foreach (NmsgUdpReceiver r in receivers)
                await r.DisposeAsync();
        }
    }
}
