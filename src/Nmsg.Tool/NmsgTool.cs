using System.Globalization;
using System.Reactive.Linq;
using System.Text;
using Nmsg.Compression;
using Nmsg.Containers;
using Nmsg.Modules;
using Nmsg.Reactive;
using Nmsg.Text;
using Nmsg.Transports;

namespace Nmsg.Tool;

/// <summary>
/// The <c>nmsg</c> command (nmsgtool 1.3.3's options) as a library call, so it runs in-process: tests and hosts pass
/// their own standard streams and stop it with a cancellation token.
/// </summary>
public static class NmsgTool
{
    /// <summary>The nmsgtool release whose options and output this tool follows.</summary>
    public const string CompatibleVersion = "1.3.3";

    /// <summary>
    /// Runs <c>nmsg</c> with <paramref name="args"/>. Returns the exit status: 0 on success; 1 on misuse, an
    /// unsupported option, an input or output error, or when <paramref name="cancellationToken"/> stopped it (every
    /// output is flushed and closed first). Never throws for bad input: errors are one line on
    /// <paramref name="stderr"/>.
    /// </summary>
    /// <param name="args">The arguments, as on the command line.</param>
    /// <param name="stdout">Standard output ('-' outputs, help, version); left open.</param>
    /// <param name="stderr">Diagnostics.</param>
    /// <param name="stdin">Standard input for '-' inputs (-r and -j); null for the process's.</param>
    /// <param name="cancellationToken">Stops the run like SIGINT.</param>
    public static Task<int> RunAsync(string[] args, Stream stdout, TextWriter stderr, Stream? stdin = null, CancellationToken cancellationToken = default)
        => RunAsync(args, stdout, stderr, stdin, stderrIsTerminal: false, cancellationToken);

    internal static async Task<int> RunAsync(string[] args, Stream stdout, TextWriter stderr, Stream? stdin, bool stderrIsTerminal,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        try
        {
            ToolOptions options = ToolCommandLine.Parse(args);
            if (options.Help)
            {
                await WriteTextAsync(stdout, HelpText.Text).ConfigureAwait(false);
                return 0;
            }
            if (options.Version)
            {
                string version = typeof(NmsgTool).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
                await WriteTextAsync(stdout, $"nmsg: version {version} (nmsgtool {CompatibleVersion} compatible; zmq, rdkafka and pcap not built in)\n").ConfigureAwait(false);
                return 0;
            }
            if (options.Unsupported is { } unsupported)
                throw new UsageException($"{unsupported} is not supported yet");
            var run = new ToolRun(options, stdout, stderr, stdin ?? Console.OpenStandardInput(), options.Status ?? stderrIsTerminal);
            return await run.ExecuteAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            await stderr.WriteLineAsync($"nmsg: {e.Message} (see nmsg --help)").ConfigureAwait(false);
            return 1;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or IOException or UnauthorizedAccessException
                                     or System.Net.Sockets.SocketException or NmsgException or InvalidOperationException)
        {
            await stderr.WriteLineAsync($"nmsg: {OneLine(e)}").ConfigureAwait(false);
            return 1;
        }
    }

    private static async Task WriteTextAsync(Stream stdout, string text)
    {
        await stdout.WriteAsync(Encoding.UTF8.GetBytes(text)).ConfigureAwait(false);
        await stdout.FlushAsync().ConfigureAwait(false);
    }

    /// <summary>An exception and its inner causes as one line.</summary>
    internal static string OneLine(Exception e)
    {
        var text = new StringBuilder(e.Message);
        for (Exception? inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (!text.ToString().Contains(inner.Message, StringComparison.Ordinal))
                text.Append(": ").Append(inner.Message);
        }
        return text.ToString().ReplaceLineEndings(" ");
    }
}

/// <summary>One run: builds the inputs, outputs and filters with the SDK's <see cref="NmsgIo"/>, runs it, reports.</summary>
internal sealed class ToolRun(ToolOptions options, Stream stdout, TextWriter stderr, Stream stdin, bool status)
{
    private readonly List<NmsgInput> _inputs = [];
    private readonly Lock _stderrGate = new();

