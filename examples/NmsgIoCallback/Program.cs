using Nmsg.Reactive;

namespace Nmsg.Examples.NmsgIoCallback;

/// <summary>
/// pynmsg's nmsg_io_callback.py: NmsgIo with file inputs and a callback output that counts messages, printing a dot
/// per 10,000. (With several callback outputs, messages are striped round-robin across them, as in nmsg_io.)
/// Usage: NmsgIoCallback file [file…].
/// </summary>
public static class Example
{
    public static int Main(string[] args) => ExampleSupport.RunMain(args, RunAsync);

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (args.Length == 0)
        {
            await stderr.WriteLineAsync("usage: NmsgIoCallback file [file...]");
            return 1;
        }
        long count = 0;
        var io = new NmsgIo();
        foreach (string file in args)
            io.AddInput(NmsgSource.File(file));
        io.AddOutput(NmsgSink.Callback(_ =>
        {
            if (Interlocked.Increment(ref count) % 10_000 == 0)
                stderr.Write('.');
        }));
        NmsgIoStatistics stats = await io.RunAsync(cancellationToken);
        foreach (Exception e in stats.Errors)
            await stderr.WriteLineAsync($"error: {e.Message}");
        await stdout.WriteLineAsync($"{Interlocked.Read(ref count)} messages");
        return stats.Errors.Count == 0 ? 0 : 1;
    }
}
