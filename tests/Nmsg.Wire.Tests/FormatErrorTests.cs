using System.Text.Json;
using Nmsg.Tests.Support;
using Nmsg.Text;

namespace Nmsg.Tests;

/// <summary>Where nmsgtool's JSON output aborts, ours writes something sensible; presentation skips as nmsgtool does.</summary>
public class FormatErrorTests
{
    [Fact]
    public void An_undecodable_payload_is_skipped_in_presentation_and_kept_raw_in_json()
    {
        var messages = Decoding.ReadAll(Vectors.Read("malformed/undecodable-ipconn-payload.nmsg")).Messages;
        Assert.False(NmsgPresentation.Format(messages[0], new System.Buffers.ArrayBufferWriter<byte>()));
        using var doc = JsonDocument.Parse(NmsgJson.Format(messages[0]));
        Assert.Equal("ipconn", doc.RootElement.GetProperty("mname").GetString());
        Assert.False(doc.RootElement.TryGetProperty("message", out _));
        Assert.Equal(messages[0].Payload.ToArray(), doc.RootElement.GetProperty("payload").GetBytesFromBase64());

        // The second payload prints exactly as nmsgtool printed it.
        Assert.Equal(File.ReadAllText(Vectors.PathOf("malformed/undecodable-ipconn-payload.pres")), NmsgPresentation.Format(messages[1]));
    }

    [Fact]
    public void A_message_without_payload_is_an_empty_json_message()
    {
        NmsgMessage m = Decoding.ReadAll(Vectors.Read("edge/ipconn-empty.nmsg")).Messages.Single();
        Assert.False(m.HasPayloadField);
        Assert.Equal("{\"time\":\"2024-01-02 03:04:08.000000000\",\"vname\":\"base\",\"mname\":\"ipconn\",\"message\":{}}\n", NmsgJson.Format(m));
        // nmsgtool prints nothing for it from a file (edge/ipconn-empty.pres is empty).
        Assert.Null(NmsgPresentation.Format(m));
    }

    [Fact]
    public void Rdata_without_its_type_is_null_in_json_and_skips_the_payload_in_presentation()
    {
        var m = new NmsgMessage(1, 7, new NmsgTimestamp(1, 0), ReadOnlyMemory<byte>.Empty);
        m.Append("rdata", new byte[] { 192, 0, 2, 1 });
        m["rrttl"] = 5u;
        Assert.Null(NmsgPresentation.Format(m));
        using var doc = JsonDocument.Parse(NmsgJson.Format(m));
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("message").GetProperty("rdata")[0].ValueKind);
        Assert.Equal(5, doc.RootElement.GetProperty("message").GetProperty("rrttl").GetInt32());
    }

    [Fact]
    public void Json_string_sanitizing_and_escaping()
    {
        // SPEC §6.3: invalid UTF-8 → U+FFFD, each valid run ends at its NUL, control bytes escaped.
        var m = new NmsgMessage(1, 6, new NmsgTimestamp(0, 0), ReadOnlyMemory<byte>.Empty);
        m["category"] = "x";
        byte[] payload = [0x0A, 2, (byte)'x', 0, 0x12, 12, (byte)'a', (byte)'b', 0, (byte)'c', 0xFF, (byte)'e', (byte)'\t', (byte)'"', 0x01, 0xC0, 0x80, 0];
        m.Payload = payload;
        string json = NmsgJson.Format(m);
        Assert.Contains("\"message\":\"ab\uFFFDe\\t\\\"\\u0001\uFFFD\"", json, StringComparison.Ordinal);
    }
}