    public async Task<int> ExecuteAsync(CancellationToken cancellationToken)
    {
        NmsgAliases aliases = NmsgAliases.LoadDefault();
        // The tool's filters keep no message, and its sinks say when they let go: file inputs' container bodies
        // are used again (5-10 MB less peak memory).
        var io = new NmsgIo().ReuseBuffers();
        AddInputs(io, aliases);
        if (_inputs.Count == 0)
            throw new UsageException("no inputs given (use -r, -j, -f, -l or -C)");
        if (options.Kicker is null && Environment.GetEnvironmentVariable("NMSG_KICKER") is { Length: > 0 } kicker)
            options.Kicker = kicker;
        if (options.Kicker is not null && options.Count == 0 && options.Interval == 0)
            throw new UsageException("-k needs -c or -t");
        AddOutputs(io, aliases);
        io.Mirror(options.Mirror);
        if (options.Policy is { } policy)
        {
            io.Policy(policy.ToUpperInvariant() switch
            {
                "ACCEPT" => NmsgFilterVerdict.Accept,
                "DROP" => NmsgFilterVerdict.Drop,
                _ => throw new UsageException($"--policy must be ACCEPT or DROP, not '{policy}'"),
            });
        }
        if (options.Count > 0)
            io.Count(options.Count);
        if (options.Interval > 0)
            io.Interval(TimeSpan.FromSeconds(options.Interval), options.Randomize);
        if (options.Debug >= 3)
            io.OnClose(e => Report($"nmsg: closed {(e.IsInput ? "input" : "output")} {e.Name} ({e.Reason})"));

        Task<NmsgIoStatistics> running = io.RunAsync(cancellationToken);
        if (status)
            await ShowStatusAsync(io, running).ConfigureAwait(false);
        NmsgIoStatistics totals = await running.ConfigureAwait(false);
        await stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);

