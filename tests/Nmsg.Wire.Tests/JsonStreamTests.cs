using System.Text;
using Nmsg.Testing;
using Nmsg.Tests.Support;
using Nmsg.Text;

namespace Nmsg.Tests;

/// <summary>
/// JSON input read from a stream, sequentially and on several threads, against the line-at-a-time read it
/// replaced (StreamReader lines, each parsed as text): same messages, same bad-line reports, in the same order.
/// </summary>
public class JsonStreamTests
{
    private const string Good = "{\"time\":\"2024-01-02 03:04:05.123456789\",\"vname\":\"base\",\"mname\":\"ipconn\",\"message\":{\"proto\":6,\"srcip\":\"192.0.2.1\",\"srcport\":%,\"dstip\":\"198.51.100.7\",\"dstport\":443}}";
    private const string Txt = "{\"time\":\"2024-09-10 11:12:18.000000000\",\"vname\":\"base\",\"mname\":\"dns\",\"message\":{\"rrname\":\"txt.example.com.\",\"rrclass\":\"IN\",\"rrtype\":\"TXT\",\"rrttl\":%,\"rdata\":[\"\\\"hello world\\\" \\\"caf\\\\195\\\\169\\\"\"]}}";
    private const string Bad = "{\"vname\":\"base\",\"mname\":\"ipconn\",\"message\":{\"srcport\":7000%}}";
    private const string NotJson = "{\"vname\":\"base\",%";

    // Lines that test where a line read where it stands in its chunk ends: spaces and tabs between tokens (taken), an
    // object broken over two lines (two bad lines, not one message), text above ASCII (the reader's), something after
    // the object (ignored, as the line read ignores it).
    private const string Spaced = "{ \"time\" :\t\"2024-01-02 03:04:05\" , \"vname\":\"base\",\"mname\":\"ipconn\",\"message\": { \"proto\" : 6 ,\t\"srcport\": % } }";
    private const string Broken = "{\"vname\":\"base\",\"mname\":\"ipconn\",\n\"message\":{\"srcport\":%}}";
    private const string NonAscii = "{\"time\":\"2024-01-01 00:00:00\",\"vname\":\"base\",\"mname\":\"logline\",\"message\":{\"message\":\"caf\u00e9 %\"}}";
    private const string After = "{\"time\":\"2024-01-01 00:00:00\",\"vname\":\"base\",\"mname\":\"ipconn\",\"message\":{\"srcport\":%}}x";

    /// <summary>What a read produced, in order: "M hex" for a message, "E text" for a reported bad line.</summary>
    private static async Task<List<string>> ReadAsync(byte[] text, int parallelism, int chunkSize, bool reportErrors = true)
    {
        var events = new List<string>();
        Action<NmsgFormatException>? onError = reportErrors ? e => events.Add("E " + e.Message) : null;
        await foreach (NmsgMessage m in NmsgJsonReader.ReadAllAsync(new MemoryStream(text), null, onError, parallelism, chunkSize, CancellationToken.None))
            events.Add(Describe(m));
        return events;
    }

    private static string Describe(NmsgMessage m)
        => $"M {m.Vid}/{m.MsgType} {m.Time.Seconds}.{m.Time.Nanoseconds} {Convert.ToHexString(m.Payload.Span)}";

