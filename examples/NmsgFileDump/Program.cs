using Nmsg.Reactive;
using Nmsg.Text;

namespace Nmsg.Examples.NmsgFileDump;

/// <summary>pynmsg's nmsg_file_dump.py: prints each message of an NMSG file, header and fields. Usage: NmsgFileDump file.</summary>
public static class Example
{
    public static int Main(string[] args) => ExampleSupport.RunMain(args, RunAsync);

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (args.Length != 1)
        {
            await stderr.WriteLineAsync("usage: NmsgFileDump file");
            return 1;
        }
        NmsgAliases aliases = NmsgAliases.LoadDefault();
        await foreach (NmsgMessage m in NmsgSource.File(args[0]).ReadAllAsync(cancellationToken))
            ExampleSupport.Dump(m, stdout, aliases);
        await stdout.FlushAsync(CancellationToken.None);
        return 0;
    }
}
