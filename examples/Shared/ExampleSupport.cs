using System.Collections;
using System.Globalization;
using System.Net;
using Nmsg.Modules;
using Nmsg.Reactive;
using Nmsg.Text;
using Nmsg.Transports;

namespace Nmsg.Examples;

/// <summary>What the pynmsg examples share: printing a message, and UDP with buffering off.</summary>
internal static class ExampleSupport
{
    /// <summary>
    /// pynmsg's print_nmsg_header: "[time] [vid:msgtype vname mname] [source] [operator] [group] " (libnmsg's header
    /// without the payload length).
    /// </summary>
    public static string Header(NmsgMessage m, NmsgAliases? aliases = null)
    {
        NmsgModule? module = m.Module;
        DateTimeOffset t = DateTimeOffset.UnixEpoch.AddSeconds(m.Time.Seconds);
        string op = m.Operator is uint o ? aliases?.OperatorName(o) ?? o.ToString(CultureInfo.InvariantCulture) : "";
        string group = m.Group is uint g ? aliases?.GroupName(g) ?? g.ToString(CultureInfo.InvariantCulture) : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"[{t:yyyy-MM-dd HH:mm:ss}.{m.Time.Nanoseconds:D9}] [{m.Vid}:{m.MsgType} {module?.VendorName ?? "?"} {module?.Name ?? "?"}] [{m.Source ?? 0:x8}] [{op}] [{group}] ");
    }

    /// <summary>The header, then "field: value" per value (one line per value of a repeated field), then a blank line.</summary>
    public static void Dump(NmsgMessage m, TextWriter output, NmsgAliases? aliases = null)
    {
        output.Write(Header(m, aliases) + "\n");
        if (m.Module is not null)
        {
            foreach (NmsgField f in m.Fields)
            {
                object? value = m[f.Name];
                if (value is null)
                    continue;
                if (value is IList list and not byte[])
                {
                    foreach (object? v in list)
                        output.Write($"{f.Name}: {Text(v)}\n");
                }
                else
                {
                    output.Write($"{f.Name}: {Text(value)}\n");
                }
            }
        }
        output.Write("\n");
    }

    private static string Text(object? value) => value switch
    {
        null => "",
        byte[] b => Convert.ToHexString(b).ToLowerInvariant(),
        ReadOnlyMemory<byte> b => Convert.ToHexString(b.Span).ToLowerInvariant(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>A UDP output that sends one container per message (like ipconn_client.c's unbuffered output).</summary>
    public static NmsgSink UnbufferedUdp(string address, int port)
    {
        NmsgUdpSenderOptions sender = NmsgUdpSenderOptions.Default;
        sender = sender with { Encoder = sender.Encoder with { Buffered = false } };
        return NmsgSink.Udp(new NmsgSocketSpec(IPAddress.Parse(address), port, port), new NmsgUdpSinkOptions { Sender = sender });
    }

    /// <summary>A bound UDP input (bound now, so a sender started afterwards loses nothing).</summary>
    public static NmsgUdpReceiver Listen(string address, int port)
        => NmsgUdpReceiver.Bind(new NmsgSocketSpec(IPAddress.Parse(address), port, port));

    public static int Port(string text) => int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);

    public static long Number(string text) => long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);

    /// <summary>Runs an example from Main: Ctrl-C cancels.</summary>
    public static int RunMain(string[] args, Func<string[], TextWriter, TextWriter, CancellationToken, Task<int>> run)
    {
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        try
        {
            return run(args, Console.Out, Console.Error, stop.Token).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is FormatException or ArgumentException or IOException or System.Net.Sockets.SocketException or NmsgException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
