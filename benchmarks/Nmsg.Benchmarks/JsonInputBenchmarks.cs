using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Nmsg.Text;

namespace Nmsg.Benchmarks;

/// <summary>
/// JSON input as nmsgtool <c>-j</c> reads it: a stream of distinct lines (varied addresses, names, record types,
/// TXT escapes, times) through <see cref="NmsgJsonReader.ReadAllAsync(Stream, NmsgTextOptions?, Action{NmsgFormatException}?, int, CancellationToken)"/>,
/// sequentially and on two threads. One operation is one line. The reference: nmsgtool reads 0.14-0.20M lines/s.
/// </summary>
[Config(typeof(BenchConfig))]
public class JsonInputBenchmarks
{
    private const int Lines = 20_000;
    private byte[] _text = [];

    /// <summary>The message type of every line.</summary>
    [Params("ipconn", "dns", "dnsqr")]
    public string Type { get; set; } = "ipconn";

    /// <summary>Parsing threads (1 is the sequential read).</summary>
    [Params(1, 2)]
    public int Parallelism { get; set; } = 1;

    [GlobalSetup]
    public void Setup()
    {
        var text = new StringBuilder();
        for (int i = 0; i < Lines; i++)
            text.Append(Line(Type, i)).Append('\n');
        _text = Encoding.UTF8.GetBytes(text.ToString());
    }

    [Benchmark(OperationsPerInvoke = Lines)]
    public async Task<int> ReadJsonLines()
    {
        int n = 0;
        await foreach (NmsgMessage m in NmsgJsonReader.ReadAllAsync(new MemoryStream(_text, writable: false), null, null, Parallelism))
            n += m.Payload.Length;
        return n;
    }

    private static string Time(int i) => $"2024-09-10 {i / 3600 % 24:00}:{i / 60 % 60:00}:{i % 60:00}.{i * 7919 % 1_000_000_000:000000000}";

