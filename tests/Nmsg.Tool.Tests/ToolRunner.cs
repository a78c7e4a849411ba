using System.Net;
using System.Net.Sockets;
using System.Text;

[assembly: CollectionBehavior(DisableTestParallelization = true)] // some tests set NMSG_* environment variables

namespace Nmsg.Tool.Tests;

/// <summary>Runs the nmsg command in-process and captures its output.</summary>
internal static class ToolRunner
{
    public sealed record Result(int ExitCode, byte[] Stdout, string Stderr)
    {
        public string StdoutText => Encoding.UTF8.GetString(Stdout);
    }

    public static string Vectors { get; } = Path.Combine(AppContext.BaseDirectory, "vectors");

    public static string Vector(string relative) => Path.Combine(Vectors, relative);

    public static async Task<Result> RunAsync(string[] args, byte[]? stdin = null, CancellationToken cancellationToken = default)
    {
        var stdout = new MemoryStream();
        var stderr = new StringWriter();
        using var input = new MemoryStream(stdin ?? []);
        int code = await NmsgTool.RunAsync(args, stdout, stderr, input, cancellationToken);
        return new Result(code, stdout.ToArray(), stderr.ToString());
    }

    public static Result Run(params string[] args) => RunAsync(args).GetAwaiter().GetResult();

    /// <summary>A UDP port on 127.0.0.1 that was free a moment ago.</summary>
    public static int FreeUdpPort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    /// <summary>A fresh temporary directory, deleted on dispose.</summary>
    public sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("nmsg-tool-tests-").FullName;

        public string File(string name) => System.IO.Path.Combine(Path, name);

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>The records of presentation text: each payload's header line through its blank line.</summary>
    public static List<string> PresRecords(string text)
    {
        var records = new List<string>();
        var current = new StringBuilder();
        foreach (string line in text.Split('\n'))
        {
            if (IsHeader(line) && current.Length > 0)
            {
                records.Add(current.ToString());
                current.Clear();
            }
            current.Append(line).Append('\n');
        }
        if (current.Length > 0)
            records.Add(current.ToString()[..^1]); // the split added one '\n' too many at the very end
        return records;
    }

    private static bool IsHeader(string line)
        => line.StartsWith('[') && line.EndsWith("] ", StringComparison.Ordinal) && line.Split("] [").Length == 6;
}
