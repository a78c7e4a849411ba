using Nmsg.Containers;
using Nmsg.Tests.Support;
using Nmsg.Transports;

namespace Nmsg.Tests;

public class StreamTests
{
    private static NmsgMessage Message(int i)
        => new(1, 5, new NmsgTimestamp(1_700_000_000 + i, (uint)i), BitConverter.GetBytes(i));

    [Fact]
    public async Task Disposing_the_writer_flushes_every_accepted_message()
    {
        var stream = new MemoryStream();
        await using (var writer = new NmsgStreamWriter(stream, leaveOpen: true))
        {
            for (int i = 0; i < 10_000; i++)
                await writer.WriteAsync(Message(i));
            Assert.Equal(0, stream.Length); // all still in the 1 MiB container
        }
        var read = Decoding.ReadAll(stream.ToArray());
        Assert.Equal(10_000, read.Messages.Count);
        Assert.Equal(Enumerable.Range(0, 10_000), read.Messages.Select(m => BitConverter.ToInt32(m.Payload.Span)));
    }

    [Fact]
    public async Task Files_round_trip_through_ReadAllAsync()
    {
        string path = Path.Combine(Path.GetTempPath(), $"nmsg-{Guid.NewGuid():N}.nmsg");
        try
        {
            await using (var w = NmsgStreamWriter.CreateFile(path, new NmsgWriterOptions { Encoder = new() { Compress = true, BufferSize = 4096 } }))
            {
                for (int i = 0; i < 5000; i++)
                    w.Write(Message(i));
            }
            int n = 0;
            await using var r = NmsgStreamReader.OpenFile(path);
            await foreach (NmsgMessage m in r.ReadAllAsync())
                Assert.Equal(n++, BitConverter.ToInt32(m.Payload.Span));
            Assert.Equal(5000, n);
            Assert.True(r.Statistics.ContainersReceived > 10);
            Assert.Equal(new FileInfo(path).Length, r.Statistics.Bytes);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task CreateFile_makes_a_new_file_and_truncates_an_existing_one()
    {
        string dir = Directory.CreateTempSubdirectory("nmsg-create-").FullName;
        try
        {
            string fresh = Path.Combine(dir, "new.nmsg");
            await using (var w = NmsgStreamWriter.CreateFile(fresh))
                w.Write(Message(1));
            long one = new FileInfo(fresh).Length;
            Assert.True(one > 0);

            // An existing, longer file is cut to what is written now (not overwritten in place).
            string existing = Path.Combine(dir, "old.nmsg");
            File.WriteAllBytes(existing, new byte[one * 10]);
            await using (var w = NmsgStreamWriter.CreateFile(existing))
                w.Write(Message(1));
            Assert.Equal(File.ReadAllBytes(fresh), File.ReadAllBytes(existing));

            // A dangling symbolic link: the file it names is made, as open(O_CREAT | O_TRUNC) does.
            string target = Path.Combine(dir, "target.nmsg");
            string link = Path.Combine(dir, "link.nmsg");
            File.CreateSymbolicLink(link, target);
            await using (var w = NmsgStreamWriter.CreateFile(link))
                w.Write(Message(1));
            Assert.Equal(File.ReadAllBytes(fresh), File.ReadAllBytes(target));

            // A file that is not there in a directory that is not there is still the usual error.
            Assert.Throws<DirectoryNotFoundException>(() => NmsgStreamWriter.CreateFile(Path.Combine(dir, "no", "x.nmsg")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Good_messages_before_a_bad_container_are_delivered_then_the_error()
    {
        byte[] data = Vectors.Read("malformed/valid-then-bad-magic.nmsg");
        var seen = new List<NmsgMessage>();
        var reader = new NmsgStreamReader(new MemoryStream(data));
        var e = await Assert.ThrowsAsync<NmsgFormatException>(async () =>
        {
            await foreach (NmsgMessage m in reader.ReadAllAsync())
                seen.Add(m);
        });
        Assert.Equal(4, seen.Count);
        Assert.Equal(NmsgErrorReason.BadMagic, e.Reason);
        Assert.Equal(191, e.Offset);
        // The reader stays failed.
        await Assert.ThrowsAsync<NmsgFormatException>(async () => await reader.ReadContainerAsync([]));
    }

    [Fact]
    public void A_timed_flush_writes_a_slow_stream_without_waiting_for_a_full_container()
    {
        var time = new ManualTimeProvider();
        var stream = new MemoryStream();
        using var writer = new NmsgStreamWriter(stream, new NmsgWriterOptions { FlushInterval = TimeSpan.FromSeconds(1), TimeProvider = time }, leaveOpen: true);
        writer.Write(Message(1));
        time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(0, stream.Length);
        time.Advance(TimeSpan.FromMilliseconds(600));
        Assert.Single(Decoding.ReadAll(stream.ToArray()).Messages);
        writer.Write(Message(2));
        writer.Write(Message(3));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(3, Decoding.ReadAll(stream.ToArray()).Messages.Count);
    }

    private sealed class FailingStream : MemoryStream
    {
        public override void Write(ReadOnlySpan<byte> buffer) => throw new IOException("disk full");
        public override void Write(byte[] buffer, int offset, int count) => throw new IOException("disk full");
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
            => ValueTask.FromException(new IOException("disk full"));
    }

    [Fact]
    public async Task A_write_failure_reaches_the_caller()
    {
        var writer = new NmsgStreamWriter(new FailingStream());
        await writer.WriteAsync(Message(1)); // buffered, nothing written yet
        await Assert.ThrowsAsync<IOException>(async () => await writer.DisposeAsync());

        using var unbuffered = new NmsgStreamWriter(new FailingStream(), new NmsgWriterOptions { Encoder = new() { Buffered = false } });
        Assert.Equal("disk full", Assert.Throws<IOException>(() => unbuffered.Write(Message(1))).Message);
        // Faulted from then on; disposing does not report the same failure twice.
        var later = Assert.Throws<IOException>(() => unbuffered.Write(Message(2)));
        Assert.Equal("disk full", later.InnerException?.Message);
    }

    [Fact]
    public void Empty_containers_are_accepted_as_zero_payloads()
    {
        // nmsgtool crashes on these (malformed/length-zero-*); an empty Nmsg is valid protobuf.
        var r = Decoding.ReadAll(Vectors.Read("malformed/length-zero-then-valid.nmsg"));
        Assert.Equal(4, r.Messages.Count);
        Assert.Equal(2, r.Statistics.ContainersReceived);
    }
}
