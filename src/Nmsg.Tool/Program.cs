using System.Runtime.InteropServices;

namespace Nmsg.Tool;

/// <summary>The <c>nmsg</c> executable: wires the console and signals to <see cref="NmsgTool"/>.</summary>
public static class Program
{
    /// <summary>Runs <c>nmsg</c> with the process's console; SIGINT and SIGTERM stop it cleanly.</summary>
    public static async Task<int> Main(string[] args)
    {
        using var stop = new CancellationTokenSource();
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true; // no abrupt exit: the run stops, flushes every output and returns
            stop.Cancel();
        }
        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        await using Stream stdout = Console.OpenStandardOutput();
        await using Stream stdin = Console.OpenStandardInput();
        return await NmsgTool.RunAsync(args, stdout, Console.Error, stdin, !Console.IsErrorRedirected, stop.Token).ConfigureAwait(false);
    }
}
