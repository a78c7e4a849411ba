using System.Net;
using System.Net.Sockets;
using System.Text;
using Nmsg.Text;
using Client = Nmsg.Examples.NmsgEncodeHelloClient.Example;
using Sender = Nmsg.Examples.IPConnSender.Example;

[assembly: CollectionBehavior(DisableTestParallelization = true)] // one test sets NMSG_CHALIAS_FILE

namespace Nmsg.Examples.Tests;

/// <summary>The pynmsg-style examples, run in-process against each other over 127.0.0.1.</summary>
public class ExampleTests
{
    private static string Vector(string relative) => Path.Combine(AppContext.BaseDirectory, "vectors", relative);

    private static int FreeUdpPort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    private static string P(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A stderr that tells when the example has bound its socket ("listening on …").</summary>
    private sealed class ListeningWriter : StringWriter
    {
        private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Listening => _listening.Task;

        public override void Write(string? value)
        {
            lock (this)
                base.Write(value);
            if (value is not null && value.StartsWith("listening on", StringComparison.Ordinal))
                _listening.TrySetResult();
        }

        public override void WriteLine(string? value) => Write(value + "\n");

        public override Task WriteLineAsync(string? value)
        {
            WriteLine(value);
            return Task.CompletedTask;
        }

        public override Task WriteAsync(string? value)
        {
            Write(value);
            return Task.CompletedTask;
        }
    }

    private delegate Task<int> Run(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct);

    /// <summary>Starts a listening example and waits until it is bound (a hang guard, not a timing assertion).</summary>
    private static async Task<(Task<int> Done, StringWriter Stdout, ListeningWriter Stderr)> StartListener(Run run, string[] args, CancellationToken ct)
    {
        var stdout = new StringWriter();
        var stderr = new ListeningWriter();
        Task<int> done = Task.Run(() => run(args, TextWriter.Synchronized(stdout), stderr, ct), ct);
        await Task.WhenAny(stderr.Listening, done).WaitAsync(ct);
        Assert.True(stderr.Listening.IsCompleted, $"not listening: {stderr}");
        return (done, stdout, stderr);
    }

    /// <summary>Field lines (everything but header lines) of presentation text or a dump, sorted.</summary>
    private static List<string> FieldLines(string text)
        => [.. text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('[')).Order(StringComparer.Ordinal)];

    private static string SenderPresentation()
        => string.Concat(Enumerable.Range(0, Sender.Variants).Select(i => NmsgPresentation.Format(Sender.Build(i))));

    [Fact]
    public async Task Ipconn_sender_to_sock_dump()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        int port = FreeUdpPort();
        var dump = await StartListener(NmsgSockDump.Example.RunAsync, ["127.0.0.1", P(port), P(Sender.Variants)], guard.Token);
        var sent = new StringWriter();
        Assert.Equal(0, await Sender.RunAsync(["127.0.0.1", P(port)], sent, new StringWriter(), guard.Token));
        Assert.Equal(0, await dump.Done.WaitAsync(guard.Token));
        string output = dump.Stdout.ToString();
        Assert.Equal(Sender.Variants, output.Split('\n').Count(l => l.Contains("] [1:5 base ipconn] [", StringComparison.Ordinal)));
        // The dump's field lines are what nmsgtool's presentation prints for the same messages.
        Assert.Equal(FieldLines(SenderPresentation()), FieldLines(output));
        Assert.Contains($"sent {Sender.Variants} messages", sent.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cat_relays_from_one_socket_to_another()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        int catPort = FreeUdpPort(), dumpPort = FreeUdpPort();
        var dump = await StartListener(NmsgSockDump.Example.RunAsync, ["127.0.0.1", P(dumpPort), P(Sender.Variants)], guard.Token);
        var cat = await StartListener(NmsgCat.Example.RunAsync, ["127.0.0.1", P(catPort), "127.0.0.1", P(dumpPort), P(Sender.Variants)], guard.Token);
        Assert.Equal(0, await Sender.RunAsync(["127.0.0.1", P(catPort)], new StringWriter(), new StringWriter(), guard.Token));
        Assert.Equal(0, await cat.Done.WaitAsync(guard.Token));
        Assert.Equal(0, await dump.Done.WaitAsync(guard.Token));
        Assert.Contains($"relayed {Sender.Variants} messages", cat.Stdout.ToString(), StringComparison.Ordinal);
        Assert.Equal(FieldLines(SenderPresentation()), FieldLines(dump.Stdout.ToString()));
    }

