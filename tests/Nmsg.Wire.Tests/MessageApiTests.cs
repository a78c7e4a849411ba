using System.Net;
using Nmsg.Modules;
using Nmsg.Modules.Base;
using Nmsg.Text;

namespace Nmsg.Tests;

/// <summary>Typed and by-name access (pynmsg's m['field']) and the module registry.</summary>
public class MessageApiTests
{
    [Fact]
    public void Create_from_a_generated_type_and_read_it_back_typed_and_by_name()
    {
        var conn = new IPConn { Proto = 6, Srcip = Google.Protobuf.ByteString.CopyFrom(192, 0, 2, 1), Srcport = 2134, Dstport = 80 };
        NmsgMessage m = NmsgMessage.Create(conn, new NmsgTimestamp(1_700_000_000, 5));
        Assert.Equal((1u, 5u), (m.Vid, m.MsgType));
        Assert.Equal("ipconn", m.Module!.Name);
        Assert.Same(conn, m.Get<IPConn>());
        Assert.Equal(IPAddress.Parse("192.0.2.1"), m["srcip"]);
        Assert.Equal((ushort)2134, m["srcport"]);
        Assert.Null(m["dstip"]);

        // An independent decode of the bytes agrees.
        var reparsed = IPConn.Parser.ParseFrom(m.Payload.Span);
        Assert.Equal(2134u, reparsed.Srcport);
    }

    [Fact]
    public void Setting_fields_by_name_reserializes_the_payload()
    {
        var m = new NmsgMessage(1, 5, new NmsgTimestamp(1, 0), ReadOnlyMemory<byte>.Empty);
        m["srcport"] = 2134;
        m["srcip"] = "2001:db8::1";
        m["dstip"] = IPAddress.Parse("198.51.100.7");
        m["proto"] = 17;
        var typed = IPConn.Parser.ParseFrom(m.Payload.Span);
        Assert.Equal(2134u, typed.Srcport);
        Assert.Equal(17u, typed.Proto);
        Assert.Equal(IPAddress.Parse("2001:db8::1").GetAddressBytes(), typed.Srcip.ToByteArray());
        Assert.Equal(m.Get<IPConn>().Dstip.ToByteArray(), IPAddress.Parse("198.51.100.7").GetAddressBytes());
        m["srcport"] = null;
        Assert.Null(m["srcport"]);
        Assert.False(IPConn.Parser.ParseFrom(m.Payload.Span).HasSrcport);
    }

    [Fact]
    public void Strings_enums_and_repeated_fields()
    {
        var m = new NmsgMessage(1, 2, new NmsgTimestamp(1, 0), ReadOnlyMemory<byte>.Empty); // base:email
        m["type"] = "spamtrap";
        m["srchost"] = "mx.example.com";
        m.Append("rcpt", "a@example.com");
        m.Append("rcpt", "b@example.com");
        Email e = Email.Parser.ParseFrom(m.Payload.Span);
        Assert.Equal(EmailType.Spamtrap, e.Type);
        Assert.Equal("mx.example.com\0", e.Srchost.ToStringUtf8()); // stored with its NUL, as libnmsg does
        Assert.Equal(["a@example.com\0", "b@example.com\0"], e.Rcpt.Select(r => r.ToStringUtf8()));
        Assert.Equal("spamtrap", m["type"]);
        Assert.Equal(["a@example.com", "b@example.com"], (IEnumerable<object?>)m["rcpt"]!);
        m["type"] = 4;
        Assert.Equal("rej_user", m["type"]);
        m["rcpt"] = new[] { "c@example.com" };
        Assert.Single((System.Collections.IList)m["rcpt"]!);
        m.Clear("rcpt");
        Assert.Empty((System.Collections.IList)m["rcpt"]!);
    }

