using System.Globalization;
using Nmsg.Tests.Support;
using Nmsg.Text;

namespace Nmsg.Tests;

/// <summary>
/// The formatters keep per-thread state between messages (the text of the timestamp's second, the index of the
/// payload being printed, which derived fields reuse): whatever order the messages come in, each one's output and
/// fields are its own.
/// </summary>
public class FormatCacheTests
{
    private static NmsgMessage Ipconn(long seconds, uint nanoseconds)
    {
        var m = new NmsgMessage(1, 5, new NmsgTimestamp(seconds, nanoseconds), ReadOnlyMemory<byte>.Empty);
        m["proto"] = 6u;
        return m;
    }

    private static string Date(long seconds)
        => DateTimeOffset.FromUnixTimeSeconds(seconds).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    [Fact]
    public void Timestamps_are_right_whether_the_second_repeats_or_changes()
    {
        long[] seconds = [1_700_000_000, 1_700_000_000, 1_700_000_001, 1_700_000_000, 0, 0, 1_700_086_400, -1, 253_402_300_799];
        for (int round = 0; round < 2; round++)
        {
            foreach (long s in seconds)
            {
                string json = NmsgJson.Format(Ipconn(s, 5));
                Assert.StartsWith("{\"time\":\"" + Date(s) + ".000000005\"", json);
                string? pres = NmsgPresentation.Format(Ipconn(s, 7));
                Assert.NotNull(pres);
                Assert.StartsWith("[", pres);
                Assert.Contains("] [" + Date(s) + ".000000007] [", pres);
            }
        }
    }

    [Theory]
    [InlineData(0u, "000000000")]
    [InlineData(1u, "000000001")]
    [InlineData(123_456_789u, "123456789")]
    [InlineData(999_999_999u, "999999999")]
    [InlineData(20_000_000u, "020000000")]
    public void Nanoseconds_are_nine_digits(uint nanoseconds, string text)
    {
        Assert.StartsWith("{\"time\":\"" + Date(1_700_000_000) + "." + text + "\"", NmsgJson.Format(Ipconn(1_700_000_000, nanoseconds)));
        Assert.Contains("] [" + Date(1_700_000_000) + "." + text + "] [", NmsgPresentation.Format(Ipconn(1_700_000_000, nanoseconds)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_time_past_year_9999_prints_its_seconds_and_does_not_stick()
    {
        const long past = 253_402_300_800; // 10000-01-01
        Assert.StartsWith("{\"time\":\"253402300800.000000000\"", NmsgJson.Format(Ipconn(past, 0)));
        Assert.StartsWith("{\"time\":\"253402300800.000000000\"", NmsgJson.Format(Ipconn(past, 0)));
        Assert.StartsWith("{\"time\":\"" + Date(1) + ".000000000\"", NmsgJson.Format(Ipconn(1, 0)));
    }

    [Fact]
    public void Threads_do_not_see_each_others_text()
    {
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 8, t =>
        {
            for (int i = 0; i < 2000; i++)
            {
                long s = 1_600_000_000 + t * 1000 + (i % 3);
                string json = NmsgJson.Format(Ipconn(s, 0));
                if (!json.StartsWith("{\"time\":\"" + Date(s) + ".", StringComparison.Ordinal))
                    failures.Add(json);
            }
        });
        Assert.Empty(failures);
    }

    private static readonly string[] s_dnsqrDerived = ["delay", "udp_checksum", "query", "response", "dns"];

    private static object?[] Derived(NmsgMessage m) => [.. s_dnsqrDerived.Select(name => m[name])];

    [Fact]
    public void Derived_dnsqr_fields_read_during_or_after_formatting_are_the_messages_own()
    {
        List<NmsgMessage> messages = Decoding.ReadAll(Vectors.Read("plain/dnsqr-pcap.nmsg")).Messages;
        Assert.True(messages.Count > 2);
        // What each message's fields are, read on a thread that has formatted nothing.
        object?[][] expected = new object?[messages.Count][];
        var fresh = new Thread(() =>
        {
            for (int i = 0; i < messages.Count; i++)
                expected[i] = Derived(messages[i]);
        });
        fresh.Start();
        fresh.Join();
        Assert.Contains(expected, e => e[0] is not null && e[2] is not null);

        for (int i = 0; i < messages.Count; i++)
        {
            NmsgJson.Format(messages[i]);
            Assert.Equal(expected[i], Derived(messages[i]));
            int other = (i + 1) % messages.Count;
            NmsgPresentation.Format(messages[i]);
            Assert.Equal(expected[other], Derived(messages[other]));
        }
    }

    [Fact]
    public void Repeated_fields_interleaved_on_the_wire_keep_their_order()
    {
        byte[] payload =
        [
            0x08, 0x01, // type
            0x12, 0x04, 192, 0, 2, 1, // query_ip
            0x1a, 0x04, 198, 51, 100, 53, // response_ip
            0x20, 0x11, // proto
            0x28, 0xC0, 0xB8, 0x02, // query_port 40000
            0x30, 0x35, // response_port 53
            0x38, 0xB4, 0x24, // id 4660
            0x62, 0x02, 0xAA, 0xBB, // query_packet
            0x68, 0x01, // query_time_sec
            0x62, 0x02, 0xCC, 0xDD, // query_packet
            0x68, 0x02, // query_time_sec
            0x62, 0x01, 0xEE, // query_packet
        ];
        string json = NmsgJson.Format(new NmsgMessage(1, 9, new NmsgTimestamp(1, 0), payload));
        Assert.Contains("\"query_port\":40000,\"response_port\":53,\"id\":4660,", json, StringComparison.Ordinal);
        Assert.Contains("\"query_packet\":[\"qrs=\",\"zN0=\",\"7g==\"],\"query_time_sec\":[1,2]", json, StringComparison.Ordinal);
    }
}
