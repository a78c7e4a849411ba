using System.Diagnostics;

namespace Nmsg.Tool.Tests;

/// <summary>The real executable (dotnet nmsg.dll): console wiring, exit codes and SIGINT.</summary>
public class ProcessTests
{
    private static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "nmsg.dll"));
        foreach (string a in args)
            start.ArgumentList.Add(a);
        return Process.Start(start)!;
    }

    [Fact]
    public async Task The_executable_writes_presentation_to_stdout()
    {
        using Process p = Start("-r", ToolRunner.Vector("plain/dnsqr-pcap.nmsg"));
        p.StandardInput.Close();
        string stdout = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.Equal(0, p.ExitCode);
        Assert.Equal(File.ReadAllText(ToolRunner.Vector("plain/dnsqr-pcap.pres")), stdout);
    }

    [Fact]
    public async Task Sigint_stops_a_listener_flushes_and_exits_1()
    {
        if (!OperatingSystem.IsLinux())
            return;
        int port = ToolRunner.FreeUdpPort();
        using var temp = new ToolRunner.TempDir();
        using Process p = Start("-l", $"127.0.0.1/{port}", "-J", temp.File("out.json"), "--status");
        p.StandardInput.Close();
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        var seen = new TaskCompletionSource();
        var stderr = new System.Text.StringBuilder();
        p.ErrorDataReceived += (_, e) =>
        {
            lock (stderr)
                stderr.Append(e.Data).Append('\n');
            if (e.Data is { } line && System.Text.RegularExpressions.Regex.IsMatch(line, @" in [1-9]"))
                seen.TrySetResult();
        };
        p.BeginErrorReadLine();
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60)); // hang guard
        while (!seen.Task.IsCompleted)
        {
            await ToolRunner.RunAsync(["-r", ToolRunner.Vector("plain/ipconn.nmsg"), "-s", $"127.0.0.1/{port}"]);
            await Task.WhenAny(seen.Task, Task.Delay(100, guard.Token));
            guard.Token.ThrowIfCancellationRequested();
        }
        using (Process kill = Process.Start("kill", ["-INT", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        await p.WaitForExitAsync(guard.Token);
        await stdout;
        Assert.Equal(1, p.ExitCode);
        string[] lines = File.ReadAllLines(temp.File("out.json"));
        Assert.NotEmpty(lines);
        string[] once = File.ReadAllLines(ToolRunner.Vector("plain/ipconn.json"));
        Assert.Equal(0, lines.Length % once.Length);
        Assert.Equal(Enumerable.Range(0, lines.Length).Select(i => once[i % once.Length]), lines);
        lock (stderr)
            Assert.DoesNotContain("   at ", stderr.ToString(), StringComparison.Ordinal);
    }
}
