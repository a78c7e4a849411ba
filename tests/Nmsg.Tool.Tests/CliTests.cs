using System.Text;
using System.Text.RegularExpressions;
using Nmsg.Text;
using Nmsg.Transports;

namespace Nmsg.Tool.Tests;

/// <summary>Options, limits, fan-out, rotation, totals and errors.</summary>
public partial class CliTests
{
    private static string Pres(string vector) => File.ReadAllText(ToolRunner.Vector(Path.ChangeExtension(vector, ".pres")));

    [Theory]
    [InlineData("-L", "tcp://127.0.0.1:5555")]
    [InlineData("--readzsock", "tcp://127.0.0.1:5555")]
    [InlineData("-Z", "chan")]
    [InlineData("-S", "tcp://127.0.0.1:5555")]
    [InlineData("--readkafka", "json:t@localhost")]
    [InlineData("--writekafka", "json:t@localhost")]
    [InlineData("--kafkakey", "qname")]
    [InlineData("-p", "x.pcap")]
    [InlineData("-i", "eth0")]
    [InlineData("-b", "udp")]
    [InlineData("-D", null)]
    [InlineData("-P", "pid")]
    [InlineData("-U", "nobody")]
    [InlineData("-F", "sample,count=10")]
    [InlineData("-M", "sample")]
    public async Task Unsupported_options_fail_with_a_clear_message(string option, string? value)
    {
        string[] args = value is null ? ["-r", ToolRunner.Vector("plain/ipconn.nmsg"), option] : ["-r", ToolRunner.Vector("plain/ipconn.nmsg"), option, value];
        ToolRunner.Result r = await ToolRunner.RunAsync(args);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("not supported yet", r.Stderr, StringComparison.Ordinal);
        Assert.Empty(r.Stdout);
        Assert.Single(r.Stderr.TrimEnd('\n').Split('\n'));
    }

