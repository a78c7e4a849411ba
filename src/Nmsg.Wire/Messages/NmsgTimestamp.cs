namespace Nmsg;

/// <summary>
/// An NMSG payload time: Unix seconds (signed, pre-1970 allowed) and nanoseconds. The wire does not bound the
/// nanoseconds (the reference prints 1999999999 as it is), so neither does this type.
/// </summary>
/// <param name="Seconds">Seconds since the Unix epoch.</param>
/// <param name="Nanoseconds">Nanoseconds within the second, as stored on the wire.</param>
public readonly record struct NmsgTimestamp(long Seconds, uint Nanoseconds) : IComparable<NmsgTimestamp>
{
    /// <summary>The current time.</summary>
    public static NmsgTimestamp Now => FromDateTimeOffset(DateTimeOffset.UtcNow);

    /// <summary>Converts from a <see cref="DateTimeOffset"/> (100 ns resolution).</summary>
    public static NmsgTimestamp FromDateTimeOffset(DateTimeOffset value)
    {
        long ticks = value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        long seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long rem);
        if (rem < 0)
        {
            seconds--;
            rem += TimeSpan.TicksPerSecond;
        }
        return new NmsgTimestamp(seconds, (uint)(rem * 100));
    }

    /// <summary>Converts to a <see cref="DateTimeOffset"/>, truncating to 100 ns.</summary>
    public DateTimeOffset ToDateTimeOffset()
        => DateTimeOffset.UnixEpoch.AddSeconds(Seconds).AddTicks(Nanoseconds / 100);

    /// <inheritdoc />
    public int CompareTo(NmsgTimestamp other)
    {
        int c = Seconds.CompareTo(other.Seconds);
        return c != 0 ? c : Nanoseconds.CompareTo(other.Nanoseconds);
    }
}
