namespace Nmsg.Text;

/// <summary>Parses "YYYY-MM-DD HH:MM:SS" as UTC (strptime "%Y-%m-%d %T" + timegm) without allocating.</summary>
internal static class TimeText
{
    public static bool TryParse(ReadOnlySpan<char> s, out long seconds)
    {
        seconds = 0;
        if (s.Length != 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':')
            return false;
        if (!Num(s[..4], out int y) || !Num(s.Slice(5, 2), out int mo) || !Num(s.Slice(8, 2), out int d)
            || !Num(s.Slice(11, 2), out int h) || !Num(s.Slice(14, 2), out int mi) || !Num(s.Slice(17, 2), out int sec))
            return false;
        if (mo is < 1 or > 12 || d < 1 || d > DateTime.DaysInMonth(Math.Max(y, 1), mo) || h > 23 || mi > 59 || sec > 60)
            return false;
        // Days from civil (Howard Hinnant's algorithm).
        long yy = mo <= 2 ? y - 1 : y;
        long era = (yy >= 0 ? yy : yy - 399) / 400;
        long yoe = yy - era * 400;
        long doy = (153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + d - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        long days = era * 146097 + doe - 719468;
        seconds = days * 86400 + h * 3600 + mi * 60 + sec;
        return true;
    }

    private static bool Num(ReadOnlySpan<char> s, out int v)
    {
        v = 0;
        foreach (char c in s)
        {
            if (c is < '0' or > '9')
                return false;
            v = v * 10 + (c - '0');
        }
        return true;
    }
}