        if (options.Debug >= 2)
        {
            long containers = _inputs.Sum(i => i.Statistics.ContainersReceived);
            long drops = _inputs.Sum(i => i.Statistics.ContainersLost);
            Report(string.Create(CultureInfo.InvariantCulture,
                $"nmsgtool: totals: payloads_in {totals.PayloadsIn} payloads_out {totals.PayloadsOut} container_recvs {containers} container_drops {drops}"));
        }
        foreach (Exception e in totals.Errors)
            Report($"nmsg: {NmsgTool.OneLine(e)}");
        if (totals.Errors.Count > 0)
            return 1;
        return cancellationToken.IsCancellationRequested ? 1 : 0;
    }

    private void Report(string line)
    {
        lock (_stderrGate)
            stderr.WriteLine(line);
    }

    // ----- inputs -----

    private void AddInputs(NmsgIo io, NmsgAliases aliases)
    {
        if (options.MsgType is not null && options.Vendor is null)
            options.Vendor = "base";
        NmsgModule? type = null;
        if (options.Vendor is not null)
        {
            if (options.MsgType is null)
                throw new UsageException("-V needs -T");
            type = NmsgModules.Default.Find(options.Vendor, options.MsgType)
                ?? throw new UsageException($"unknown message type {options.Vendor}/{options.MsgType}");
        }
        uint getSource = options.GetSource is { } gs ? ParseSource("--getsource", gs) : 0;
        uint getOperator = options.GetOperator is { } go ? Resolve("--getoperator", go, aliases, isGroup: false) : 0;
        uint getGroup = options.GetGroup is { } gg ? Resolve("--getgroup", gg, aliases, isGroup: true) : 0;

        // nmsgtool sets these filters on each input, before nmsg_io counts payloads in. NmsgIo reports an input's
        // error naming the input.
        NmsgInput Filtered(NmsgInput input, bool nmsgInput)
        {
            _inputs.Add(input);
            bool byType = nmsgInput && type is not null;
            if (!byType && getSource == 0 && getOperator == 0 && getGroup == 0)
                return input;
            uint vid = type?.Vid ?? 0, msgType = type?.MsgType ?? 0;
            return input.Where(m => (!byType || (m.Vid == vid && m.MsgType == msgType))
                && (getSource == 0 || m.Source == getSource)
                && (getOperator == 0 || m.Operator == getOperator)
                && (getGroup == 0 || m.Group == getGroup));
        }

        var fileOptions = new NmsgFileSourceOptions { ByteRate = options.ByteRate };
        foreach (string path in options.ReadNmsg)
        {
            NmsgInput input = path == "-" ? NmsgSource.Stream(stdin, fileOptions, "stdin") : NmsgSource.File(path, fileOptions);
            io.AddInput(Filtered(input, nmsgInput: true));
        }
        var textOptions = new NmsgTextSourceOptions
        {
            Text = new NmsgTextOptions { Aliases = aliases },
        };
        foreach (string path in options.ReadJson)
        {
            string name = path;
            NmsgTextSourceOptions o = textOptions with { OnError = e => Report($"nmsg: {name}: {NmsgTool.OneLine(e)}") };
            NmsgInput input = path == "-" ? NmsgSource.Json(() => new NonClosingStream(stdin), o, "stdin") : NmsgSource.Json(path, o);
            io.AddInput(Filtered(input, nmsgInput: false));
        }
        foreach (string path in options.ReadPres)
        {
            if (type is null)
                throw new UsageException("-f needs -V and -T");
            NmsgInput input = NmsgSource.Presentation(path, options.Vendor!, options.MsgType!, textOptions);
            io.AddInput(Filtered(input, nmsgInput: false));
        }
        var udp = new NmsgUdpOptions { ReuseAddress = true };
        foreach (string spec in options.ReadSock)
            io.AddInput(Filtered(NmsgSource.Udp(spec, udp), nmsgInput: true));
        foreach (string channel in options.ReadChan)
        {
            foreach (string spec in ChannelAliases.Lookup(channel))
                io.AddInput(Filtered(NmsgSource.Udp(spec, udp), nmsgInput: true));
        }
    }

    // ----- outputs -----

    private void AddOutputs(NmsgIo io, NmsgAliases aliases)
    {
        uint? setSource = options.SetSource is { } ss ? ParseSource("--setsource", ss) : null;
        uint? setOperator = options.SetOperator is { } so ? Resolve("--setoperator", so, aliases, isGroup: false) : null;
        uint? setGroup = options.SetGroup is { } sg ? Resolve("--setgroup", sg, aliases, isGroup: true) : null;
        var encoder = new NmsgEncoderOptions
        {
            Compress = options.Zlib,
            Buffered = !options.Unbuffered,
            // nmsgtool's exact deflate bytes where the platform zlib is there (falls back to .NET's otherwise).
            Deflater = NmsgDeflater.Reference,
            SetSource = setSource,
            SetOperator = setOperator,
            SetGroup = setGroup,
        };
        var writer = new NmsgWriterOptions { Encoder = encoder };
        var text = new NmsgTextSinkOptions
        {
            Unbuffered = options.Unbuffered,
            // Format on every core; nothing in the tool changes a message after it is written.
            Parallelism = Environment.ProcessorCount,
            Text = new NmsgTextOptions
            {
                Aliases = aliases,
                Endline = options.Endline is { } e ? Unescape(e) : "\n",
                SetSource = setSource ?? 0,
                SetOperator = setOperator ?? 0,
                SetGroup = setGroup ?? 0,
            },
        };
        bool rotate = options.Kicker is not null;
        int outputs = 0;

        void File(string path, NmsgFileFormat format, Func<NmsgSink> open)
        {
            outputs++;
            if (rotate && path != "-")
            {
                var kick = new NmsgKickFileOptions { Format = format, Writer = writer, Text = text, Command = options.Kicker };
                io.AddOutput(() => (NmsgSink.KickFile(path, kick)));
            }
            else
            {
                io.AddOutput((open()));
            }
        }

        foreach (string spec in options.WriteSock)
        {
            outputs++;
            var sender = new NmsgUdpSenderOptions
            {
                Encoder = encoder with { BufferSize = options.Mtu, Sequenced = true },
            };
            io.AddOutput((NmsgSink.Udp(spec, new NmsgUdpSinkOptions { Sender = sender })));
        }
        foreach (string path in options.WritePres)
            File(path, NmsgFileFormat.Presentation, () => path == "-" ? NmsgSink.Presentation(stdout, text, leaveOpen: true, name: "stdout") : NmsgSink.Presentation(path, text));
        foreach (string path in options.WriteNmsg)
            File(path, NmsgFileFormat.Nmsg, () => path == "-" ? NmsgSink.Stream(stdout, writer, leaveOpen: true, name: "stdout") : NmsgSink.File(path, writer));
        foreach (string path in options.WriteJson)
            File(path, NmsgFileFormat.Json, () => path == "-" ? NmsgSink.Json(stdout, text, leaveOpen: true, name: "stdout") : NmsgSink.Json(path, text));
        if (outputs == 0)
            io.AddOutput((NmsgSink.Presentation(stdout, text, leaveOpen: true, name: "stdout")));
    }

    private static uint ParseSource(string option, string text)
    {
        string digits = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        if (!uint.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint value))
            throw new UsageException($"{option}: '{text}' is not a hexadecimal source id");
        return value;
    }

    private static uint Resolve(string option, string text, NmsgAliases aliases, bool isGroup)
    {
        try
        {
            return NmsgOperators.ResolveAlias(text, aliases, isGroup);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"{option}: {e.Message}");
        }
    }

    /// <summary>nmsgtool's <c>-e</c> unescaping: <c>\n</c>, <c>\t</c> and <c>\\</c>.</summary>
    internal static string Unescape(string text)
    {
        var b = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                char c = text[i + 1];
                if (c is 'n' or 't' or '\\')
                {
                    b.Append(c switch { 'n' => '\n', 't' => '\t', _ => '\\' });
                    i++;
                    continue;
                }
            }
            b.Append(text[i]);
        }
        return b.ToString();
    }

    // ----- status line -----

    private async Task ShowStatusAsync(NmsgIo io, Task running)
    {
        long lastIn = 0, lastBytes = 0;
        long lastTick = Environment.TickCount64;
        bool shown = false;
        while (true)
        {
            Task done = await Task.WhenAny(running, Task.Delay(1000)).ConfigureAwait(false);
            if (done == running)
                break;
            NmsgIoStatistics s = io.Statistics;
            long bytes = _inputs.Sum(i => i.Statistics.Bytes);
            long drops = _inputs.Sum(i => i.Statistics.QueueDrops + i.Statistics.ContainersLost + i.Statistics.MalformedContainers);
            long now = Environment.TickCount64;
            double seconds = Math.Max(0.001, (now - lastTick) / 1000.0);
            string line = string.Create(CultureInfo.InvariantCulture,
                $"\rnmsg: {(s.PayloadsIn - lastIn) / seconds,10:F0} msg/s {FormatBytes((bytes - lastBytes) / seconds)}/s  in {s.PayloadsIn} out {s.PayloadsOut} drops {drops}   ");
            lock (_stderrGate)
            {
                stderr.Write(line);
                stderr.Flush();
            }
            shown = true;
            (lastIn, lastBytes, lastTick) = (s.PayloadsIn, bytes, now);
        }
        if (shown)
        {
            lock (_stderrGate)
                stderr.Write('\n');
        }
    }

    private static string FormatBytes(double perSecond)
        => perSecond >= 1 << 20 ? string.Create(CultureInfo.InvariantCulture, $"{perSecond / (1 << 20),8:F1} MiB")
            : string.Create(CultureInfo.InvariantCulture, $"{perSecond / 1024,8:F1} KiB");
}

/// <summary>Standard input handed to an input that disposes its stream: the caller's stream stays open.</summary>
internal sealed class NonClosingStream(Stream inner) : Stream
{
    public override bool CanRead => inner.CanRead;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override int Read(Span<byte> buffer) => inner.Read(buffer);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
