using System.Buffers;
using BenchmarkDotNet.Attributes;
using Nmsg.Text;

namespace Nmsg.Benchmarks;

/// <summary>
/// Presentation and JSON formatting of ipconn, dns and dnsqr messages into a reused buffer, and JSON parsing.
/// One operation is one message. The reference (nmsgtool, end to end on this machine): presentation 0.55M/s ipconn,
/// 0.45M/s dns, 0.14M/s dnsqr; JSON 1.0M/s, 0.7M/s, 0.19M/s; JSON input 0.14-0.20M/s.
/// </summary>
[Config(typeof(BenchConfig))]
public class FormatBenchmarks
{
    private const string IpconnJson = "{\"time\":\"2024-01-02 03:04:05.123456789\",\"vname\":\"base\",\"mname\":\"ipconn\",\"message\":{\"proto\":6,\"srcip\":\"192.0.2.1\",\"srcport\":12345,\"dstip\":\"198.51.100.7\",\"dstport\":443}}";
    private const string DnsJson = "{\"time\":\"2024-09-10 11:12:15.000000000\",\"vname\":\"base\",\"mname\":\"dns\",\"message\":{\"qname\":\"example.com.\",\"qclass\":\"IN\",\"qtype\":\"MX\",\"section\":1,\"rrname\":\"example.com.\",\"rrclass\":\"IN\",\"rrtype\":\"MX\",\"rrttl\":600,\"rdata\":[\"10 mx1.example.com.\",\"20 mx2.example.com.\"]}}";
    private const string DnsqrJson = "{\"time\":\"2023-11-14 22:13:20.100000000\",\"vname\":\"base\",\"mname\":\"dnsqr\",\"message\":{\"type\":\"UDP_QUERY_RESPONSE\",\"query_ip\":\"192.0.2.10\",\"response_ip\":\"198.51.100.53\",\"proto\":\"UDP\",\"query_port\":40000,\"response_port\":53,\"id\":4660,\"qname\":\"www.example.com.\",\"qclass\":\"IN\",\"qtype\":\"A\",\"rcode\":\"NOERROR\",\"query_packet\":[\"RQAASAABQABAEU4xwAACCsYzZDWcQAA1ADQJ4xI0AQAAAQAAAAAAAQN3d3cHZXhhbXBsZQNjb20AAAEAAQAAKRAAAAAAAAAA\"],\"query_time_sec\":[1700000000],\"query_time_nsec\":[100000000],\"response_packet\":[\"RQAAZwACQABAEU4RxjNkNcAAAgoANZxAAFMN8xI0gYAAAQABAAAAAQN3d3cHZXhhbXBsZQNjb20AAAEAAQN3d3cHZXhhbXBsZQNjb20AAAEAAQAAASwABF242CIAACkE0AAAAAAAAA==\"],\"response_time_sec\":[1700000000],\"response_time_nsec\":[112345000],\"delay\":0.012345,\"udp_checksum\":\"CORRECT\",\"query\":\"EjQBAAABAAAAAAABA3d3dwdleGFtcGxlA2NvbQAAAQABAAApEAAAAAAAAAA=\",\"query_json\":{\"header\":{\"opcode\":\"QUERY\",\"rcode\":\"NOERROR\",\"id\":4660,\"flags\":[\"rd\"],\"opt\":{\"edns\":{\"version\":0,\"flags\":[],\"udp\":4096,\"options\":[]}}},\"question\":[{\"qname\":\"www.example.com.\",\"qclass\":\"IN\",\"qtype\":\"A\"}],\"answer\":[],\"authority\":[],\"additional\":[]},\"response\":\"EjSBgAABAAEAAAABA3d3dwdleGFtcGxlA2NvbQAAAQABA3d3dwdleGFtcGxlA2NvbQAAAQABAAABLAAEXbjYIgAAKQTQAAAAAAAA\",\"response_json\":{\"header\":{\"opcode\":\"QUERY\",\"rcode\":\"NOERROR\",\"id\":4660,\"flags\":[\"qr\",\"rd\",\"ra\"],\"opt\":{\"edns\":{\"version\":0,\"flags\":[],\"udp\":1232,\"options\":[]}}},\"question\":[{\"qname\":\"www.example.com.\",\"qclass\":\"IN\",\"qtype\":\"A\"}],\"answer\":[{\"rrname\":\"www.example.com.\",\"rrttl\":300,\"rrclass\":\"IN\",\"rrtype\":\"A\",\"rdata\":[\"93.184.216.34\"]}],\"authority\":[],\"additional\":[]},\"dns\":\"EjSBgAABAAEAAAABA3d3dwdleGFtcGxlA2NvbQAAAQABA3d3dwdleGFtcGxlA2NvbQAAAQABAAABLAAEXbjYIgAAKQTQAAAAAAAA\"}}";

    private readonly ArrayBufferWriter<byte> _output = new(1 << 16);
    private NmsgMessage _ipconn = null!, _dns = null!, _dnsqr = null!;
    private byte[] _ipconnLine = [], _dnsLine = [];

    [GlobalSetup]
    public void Setup()
    {
        _ipconn = NmsgJsonReader.Parse(IpconnJson);
        _dns = NmsgJsonReader.Parse(DnsJson);
        _dnsqr = NmsgJsonReader.Parse(DnsqrJson);
        _ipconnLine = System.Text.Encoding.UTF8.GetBytes(IpconnJson);
        _dnsLine = System.Text.Encoding.UTF8.GetBytes(DnsJson);
        if (!NmsgPresentation.Format(_dnsqr, _output))
            throw new InvalidOperationException("dnsqr sample does not format");
    }

    private int Pres(NmsgMessage m)
    {
        _output.ResetWrittenCount();
        NmsgPresentation.Format(m, _output);
        return _output.WrittenCount;
    }

    private int Json(NmsgMessage m)
    {
        _output.ResetWrittenCount();
        NmsgJson.Format(m, _output);
        return _output.WrittenCount;
    }

    /// <summary>Typed payloads are cached on the message: clear it so every operation decodes, as a stream would.</summary>
    private static NmsgMessage Fresh(NmsgMessage m) => new(m.Vid, m.MsgType, m.Time, m.Payload);

    [Benchmark]
    public int PresentationIpconn() => Pres(_ipconn);

    [Benchmark]
    public int PresentationDns() => Pres(_dns);

    [Benchmark]
    public int PresentationDnsqr() => Pres(Fresh(_dnsqr));

    [Benchmark]
    public int JsonIpconn() => Json(_ipconn);

    [Benchmark]
    public int JsonDns() => Json(_dns);

    [Benchmark]
    public int JsonDnsqr() => Json(Fresh(_dnsqr));

    [Benchmark]
    public int ParseJsonIpconn() => NmsgJsonReader.Parse(_ipconnLine).Payload.Length;

    [Benchmark]
    public int ParseJsonDns() => NmsgJsonReader.Parse(_dnsLine).Payload.Length;
}
