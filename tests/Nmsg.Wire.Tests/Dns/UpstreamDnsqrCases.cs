namespace Nmsg.Tests.Dns;

/// <summary>
/// DNS messages and their expected text taken from nmsg's own reference fixtures
/// (farsightsec/nmsg <c>tests/nmsg-dnsqr-tests/test1-dnsqr.json</c> and <c>.pres</c>, produced by nmsgtool with wdns;
/// data, not code): the <c>query</c>/<c>response</c> base64 fields with the printed dumps and <c>*_json</c> objects.
/// They cover what our own vectors lack: EDNS option text (a cookie, OPT=10), the DO flag, NSEC3 and RRSIG.
/// </summary>
internal static class UpstreamDnsqrCases
{
    public const string IcannQuery = "7fEBIAABAAAAAAABBWljYW5uA29yZwAAAQABAAApEAAAAAAAAAwACgAIyiKgyGnZEIE=";

    public const string IcannQueryDump = """
        ;; ->>HEADER<<- opcode: QUERY, rcode: NOERROR, id: 60913
        ;; flags: rd ad; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 0

        ;; OPT PSEUDOSECTION:
        ; EDNS: version: 0, flags:; udp: 4096
        ; OPT=10: ca 22 a0 c8 69 d9 10 81 ("."..i...")
        ;; QUESTION SECTION:
        ;icann.org. IN A

        ;; ANSWER SECTION:

        ;; AUTHORITY SECTION:

        ;; ADDITIONAL SECTION:

        """;

    public const string IcannQueryJson = """{"header":{"opcode":"QUERY","rcode":"NOERROR","id":60913,"flags":["rd","ad"],"opt":{"edns":{"version":0,"flags":[],"udp":4096,"options":["OPT=10: ca 22 a0 c8 69 d9 10 81 (\".\"..i...\")"]}}},"question":[{"qname":"icann.org.","qclass":"IN","qtype":"A"}],"answer":[],"authority":[],"additional":[]}""";

    public const string DomaintoolsQuery = "n20BIAABAAAAAAABC2RvbWFpbnRvb2xzA2NvbQAAAQABAAApEAAAAIAAAAwACgAI142GwDeStX4=";

    public const string DomaintoolsQueryDump = """
        ;; ->>HEADER<<- opcode: QUERY, rcode: NOERROR, id: 40813
        ;; flags: rd ad; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 0

        ;; OPT PSEUDOSECTION:
        ; EDNS: version: 0, flags: do; udp: 4096
        ; OPT=10: d7 8d 86 c0 37 92 b5 7e ("....7..~")
        ;; QUESTION SECTION:
        ;domaintools.com. IN A

        ;; ANSWER SECTION:

        ;; AUTHORITY SECTION:

        ;; ADDITIONAL SECTION:

        """;

    public const string DomaintoolsQueryJson = """{"header":{"opcode":"QUERY","rcode":"NOERROR","id":40813,"flags":["rd","ad"],"opt":{"edns":{"version":0,"flags":["do"],"udp":4096,"options":["OPT=10: d7 8d 86 c0 37 92 b5 7e (\"....7..~\")"]}}},"question":[{"qname":"domaintools.com.","qclass":"IN","qtype":"A"}],"answer":[],"authority":[],"additional":[]}""";

