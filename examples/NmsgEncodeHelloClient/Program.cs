using System.Text;
using System.Text.Json;
using System.Xml;
using MessagePack;
using Nmsg.Modules.Base;
using Nmsg.Reactive;
using YamlDotNet.Serialization;

namespace Nmsg.Examples.NmsgEncodeHelloClient;

/// <summary>
/// pynmsg's nmsg_encode_hello_client.py: sends one base.encode message per payload type (TEXT, JSON, YAML, MSGPACK,
/// XML), each carrying the same small map encoded with a real serializer, timestamps set by hand.
/// Usage: NmsgEncodeHelloClient [addr [port]] (default 127.0.0.1 9430).
/// </summary>
public static class Example
{
    /// <summary>The map every payload carries.</summary>
    public static IReadOnlyDictionary<string, string> Hello { get; } = new Dictionary<string, string> { ["hello"] = "world", ["from"] = "nmsg" };

    public static int Main(string[] args) => ExampleSupport.RunMain(args, RunAsync);

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        string address = args.Length > 0 ? args[0] : "127.0.0.1";
        int port = args.Length > 1 ? ExampleSupport.Port(args[1]) : 9430;
        await using NmsgSink output = ExampleSupport.UnbufferedUdp(address, port);
        foreach ((EncodeType type, byte[] payload) in Payloads())
        {
            var m = NmsgMessage.Create(new Encode { Type = type, Payload = Google.Protobuf.ByteString.CopyFrom(payload) },
                NmsgTimestamp.FromDateTimeOffset(DateTimeOffset.UtcNow));
            await output.WriteAsync(m, cancellationToken);
            await stdout.WriteLineAsync($"sent {type} ({payload.Length} bytes)");
        }
        await output.CloseAsync();
        await output.Completion;
        return 0;
    }

    /// <summary>The five payloads: type and bytes.</summary>
    public static IEnumerable<(EncodeType Type, byte[] Payload)> Payloads()
    {
        var map = new Dictionary<string, string>(Hello);
        yield return (EncodeType.Text, Encoding.UTF8.GetBytes(string.Join(", ", map.Select(p => $"{p.Key} {p.Value}"))));
        yield return (EncodeType.Json, JsonSerializer.SerializeToUtf8Bytes(map, HelloJson.Default.DictionaryStringString));
        yield return (EncodeType.Yaml, Encoding.UTF8.GetBytes(new SerializerBuilder().Build().Serialize(map)));
        yield return (EncodeType.Msgpack, MessagePackSerializer.Serialize(map));
        var xml = new StringBuilder();
        using (XmlWriter w = XmlWriter.Create(xml, new XmlWriterSettings { OmitXmlDeclaration = true }))
        {
            w.WriteStartElement("hello");
            foreach ((string k, string v) in map)
                w.WriteElementString(k, v);
            w.WriteEndElement();
        }
        yield return (EncodeType.Xml, Encoding.UTF8.GetBytes(xml.ToString()));
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class HelloJson : System.Text.Json.Serialization.JsonSerializerContext;
