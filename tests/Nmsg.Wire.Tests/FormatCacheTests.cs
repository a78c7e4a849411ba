using System.Globalization;
using Nmsg.Text;

namespace Nmsg.Tests;

/// <summary>
/// The formatters keep per-thread text of what consecutive messages usually repeat (the second of the timestamp):
/// whatever order the messages come in, each one's text is its own.
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
}
