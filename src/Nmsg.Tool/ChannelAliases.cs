namespace Nmsg.Tool;

/// <summary>
/// Channel aliases (<c>-C</c>): lines of "channel spec [spec…]" in <c>NMSG_CHALIAS_FILE</c>, else
/// <c>nmsg.chalias</c> then <c>nmsgtool.chalias</c> in the configuration directory.
/// </summary>
internal static class ChannelAliases
{
    /// <summary>The file libnmsg would read, or null when there is none.</summary>
    public static string? FindFile(string etcDirectory = "/usr/local/etc")
    {
        string? env = Environment.GetEnvironmentVariable("NMSG_CHALIAS_FILE");
        if (!string.IsNullOrEmpty(env))
            return env;
        foreach (string name in new[] { "nmsg.chalias", "nmsgtool.chalias" })
        {
            string path = Path.Combine(etcDirectory, name);
            if (File.Exists(path))
                return path;
        }
        return null;
    }

    /// <summary>The socket specs of <paramref name="channel"/>; throws <see cref="UsageException"/> when there are none.</summary>
    public static IReadOnlyList<string> Lookup(string channel)
    {
        string file = FindFile() ?? throw new UsageException($"channel '{channel}': no channel alias file (set NMSG_CHALIAS_FILE or create /usr/local/etc/nmsg.chalias)");
        IEnumerable<string> lines;
        try
        {
            lines = File.ReadAllLines(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"channel alias file {file}: {e.Message}");
        }
        foreach (string line in lines)
        {
            string[] tokens = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length >= 2 && tokens[0] == channel)
                return tokens[1..];
        }
        throw new UsageException($"channel '{channel}' is not in {file}");
    }
}
