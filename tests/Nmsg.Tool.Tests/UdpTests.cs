namespace Nmsg.Tool.Tests;

/// <summary>Two nmsg runs in-process talking UDP over 127.0.0.1.</summary>
public class UdpTests
{
    [Theory]
    [InlineData("-r", "plain/ipconn.nmsg", "plain/ipconn.pres", 4, "")]
    [InlineData("-r", "zlib/dns.z.nmsg", "zlib/dns.z.pres", 9, "-z")]
    [InlineData("-j", "inputs/big-logline.json", "frag/logline-big-m512.pres", 3, "-m 512")]
    [InlineData("-j", "inputs/big-logline.json", "frag/logline-big-m512.pres", 3, "-m 512 -z --unbuffered")]
    public async Task Sent_messages_arrive_and_print_like_nmsgtool(string inputOption, string input, string expectedPres, int count, string senderOptions)
    {
        int port = ToolRunner.FreeUdpPort();
        string spec = $"127.0.0.1/{port}";
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)); // a hang guard, not a timing assertion
        Task<ToolRunner.Result> receiver = ToolRunner.RunAsync(["-l", spec, "-c", count.ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", "-"], cancellationToken: timeout.Token);
        string[] send = [inputOption, ToolRunner.Vector(input), "-s", spec, .. senderOptions.Split(' ', StringSplitOptions.RemoveEmptyEntries)];
        // The receiver binds asynchronously: send the whole input again until it has its count.
        while (!receiver.IsCompleted)
        {
            ToolRunner.Result sent = await ToolRunner.RunAsync(send);
            Assert.True(sent.ExitCode == 0, sent.Stderr);
            await Task.WhenAny(receiver, Task.Delay(100));
        }
        ToolRunner.Result r = await receiver;
        Assert.True(r.ExitCode == 0, r.Stderr);
        List<string> expected = ToolRunner.PresRecords(File.ReadAllText(ToolRunner.Vector(expectedPres)));
        Assert.Equal(count, expected.Count);
        // A burst caught halfway may start with a later message: compare as a set of records.
        Assert.Equal(expected.Order(StringComparer.Ordinal), ToolRunner.PresRecords(r.StdoutText).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_channel_alias_names_the_sockets()
    {
        int port = ToolRunner.FreeUdpPort();
        using var temp = new ToolRunner.TempDir();
        File.WriteAllText(temp.File("chalias"), $"other 127.0.0.1/1\ntest 127.0.0.1/{port}\n");
        Environment.SetEnvironmentVariable("NMSG_CHALIAS_FILE", temp.File("chalias"));
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            Task<ToolRunner.Result> receiver = ToolRunner.RunAsync(["-C", "test", "-c", "4", "-J", "-"], cancellationToken: timeout.Token);
            while (!receiver.IsCompleted)
            {
                await ToolRunner.RunAsync(["-r", ToolRunner.Vector("plain/ipconn.nmsg"), "-s", $"127.0.0.1/{port}"]);
                await Task.WhenAny(receiver, Task.Delay(100));
            }
            ToolRunner.Result r = await receiver;
            Assert.True(r.ExitCode == 0, r.Stderr);
            Assert.Equal(File.ReadAllText(ToolRunner.Vector("plain/ipconn.json")), r.StdoutText);
        }
        finally
        {
            Environment.SetEnvironmentVariable("NMSG_CHALIAS_FILE", null);
        }
    }

    [Fact]
    public async Task Cancelling_a_listener_flushes_its_outputs_and_exits_1()
    {
        int port = ToolRunner.FreeUdpPort();
        using var temp = new ToolRunner.TempDir();
        using var stop = new CancellationTokenSource();
        var stderr = new StringWriter();
        TextWriter syncStderr = TextWriter.Synchronized(stderr);
        using var stdout = new MemoryStream();
        // Buffered binary output: nothing reaches the file before the run is stopped and flushes it.
        Task<int> receiver = NmsgTool.RunAsync(["-l", $"127.0.0.1/{port}", "-w", temp.File("out.nmsg"), "-dd", "--status"], stdout, syncStderr, null, stop.Token);
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60)); // hang guard
        // The status line (forced on with --status) shows when the listener has received something.
        while (!System.Text.RegularExpressions.Regex.IsMatch(Snapshot(syncStderr, stderr), @" in [1-9]"))
        {
            await ToolRunner.RunAsync(["-r", ToolRunner.Vector("plain/ipconn.nmsg"), "-s", $"127.0.0.1/{port}"]);
            await Task.Delay(100, guard.Token);
        }
        stop.Cancel();
        Assert.Equal(1, await receiver);
        string log = Snapshot(syncStderr, stderr);
        long written = long.Parse(System.Text.RegularExpressions.Regex.Match(log, @"payloads_out (\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(written >= 4 && written % 4 == 0, log);
        // Everything received was flushed whole: the file decodes to that many payloads, each an ipconn vector message.
        ToolRunner.Result decoded = await ToolRunner.RunAsync(["-r", temp.File("out.nmsg"), "-o", "-"]);
        Assert.Equal(0, decoded.ExitCode);
        string once = File.ReadAllText(ToolRunner.Vector("plain/ipconn.pres"));
        Assert.Equal(string.Concat(Enumerable.Repeat(once, (int)(written / 4))), decoded.StdoutText);
    }

    private static string Snapshot(TextWriter gate, StringWriter inner)
    {
        lock (gate)
            return inner.ToString();
    }
}
