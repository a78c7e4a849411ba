using System.Globalization;

namespace Nmsg.Text;

/// <summary>
/// Operator and group alias files (SPEC §7): <c>nmsg.opalias</c> / <c>nmsg.gralias</c>, one
/// "&lt;number&gt; &lt;name&gt;" per line, overridden by <c>NMSG_OPALIAS_FILE</c> / <c>NMSG_GRALIAS_FILE</c>.
/// </summary>
public sealed class NmsgAliases
{
    private readonly Dictionary<uint, string> _operators;
    private readonly Dictionary<uint, string> _groups;

    /// <summary>No aliases.</summary>
    public static NmsgAliases None { get; } = new([], []);

    private NmsgAliases(Dictionary<uint, string> operators, Dictionary<uint, string> groups)
    {
        _operators = operators;
        _groups = groups;
    }

    /// <summary>
    /// Loads the aliases nmsgtool would: the environment's files if set and readable, else the files in
    /// <paramref name="etcDirectory"/> (default <c>/usr/local/etc</c>, as a source build of libnmsg; distributions use <c>/etc</c>).
    /// </summary>
    public static NmsgAliases LoadDefault(string etcDirectory = "/usr/local/etc")
    {
        static Dictionary<uint, string> Load(string? env, string fallback)
        {
            if (!string.IsNullOrEmpty(env) && File.Exists(env))
                return Parse(File.ReadLines(env));
            return File.Exists(fallback) ? Parse(File.ReadLines(fallback)) : [];
        }
        return new NmsgAliases(
            Load(Environment.GetEnvironmentVariable("NMSG_OPALIAS_FILE"), Path.Combine(etcDirectory, "nmsg.opalias")),
            Load(Environment.GetEnvironmentVariable("NMSG_GRALIAS_FILE"), Path.Combine(etcDirectory, "nmsg.gralias")));
    }

    /// <summary>Builds aliases from the text of the two files.</summary>
    public static NmsgAliases FromLines(IEnumerable<string> operatorLines, IEnumerable<string> groupLines)
        => new(Parse(operatorLines), Parse(groupLines));

    /// <summary>libnmsg's parser: number (base 0) and name separated by blanks; the first bad line ends the file.</summary>
    private static Dictionary<uint, string> Parse(IEnumerable<string> lines)
    {
        var map = new Dictionary<uint, string>();
        foreach (string line in lines)
        {
            string[] tokens = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length < 2 || !TryParseBase0(tokens[0], out uint key))
                break;
            map[key] = tokens[1];
        }
        return map;
    }

    /// <summary>strtoul with base 0: decimal, 0x hex, leading-0 octal.</summary>
    public static bool TryParseBase0(string s, out uint value)
    {
        value = 0;
        try
        {
            if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
                return uint.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
            if (s.Length > 1 && s[0] == '0')
            {
                value = Convert.ToUInt32(s, 8);
                return true;
            }
            return uint.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            return false;
        }
    }

    /// <summary>The operator's alias, or null.</summary>
    public string? OperatorName(uint value) => _operators.GetValueOrDefault(value);

    /// <summary>The group's alias, or null.</summary>
    public string? GroupName(uint value) => _groups.GetValueOrDefault(value);

    /// <summary>The operator number of an alias (case-insensitive), or 0.</summary>
    public uint OperatorValue(string name) => Find(_operators, name);

    /// <summary>The group number of an alias (case-insensitive), or 0.</summary>
    public uint GroupValue(string name) => Find(_groups, name);

    private static uint Find(Dictionary<uint, string> map, string name)
    {
        foreach (var (k, v) in map)
        {
            if (string.Equals(v, name, StringComparison.OrdinalIgnoreCase))
                return k;
        }
        return 0;
    }
}
