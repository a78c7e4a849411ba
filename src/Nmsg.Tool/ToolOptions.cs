using System.CommandLine;
using System.CommandLine.Parsing;

namespace Nmsg.Tool;

/// <summary>What the command line asked for, after parsing and before anything is opened.</summary>
internal sealed class ToolOptions
{
    public List<string> ReadNmsg { get; } = [];
    public List<string> ReadPres { get; } = [];
    public List<string> ReadJson { get; } = [];
    public List<string> ReadSock { get; } = [];
    public List<string> ReadChan { get; } = [];
    public List<string> WriteNmsg { get; } = [];
    public List<string> WritePres { get; } = [];
    public List<string> WriteJson { get; } = [];
    public List<string> WriteSock { get; } = [];
    public string? Vendor { get; set; }
    public string? MsgType { get; set; }
    public string? Endline { get; set; }
    public int Mtu { get; set; } = 8192;
    public long Count { get; set; }
    public long Interval { get; set; }
    public bool Randomize { get; set; }
    public string? Kicker { get; set; }
    public bool Zlib { get; set; }
    public long ByteRate { get; set; }
    public int Debug { get; set; }
    public bool Unbuffered { get; set; }
    public bool Mirror { get; set; }
    public string? Policy { get; set; }
    public string? SetSource { get; set; }
    public string? SetOperator { get; set; }
    public string? SetGroup { get; set; }
    public string? GetSource { get; set; }
    public string? GetOperator { get; set; }
    public string? GetGroup { get; set; }
    public bool Version { get; set; }
    public bool Help { get; set; }
    public bool? Status { get; set; }

    /// <summary>The first option given that this tool does not implement, if any.</summary>
    public string? Unsupported { get; set; }
}

/// <summary>The option table (nmsgtool 1.3.3's, plus <c>--status</c>/<c>--no-status</c>) and its parser.</summary>
internal static class ToolCommandLine
{
    private sealed record Spec(string Name, string[] Aliases, bool TakesValue, bool Supported, Action<ToolOptions, string> Apply);

    private static readonly Spec[] Specs =
    [
        new("--readnmsg", ["-r"], true, true, (o, v) => o.ReadNmsg.Add(v)),
        new("--readpres", ["-f"], true, true, (o, v) => o.ReadPres.Add(v)),
        new("--readjson", ["-j"], true, true, (o, v) => o.ReadJson.Add(v)),
        new("--readsock", ["-l"], true, true, (o, v) => o.ReadSock.Add(v)),
        new("--readchan", ["-C"], true, true, (o, v) => o.ReadChan.Add(v)),
        new("--writenmsg", ["-w"], true, true, (o, v) => o.WriteNmsg.Add(v)),
        new("--writepres", ["-o"], true, true, (o, v) => o.WritePres.Add(v)),
        new("--writejson", ["-J"], true, true, (o, v) => o.WriteJson.Add(v)),
        new("--writesock", ["-s"], true, true, (o, v) => o.WriteSock.Add(v)),
        new("--vendor", ["-V"], true, true, (o, v) => o.Vendor = v),
        new("--msgtype", ["-T"], true, true, (o, v) => o.MsgType = v),
        new("--endline", ["-e"], true, true, (o, v) => o.Endline = v),
        new("--mtu", ["-m"], true, true, (o, v) => o.Mtu = (int)Number("-m", v, 1, 1 << 24)),
        new("--count", ["-c"], true, true, (o, v) => o.Count = Number("-c", v, 1, long.MaxValue)),
        new("--interval", ["-t"], true, true, (o, v) => o.Interval = Number("-t", v, 1, int.MaxValue)),
        new("--randomize", ["-R"], false, true, (o, _) => o.Randomize = true),
        new("--kicker", ["-k"], true, true, (o, v) => o.Kicker = v),
        new("--zlibout", ["-z"], false, true, (o, _) => o.Zlib = true),
        new("--byterate", ["-B"], true, true, (o, v) => o.ByteRate = Number("-B", v, 1, long.MaxValue)),
        new("--debug", ["-d"], false, true, (o, _) => o.Debug++),
        new("--unbuffered", [], false, true, (o, _) => o.Unbuffered = true),
        new("--mirror", [], false, true, (o, _) => o.Mirror = true),
        new("--policy", [], true, true, (o, v) => o.Policy = v),
        new("--setsource", [], true, true, (o, v) => o.SetSource = v),
        new("--setoperator", [], true, true, (o, v) => o.SetOperator = v),
        new("--setgroup", [], true, true, (o, v) => o.SetGroup = v),
        new("--getsource", [], true, true, (o, v) => o.GetSource = v),
        new("--getoperator", [], true, true, (o, v) => o.GetOperator = v),
        new("--getgroup", [], true, true, (o, v) => o.GetGroup = v),
        new("--version", ["-v"], false, true, (o, _) => o.Version = true),
        new("--help", ["-h"], false, true, (o, _) => o.Help = true),
        new("--status", [], false, true, (o, _) => o.Status = true),
        new("--no-status", [], false, true, (o, _) => o.Status = false),
        new("--readzsock", ["-L"], true, false, (_, _) => { }),
        new("--readzchan", ["-Z"], true, false, (_, _) => { }),
        new("--writezsock", ["-S"], true, false, (_, _) => { }),
        new("--readkafka", [], true, false, (_, _) => { }),
        new("--writekafka", [], true, false, (_, _) => { }),
        new("--kafkakey", [], true, false, (_, _) => { }),
        new("--readpcap", ["-p"], true, false, (_, _) => { }),
        new("--readif", ["-i"], true, false, (_, _) => { }),
        new("--bpf", ["-b"], true, false, (_, _) => { }),
        new("--daemon", ["-D"], false, false, (_, _) => { }),
        new("--pidfile", ["-P"], true, false, (_, _) => { }),
        new("--username", ["-U"], true, false, (_, _) => { }),
        new("--filter", ["-F"], true, false, (_, _) => { }),
        new("--statsmod", ["-M"], true, false, (_, _) => { }),
    ];