    public const string DomaintoolsResponse =
        "n22BAAABAAAACAABC2RvbWFpbnRvb2xzA2NvbQAAAQABwAwAAgABAAKjAAAUBGRuczEDcDA0BW5zb25lA25ldADADAACAAEAAqMAAAcEZG5zMsAywAwAAgABAAKjAAAHBGRuczPAMsAMAAIAAQACowAABwRkbnM0wDIgQ0swUE9KTUc4NzRMSlJFRjdFRk44NDMwUVZJVDhCU03AGAAyAAEAAVGAACMBAQAAABRlAaE015Ekd2oouoYL8MHBEeqiBQAHIgAAAAACkMB6AC4AAQABUYAAtwAyCAIAAVGAZLTCSWSrd2G11wNjb20ARbjowb4kavKWO4vv41qeACA9z/IsEG2yDe8SdHacJFadCgXzEesSNemEWvMWQt8M/rL4eFUsDUZ8F6yi4Q321o237/y/mm7vGJvVvtGaxM7/TA86ffaBKcgVS0Ed9rRPSwUrvksm3CKLGibJ21u96HCR7skRS6tavU9Ifbf+7dFVTvb8yY8urduTT/ociF1d8PDGNKYms5k8u6g8v1WlbiAwRjNUMzJGSUdRTDQ5SDRQVEdWRjRKSEtVNDQ4TDJRR8AYADIAAQABUYAAIgEBAAAAFAPH1ZYWQN1/n0jP+oS31CWTvZANAAYgAAAAABLBjQAuAAEAAVGAALcAMggCAAFRgGS0zVpkq4JytdcDY29tAA1vOyNkIthwLI1MRNk8yK7yLv9F6jUQIq5rYL4vFedeNeu57uGHd1Gn+MPeMJrVfXuO3T2a9fTr+UMS3E08Y7HpI9opaSU3AtJE4ac3LQzipEem2JruJJaNCmP/92rYYqnEh/6pK6Qk5glDlt1d1YzumGFPbBqhInQQWSVFLr35u0iag2TaDFxWZohutmswioJ6XjoMRjD7y9EhXfEtVvAAACkQAAAAgAAAAA==";

    public const int DomaintoolsResponseOctets = 682;

    public const string DomaintoolsResponseDump = """
        ;; ->>HEADER<<- opcode: QUERY, rcode: NOERROR, id: 40813
        ;; flags: qr rd; QUERY: 1, ANSWER: 0, AUTHORITY: 8, ADDITIONAL: 0

        ;; OPT PSEUDOSECTION:
        ; EDNS: version: 0, flags: do; udp: 4096
        ;; QUESTION SECTION:
        ;domaintools.com. IN A

        ;; ANSWER SECTION:

        ;; AUTHORITY SECTION:
        domaintools.com. 172800 IN NS dns1.p04.nsone.net.
        domaintools.com. 172800 IN NS dns2.p04.nsone.net.
        domaintools.com. 172800 IN NS dns3.p04.nsone.net.
        domaintools.com. 172800 IN NS dns4.p04.nsone.net.
        CK0POJMG874LJREF7EFN8430QVIT8BSM.com. 86400 IN NSEC3 1 1 0 - CK0Q2D6NI4I7EQH8NA30NS61O48UL8G5 NS SOA RRSIG DNSKEY NSEC3PARAM
        CK0POJMG874LJREF7EFN8430QVIT8BSM.com. 86400 IN RRSIG NSEC3 8 2 86400 1689567817 1688958817 46551 com. Rbjowb4kavKWO4vv41qeACA9z/IsEG2yDe8SdHacJFadCgXzEesSNemEWvMWQt8M/rL4eFUsDUZ8F6yi4Q321o237/y/mm7vGJvVvtGaxM7/TA86ffaBKcgVS0Ed9rRPSwUrvksm3CKLGibJ21u96HCR7skRS6tavU9Ifbf+7dFVTvb8yY8urduTT/ociF1d8PDGNKYms5k8u6g8v1Wlbg==
        0F3T32FIGQL49H4PTGVF4JHKU448L2QG.com. 86400 IN NSEC3 1 1 0 - 0F3TB5GM83ENV7Q8PVT89DUK4M9RR40D NS DS RRSIG
        0F3T32FIGQL49H4PTGVF4JHKU448L2QG.com. 86400 IN RRSIG NSEC3 8 2 86400 1689570650 1688961650 46551 com. DW87I2Qi2HAsjUxE2TzIrvIu/0XqNRAirmtgvi8V514167nu4Yd3Uaf4w94wmtV9e47dPZr19Ov5QxLcTTxjsekj2ilpJTcC0kThpzctDOKkR6bYmu4klo0KY//3athiqcSH/qkrpCTmCUOW3V3VjO6YYU9sGqEidBBZJUUuvfm7SJqDZNoMXFZmiG62azCKgnpeOgxGMPvL0SFd8S1W8A==

        ;; ADDITIONAL SECTION:

        """;