    [Fact]
    public void Errors_for_unknown_fields_and_wrong_values()
    {
        var m = new NmsgMessage(1, 5, new NmsgTimestamp(1, 0), ReadOnlyMemory<byte>.Empty);
        Assert.Throws<KeyNotFoundException>(() => m["nosuch"]);
        Assert.Throws<KeyNotFoundException>(() => m["nosuch"] = 1);
        Assert.Throws<ArgumentException>(() => m["srcport"] = 70000);
        Assert.Throws<ArgumentException>(() => m["srcip"] = "not an address");
        Assert.Throws<ArgumentException>(() => m.Append("srcport", 1));
        var email = new NmsgMessage(1, 2, new NmsgTimestamp(1, 0), ReadOnlyMemory<byte>.Empty);
        Assert.Throws<ArgumentException>(() => email["type"] = "nonsense");
        var unknown = new NmsgMessage(99, 1, new NmsgTimestamp(1, 0), new byte[] { 1, 2, 3 });
        Assert.Throws<InvalidOperationException>(() => unknown["x"]);
    }

    [Fact]
    public void The_registry_knows_every_base_and_sie_type_by_id_and_name()
    {
        string[] baseNames = ["ncap", "email", "linkpair", "http", "ipconn", "logline", "dns", "pkt", "dnsqr", "xml", "encode", "packet", "dnstap", "dnsobs"];
        for (int i = 0; i < baseNames.Length; i++)
        {
            Assert.Equal(baseNames[i], NmsgModules.Default.Find(1, (uint)i + 1)!.Name);
            Assert.Same(NmsgModules.Default.Find(1, (uint)i + 1), NmsgModules.Default.Find("BASE", baseNames[i].ToUpperInvariant()));
        }
        string[] sieNames = ["dnsdedupe", "reputation", "qr", "delay", "newdomain", "dnsnx"];
        for (int i = 0; i < sieNames.Length; i++)
            Assert.Equal(sieNames[i], NmsgModules.Default.Find(2, (uint)i + 1)!.Name);
        Assert.Same(NmsgModules.Default.Find(1, 5), NmsgModules.Default.Find("ISC", "ipconn"));
        Assert.Null(NmsgModules.Default.Find(1, 200));
        Assert.Null(NmsgModules.Default.Find("nosuch", "ipconn"));
    }

    [Fact]
    public void A_users_module_prints_and_parses_like_a_builtin_one()
    {
        // A "vendor 42" module reusing a generated type, registered in a registry of its own.
        var registry = NmsgModules.CreateDefault();
        var table = new FieldTable(LogLine.Descriptor)
            .Add("message", NmsgFieldType.String)
            .Add("category", NmsgFieldType.String);
        registry.Register(new NmsgModule(42, 1, "acme", "note", LogLine.Descriptor, table.Fields));
        var options = new NmsgTextOptions { Modules = registry };

        NmsgMessage m = NmsgJsonReader.Parse("{\"time\":\"2020-01-01 00:00:00.000000001\",\"vname\":\"acme\",\"mname\":\"note\",\"message\":{\"message\":\"hi\",\"category\":\"x\"}}", options);
        Assert.Equal((42u, 1u), (m.Vid, m.MsgType));
        Assert.Equal("[9] [2020-01-01 00:00:00.000000001] [42:1 acme note] [00000000] [] [] \nmessage: hi\ncategory: x\n\n",
            NmsgPresentation.Format(m, options));
        Assert.Equal("{\"time\":\"2020-01-01 00:00:00.000000001\",\"vname\":\"acme\",\"mname\":\"note\",\"message\":{\"message\":\"hi\",\"category\":\"x\"}}\n",
            NmsgJson.Format(m, options));
    }

    [Fact]
    public void Unknown_types_keep_their_raw_payload()
    {
        var m = new NmsgMessage(99, 1, new NmsgTimestamp(1, 2), new byte[] { 0xFF, 0xFE });
        Assert.Null(m.Module);
        Assert.Equal("[2] [1970-01-01 00:00:01.000000002] [99:1 (unknown) (unknown)] [00000000] [] [] \n<UNKNOWN NMSG 99:1>\n\n", NmsgPresentation.Format(m));
        Assert.Equal("{\"time\":\"1970-01-01 00:00:01.000000002\",\"vname\":\"(unknown)\",\"mname\":\"(unknown)\",\"vid\":99,\"msgtype\":1,\"payload\":\"//4=\"}\n",
            NmsgJson.Format(m));
    }
}
