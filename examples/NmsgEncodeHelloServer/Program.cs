using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using MessagePack;
using Nmsg.Modules.Base;
using YamlDotNet.Serialization;

namespace Nmsg.Examples.NmsgEncodeHelloServer;

/// <summary>
/// pynmsg's nmsg_encode_hello_server.py: receives base.encode messages over UDP and decodes each payload by its type
/// (JSON pretty-printed). Usage: NmsgEncodeHelloServer addr port [count].
/// </summary>
public static class Example
{
    public static int Main(string[] args) => ExampleSupport.RunMain(args, RunAsync);

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (args.Length < 2)
        {
            await stderr.WriteLineAsync("usage: NmsgEncodeHelloServer addr port [count]");
            return 1;
        }
        long count = args.Length > 2 ? ExampleSupport.Number(args[2]) : long.MaxValue;
        await using Transports.NmsgUdpReceiver receiver = ExampleSupport.Listen(args[0], ExampleSupport.Port(args[1]));
        await stderr.WriteLineAsync($"listening on {receiver.Spec}");
        long seen = 0;
        try
        {
            await foreach (NmsgMessage m in receiver.ReadAllAsync(cancellationToken))
            {
                if (m.Module?.Descriptor != Encode.Descriptor)
                    continue;
                Encode e = m.Get<Encode>();
                await stdout.WriteLineAsync($"{ExampleSupport.Header(m)}type {m["type"]}");
                await stdout.WriteLineAsync(Decode(e.Type, e.Payload.ToByteArray()));
                if (++seen >= count)
                    break;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        await stdout.FlushAsync(CancellationToken.None);
        return 0;
    }

    /// <summary>The payload decoded by its type, as text.</summary>
    public static string Decode(EncodeType type, byte[] payload) => type switch
    {
        EncodeType.Text => Encoding.UTF8.GetString(payload),
        EncodeType.Json => JsonSerializer.Serialize(JsonDocument.Parse(payload).RootElement, PrettyJson.Default.JsonElement),
        EncodeType.Yaml => Show(new DeserializerBuilder().Build().Deserialize<Dictionary<string, string>>(Encoding.UTF8.GetString(payload))),
        EncodeType.Msgpack => Show(MessagePackSerializer.Deserialize<Dictionary<string, string>>(payload)),
        EncodeType.Xml => XDocument.Parse(Encoding.UTF8.GetString(payload)).ToString(),
        _ => Convert.ToHexString(payload),
    };

    private static string Show(Dictionary<string, string> map) => string.Join("\n", map.Select(p => $"{p.Key}: {p.Value}"));
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(WriteIndented = true)]
[System.Text.Json.Serialization.JsonSerializable(typeof(JsonElement))]
internal sealed partial class PrettyJson : System.Text.Json.Serialization.JsonSerializerContext;
