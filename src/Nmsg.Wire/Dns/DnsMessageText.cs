using System.Buffers;

namespace Nmsg.Dns;

/// <summary>
/// Text forms of a whole DNS message: wdns <c>wdns_message_to_str</c> (the dig-style dump of nmsg's DNSMSG printer
/// and the ncap payload printer, SPEC §8.4.3) and nmsg's DNSMSG_JSON object (dnsqr/dnstap/dnsobs <c>*_json</c>,
/// SPEC §8.4.4).
/// </summary>
public static class DnsMessageText
{
    /// <summary>
    /// Appends the dig-style dump of a DNS message; every line ends with "\n". Returns false (nothing written) if
    /// wdns cannot parse the message.
    /// </summary>
    public static bool TryFormat(ReadOnlySpan<byte> message, IBufferWriter<byte> output) => Render(message, output, json: false);

    /// <summary>
    /// Appends the DNSMSG_JSON object of a DNS message (compact, no spaces). Returns false (nothing written) if
    /// wdns cannot parse the message; nmsg writes <c>null</c> then.
    /// </summary>
    public static bool TryFormatJson(ReadOnlySpan<byte> message, IBufferWriter<byte> output) => Render(message, output, json: true);

    [System.Runtime.CompilerServices.SkipLocalsInit]
    private static bool Render(ReadOnlySpan<byte> message, IBufferWriter<byte> output, bool json)
    {
        ArgumentNullException.ThrowIfNull(output);
        WireMessage m = WireMessage.Rent();
        try
        {
            if (!m.Parse(message))
                return false;
            if (output is Nmsg.Internal.PooledBufferWriter pooled)
            {
                // Straight into the library's own buffer.
                var direct = ByteBuilder.Over(pooled, 4096);
                try
                {
                    Append(ref direct, m, json);
                    direct.CommitTo(pooled);
                }
                finally
                {
                    direct.Dispose();
                }
                return true;
            }
            var b = new ByteBuilder(stackalloc byte[2048]);
            try
            {
                Append(ref b, m, json);
                b.CopyTo(output);
            }
            finally
            {
                b.Dispose();
            }
            return true;
        }
        finally
        {
            WireMessage.Return(m);
        }
    }

    [System.Runtime.CompilerServices.SkipLocalsInit]
    private static void Append(ref ByteBuilder b, WireMessage m, bool json)
    {
        if (json)
            AppendJson(ref b, m);
        else
            AppendDump(ref b, m);
    }