    [Theory]
    [InlineData("--no-such-option")]
    [InlineData("-c", "zero", "-r", "x")]
    [InlineData("-c", "0", "-r", "x")]
    [InlineData("-r")]
    [InlineData("-w", "out.nmsg")]
    [InlineData("-f", "x.pres")]
    [InlineData("-V", "base", "-T", "nosuch", "-r", "x")]
    [InlineData("-V", "base", "-r", "x")]
    [InlineData("--policy", "MAYBE", "-r", "VEC")]
    [InlineData("--getsource", "xyz", "-r", "VEC")]
    [InlineData("--setoperator", "no-such-alias", "-r", "VEC")]
    [InlineData("-k", "", "-r", "VEC", "-w", "out")]
    [InlineData("-s", "127.0.0.1", "-r", "VEC")]
    [InlineData("-l", "not-an-address/8430")]
    [InlineData("-C", "no-such-channel")]
    [InlineData("-r", "/nonexistent/file.nmsg")]
    [InlineData("-r", "VEC", "extra")]
    public async Task Misuse_is_one_line_and_exit_1(params string[] args)
    {
        args = [.. args.Select(a => a == "VEC" ? ToolRunner.Vector("plain/ipconn.nmsg") : a)];
        Environment.SetEnvironmentVariable("NMSG_CHALIAS_FILE", ToolRunner.Vector("inputs/test.opalias")); // exists, no such channel
        try
        {
            ToolRunner.Result r = await ToolRunner.RunAsync(args);
            Assert.Equal(1, r.ExitCode);
            string[] lines = r.Stderr.TrimEnd('\n').Split('\n');
            Assert.Single(lines);
            Assert.StartsWith("nmsg: ", lines[0], StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", r.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("NMSG_CHALIAS_FILE", null);
        }
    }

    [Theory]
    [InlineData("malformed/bad-magic.nmsg")]
    [InlineData("malformed/garbage-body.nmsg")]
    [InlineData("malformed/valid-then-bad-magic.nmsg")]
    public async Task A_bad_input_exits_1_after_the_good_messages(string vector)
    {
        ToolRunner.Result r = await ToolRunner.RunAsync(["-r", ToolRunner.Vector(vector)]);
        Assert.Equal(1, r.ExitCode);
        Assert.Single(r.Stderr.TrimEnd('\n').Split('\n'));
        string pres = ToolRunner.Vector(Path.ChangeExtension(vector, ".pres"));
        Assert.Equal(File.Exists(pres) ? File.ReadAllText(pres) : "", r.StdoutText);
    }

    [Fact]
    public async Task Help_documents_every_option_and_variable()
    {
        ToolRunner.Result r = await ToolRunner.RunAsync(["--help"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(r.StdoutText, (await ToolRunner.RunAsync(["-h"])).StdoutText);
        // Every long option of nmsgtool's own help (vectors/NMSGTOOL-HELP.txt) appears in ours.
        string reference = File.ReadAllText(ToolRunner.Vector("NMSGTOOL-HELP.txt"));
        var longOptions = OptionPattern().Matches(reference).Select(m => m.Value).Distinct().ToList();
        Assert.True(longOptions.Count >= 40, $"{longOptions.Count} options in the reference help");
        foreach (string option in longOptions)
            Assert.Contains(option, r.StdoutText, StringComparison.Ordinal);
        foreach (string variable in new[] { "NMSG_OPALIAS_FILE", "NMSG_GRALIAS_FILE", "NMSG_CHALIAS_FILE", "NMSG_KICKER" })
            Assert.Contains(variable, r.StdoutText, StringComparison.Ordinal);
    }

    [GeneratedRegex("--[a-z]+")]
    private static partial Regex OptionPattern();

    [Fact]
    public async Task Version_names_the_compatible_nmsgtool()
    {
        ToolRunner.Result r = await ToolRunner.RunAsync(["-v"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains(NmsgTool.CompatibleVersion, r.StdoutText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Debug_2_prints_the_reference_totals_line()
    {
        // nmsgtool -d -d -r plain/ipconn.nmsg -o /dev/null, as recorded in NMSGTOOL-HELP.txt.
        string expected = File.ReadLines(ToolRunner.Vector("NMSGTOOL-HELP.txt")).Single(l => l.StartsWith("nmsgtool: totals:", StringComparison.Ordinal));
        ToolRunner.Result r = await ToolRunner.RunAsync(["-dd", "-r", ToolRunner.Vector("plain/ipconn.nmsg"), "-o", "/dev/null"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(expected + "\n", r.Stderr.ReplaceLineEndings("\n"));
        ToolRunner.Result once = await ToolRunner.RunAsync(["-d", "-r", ToolRunner.Vector("plain/ipconn.nmsg"), "-o", "/dev/null"]);
        Assert.Equal("", once.Stderr);
    }

    [Fact]
    public async Task Count_stops_after_n_payloads()
    {
        ToolRunner.Result r = await ToolRunner.RunAsync(["-r", ToolRunner.Vector("plain/dns.nmsg"), "-c", "3", "-o", "-"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(string.Concat(ToolRunner.PresRecords(Pres("plain/dns.nmsg")).Take(3)), r.StdoutText);
    }

    [Fact]
    public async Task Outputs_are_striped_by_default_and_mirrored_on_request()
    {
        using var temp = new ToolRunner.TempDir();
        List<string> records = ToolRunner.PresRecords(Pres("plain/dns.nmsg"));
        Assert.Equal(9, records.Count);
        ToolRunner.Result r = await ToolRunner.RunAsync(["-r", ToolRunner.Vector("plain/dns.nmsg"), "-o", temp.File("a"), "-o", temp.File("b")]);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(string.Concat(records.Where((_, i) => i % 2 == 0)), File.ReadAllText(temp.File("a")));
        Assert.Equal(string.Concat(records.Where((_, i) => i % 2 == 1)), File.ReadAllText(temp.File("b")));

        r = await ToolRunner.RunAsync(["--mirror", "-r", ToolRunner.Vector("plain/dns.nmsg"), "-o", temp.File("a"), "-o", temp.File("b")]);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(Pres("plain/dns.nmsg"), File.ReadAllText(temp.File("a")));
        Assert.Equal(Pres("plain/dns.nmsg"), File.ReadAllText(temp.File("b")));
    }

    [Fact]
    public async Task Several_inputs_are_all_read()
    {
        ToolRunner.Result r = await ToolRunner.RunAsync(["-r", ToolRunner.Vector("plain/dns.nmsg"), "-r", ToolRunner.Vector("plain/ipconn.nmsg"), "-J", "-"]);
        Assert.Equal(0, r.ExitCode);
        var expected = File.ReadAllLines(ToolRunner.Vector("plain/dns.json")).Concat(File.ReadAllLines(ToolRunner.Vector("plain/ipconn.json"))).Order().ToList();
        Assert.Equal(expected, r.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order().ToList());
    }

    [Fact]
    public async Task Endline_is_unescaped_and_used_for_presentation()
    {
        var options = new NmsgTextOptions { Endline = " |\t" };
        var expected = new StringBuilder();
        await using (var reader = NmsgStreamReader.OpenFile(ToolRunner.Vector("plain/http.nmsg")))
        {
            await foreach (NmsgMessage m in reader.ReadAllAsync())
                expected.Append(NmsgPresentation.Format(m, options));
        }
        ToolRunner.Result r = await ToolRunner.RunAsync(["-r", ToolRunner.Vector("plain/http.nmsg"), "-e", " |\\t"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(expected.ToString(), r.StdoutText);
        Assert.NotEqual(Pres("plain/http.nmsg"), r.StdoutText);
    }

    [Fact]
    public async Task Setsource_stamps_text_outputs_too()
    {
        ToolRunner.Result r = await ToolRunner.RunAsync(["-r", ToolRunner.Vector("plain/ipconn.nmsg"), "--setsource", "0xa1b2c3d4", "--setoperator", "7", "--setgroup", "9"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(File.ReadAllText(ToolRunner.Vector("gos/ipconn-setsog.pres")), r.StdoutText);
    }

    [Fact]
    public async Task Operator_and_group_filters_take_alias_names()
    {
        Environment.SetEnvironmentVariable("NMSG_OPALIAS_FILE", ToolRunner.Vector("inputs/test.opalias"));
        Environment.SetEnvironmentVariable("NMSG_GRALIAS_FILE", ToolRunner.Vector("inputs/test.gralias"));
        try
        {
            string opName = File.ReadLines(ToolRunner.Vector("inputs/test.opalias")).Select(l => l.Split(' ', 2)).Single(p => p[0] == "1")[1];
            string grName = File.ReadLines(ToolRunner.Vector("inputs/test.gralias")).Select(l => l.Split(' ', 2)).Single(p => p[0] == "129")[1];
            foreach ((string option, string name, string number) in new[] { ("--getoperator", opName, "1"), ("--getgroup", grName, "129") })
            {
                ToolRunner.Result byName = await ToolRunner.RunAsync(["-r", ToolRunner.Vector("multi/mixed.nmsg"), option, name, "-J", "-"]);
                ToolRunner.Result byNumber = await ToolRunner.RunAsync(["-r", ToolRunner.Vector("multi/mixed.nmsg"), option, number, "-J", "-"]);
                ToolRunner.Result all = await ToolRunner.RunAsync(["-r", ToolRunner.Vector("multi/mixed.nmsg"), "-J", "-"]);
                Assert.Equal(0, byName.ExitCode);
                Assert.NotEmpty(byName.Stdout);
                Assert.True(byName.Stdout.Length < all.Stdout.Length, option);
                Assert.Equal(byNumber.StdoutText, byName.StdoutText);
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable("NMSG_OPALIAS_FILE", null);
            Environment.SetEnvironmentVariable("NMSG_GRALIAS_FILE", null);
        }
    }

    [Fact]
    public async Task Policy_drop_without_filters_drops_everything()
    {
        ToolRunner.Result r = await ToolRunner.RunAsync(["-r", ToolRunner.Vector("plain/ipconn.nmsg"), "--policy", "DROP", "-dd", "-o", "-"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Empty(r.Stdout);
        Assert.Contains("payloads_in 4 payloads_out 0", r.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-w", ".nmsg")]
    [InlineData("-J", ".json")]
    [InlineData("-o", "")]
    public async Task Kicker_rotates_every_count_into_timestamped_files(string option, string suffix)
    {
        using var temp = new ToolRunner.TempDir();
        string basePath = temp.File("out");
        ToolRunner.Result r = await ToolRunner.RunAsync(["-r", ToolRunner.Vector("plain/dns.nmsg"), "-c", "4", "-k", "", option, basePath]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        string[] files = [.. Directory.GetFiles(temp.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
        // 9 payloads, 4 per file: two full files and the rest in a third closed at the end.
        Assert.Equal(3, files.Length);
        var name = new Regex(@"^out\.(\d{8})\.(\d{4})\.(\d+)\.(\d{9})" + Regex.Escape(suffix) + "$");
        foreach (string f in files)
        {
            Match m = name.Match(f);
            Assert.True(m.Success, f);
            DateTimeOffset t = DateTimeOffset.FromUnixTimeSeconds(long.Parse(m.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(t.UtcDateTime.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture), m.Groups[1].Value);
            Assert.Equal(t.UtcDateTime.ToString("HHmm", System.Globalization.CultureInfo.InvariantCulture), m.Groups[2].Value);
        }
        string joined = option == "-w"
            ? string.Concat(files.Select(f => ToolRunner.Run("-r", temp.File(f)).StdoutText))
            : option == "-J" ? string.Concat(files.Select(f => File.ReadAllText(temp.File(f)))) : string.Concat(files.Select(f => File.ReadAllText(temp.File(f))));
        string expected = option == "-J" ? File.ReadAllText(ToolRunner.Vector("plain/dns.json")) : Pres("plain/dns.nmsg");
        if (option == "-J")
            JsonAssert.LinesEquivalent(expected, joined, "rotated json");
        else
            Assert.Equal(expected, joined);
    }

    [Fact]
    public async Task Kicker_runs_the_command_with_each_file()
    {
        using var temp = new ToolRunner.TempDir();
        string log = temp.File("kicked.log");
        string script = temp.File("kick.sh");
        File.WriteAllText(script, $"#!/bin/sh\necho \"$1\" >> '{log}'\n");
        ToolRunner.Result r = await ToolRunner.RunAsync(["-r", ToolRunner.Vector("plain/dns.nmsg"), "-c", "5", "-k", "sh " + script, "-w", temp.File("out")]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        string[] written = [.. Directory.GetFiles(temp.Path, "out.*.nmsg").Order(StringComparer.Ordinal)];
        Assert.Equal(2, written.Length);
        // The command runs in the background ('cmd file &'): wait for both lines, without a time budget of its own.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!File.Exists(log) || File.ReadAllLines(log).Length < 2)
            await Task.Delay(50, cts.Token);
        Assert.Equal(written, File.ReadAllLines(log).Order(StringComparer.Ordinal));
    }
}
