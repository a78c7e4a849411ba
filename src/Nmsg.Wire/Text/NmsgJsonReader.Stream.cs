using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Threading.Channels;

namespace Nmsg.Text;

public static partial class NmsgJsonReader
{
    /// <summary>
    /// Bytes of whole lines parsed as one unit (on a worker, in parallel reading). Small enough that the messages of
    /// the chunks in flight die young: with 256 KB, a 1M-line dns read on two threads took a dozen gen1 collections.
    /// </summary>
    internal const int DefaultChunkSize = 64 * 1024;

    /// <summary>
    /// Parallel reading lets a chunk of long lines grow to about this many lines (up to four times the chunk size):
    /// every chunk costs the threads a few hand-offs of about 30 us of CPU each on a 2-core VM, and 64 KB is only 43
    /// lines of dnsqr (1M dnsqr lines made 42,000 context switches in 64 KB chunks; 10,000 in 256 KB ones, in 15%
    /// less time; 1 MB chunks were slower again).
    /// </summary>
    internal const int LinesPerChunk = 160;

    /// <summary>
    /// The default number of threads <see cref="ReadAllAsync(Stream, NmsgTextOptions?, Action{NmsgFormatException}?, int, CancellationToken)"/>
    /// parses on: the processor count, at most 8 (beyond that the single reading thread is the limit).
    /// </summary>
    public static int DefaultParallelism { get; } = Math.Clamp(Environment.ProcessorCount, 1, 8);

    /// <summary>
    /// Reads every line of a stream. Blank lines are skipped. A bad line throws unless <paramref name="onError"/> is
    /// given, in which case it is reported there and skipped (as nmsgtool does). Unlike nmsgtool, a last line
    /// without a newline is read, not dropped.
    /// </summary>
    public static IAsyncEnumerable<NmsgMessage> ReadAllAsync(Stream stream, NmsgTextOptions? options = null,
        Action<NmsgFormatException>? onError = null, CancellationToken cancellationToken = default)
        => ReadAllAsync(stream, options, onError, 1, cancellationToken);

    /// <summary>
    /// Reads every line of a stream, parsing on up to <paramref name="parallelism"/> threads: the stream is read in
    /// chunks of whole lines, chunks are parsed on workers (a few at a time, so memory stays bounded), and messages
    /// come out in the order of the lines. Everything else is as the sequential read (1): blank lines are skipped,
    /// a bad line is reported to <paramref name="onError"/>, in line order and on the enumerating thread, and
    /// skipped (or, without <paramref name="onError"/>, thrown after every message before it), a stream error is
    /// thrown after the messages of the lines read before it, and cancelling or disposing the enumeration stops
    /// the workers.
    /// </summary>
    public static IAsyncEnumerable<NmsgMessage> ReadAllAsync(Stream stream, NmsgTextOptions? options, Action<NmsgFormatException>? onError,
        int parallelism, CancellationToken cancellationToken = default)
        => ReadAllAsync(stream, options, onError, parallelism, DefaultChunkSize, cancellationToken);