    /// <summary>The read as it was: StreamReader's lines, blank ones skipped, each parsed from a string.</summary>
    private static List<string> Reference(byte[] text)
    {
        var events = new List<string>();
        using var reader = new StreamReader(new MemoryStream(text), Encoding.UTF8, detectEncodingFromByteOrderMarks: false);
        long number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (line.Length == 0)
                continue;
            try
            {
                events.Add(Describe(NmsgJsonReader.Parse(line, lineNumber: number)));
            }
            catch (NmsgFormatException e)
            {
                events.Add("E " + e.Message);
            }
        }
        return events;
    }

    /// <summary>Lines of many lengths and kinds, with every terminator, blank lines and no final newline.</summary>
    private static byte[] Mixed(int lines, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder();
        string[] terminators = ["\n", "\r\n", "\r", "\n\n", "\r\n\r\n"];
        for (int i = 0; i < lines; i++)
        {
            string template = random.Next(14) switch
            {
                0 => Bad,
                1 => NotJson,
                2 or 3 => Txt,
                4 => Spaced,
                5 => Broken,
                6 => NonAscii,
                7 => After,
                _ => Good,
            };
            text.Append(template.Replace("%", (i % 1000).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
            if (random.Next(7) == 0)
                text.Append(' ', random.Next(1, 300)); // varies the lengths
            if (i < lines - 1)
                text.Append(terminators[random.Next(terminators.Length)]);
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    [Theory]
    [InlineData(1, 64)]
    [InlineData(1, 1000)]
    [InlineData(2, 64)]
    [InlineData(3, 300)]
    [InlineData(4, 4096)]
    [InlineData(8, 100_000)]
    public async Task Chunked_reads_give_the_messages_and_errors_of_the_line_read_in_order(int parallelism, int chunkSize)
    {
        byte[] text = Mixed(2000, seed: parallelism * 31 + chunkSize);
        List<string> expected = Reference(text);
        Assert.Contains(expected, e => e.StartsWith('E'));
        Assert.Equal(expected, await ReadAsync(text, parallelism, chunkSize));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Streams_with_random_bytes_changed_read_as_the_line_read_reads_them(int seed)
    {
        // Lines read where they stand in their chunk against the line read, on text with bytes changed at random to
        // what ends lines, strings, objects and ASCII (and any byte): where a line ends, whether it is taken, and
        // each bad line's error must come out the same.
        var random = new Random(20261123 + seed);
        byte[] text = Mixed(400, seed);
        byte[] likely = [.. "\n\r \t\"\\{}[],:0-.eE"u8, 0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xA9, 0xFF];
        for (int m = 0; m < 300; m++)
            text[random.Next(3, text.Length)] = random.Next(3) == 0 ? (byte)random.Next(256) : likely[random.Next(likely.Length)];
        List<string> expected = WithoutNow(Reference(text));
        Assert.Contains(expected, e => e.StartsWith('M'));
        Assert.Equal(expected, WithoutNow(await ReadAsync(text, 1, 4096)));
        Assert.Equal(expected, WithoutNow(await ReadAsync(text, 2, 300)));
    }

    /// <summary>The events with the time of a message whose line lost its time (stamped with the clock) as "now".</summary>
    private static List<string> WithoutNow(List<string> events)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var result = new List<string>(events.Count);
        foreach (string e in events)
        {
            string[] parts = e.Split(' ');
            result.Add(parts[0] == "M" && long.TryParse(parts[2].Split('.')[0], System.Globalization.CultureInfo.InvariantCulture, out long seconds)
                && Math.Abs(seconds - now) < 3600
                ? $"M {parts[1]} now {parts[3]}"
                : e);
        }
        return result;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task A_byte_order_mark_is_skipped_and_bad_utf8_is_replaced_as_StreamReader_does(int parallelism)
    {
        byte[] line = Encoding.UTF8.GetBytes("{\"time\":\"2024-01-01 00:00:00\",\"vname\":\"base\",\"mname\":\"logline\",\"message\":{\"message\":\"a\u00e9\"}}\n");
        byte[] badUtf8 = Encoding.UTF8.GetBytes("{\"time\":\"2024-01-01 00:00:00\",\"vname\":\"base\",\"mname\":\"logline\",\"message\":{\"message\":\"x\xff\"}}\n".Replace("\xff", "#", StringComparison.Ordinal));
        badUtf8[badUtf8.AsSpan().IndexOf((byte)'#')] = 0xFF;
        byte[] text = [0xEF, 0xBB, 0xBF, .. line, .. badUtf8, 0xEF, 0xBB, 0xBF, .. line];
        List<string> expected = Reference(text);
        Assert.Equal(3, expected.Count);
        Assert.Equal(expected, await ReadAsync(text, parallelism, 32));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_line_longer_than_a_chunk_is_read_whole(int parallelism)
    {
        string message = new('x', 100_000);
        byte[] text = Encoding.UTF8.GetBytes($"{{\"time\":\"2024-01-01 00:00:00\",\"vname\":\"base\",\"mname\":\"logline\",\"message\":{{\"message\":\"{message}\"}}}}\r\n"
            + Good.Replace("%", "1", StringComparison.Ordinal));
        List<string> read = await ReadAsync(text, parallelism, 1024);
        Assert.Equal(Reference(text), read);
        Assert.Equal(2, read.Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task Without_a_handler_the_first_bad_line_throws_after_the_messages_before_it(int parallelism)
    {
        byte[] text = Mixed(3000, seed: 5);
        List<string> expected = Reference(text);
        int firstBad = expected.FindIndex(e => e.StartsWith('E'));
        var read = new List<string>();
        var e = await Assert.ThrowsAsync<NmsgFormatException>(async () =>
        {
            await foreach (NmsgMessage m in NmsgJsonReader.ReadAllAsync(new MemoryStream(text), null, null, parallelism, 256, CancellationToken.None))
                read.Add(Describe(m));
        });
        Assert.Equal(expected[..firstBad], read);
        Assert.Equal(expected[firstBad], "E " + e.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Payloads_that_share_a_slab_stay_as_parsed_while_later_lines_are_read(int parallelism)
    {
        // Every message of a long read kept to the end, then checked against the reader-only parse of its line (whose
        // list-mode payload is an array of its own): a later payload written over an earlier one would show. Lines of
        // a few bytes of payload to over the slab's own-array limit.
        var random = new Random(20261123);
        var lines = new List<string>();
        for (int i = 0; i < 3000; i++)
        {
            lines.Add(random.Next(3) switch
            {
                0 => Good.Replace("%", (i % 60000).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal),
                1 => Txt.Replace("%", i.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal),
                _ => "{\"time\":\"2024-01-01 00:00:00\",\"vname\":\"base\",\"mname\":\"logline\",\"message\":{\"message\":\""
                    + new string((char)('a' + (i % 26)), random.Next(1, 3 * 1024)) + "\"}}",
            });
        }
        byte[] text = Encoding.UTF8.GetBytes(string.Join('\n', lines));
        var messages = new List<NmsgMessage>();
        await foreach (NmsgMessage m in NmsgJsonReader.ReadAllAsync(new MemoryStream(text), null, null, parallelism, NmsgJsonReader.DefaultChunkSize, CancellationToken.None))
            messages.Add(m);
        Assert.Equal(lines.Count, messages.Count);
        int shared = 0;
        for (int i = 0; i < lines.Count; i++)
        {
            NmsgMessage expected = NmsgJsonReader.ParseWithReader(Encoding.UTF8.GetBytes(lines[i]));
            Assert.Equal(Convert.ToHexString(expected.Payload.Span), Convert.ToHexString(messages[i].Payload.Span));
            if (i > 0 && System.Runtime.InteropServices.MemoryMarshal.TryGetArray(messages[i].Payload, out ArraySegment<byte> a)
                && System.Runtime.InteropServices.MemoryMarshal.TryGetArray(messages[i - 1].Payload, out ArraySegment<byte> b) && a.Array == b.Array)
                shared++;
        }
        Assert.True(shared > lines.Count / 3, $"only {shared} payloads share their slab with the one before");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(40)]
    public void Escapes_and_control_bytes_are_found_wherever_they_are_in_a_string(int at)
    {
        string plain = new('a', at);
        NmsgMessage m = NmsgJsonReader.Parse($"{{\"time\":\"2024-01-01 00:00:00\",\"vname\":\"base\",\"mname\":\"logline\",\"message\":{{\"message\":\"{plain}\\\"b{plain}\"}}}}");
        Assert.Equal($"{plain}\"b{plain}\0", Encoding.UTF8.GetString(m.Payload.Span[^(2 * at + 3)..]));
        var e = Assert.Throws<NmsgFormatException>(() =>
            NmsgJsonReader.Parse($"{{\"vname\":\"base\",\"mname\":\"logline\",\"message\":{{\"message\":\"{plain}\tb\"}}}}", lineNumber: 4));
        Assert.Contains("line 4: not JSON", e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> VectorInputs()
    {
        var data = new TheoryData<string>();
        foreach (string input in JsonInputTests.Conversions().Select(row => JsonInputPath((string)row[1])).Distinct())
            data.Add(input);
        return data;
    }

    private static string JsonInputPath(string command)
    {
        string[] argv = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return argv[Array.IndexOf(argv, "-j") + 1];
    }

    [Theory]
    [MemberData(nameof(VectorInputs))]
    public async Task Every_vector_input_reads_the_same_in_parallel(string input)
    {
        byte[] text = Vectors.Read(input);
        List<string> expected = Reference(text);
        Assert.Equal(expected, await ReadAsync(text, 1, 64));
        Assert.Equal(expected, await ReadAsync(text, 3, 64));
        Assert.Equal(expected, await ReadAsync(text, 2, NmsgJsonReader.DefaultChunkSize));
    }

    /// <summary>Endless good lines, counting the reads it serves.</summary>
    private sealed class EndlessStream : ReadOnlyStream
    {
        private readonly byte[] _line = Encoding.UTF8.GetBytes(Good.Replace("%", "80", StringComparison.Ordinal) + "\n");
        private long _position;
        public int Reads;

        public override int Read(byte[] buffer, int offset, int count)
        {
            Interlocked.Increment(ref Reads);
            for (int i = 0; i < count; i++)
                buffer[offset + i] = _line[(_position + i) % _line.Length];
            _position += count;
            return count;
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Cancelling_stops_the_read_and_its_workers(int parallelism)
    {
        var stream = new EndlessStream();
        using var cancel = new CancellationTokenSource();
        int read = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (NmsgMessage m in NmsgJsonReader.ReadAllAsync(stream, null, null, parallelism, 4096, cancel.Token))
            {
                if (++read == 10_000)
                    await cancel.CancelAsync();
            }
        });
        int reads = stream.Reads;
        await Task.Delay(200);
        Assert.Equal(reads, stream.Reads); // nothing reads on after the enumeration ended
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Disposing_early_stops_the_read_with_memory_bounded(int parallelism)
    {
        var stream = new EndlessStream();
        int read = 0;
        await foreach (NmsgMessage m in NmsgJsonReader.ReadAllAsync(stream, null, null, parallelism, 4096, CancellationToken.None))
        {
            if (++read == 1000)
            {
                await Task.Delay(300); // the workers run ahead, but only a few chunks
                break;
            }
        }
        int reads = stream.Reads;
        Assert.InRange(reads * 4096L, 0, 4096L * (2 * parallelism + 16) + 1000 * 150);
        await Task.Delay(200);
        Assert.Equal(reads, stream.Reads);
    }

    /// <summary>A stream of text that fails after serving it.</summary>
    private sealed class FailingStream(byte[] text, int servedAtOnce) : ReadOnlyStream
    {
        private int _at;

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_at >= text.Length)
                throw new IOException("the disk is on fire");
            int n = Math.Min(Math.Min(count, servedAtOnce), text.Length - _at);
            text.AsSpan(_at, n).CopyTo(buffer.AsSpan(offset));
            _at += n;
            return n;
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task A_stream_error_is_thrown_after_the_lines_read_before_it(int parallelism)
    {
        byte[] complete = [.. Mixed(500, seed: 11), (byte)'\n'];
        // The last line is unterminated: it is lost with the failed read, as StreamReader loses it.
        byte[] text = [.. complete, .. Encoding.UTF8.GetBytes(Good.Replace("%", "9", StringComparison.Ordinal))];
        List<string> expected = Reference(complete);
        var events = new List<string>();
        var e = await Assert.ThrowsAsync<IOException>(async () =>
        {
            await foreach (NmsgMessage m in NmsgJsonReader.ReadAllAsync(new FailingStream(text, 1000), null, x => events.Add("E " + x.Message),
                               parallelism, 512, CancellationToken.None))
                events.Add(Describe(m));
        });
        Assert.Equal("the disk is on fire", e.Message);
        Assert.Equal(expected, events);
    }
}
