using System.Text;
using System.Text.Json;
using Nmsg.Compression;

namespace Nmsg.Tool.Tests;

/// <summary>
/// Every nmsgtool command of vectors/MANIFEST.tsv that this tool supports, run again with nmsg: the output must be
/// the file nmsgtool wrote (byte for byte; JSON may differ only by the deviation docs/compatibility.md lists).
/// </summary>
public class ManifestReplayTests
{
    private static readonly string[] NotReplayed =
    [
        "&", ">", "|",
        "-p", // pcap input: not supported yet
        "-f", // presentation input: the vectors carry the wall-clock time of generation
        "-s", // UDP captures carry random sequence and fragment ids (see UdpTests)
    ];

    public static TheoryData<string, string> Rows()
    {
        var data = new TheoryData<string, string>();
        foreach (string line in File.ReadLines(ToolRunner.Vector("MANIFEST.tsv")))
        {
            string[] c = line.Split('\t');
            if (c.Length < 3 || c[1] != "0" || !File.Exists(ToolRunner.Vector(c[0])))
                continue;
            string[] words = c[2].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (!words.Contains("nmsgtool") || words.Any(NotReplayed.Contains))
                continue;
            data.Add(c[0], c[2]);
        }
        return data;
    }

    [Fact]
    public void The_rows_are_found()
        => Assert.True(Rows().Count() >= 150, $"{Rows().Count()} rows");

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Nmsg_writes_what_nmsgtool_wrote(string file, string command)
    {
        if (command.Contains(" -z", StringComparison.Ordinal) && !NmsgZlib.ReferenceAvailable)
            return; // identical deflate bytes need the platform zlib (the wire tests check decode-equality)
        using var temp = new ToolRunner.TempDir();
        string[] words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var env = new Dictionary<string, string>();
        var args = new List<string>();
        string? output = null;
        int i = 0;
        for (; words[i] != "nmsgtool"; i++)
        {
            string[] kv = words[i].Split('=', 2);
            env[kv[0]] = ToolRunner.Vector(kv[1]);
        }
        for (i++; i < words.Length; i++)
        {
            string w = words[i];
            if (w is "-w" or "-o" or "-J" && words[i + 1] == file)
            {
                output = temp.File(Path.GetFileName(file));
                args.Add(w);
                args.Add(output);
                i++;
            }
            else
            {
                args.Add(File.Exists(ToolRunner.Vector(w)) ? ToolRunner.Vector(w) : w);
            }
        }
        Assert.NotNull(output);
        foreach ((string k, string v) in env)
            Environment.SetEnvironmentVariable(k, v);
        ToolRunner.Result result;
        try
        {
            result = await ToolRunner.RunAsync([.. args]);
        }
        finally
        {
            foreach (string k in env.Keys)
                Environment.SetEnvironmentVariable(k, null);
        }
        Assert.True(result.ExitCode == 0, result.Stderr);
        byte[] expected = File.ReadAllBytes(ToolRunner.Vector(file));
        byte[] actual = File.ReadAllBytes(output);
        if (expected.AsSpan().SequenceEqual(actual))
            return;
        Assert.True(file.EndsWith(".json", StringComparison.Ordinal), $"{file} differs ({actual.Length} vs {expected.Length} bytes)");
        JsonAssert.LinesEquivalent(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(actual), file);
    }
}

/// <summary>JSON lines equal as JSON, allowing only the documented deviation (docs/compatibility.md): a negative
/// integer where nmsgtool printed its two's-complement uint64.</summary>
internal static class JsonAssert
{
    public static void LinesEquivalent(string expected, string actual, string where)
    {
        string[] e = expected.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string[] a = actual.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(e.Length, a.Length);
        for (int i = 0; i < e.Length; i++)
        {
            if (e[i] == a[i])
                continue;
            Nmsg.Testing.JsonEquivalence.AssertEquivalent(e[i], a[i], $"{where} line {i + 1}");
        }
    }
}
