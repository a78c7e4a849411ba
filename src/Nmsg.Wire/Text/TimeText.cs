namespace Nmsg.Text;

/// <summary>Parses "YYYY-MM-DD HH:MM:SS" as UTC (strptime "%Y-%m-%d %T" + timegm) without allocating.</summary>
internal static class TimeText
{
    public static bool TryParse(ReadOnlySpan<char> s, out long seconds)
    {
        seconds = 0;
        if (s.Length != 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':')
            return false;
        return Num(s[0], s[1], out int y0) && Num(s[2], s[3], out int y1) && Num(s[5], s[6], out int mo) && Num(s[8], s[9], out int d)
            && Num(s[11], s[12], out int h) && Num(s[14], s[15], out int mi) && Num(s[17], s[18], out int sec)
            && Seconds(y0 * 100 + y1, mo, d, h, mi, sec, out seconds);
    }

    /// <summary>The same from ASCII bytes (JSON input reads the line's bytes without widening them first).</summary>
    public static bool TryParse(ReadOnlySpan<byte> s, out long seconds)
    {
        seconds = 0;
        if (s.Length != 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':')
            return false;
        return Num(s[0], s[1], out int y0) && Num(s[2], s[3], out int y1) && Num(s[5], s[6], out int mo) && Num(s[8], s[9], out int d)
            && Num(s[11], s[12], out int h) && Num(s[14], s[15], out int mi) && Num(s[17], s[18], out int sec)
            && Seconds(y0 * 100 + y1, mo, d, h, mi, sec, out seconds);
    }

    private static bool Seconds(int y, int mo, int d, int h, int mi, int sec, out long seconds)
    {
        seconds = 0;
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

    /// <summary>Two decimal digits as a number.</summary>
    private static bool Num(int a, int b, out int v)
    {
        v = (a - '0') * 10 + (b - '0');
        return a is >= '0' and <= '9' && b is >= '0' and <= '9';
    }
}