    public const string FsiResponse =
        "Xt+EEAABAAIAAAABA2ZzaQJpbwAAEAABwAwAEAABAAAOEABeXXY9c3BmMSBteCBhIGE6c3VwcG9ydC5mYXJzaWdodHNlY3VyaXR5LmNvbSBhOmV4Y2guZnNpLmlvIGE6cHJvZC1tYWlsLXJlbGF5LTEuaWFkMS5mc2kuaW8gfmFsbMAMAC4AAQAADhAAmgAQBQIAAA4QZMW7rWSeJPkHUANmc2kCaW8APlPAyglU/l/ik2RvkYfk+zFLLaXTbtnKymeUO1rQtTkmG2c3G2VPzQtMkd1y6iM4KhvBAX5Wa5ftctEQNUKRcxsl8H/BnwkDOd9zxe/hgC2cdBuVugEoI9QACqfgeBC+TPz82505Xd4H4wX0rlGn9+nRaLeVuRD2s1e6CipPfZsAACkFAAAAgAAAAA==";

    public const int FsiResponseOctets = 307;

    public const string FsiResponseDump = """
        ;; ->>HEADER<<- opcode: QUERY, rcode: NOERROR, id: 24287
        ;; flags: qr aa cd; QUERY: 1, ANSWER: 2, AUTHORITY: 0, ADDITIONAL: 0

        ;; OPT PSEUDOSECTION:
        ; EDNS: version: 0, flags: do; udp: 1280
        ;; QUESTION SECTION:
        ;fsi.io. IN TXT

        ;; ANSWER SECTION:
        fsi.io. 3600 IN TXT "v=spf1 mx a a:support.farsightsecurity.com a:exch.fsi.io a:prod-mail-relay-1.iad1.fsi.io ~all"
        fsi.io. 3600 IN RRSIG TXT 5 2 3600 1690680237 1688085753 1872 fsi.io. PlPAyglU/l/ik2RvkYfk+zFLLaXTbtnKymeUO1rQtTkmG2c3G2VPzQtMkd1y6iM4KhvBAX5Wa5ftctEQNUKRcxsl8H/BnwkDOd9zxe/hgC2cdBuVugEoI9QACqfgeBC+TPz82505Xd4H4wX0rlGn9+nRaLeVuRD2s1e6CipPfZs=

        ;; AUTHORITY SECTION:

        ;; ADDITIONAL SECTION:

        """;

    public const string FsiResponseJson = """{"header":{"opcode":"QUERY","rcode":"NOERROR","id":24287,"flags":["qr","aa","cd"],"opt":{"edns":{"version":0,"flags":["do"],"udp":1280,"options":[]}}},"question":[{"qname":"fsi.io.","qclass":"IN","qtype":"TXT"}],"answer":[{"rrname":"fsi.io.","rrttl":3600,"rrclass":"IN","rrtype":"TXT","rdata":["\"v=spf1 mx a a:support.farsightsecurity.com a:exch.fsi.io a:prod-mail-relay-1.iad1.fsi.io ~all\""]},{"rrname":"fsi.io.","rrttl":3600,"rrclass":"IN","rrtype":"RRSIG","rdata":["TXT 5 2 3600 1690680237 1688085753 1872 fsi.io. PlPAyglU/l/ik2RvkYfk+zFLLaXTbtnKymeUO1rQtTkmG2c3G2VPzQtMkd1y6iM4KhvBAX5Wa5ftctEQNUKRcxsl8H/BnwkDOd9zxe/hgC2cdBuVugEoI9QACqfgeBC+TPz82505Xd4H4wX0rlGn9+nRaLeVuRD2s1e6CipPfZs="]}],"authority":[],"additional":[]}""";
}