    private static void AppendDump(ref ByteBuilder b, WireMessage m)
    {
        b.Append(";; ->>HEADER<<- opcode: "u8);
        int opcode = (m.Flags >> 11) & 0xF;
        if (DnsMnemonics.OpcodeText(opcode) is { } op)
            b.Append(op);
        else
            b.AppendDecimal((ulong)opcode);
        b.Append(", rcode: "u8);
        if (DnsMnemonics.RcodeText(m.Rcode) is { } rc)
            b.Append(rc);
        else
            b.AppendDecimal(m.Rcode);
        b.Append(", id: "u8);
        b.AppendDecimal(m.Id);
        b.Append("\n;; flags:"u8);
        b.Append(DnsMnemonics.FlagsText(m.Flags));
        b.Append("; QUERY: "u8);
        b.AppendDecimal((ulong)m.SectionCount[0]);
        b.Append(", ANSWER: "u8);
        b.AppendDecimal((ulong)m.SectionCount[1]);
        b.Append(", AUTHORITY: "u8);
        b.AppendDecimal((ulong)m.SectionCount[2]);
        b.Append(", ADDITIONAL: "u8);
        b.AppendDecimal((ulong)m.SectionCount[3]);
        b.Append((byte)'\n');

        if (m.EdnsPresent)
        {
            b.Append("\n;; OPT PSEUDOSECTION:\n; EDNS: version: "u8);
            b.AppendDecimal(m.EdnsVersion);
            b.Append(", flags:"u8);
            if ((m.EdnsFlags & 0x8000) != 0)
                b.Append(" do"u8);
            b.Append("; udp: "u8);
            b.AppendDecimal(m.EdnsSize);
            if (m.EdnsHasOptions)
            {
                var opts = new ByteBuilder(stackalloc byte[512]);
                try
                {
                    RdataWriter.Append(ref opts, m.EdnsOptions, 41, 0);
                    ReadOnlySpan<byte> rest = opts.Written;
                    while (NextLine(ref rest, out ReadOnlySpan<byte> line))
                    {
                        b.Append("\n; "u8);
                        b.Append(line);
                    }
                }
                finally
                {
                    opts.Dispose();
                }
            }
        }

        for (int sec = 0; sec < 4; sec++)
        {
            // Each heading a literal of its own: copied with a few moves, no search for where it ends.
            switch (sec)
            {
                case 0:
                    b.Append("\n;; QUESTION SECTION:\n"u8);
                    break;
                case 1:
                    b.Append("\n;; ANSWER SECTION:\n"u8);
                    break;
                case 2:
                    b.Append("\n;; AUTHORITY SECTION:\n"u8);
                    break;
                default:
                    b.Append("\n;; ADDITIONAL SECTION:\n"u8);
                    break;
            }

            int start = m.SectionStart[sec];
            for (int i = start; i < start + m.SectionCount[sec]; i++)
            {
                ref readonly ParsedRr rr = ref m.Rrs[i];
                if (sec == 0)
                    b.Append((byte)';');
                ReadOnlySpan<byte> name = m.Name(rr);
                DnsNames.Append(ref b, name, name.Length);
                if (sec != 0)
                {
                    b.Append((byte)' ');
                    b.AppendDecimal(rr.Ttl);
                }
                b.Append((byte)' ');
                DnsMnemonics.AppendClass(ref b, rr.Class);
                b.Append((byte)' ');
                DnsMnemonics.AppendType(ref b, rr.Type);
                if (sec != 0)
                {
                    b.Append((byte)' ');
                    RdataWriter.Append(ref b, m.Rdata(rr), rr.Type, rr.Class);
                }
                b.Append((byte)'\n');
            }
        }
    }

    [System.Runtime.CompilerServices.SkipLocalsInit]
    private static void AppendJson(ref ByteBuilder b, WireMessage m)
    {
        b.Append("{\"header\":{\"opcode\":"u8);
        int opcode = (m.Flags >> 11) & 0xF;
        if (DnsMnemonics.OpcodeJson(opcode) is { } op)
        {
            b.Append(op);
        }
        else
        {
            b.AppendDecimal((ulong)opcode);
        }
        b.Append(",\"rcode\":"u8);
        if (DnsMnemonics.RcodeJson(m.Rcode) is { } rc)
        {
            b.Append(rc);
        }
        else
        {
            b.AppendDecimal(m.Rcode);
        }
        b.Append(",\"id\":"u8);
        b.AppendDecimal(m.Id);
        b.Append(",\"flags\":"u8);
        b.Append(DnsMnemonics.FlagsJson(m.Flags));

        if (m.EdnsPresent)
        {
            b.Append(",\"opt\":{\"edns\":{\"version\":"u8);
            b.AppendDecimal(m.EdnsVersion);
            b.Append(",\"flags\":["u8);
            if ((m.EdnsFlags & 0x8000) != 0)
                b.Append("\"do\""u8);
            b.Append("],\"udp\":"u8);
            b.AppendDecimal(m.EdnsSize);
            if (m.EdnsHasOptions)
            {
                b.Append(",\"options\":["u8);
                var opts = new ByteBuilder(stackalloc byte[512]);
                try
                {
                    RdataWriter.Append(ref opts, m.EdnsOptions, 41, 0);
                    ReadOnlySpan<byte> rest = opts.Written;
                    bool comma = false;
                    while (NextLine(ref rest, out ReadOnlySpan<byte> line))
                    {
                        if (comma)
                            b.Append((byte)',');
                        comma = true;
                        AppendJsonString(ref b, line);
                    }
                }
                finally
                {
                    opts.Dispose();
                }
                b.Append((byte)']');
            }
            b.Append("}}"u8);
        }
        b.Append((byte)'}');

        b.Append(",\"question\":"u8);
        AppendJsonSection(ref b, m, 0);
        b.Append(",\"answer\":"u8);
        AppendJsonSection(ref b, m, 1);
        b.Append(",\"authority\":"u8);
        AppendJsonSection(ref b, m, 2);
        b.Append(",\"additional\":"u8);
        AppendJsonSection(ref b, m, 3);
        b.Append((byte)'}');
    }