    internal static IAsyncEnumerable<NmsgMessage> ReadAllAsync(Stream stream, NmsgTextOptions? options, Action<NmsgFormatException>? onError,
        int parallelism, int chunkSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 16);
        options ??= NmsgTextOptions.Default;
        return parallelism == 1
            ? ReadSequentialAsync(stream, options, onError, chunkSize, cancellationToken)
            : ReadParallelAsync(stream, options, onError, parallelism, chunkSize, cancellationToken);
    }

    private static async IAsyncEnumerable<NmsgMessage> ReadSequentialAsync(Stream stream, NmsgTextOptions options,
        Action<NmsgFormatException>? onError, int chunkSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long number = 1;
        await foreach (TextChunk chunk in TextChunk.ReadAsync(stream, chunkSize, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            try
            {
                int at = 0;
                while (ParseNextLine(chunk, ref at, ref number, options, onError) is { } message)
                    yield return message;
            }
            finally
            {
                chunk.ReturnBuffer();
            }
        }
    }

    /// <summary>
    /// Parses lines from <paramref name="at"/> on to the next message (null at the end of the chunk); a bad line
    /// goes to <paramref name="onError"/>, or is thrown without one.
    /// </summary>
    private static NmsgMessage? ParseNextLine(TextChunk chunk, ref int at, ref long number, NmsgTextOptions options, Action<NmsgFormatException>? onError)
    {
        ReadOnlySpan<byte> text = chunk.Text;
        while (at < text.Length)
        {
            long n = number++;
            if (ParseInPlace(text, ref at, options, n) is { } message)
                return message;
            TextChunk.NextLine(text, ref at, out ReadOnlySpan<byte> line, out bool ascii);
            if (line.Length == 0)
                continue;
            try
            {
                return ParseLine(line, ascii, options, n);
            }
            catch (NmsgFormatException e) when (onError is not null)
            {
                onError(e);
            }
        }
        return null;
    }

    /// <summary>
    /// The common line, parsed where it stands in its chunk (see <see cref="TryParseAt"/>), or null, with
    /// <paramref name="at"/> unchanged, when the caller is to split it off and read it as a line: any line the
    /// scanner does not take, and any line whose parse fails (read again as a line, it fails as it would have, with
    /// the error it reports).
    /// </summary>
    private static NmsgMessage? ParseInPlace(ReadOnlySpan<byte> text, ref int at, NmsgTextOptions options, long number)
    {
        try
        {
            return TryParseAt(text, ref at, options, number);
        }
        catch (Exception)
        {
            return null;
        }
    }

    /// <summary>
    /// One line as read from a stream (<paramref name="ascii"/>: the line splitter found it all ASCII): text that is
    /// not UTF-8 is decoded with replacement characters first, as StreamReader does.
    /// </summary>
    private static NmsgMessage ParseLine(ReadOnlySpan<byte> line, bool ascii, NmsgTextOptions options, long number)
        => ascii ? Parse(line, options, number, ascii: true)
            : System.Text.Unicode.Utf8.IsValid(line) ? Parse(line, options, number, ascii: false)
            : Parse(Encoding.UTF8.GetString(line), options, number);

    /// <summary>
    /// A chunk on its way through the workers: its messages, its line count and its bad lines. A worker does not know
    /// the number of its chunk's first line (no one counted the lines before it), so it numbers them from 1 and keeps
    /// a copy of each bad line; the consumer, which does know, parses that line again for the error with its number.
    /// </summary>
    private sealed class ParsedChunk(TextChunk chunk)
    {
        public readonly TextChunk Chunk = chunk;
        public readonly List<NmsgMessage> Messages = [];

        /// <summary>The lines walked (blank ones too).</summary>
        public long Lines;

        /// <summary>
        /// Bad lines, each with the number of messages before it in this chunk, its number in the chunk (from 1) and
        /// its bytes. The last one ends the read when the reader has no error handler.
        /// </summary>
        public readonly List<BadLine> Errors = [];

        /// <summary>What ends the read after <see cref="Messages"/> (a stream error, anything but a bad line).</summary>
        public ExceptionDispatchInfo? Fault;

        public readonly TaskCompletionSource Done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Parse(NmsgTextOptions options, bool reportErrors, CancellationToken cancellationToken)
        {
            ReadOnlySpan<byte> text = Chunk.Text;
            long number = 1;
            int at = 0;
            while (!cancellationToken.IsCancellationRequested && at < text.Length)
            {
                long n = number++;
                if (ParseInPlace(text, ref at, options, n) is { } message)
                {
                    Messages.Add(message);
                    continue;
                }
                TextChunk.NextLine(text, ref at, out ReadOnlySpan<byte> line, out bool ascii);
                if (line.Length == 0)
                    continue;
                try
                {
                    Messages.Add(ParseLine(line, ascii, options, n));
                }
                catch (NmsgFormatException e)
                {
                    Errors.Add(new BadLine(Messages.Count, n, line.ToArray(), ascii, e));
                    if (!reportErrors)
                        break;
                }
                catch (Exception e)
                {
                    Fault = ExceptionDispatchInfo.Capture(e);
                    break;
                }
            }
            Lines = number - 1;
            Chunk.ReturnBuffer();
        }
    }

    /// <summary>A line a worker could not parse: see <see cref="ParsedChunk.Errors"/>.</summary>
    private readonly record struct BadLine(int Before, long Number, byte[] Text, bool Ascii, NmsgFormatException Error)
    {
        /// <summary>
        /// The error as it reads for the line's number in the input: the line parsed again (a parse depends only on
        /// the line and its number).
        /// </summary>
        public NmsgFormatException At(long firstLine, NmsgTextOptions options)
        {
            try
            {
                ParseLine(Text, Ascii, options, firstLine + Number - 1);
            }
            catch (NmsgFormatException e)
            {
                return e;
            }
            return Error; // cannot happen: the same line fails the same way
        }
    }

    private static async IAsyncEnumerable<NmsgMessage> ReadParallelAsync(Stream stream, NmsgTextOptions options,
        Action<NmsgFormatException>? onError, int parallelism, int chunkSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Chunks in line order; its bound is what holds the reading back (about two chunks per worker in flight).
        Channel<ParsedChunk> ordered = Channel.CreateBounded<ParsedChunk>(new BoundedChannelOptions(2 * parallelism)
        {
            SingleReader = true,
            SingleWriter = true,
        });
        // Parsing runs on threads of its own: thread-pool workers that parse chunk after chunk would hold every
        // pool thread (there are as many as cores at first) and leave the reading and the consumer waiting.
        using var work = new BlockingCollection<ParsedChunk>();
        bool reportErrors = onError is not null;
        long firstLine = 1; // of the next chunk out
        var tasks = new Task[parallelism + 1];
        tasks[0] = Task.Run(() => ProduceAsync(stream, chunkSize, ordered.Writer, work, stop.Token), CancellationToken.None);
        for (int i = 1; i < tasks.Length; i++)
        {
            tasks[i] = Task.Factory.StartNew(() => Work(work, options, reportErrors, stop.Token), CancellationToken.None,
                TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
        try
        {
            while (await ordered.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (ordered.Reader.TryRead(out ParsedChunk? parsed))
                {
                    await parsed.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                    List<NmsgMessage> messages = parsed.Messages;
                    List<BadLine> errors = parsed.Errors;
                    int e = 0;
                    for (int i = 0; i < messages.Count; i++)
                    {
                        for (; e < errors.Count && errors[e].Before == i; e++)
                            Report(errors[e], firstLine, options, onError);
                        yield return messages[i];
                    }
                    for (; e < errors.Count; e++)
                        Report(errors[e], firstLine, options, onError);
                    parsed.Fault?.Throw();
                    firstLine += parsed.Lines;
                }
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(tasks).ContinueWith(static _ => { }, CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
            // Chunks read but not parsed still hold pooled buffers.
            while (ordered.Reader.TryRead(out ParsedChunk? left))
                left.Chunk.ReturnBuffer();
            while (work.TryTake(out ParsedChunk? left))
                left.Chunk.ReturnBuffer();
        }
    }

    /// <summary>A bad line to the handler, or thrown without one (a worker stops its chunk there then).</summary>
    private static void Report(in BadLine bad, long firstLine, NmsgTextOptions options, Action<NmsgFormatException>? onError)
    {
        NmsgFormatException error = bad.At(firstLine, options);
        if (onError is null)
            throw error;
        onError(error);
    }

    /// <summary>Reads chunks into both queues; a stream error becomes a last, failed chunk in line order.</summary>
    private static async Task ProduceAsync(Stream stream, int chunkSize, ChannelWriter<ParsedChunk> ordered, BlockingCollection<ParsedChunk> work,
        CancellationToken cancellationToken)
    {
        try
        {
            await foreach (TextChunk chunk in TextChunk.ReadAsync(stream, chunkSize, LinesPerChunk, cancellationToken).ConfigureAwait(false))
            {
                var parsed = new ParsedChunk(chunk);
                try
                {
                    await ordered.WriteAsync(parsed, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    chunk.ReturnBuffer();
                    throw;
                }
                work.Add(parsed, CancellationToken.None); // unbounded (the ordered queue bounds it), and completed only below
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped by the consumer: nothing is waiting for more.
        }
        catch (Exception e)
        {
            var failed = new ParsedChunk(new TextChunk()) { Fault = ExceptionDispatchInfo.Capture(e) };
            failed.Done.SetResult();
            try
            {
                await ordered.WriteAsync(failed, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Stopped by the consumer meanwhile.
            }
        }
        finally
        {
            ordered.TryComplete();
            work.CompleteAdding();
        }
    }

    private static void Work(BlockingCollection<ParsedChunk> work, NmsgTextOptions options, bool reportErrors, CancellationToken cancellationToken)
    {
        try
        {
            foreach (ParsedChunk parsed in work.GetConsumingEnumerable(cancellationToken))
            {
                parsed.Parse(options, reportErrors, cancellationToken);
                parsed.Done.TrySetResult();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped by the consumer.
        }
    }
}
