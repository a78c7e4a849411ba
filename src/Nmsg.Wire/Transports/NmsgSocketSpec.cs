using System.Globalization;
using System.Net;

namespace Nmsg.Transports;

/// <summary>
/// nmsgtool's socket spec: <c>addr/port</c> or <c>addr/first..last</c> (one socket per port), optionally followed by
/// <c>,rate[,freq]</c> for outputs. The address is an IPv4 or IPv6 literal: unicast, broadcast or multicast.
/// </summary>
public sealed record NmsgSocketSpec
{
    /// <summary>nmsgtool refuses ranges of more than 21 ports; so do we, as a guard against typos.</summary>
    public const int MaxPorts = 21;

    /// <summary>The nmsgtool default rate-adjustment frequency when a rate is given without one.</summary>
    public const int DefaultFrequency = 10;

    /// <summary>Creates a spec for one address and a port range.</summary>
    public NmsgSocketSpec(IPAddress address, int firstPort, int lastPort, int rate = 0, int frequency = DefaultFrequency)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentOutOfRangeException.ThrowIfNegative(firstPort);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lastPort, 65535);
        if (lastPort < firstPort || lastPort - firstPort >= MaxPorts)
            throw new ArgumentOutOfRangeException(nameof(lastPort), $"a port range must be ascending and cover at most {MaxPorts} ports");
        if (firstPort == 0 && lastPort != 0)
            throw new ArgumentOutOfRangeException(nameof(firstPort), "port 0 (any free port) cannot start a range");
        ArgumentOutOfRangeException.ThrowIfNegative(rate);
        ArgumentOutOfRangeException.ThrowIfNegative(frequency);
        Address = address;
        FirstPort = firstPort;
        LastPort = lastPort;
        Rate = rate;
        Frequency = frequency == 0 ? DefaultFrequency : frequency;
    }

    /// <summary>The address to bind (inputs) or send to (outputs).</summary>
    public IPAddress Address { get; }

    /// <summary>The first port (0 binds any free port, for one input socket).</summary>
    public int FirstPort { get; }

    /// <summary>The last port, inclusive.</summary>
    public int LastPort { get; }

    /// <summary>Output rate limit in containers per second shared by every port; 0 for none.</summary>
    public int Rate { get; }

    /// <summary>How often (in containers) the rate limiter re-checks its pace.</summary>
    public int Frequency { get; }

    /// <summary>Whether <see cref="Address"/> is a multicast group (inputs join it).</summary>
    public bool IsMulticast => Address.IsIPv6Multicast || (Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && (Address.GetAddressBytes()[0] & 0xF0) == 0xE0);

    /// <summary>One endpoint per port.</summary>
    public IReadOnlyList<IPEndPoint> EndPoints
    {
        get
        {
            var list = new IPEndPoint[LastPort - FirstPort + 1];
            for (int i = 0; i < list.Length; i++)
                list[i] = new IPEndPoint(Address, FirstPort + i);
            return list;
        }
    }

    /// <summary>Parses <c>addr/port[..port][,rate[,freq]]</c>.</summary>
    /// <exception cref="FormatException">With a message naming what is wrong.</exception>
    public static NmsgSocketSpec Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        int slash = spec.LastIndexOf('/');
        if (slash < 0)
            throw new FormatException($"socket spec '{spec}' needs a / between address and port");
        string addressText = spec[..slash];
        if (addressText.Length > 2 && addressText[0] == '[' && addressText[^1] == ']')
            addressText = addressText[1..^1];
        if (!IPAddress.TryParse(addressText, out IPAddress? address))
            throw new FormatException($"socket spec '{spec}': '{addressText}' is not an IPv4 or IPv6 address");

        string rest = spec[(slash + 1)..];
        int rate = 0, frequency = DefaultFrequency;
        int comma = rest.IndexOf(',');
        if (comma >= 0)
        {
            string[] parts = rest[(comma + 1)..].Split(',');
            if (parts.Length > 2 || !TryNumber(parts[0], out rate) || (parts.Length == 2 && !TryNumber(parts[1], out frequency)))
                throw new FormatException($"socket spec '{spec}': expected ',rate[,freq]' with non-negative integers after the port");
            rest = rest[..comma];
        }

        int first, last;
        int dots = rest.IndexOf("..", StringComparison.Ordinal);
        if (dots >= 0)
        {
            if (!TryPort(rest[..dots], out first) || !TryPort(rest[(dots + 2)..], out last))
                throw new FormatException($"socket spec '{spec}': bad port range '{rest}'");
        }
        else if (TryPort(rest, out first))
        {
            last = first;
        }
        else
        {
            throw new FormatException($"socket spec '{spec}': need a port number or range after /");
        }
        if (last < first || last - first >= MaxPorts)
            throw new FormatException($"socket spec '{spec}': bad port range (ascending, at most {MaxPorts} ports)");
        return new NmsgSocketSpec(address, first, last, rate, frequency);
    }

    /// <summary>Parses a spec, or returns false.</summary>
    public static bool TryParse(string spec, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out NmsgSocketSpec? result)
    {
        try
        {
            result = Parse(spec);
            return true;
        }
        catch (FormatException)
        {
            result = null;
            return false;
        }
    }

    private static bool TryNumber(string s, out int value)
        => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    private static bool TryPort(string s, out int port)
        => TryNumber(s, out port) && port <= 65535;

    /// <inheritdoc />
    public override string ToString()
    {
        string a = Address.ToString();
        string ports = FirstPort == LastPort ? FirstPort.ToString(CultureInfo.InvariantCulture) : $"{FirstPort}..{LastPort}";
        return Rate > 0 ? $"{a}/{ports},{Rate},{Frequency}" : $"{a}/{ports}";
    }
}