    /// <summary>
    /// One section as wdns RRsets: an RR joins the RRset with the same type, class and case-insensitively equal
    /// owner (name and TTL of the first RR, TTL lowered to the smallest); question entries never merge.
    /// </summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    private static void AppendJsonSection(ref ByteBuilder b, WireMessage m, int sec)
    {
        int start = m.SectionStart[sec];
        int count = m.SectionCount[sec];
        b.Append((byte)'[');
        if (count == 0)
        {
            b.Append((byte)']');
            return;
        }

        // leaderOf[i]: the RR (section-relative) that opened RR i's RRset; leaders in order of creation.
        int[] leaderOf = m.LeaderScratch(count, out int[] leaders);
        {
            int nLeaders = 0;
            for (int i = 0; i < count; i++)
            {
                int found = -1;
                if (sec != 0)
                {
                    for (int k = nLeaders - 1; k >= 0; k--)
                    {
                        if (m.SameRrset(m.Rrs[start + i], m.Rrs[start + leaders[k]]))
                        {
                            found = leaders[k];
                            break;
                        }
                    }
                }
                if (found < 0)
                {
                    leaders[nLeaders++] = i;
                    found = i;
                }
                leaderOf[i] = found;
            }

            for (int k = 0; k < nLeaders; k++)
            {
                int leader = leaders[k];
                ref readonly ParsedRr rr = ref m.Rrs[start + leader];
                if (k > 0)
                    b.Append((byte)',');
                // Keys as constant literals in each branch (a literal chosen by ?: is copied by a Memmove call).
                if (sec == 0)
                    b.Append("{\"qname\":\""u8);
                else
                    b.Append("{\"rrname\":\""u8);
                int nameAt = b.Length;
                ReadOnlySpan<byte> name = m.Name(rr);
                DnsNames.Append(ref b, name, name.Length);
                EscapeWrittenJson(ref b, nameAt);
                b.Append((byte)'"');

                if (sec != 0)
                {
                    uint ttl = rr.Ttl;
                    for (int i = leader + 1; i < count; i++)
                    {
                        if (leaderOf[i] == leader && m.Rrs[start + i].Ttl < ttl)
                            ttl = m.Rrs[start + i].Ttl;
                    }
                    b.Append(",\"rrttl\":"u8);
                    b.AppendDecimal(ttl);
                }

                if (sec == 0)
                    b.Append(",\"qclass\":"u8);
                else
                    b.Append(",\"rrclass\":"u8);
                if (DnsMnemonics.ClassJson(rr.Class) is { } classJson)
                    b.Append(classJson);
                else
                    AppendMnemonic(ref b, DnsMnemonics.ClassName(rr.Class), "\"CLASS"u8, rr.Class);
                if (sec == 0)
                    b.Append(",\"qtype\":"u8);
                else
                    b.Append(",\"rrtype\":"u8);
                // nmsg prints the class number for an unknown type (its bug, kept for byte equality).
                if (DnsMnemonics.TypeJson(rr.Type) is { } typeJson)
                    b.Append(typeJson);
                else
                    AppendMnemonic(ref b, DnsMnemonics.TypeName(rr.Type), "\"TYPE"u8, rr.Class);

                if (sec != 0)
                {
                    b.Append(",\"rdata\":["u8);
                    bool comma = false;
                    for (int i = leader; i < count; i++)
                    {
                        if (leaderOf[i] != leader)
                            continue;
                        if (comma)
                            b.Append((byte)',');
                        comma = true;
                        ref readonly ParsedRr member = ref m.Rrs[start + i];
                        // After the opening quote the trailing-space trim of wdns sees only this rdata's text.
                        b.Append((byte)'"');
                        int rdataAt = b.Length;
                        RdataWriter.Append(ref b, m.Rdata(member), member.Type, member.Class);
                        EscapeWrittenJson(ref b, rdataAt);
                        b.Append((byte)'"');
                    }
                    b.Append((byte)']');
                }
                b.Append((byte)'}');
            }
        }
        b.Append((byte)']');
    }

