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

    /// <summary>
    /// The same from ASCII bytes (JSON input reads the line's bytes without widening them first). The days of the
    /// last date a thread read are kept with its ten bytes: the lines of a stream mostly share their date, and the
    /// date's checks and day count were half of a time's cost (~530 instructions an ipconn line). The time of day
    /// is checked and added as <see cref="Seconds"/> does.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> s, out long seconds)
    {
        seconds = 0;
        if (s.Length != 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':')
            return false;
        if (!Num(s[11], s[12], out int h) || !Num(s[14], s[15], out int mi) || !Num(s[17], s[18], out int sec) || h > 23 || mi > 59 || sec > 60)
            return false;
        ulong head = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(s);
        ushort tail = System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(s[8..]);
        DateCache date = t_date ??= new DateCache();
        if (!date.Valid || head != date.Head || tail != date.Tail)
        {
            if (!Num(s[0], s[1], out int y0) || !Num(s[2], s[3], out int y1) || !Num(s[5], s[6], out int mo) || !Num(s[8], s[9], out int d)
                || !Seconds(y0 * 100 + y1, mo, d, 0, 0, 0, out long midnight))
                return false;
            date.Head = head;
            date.Tail = tail;
            date.Midnight = midnight;
            date.Valid = true;
        }
        seconds = date.Midnight + h * 3600 + mi * 60 + sec;
        return true;
    }

    /// <summary>A thread's last valid date: its first ten bytes and its midnight in seconds.</summary>
    private sealed class DateCache
    {
        public ulong Head;
        public ushort Tail;
        public long Midnight;
        public bool Valid;
    }

    [ThreadStatic]
    private static DateCache? t_date;

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