    [Theory]
    [InlineData("plain/ipconn.nmsg")]
    [InlineData("plain/logline.nmsg")]
    [InlineData("gos/ipconn-setsog.nmsg")]
    public async Task File_dump_prints_the_presentation_header_without_length_and_the_fields(string vector)
    {
        var stdout = new StringWriter();
        Assert.Equal(0, await NmsgFileDump.Example.RunAsync([Vector(vector)], stdout, new StringWriter(), CancellationToken.None));
        // nmsgtool's presentation with the "[payload length] " dropped from each header line.
        string expected = string.Concat(File.ReadAllText(Vector(Path.ChangeExtension(vector, ".pres"))).Split('\n')
            .Select(l => l.StartsWith('[') && l.EndsWith("] ", StringComparison.Ordinal) ? l[(l.IndexOf("] ", StringComparison.Ordinal) + 2)..] : l)
            .Select(l => l + "\n"))[..^1];
        Assert.Equal(expected, stdout.ToString());
    }

    [Fact]
    public async Task Channel_dump_reads_the_channel_alias_sockets()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        int port = FreeUdpPort();
        string chalias = Path.GetTempFileName();
        File.WriteAllText(chalias, $"ch204 127.0.0.1/{port}\n");
        Environment.SetEnvironmentVariable("NMSG_CHALIAS_FILE", chalias);
        try
        {
            var dump = await StartListener(NmsgChannelDump.Example.RunAsync, ["ch204", P(Sender.Variants)], guard.Token);
            Assert.Equal(0, await Sender.RunAsync(["127.0.0.1", P(port)], new StringWriter(), new StringWriter(), guard.Token));
            Assert.Equal(0, await dump.Done.WaitAsync(guard.Token));
            Assert.Equal(FieldLines(SenderPresentation()), FieldLines(dump.Stdout.ToString()));
        }
        finally
        {
            Environment.SetEnvironmentVariable("NMSG_CHALIAS_FILE", null);
            File.Delete(chalias);
        }
    }

    [Fact]
    public async Task Encode_hello_client_to_server_decodes_every_payload_type()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        int port = FreeUdpPort();
        var payloads = Client.Payloads().ToList();
        var server = await StartListener(NmsgEncodeHelloServer.Example.RunAsync, ["127.0.0.1", P(port), P(payloads.Count)], guard.Token);
        Assert.Equal(0, await Client.RunAsync(["127.0.0.1", P(port)], new StringWriter(), new StringWriter(), guard.Token));
        Assert.Equal(0, await server.Done.WaitAsync(guard.Token));
        string output = server.Stdout.ToString();
        foreach (string type in new[] { "TEXT", "JSON", "YAML", "MSGPACK", "XML" })
            Assert.Contains($"] type {type}\n", output, StringComparison.Ordinal);
        foreach ((string key, string value) in Client.Hello)
        {
            Assert.Contains($"{key} {value}", output, StringComparison.Ordinal); // TEXT
            Assert.Contains($"  \"{key}\": \"{value}\"", output, StringComparison.Ordinal); // JSON, pretty-printed
            Assert.Equal(2, output.Split('\n').Count(l => l == $"{key}: {value}")); // YAML and MSGPACK
            Assert.Contains($"<{key}>{value}</{key}>", output, StringComparison.Ordinal); // XML
        }
    }

    [Fact]
    public async Task Nonblocking_reader_prints_messages_and_says_when_there_are_none()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        int port = FreeUdpPort();
        var reader = await StartListener(NmsgNonblocking.Example.RunAsync, ["127.0.0.1", P(port), P(Sender.Variants)], guard.Token);
        Assert.Equal(0, await Sender.RunAsync(["127.0.0.1", P(port)], new StringWriter(), new StringWriter(), guard.Token));
        Assert.Equal(0, await reader.Done.WaitAsync(guard.Token));
        Assert.Equal(FieldLines(SenderPresentation()), FieldLines(reader.Stdout.ToString().Replace("no messages!\n", "", StringComparison.Ordinal)));

        // Nobody sends: the one-second wait ends with the message (once, then the example stops as asked).
        var idle = await StartListener(NmsgNonblocking.Example.RunAsync, ["127.0.0.1", P(FreeUdpPort()), "1", "1"], guard.Token);
        Assert.Equal(0, await idle.Done.WaitAsync(guard.Token));
        Assert.Equal("no messages!\n", idle.Stdout.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Io_callback_counts_every_message_of_its_files()
    {
        string[] files = ["frag/ipconn-1000-m512-seq.nmsg", "plain/dns.nmsg"];
        // Independent count: payload header lines in nmsgtool's presentation of each file.
        int expected = files.Sum(f => File.ReadLines(Vector(Path.ChangeExtension(f, ".pres")))
            .Count(l => l.StartsWith('[') && l.EndsWith("] ", StringComparison.Ordinal) && l.Split("] [").Length == 6));
        var stdout = new StringWriter();
        Assert.Equal(0, await NmsgIoCallback.Example.RunAsync([.. files.Select(Vector)], stdout, new StringWriter(), CancellationToken.None));
        Assert.Equal($"{expected} messages\n", stdout.ToString().ReplaceLineEndings("\n"));
    }
}