    private static string Line(string type, int i)
    {
        string ip4 = $"{10 + i % 200}.{i / 256 % 256}.{i % 256}.{i * 7 % 250 + 1}";
        string name = $"host{i % 9973}.zone{i % 97}.example.";
        return type switch
        {
            "ipconn" => i % 4 == 3
                ? Format("{{\"time\":\"{0}\",\"vname\":\"base\",\"mname\":\"ipconn\",\"message\":{{\"proto\":17,\"srcip\":\"2001:db8::{1:x}\",\"srcport\":{2},\"dstip\":\"2001:db8:1::{3:x}\",\"dstport\":53}}}}",
                    Time(i), i % 65535 + 1, 1024 + i % 60000, i * 3 % 65535 + 1)
                : Format("{{\"time\":\"{0}\",\"vname\":\"base\",\"mname\":\"ipconn\",\"message\":{{\"proto\":6,\"srcip\":\"{1}\",\"srcport\":{2},\"dstip\":\"198.51.{3}.{4}\",\"dstport\":443}}}}",
                    Time(i), ip4, 1024 + i % 60000, i % 256, i * 13 % 256),
            "dns" => (i % 4) switch
            {
                0 => Format("{{\"time\":\"{0}\",\"vname\":\"base\",\"mname\":\"dns\",\"message\":{{\"rrname\":\"{1}\",\"rrclass\":\"IN\",\"rrtype\":\"A\",\"rrttl\":{2},\"rdata\":[\"{3}\"]}}}}",
                    Time(i), name, i % 86400, ip4),
                1 => Format("{{\"time\":\"{0}\",\"vname\":\"base\",\"mname\":\"dns\",\"message\":{{\"qname\":\"{1}\",\"qclass\":\"IN\",\"qtype\":\"MX\",\"section\":1,\"rrname\":\"{1}\",\"rrclass\":\"IN\",\"rrtype\":\"MX\",\"rrttl\":{2},\"rdata\":[\"10 mx1.{1}\",\"20 mx2.{1}\"]}}}}",
                    Time(i), name, i % 86400),
                2 => Format("{{\"time\":\"{0}\",\"vname\":\"base\",\"mname\":\"dns\",\"message\":{{\"rrname\":\"{1}\",\"rrclass\":\"IN\",\"rrtype\":\"TXT\",\"rrttl\":60,\"rdata\":[\"\\\"v=spf1 ip4:{2} -all\\\" \\\"n{3}\\\"\"]}}}}",
                    Time(i), name, ip4, i),
                _ => Format("{{\"time\":\"{0}\",\"vname\":\"base\",\"mname\":\"dns\",\"message\":{{\"rrname\":\"{1}\",\"rrclass\":\"IN\",\"rrtype\":\"SOA\",\"rrttl\":300,\"rdata\":[\"ns1.{1} hostmaster.{1} {2} 7200 3600 1209600 300\"]}}}}",
                    Time(i), name, 2024091000 + i),
            },
            _ => Format("{{\"time\":\"{0}\",\"vname\":\"base\",\"mname\":\"dnsqr\",\"message\":{{\"type\":\"UDP_QUERY_RESPONSE\",\"query_ip\":\"{1}\",\"response_ip\":\"198.51.100.53\",\"proto\":\"UDP\",\"query_port\":{2},\"response_port\":53,\"id\":{3},\"qname\":\"www.example.com.\",\"qclass\":\"IN\",\"qtype\":\"A\",\"rcode\":\"NOERROR\","
                + "\"query_packet\":[\"RQAASAABQABAEU4xwAACCsYzZDWcQAA1ADQJ4xI0AQAAAQAAAAAAAQN3d3cHZXhhbXBsZQNjb20AAAEAAQAAKRAAAAAAAAAA\"],\"query_time_sec\":[{4}],\"query_time_nsec\":[{5}],"
                + "\"response_packet\":[\"RQAAZwACQABAEU4RxjNkNcAAAgoANZxAAFMN8xI0gYAAAQABAAAAAQN3d3cHZXhhbXBsZQNjb20AAAEAAQN3d3cHZXhhbXBsZQNjb20AAAEAAQAAASwABF242CIAACkE0AAAAAAAAA==\"],\"response_time_sec\":[{4}],\"response_time_nsec\":[{6}],\"delay\":0.012345,\"udp_checksum\":\"CORRECT\","
                + "\"query\":\"EjQBAAABAAAAAAABA3d3dwdleGFtcGxlA2NvbQAAAQABAAApEAAAAAAAAAA=\",\"query_json\":{{\"header\":{{\"opcode\":\"QUERY\",\"rcode\":\"NOERROR\",\"id\":{3},\"flags\":[\"rd\"],\"opt\":{{\"edns\":{{\"version\":0,\"flags\":[],\"udp\":4096,\"options\":[]}}}}}},\"question\":[{{\"qname\":\"www.example.com.\",\"qclass\":\"IN\",\"qtype\":\"A\"}}],\"answer\":[],\"authority\":[],\"additional\":[]}},"
                + "\"response\":\"EjSBgAABAAEAAAABA3d3dwdleGFtcGxlA2NvbQAAAQABA3d3dwdleGFtcGxlA2NvbQAAAQABAAABLAAEXbjYIgAAKQTQAAAAAAAA\",\"response_json\":{{\"header\":{{\"opcode\":\"QUERY\",\"rcode\":\"NOERROR\",\"id\":{3},\"flags\":[\"qr\",\"rd\",\"ra\"],\"opt\":{{\"edns\":{{\"version\":0,\"flags\":[],\"udp\":1232,\"options\":[]}}}}}},\"question\":[{{\"qname\":\"www.example.com.\",\"qclass\":\"IN\",\"qtype\":\"A\"}}],"
                + "\"answer\":[{{\"rrname\":\"www.example.com.\",\"rrttl\":300,\"rrclass\":\"IN\",\"rrtype\":\"TXT\",\"rdata\":[\"\\\"n{3}\\\"\"]}}],\"authority\":[],\"additional\":[]}},\"dns\":\"EjSBgAABAAEAAAABA3d3dwdleGFtcGxlA2NvbQAAAQABA3d3dwdleGFtcGxlA2NvbQAAAQABAAABLAAEXbjYIgAAKQTQAAAAAAAA\"}}}}",
                Time(i), ip4, 1024 + i % 60000, i % 65536, 1_700_000_000 + i / 10, i * 7919 % 1_000_000_000, (i * 7919 + 12_345_000) % 1_000_000_000),
        };
    }

    private static string Format(string format, params object[] args) => string.Format(CultureInfo.InvariantCulture, format, args);
}