    /// <summary>strtok(…, "\n"): the next non-empty line.</summary>
    private static bool NextLine(ref ReadOnlySpan<byte> rest, out ReadOnlySpan<byte> line)
    {
        while (!rest.IsEmpty && rest[0] == '\n')
            rest = rest[1..];
        if (rest.IsEmpty)
        {
            line = default;
            return false;
        }
        int nl = rest.IndexOf((byte)'\n');
        line = nl < 0 ? rest : rest[..nl];
        rest = nl < 0 ? default : rest[nl..];
        return true;
    }

    // "NAME", or the unknown prefix and the number: "CLASS65280".
    private static void AppendMnemonic(ref ByteBuilder b, string? name, scoped ReadOnlySpan<byte> unknownPrefix, uint number)
    {
        if (name is not null)
        {
            b.Append((byte)'"');
            b.AppendAscii(name);
        }
        else
        {
            b.Append(unknownPrefix);
            b.AppendDecimal(number);
        }
        b.Append((byte)'"');
    }

    /// <summary>
    /// JSON-escapes the text written since <paramref name="start"/>: names and rdata are written straight into the
    /// output and, in the usual case that nothing in them needs escaping, left there.
    /// </summary>
    private static void EscapeWrittenJson(ref ByteBuilder b, int start)
    {
        int plain = Nmsg.Text.JsonString.IndexOfNeedsEscape(b.Written[start..]);
        if (plain < 0)
            return;
        // Rare (a quote, backslash or control byte in DNS text): escape a copy of the rest.
        int from = start + plain;
        byte[] copy = System.Buffers.ArrayPool<byte>.Shared.Rent(b.Length - from);
        try
        {
            ReadOnlySpan<byte> rest = copy.AsSpan(0, b.Length - from);
            b.Written[from..].CopyTo(copy);
            b.Truncate(from);
            AppendJsonEscaped(ref b, rest);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(copy);
        }
    }

    /// <summary>nmsg's JSON string escaping (SPEC §6.3 step 3) of ASCII/UTF-8 text.</summary>
    internal static void AppendJsonString(ref ByteBuilder b, scoped ReadOnlySpan<byte> s)
    {
        b.Append((byte)'"');
        // Runs that need no escaping (all of most names and rdata) are copied whole.
        int plain = Nmsg.Text.JsonString.IndexOfNeedsEscape(s);
        if (plain < 0)
        {
            b.Append(s);
            b.Append((byte)'"');
            return;
        }
        b.Append(s[..plain]);
        AppendJsonEscaped(ref b, s[plain..]);
        b.Append((byte)'"');
    }

    /// <summary>The escaped form of every byte of <paramref name="s"/>, no quotes.</summary>
    private static void AppendJsonEscaped(ref ByteBuilder b, scoped ReadOnlySpan<byte> s)
    {
        foreach (byte c in s)
        {
            switch (c)
            {
                case (byte)'"':
                    b.Append("\\\""u8);
                    break;
                case (byte)'\\':
                    b.Append("\\\\"u8);
                    break;
                case 0x08:
                    b.Append("\\b"u8);
                    break;
                case 0x0C:
                    b.Append("\\f"u8);
                    break;
                case (byte)'\n':
                    b.Append("\\n"u8);
                    break;
                case (byte)'\r':
                    b.Append("\\r"u8);
                    break;
                case (byte)'\t':
                    b.Append("\\t"u8);
                    break;
                default:
                    if (c <= 0x1F)
                    {
                        b.Append("\\u00"u8);
                        b.AppendHexLower(c);
                    }
                    else
                    {
                        b.Append(c);
                    }
                    break;
            }
        }
    }
}