    /// <summary>Parses the arguments; throws <see cref="UsageException"/> with a one-line reason on misuse.</summary>
    public static ToolOptions Parse(IReadOnlyList<string> args)
    {
        var command = new Command("nmsg") { TreatUnmatchedTokensAsErrors = true };
        var options = new List<(Spec Spec, Option Option)>();
        foreach (Spec s in Specs)
        {
            Option option = s.TakesValue
                ? new Option<string[]>(s.Name, s.Aliases) { Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false }
                : new Option<bool>(s.Name, s.Aliases) { Arity = ArgumentArity.Zero };
            command.Options.Add(option);
            options.Add((s, option));
        }
        ParseResult result = command.Parse(args, new ParserConfiguration { EnablePosixBundling = true, ResponseFileTokenReplacer = null });
        if (result.Errors.Count > 0)
            throw new UsageException(result.Errors[0].Message);

        // Apply in command-line order, so repeated options keep their order (-w a -w b) and -d counts.
        var byToken = new Dictionary<string, (Spec Spec, Option Option)>(StringComparer.Ordinal);
        foreach ((Spec spec, Option option) in options)
        {
            byToken[spec.Name] = (spec, option);
            foreach (string alias in spec.Aliases)
                byToken[alias] = (spec, option);
        }
        var parsed = new ToolOptions();
        IReadOnlyList<Token> tokens = result.Tokens;
        for (int i = 0; i < tokens.Count; i++)
        {
            Token t = tokens[i];
            if (t.Type != TokenType.Option || !byToken.TryGetValue(t.Value, out var entry))
                continue;
            if (!entry.Spec.Supported)
            {
                parsed.Unsupported ??= entry.Spec.Name;
                if (entry.Spec.TakesValue)
                    i++;
                continue;
            }
            if (entry.Spec.TakesValue)
            {
                if (i + 1 >= tokens.Count || tokens[i + 1].Type != TokenType.Argument)
                    throw new UsageException($"option '{t.Value}' needs a value");
                entry.Spec.Apply(parsed, tokens[++i].Value);
                if (i + 1 < tokens.Count && tokens[i + 1].Type == TokenType.Argument)
                    throw new UsageException($"unexpected argument '{tokens[i + 1].Value}' after {t.Value} {tokens[i].Value}");
            }
            else
            {
                entry.Spec.Apply(parsed, "");
            }
        }
        return parsed;
    }

    private static long Number(string option, string text, long min, long max)
    {
        if (!long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long n) || n < min || n > max)
            throw new UsageException($"option {option}: '{text}' is not a number from {min} to {max}");
        return n;
    }
}

/// <summary>Misuse of the command line: printed as one line, exit status 1.</summary>
internal sealed class UsageException(string message) : Exception(message);
