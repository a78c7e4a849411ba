using System.Text;

namespace Nmsg.Tool.Tests;

/// <summary>nmsg -r X.nmsg -o - and -J - against X.pres and X.json for every valid binary vector.</summary>
public class VectorOutputTests
{
    public static TheoryData<string> Binaries()
    {
        var data = new TheoryData<string>();
        foreach (string dir in new[] { "plain", "zlib", "multi", "gos", "frag", "go-written", "edge", "sie", "inputs" })
        {
            foreach (string f in Directory.EnumerateFiles(ToolRunner.Vector(dir), "*.nmsg").Order(StringComparer.Ordinal))
                data.Add(Path.GetRelativePath(ToolRunner.Vectors, f));
        }
        return data;
    }

    [Fact]
    public void The_vectors_are_found() => Assert.True(((IEnumerable<object[]>)Binaries()).Count() >= 60, "vectors missing");

    private static async Task<ToolRunner.Result> RunWithAliasesAsync(string vector, params string[] args)
    {
        bool aliased = vector.Contains("aliased", StringComparison.Ordinal);
        if (aliased)
        {
            Environment.SetEnvironmentVariable("NMSG_OPALIAS_FILE", ToolRunner.Vector("inputs/test.opalias"));
            Environment.SetEnvironmentVariable("NMSG_GRALIAS_FILE", ToolRunner.Vector("inputs/test.gralias"));
        }
        try
        {
            return await ToolRunner.RunAsync(args);
        }
        finally
        {
            Environment.SetEnvironmentVariable("NMSG_OPALIAS_FILE", null);
            Environment.SetEnvironmentVariable("NMSG_GRALIAS_FILE", null);
        }
    }

    [Theory]
    [MemberData(nameof(Binaries))]
    public async Task Presentation_to_stdout_is_byte_identical(string vector)
    {
        string pres = ToolRunner.Vector(Path.ChangeExtension(vector, ".pres"));
        if (!File.Exists(pres))
            return; // nmsgtool printed nothing to compare
        ToolRunner.Result r = await RunWithAliasesAsync(vector, "-r", ToolRunner.Vector(vector), "-o", "-");
        Assert.Equal(File.ReadAllText(pres), r.StdoutText);
    }

    [Theory]
    [MemberData(nameof(Binaries))]
    public async Task Json_to_stdout_matches(string vector)
    {
        string json = Path.ChangeExtension(vector, ".json");
        if (!File.Exists(ToolRunner.Vector(json)) || ManifestExitCode(json) != 0)
            return; // nmsgtool's JSON output failed on this file
        ToolRunner.Result r = await RunWithAliasesAsync(vector, "-r", ToolRunner.Vector(vector), "-J", "-");
        Assert.True(r.ExitCode == 0, r.Stderr);
        JsonAssert.LinesEquivalent(File.ReadAllText(ToolRunner.Vector(json)), r.StdoutText, json);
    }

    [Theory]
    [MemberData(nameof(Binaries))]
    public async Task No_output_means_presentation_on_stdout(string vector)
    {
        if (!vector.StartsWith("plain/", StringComparison.Ordinal))
            return;
        ToolRunner.Result r = await ToolRunner.RunAsync(["-r", ToolRunner.Vector(vector)]);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(File.ReadAllText(ToolRunner.Vector(Path.ChangeExtension(vector, ".pres"))), r.StdoutText);
    }

    [Theory]
    [InlineData("plain/ipconn.nmsg")]
    [InlineData("zlib/dns.z.nmsg")]
    [InlineData("multi/mixed.nmsg")]
    public async Task Stdin_to_stdout_rewrites_the_same_messages(string vector)
    {
        byte[] input = File.ReadAllBytes(ToolRunner.Vector(vector));
        ToolRunner.Result binary = await ToolRunner.RunAsync(["-r", "-", "-w", "-"], input);
        Assert.Equal(0, binary.ExitCode);
        ToolRunner.Result pres = await ToolRunner.RunAsync(["-r", "-"], binary.Stdout);
        Assert.Equal(File.ReadAllText(ToolRunner.Vector(Path.ChangeExtension(vector, ".pres"))), pres.StdoutText);
    }

    [Fact]
    public async Task Json_from_stdin_writes_what_nmsgtool_wrote()
    {
        byte[] json = File.ReadAllBytes(ToolRunner.Vector("inputs/dns.json"));
        ToolRunner.Result r = await ToolRunner.RunAsync(["-j", "-", "-w", "-"], json);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(File.ReadAllBytes(ToolRunner.Vector("plain/dns.nmsg")), r.Stdout);
    }

    internal static int ManifestExitCode(string relative)
    {
        foreach (string line in File.ReadLines(ToolRunner.Vector("MANIFEST.tsv")))
        {
            string[] cols = line.Split('\t');
            if (cols.Length > 1 && cols[0] == relative)
                return int.Parse(cols[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        return 0;
    }
}
