using System.Buffers;
using System.Buffers.Binary;

namespace Nmsg.Dns;

/// <summary>One RR as wdns keeps it after parsing: owner name and rdata decompressed into <see cref="WireMessage.Data"/>.</summary>
internal struct ParsedRr
{
    public int NameOffset;
    public int NameLength;
    public ushort Type;
    public ushort Class;
    public uint Ttl;
    public int RdataOffset;
    public int RdataLength;
}

/// <summary>
/// wdns <c>wdns_parse_message</c> (SPEC §8.4.3): header, then each section's RRs in order with names decompressed;
/// stops successfully where the packet ends on an RR boundary; the first OPT RR becomes the EDNS information and
/// is not kept (later ones are ordinary RRs); rdata is checked and decompressed per the type's descriptor exactly as
/// <c>_wdns_parse_rdata</c> does, and any failure fails the whole message. Instances are reused per thread.
/// </summary>
internal sealed class WireMessage
{
    [ThreadStatic]
    private static WireMessage? t_cached;

    private const int ResSuccess = 0;

    public byte[] Data = new byte[1024];
    public int DataLength;
    public ParsedRr[] Rrs = new ParsedRr[32];
    public readonly int[] SectionStart = new int[4];
    public readonly int[] SectionCount = new int[4];
    public int RrCount;

    public ushort Id;
    public ushort Flags;
    public ushort Rcode;

    public bool EdnsPresent;
    public byte EdnsVersion;
    public ushort EdnsFlags;
    public ushort EdnsSize;
    public bool EdnsHasOptions;
    public int EdnsOptionsOffset;
    public int EdnsOptionsLength;

    /// <summary>Takes the thread's instance (or a new one while it is in use).</summary>
    public static WireMessage Rent()
    {
        WireMessage? m = t_cached;
        t_cached = null;
        return m ?? new WireMessage();
    }

    public static void Return(WireMessage m)
    {
        if (m.Data.Length > 1 << 20)
            m.Data = new byte[1024];
        if (m.Rrs.Length > 1 << 14)
            m.Rrs = new ParsedRr[32];
        if (m._leaderOf.Length > 1 << 14)
        {
            m._leaderOf = new int[32];
            m._leaders = new int[32];
        }
        t_cached = m;
    }

    public ReadOnlySpan<byte> Name(in ParsedRr rr) => Data.AsSpan(rr.NameOffset, rr.NameLength);

    public ReadOnlySpan<byte> Rdata(in ParsedRr rr) => Data.AsSpan(rr.RdataOffset, rr.RdataLength);

    public ReadOnlySpan<byte> EdnsOptions => Data.AsSpan(EdnsOptionsOffset, EdnsOptionsLength);

    public bool Parse(ReadOnlySpan<byte> pkt)
    {
        DataLength = 0;
        RrCount = 0;
        // Four ints each: stored directly, not through a call to Array.Clear.
        int[] starts = SectionStart, counts4 = SectionCount;
        starts[3] = starts[2] = starts[1] = starts[0] = 0;
        counts4[3] = counts4[2] = counts4[1] = counts4[0] = 0;
        EdnsPresent = false;
        EdnsVersion = 0;
        EdnsFlags = 0;
        EdnsSize = 0;
        EdnsHasOptions = false;
        EdnsOptionsOffset = 0;
        EdnsOptionsLength = 0;

        if (pkt.Length < 12)
            return false;
        Id = BinaryPrimitives.ReadUInt16BigEndian(pkt);
        Flags = BinaryPrimitives.ReadUInt16BigEndian(pkt[2..]);
        Rcode = (ushort)(Flags & 0xF);
        Span<int> counts = stackalloc int[4];
        for (int s = 0; s < 4; s++)
            counts[s] = BinaryPrimitives.ReadUInt16BigEndian(pkt[(4 + 2 * s)..]);

        int p = 12;
        for (int sec = 0; sec < 4; sec++)
        {
            SectionStart[sec] = RrCount;
            for (int n = 0; n < counts[sec]; n++)
            {
                if (p == pkt.Length)
                    return true;
                if (!ParseRr(pkt, p, sec, out int rrLen, out ParsedRr rr))
                    return false;
                if (rr.Type == 41 && !EdnsPresent)
                {
                    EdnsPresent = true;
                    EdnsSize = rr.Class;
                    EdnsVersion = (byte)(rr.Ttl >> 16);
                    EdnsFlags = (ushort)rr.Ttl;
                    EdnsHasOptions = rr.RdataLength >= 0;
                    EdnsOptionsOffset = rr.RdataOffset;
                    EdnsOptionsLength = Math.Max(rr.RdataLength, 0);
                    Rcode |= (ushort)((rr.Ttl >> 16) & 0xFF00);
                }
                else
                {
                    if (RrCount == Rrs.Length)
                        Array.Resize(ref Rrs, Rrs.Length * 2);
                    Rrs[RrCount++] = rr;
                    SectionCount[sec]++;
                }
                p += rrLen;
            }
        }
        return true;
    }

    private bool ParseRr(ReadOnlySpan<byte> pkt, int start, int sec, out int rrLen, out ParsedRr rr)
    {
        rr = default;
        rrLen = 0;
        rr.NameOffset = DataLength;
        if (UnpackName(pkt, start, out int nameLen, out int nameBytes) != ResSuccess)
            return false;
        rr.NameLength = nameLen;
        int src = start + nameBytes;

        if (src + 4 > pkt.Length || (sec != 0 && src + 10 > pkt.Length))
            return false;
        rr.Type = BinaryPrimitives.ReadUInt16BigEndian(pkt[src..]);
        rr.Class = BinaryPrimitives.ReadUInt16BigEndian(pkt[(src + 2)..]);
        src += 4;
        if (sec == 0)
        {
            rr.RdataOffset = DataLength;
            rr.RdataLength = -1;
            rrLen = src - start;
            return true;
        }
        rr.Ttl = BinaryPrimitives.ReadUInt32BigEndian(pkt[src..]);
        int rdlen = BinaryPrimitives.ReadUInt16BigEndian(pkt[(src + 4)..]);
        src += 6;
        if (src + rdlen > pkt.Length)
            return false;
        rr.RdataOffset = DataLength;
        if (!ParseRdata(pkt, src, rdlen, rr.Type, rr.Class))
            return false;
        rr.RdataLength = DataLength - rr.RdataOffset;
        rrLen = src - start + rdlen;
        return true;
    }

    /// <summary><c>_wdns_parse_rdata</c>: validates against the descriptor and appends the decompressed rdata.</summary>
    private bool ParseRdata(ReadOnlySpan<byte> pkt, int rdata, int rdlen, ushort type, ushort rrclass)
    {
        Rdf[]? fields = RecordDescriptors.Fields(type);
        int src = rdata;
        int srcBytes = rdlen;
        if (fields is null || (RecordDescriptors.IsInOnly(type) && rrclass != 1))
        {
            Copy(pkt.Slice(src, srcBytes));
            return true;
        }

        foreach (Rdf field in fields)
        {
            if (srcBytes == 0)
                break;
            switch (field)
            {
                case Rdf.Name:
                case Rdf.UName:
                    {
                        if (UnpackName(pkt, src, out _, out int skipped) != ResSuccess)
                            return false;
                        src += skipped;
                        srcBytes -= skipped;
                        if (srcBytes < 0)
                            return false;
                        break;
                    }
                case Rdf.Bytes:
                case Rdf.BytesB64:
                case Rdf.BytesStr:
                case Rdf.EdnsOptRdata:
                    if (!CopyBytes(pkt, ref src, ref srcBytes, srcBytes))
                        return false;
                    break;
                case Rdf.Int8:
                    if (!CopyBytes(pkt, ref src, ref srcBytes, 1))
                        return false;
                    break;
                case Rdf.Int16:
                case Rdf.RrType:
                    if (!CopyBytes(pkt, ref src, ref srcBytes, 2))
                        return false;
                    break;
                case Rdf.Int32:
                case Rdf.Ipv4:
                    if (!CopyBytes(pkt, ref src, ref srcBytes, 4))
                        return false;
                    break;
                case Rdf.Ipv6:
                    if (!CopyBytes(pkt, ref src, ref srcBytes, 16))
                        return false;
                    break;
                case Rdf.Eui48:
                    if (!CopyBytes(pkt, ref src, ref srcBytes, 6))
                        return false;
                    break;
                case Rdf.Eui64:
                    if (!CopyBytes(pkt, ref src, ref srcBytes, 8))
                        return false;
                    break;
                case Rdf.String:
                case Rdf.Salt:
                case Rdf.Hash:
                    if (!CopyBytes(pkt, ref src, ref srcBytes, pkt[src] + 1))
                        return false;
                    break;
                case Rdf.RepString:
                    while (srcBytes > 0)
                    {
                        if (!CopyBytes(pkt, ref src, ref srcBytes, pkt[src] + 1))
                            return false;
                    }
                    break;
                case Rdf.Ipv6Prefix:
                    {
                        int prefixLen = pkt[src];
                        if (prefixLen > 128)
                            return false;
                        int oclen = (128 - prefixLen) / 8;
                        if (prefixLen % 8 != 0)
                            oclen++;
                        if (!CopyBytes(pkt, ref src, ref srcBytes, oclen + 1))
                            return false;
                        break;
                    }
                case Rdf.TypeBitmap:
                    while (srcBytes >= 2)
                    {
                        int bitmapLen = pkt[src + 1];
                        if (bitmapLen < 1 || bitmapLen > 32)
                            return false;
                        if (bitmapLen > srcBytes - 2)
                            return false;
                        if (!CopyBytes(pkt, ref src, ref srcBytes, 2 + bitmapLen))
                            return false;
                    }
                    break;
                case Rdf.SvcParams:
                    while (srcBytes > 0)
                    {
                        if (srcBytes < 4)
                            return false;
                        ushort key = BinaryPrimitives.ReadUInt16BigEndian(pkt[src..]);
                        ushort valLen = BinaryPrimitives.ReadUInt16BigEndian(pkt[(src + 2)..]);
                        ushort kvLen = (ushort)(4 + valLen); // uint16 in wdns: wraps for the largest lengths
                        if (kvLen > srcBytes)
                            return false;
                        if (!SvcParamValid(key, valLen, pkt, src + 4))
                            return false;
                        if (!CopyBytes(pkt, ref src, ref srcBytes, kvLen))
                            return false;
                    }
                    break;
            }
        }
        return srcBytes == 0;
    }

    private static bool SvcParamValid(ushort key, int valLen, ReadOnlySpan<byte> pkt, int val)
    {
        switch (key)
        {
            case RdataWriter.KeyMandatory:
                return valLen % 2 == 0;
            case RdataWriter.KeyAlpn:
                {
                    if (valLen == 0)
                        return false;
                    int p = 0;
                    while (p < valLen)
                    {
                        if (val + p >= pkt.Length)
                            return false; // wdns would read past the packet here
                        p += 1 + pkt[val + p];
                    }
                    return p == valLen;
                }
            case RdataWriter.KeyNoDefaultAlpn:
                return valLen == 0;
            case RdataWriter.KeyPort:
                return valLen == 2;
            case RdataWriter.KeyIpv4Hint:
                return valLen % 4 == 0;
            case RdataWriter.KeyIpv6Hint:
                return valLen % 16 == 0;
            case RdataWriter.KeyInvalid:
                return false;
            default:
                return true;
        }
    }

    /// <summary>
    /// <c>wdns_unpack_name</c>: decompresses the name at <paramref name="src"/> into <see cref="Data"/>. Pointers
    /// must point strictly before themselves (so they cannot loop), labels at most 63 bytes, the name at most 255
    /// bytes. Where wdns would read the byte just past the packet (undefined in C) this fails instead. On success
    /// <paramref name="consumed"/> is what <c>wdns_skip_name</c> (<see cref="SkipName"/>) gives for the same start:
    /// the bytes up to and including the terminating zero or the first pointer, found on the way.
    /// </summary>
    internal int UnpackName(ReadOnlySpan<byte> pkt, int src, out int length, out int consumed)
    {
        length = 0;
        consumed = 0;
        if (pkt.IsEmpty || src >= pkt.Length || src < 0)
            return 10;
        int start = src;
        bool jumped = false;
        EnsureData(255);
        int dst = DataLength;
        int total = 0;
        // Labels are checked one by one but copied a run at a time: the uncompressed name holds them exactly as the
        // packet does, length bytes included, up to a pointer or the end.
        int run = src;
        for (; ; )
        {
            if (src >= pkt.Length)
                return 10;
            byte c = pkt[src];
            if (c == 0 || c >= 192)
            {
                if (!jumped)
                {
                    // The name as it lies here ends at its first pointer (two bytes) or its terminating zero.
                    consumed = src - start + (c == 0 ? 1 : 2);
                    jumped = true;
                }
                int n = src - run;
                if (n > 0)
                {
                    pkt.Slice(run, n).CopyTo(Data.AsSpan(dst));
                    dst += n;
                }
                src++;
                if (c == 0)
                    break;
                if (src >= pkt.Length)
                    return 10;
                int offset = ((c & 63) << 8) + pkt[src];
                if (offset > pkt.Length || offset >= src - 1)
                    return 2;
                src = offset;
                run = src;
            }
            else if (c <= 63)
            {
                src++;
                total++;
                if (total >= 255)
                    return 9;
                total += c;
                if (total >= 255)
                    return 9;
                if (src + c > pkt.Length)
                    return 10;
                src += c;
            }
            else
            {
                return 3;
            }
        }
        Data[dst] = 0;
        total++;
        length = total;
        DataLength += total;
        return ResSuccess;
    }

    /// <summary><c>wdns_skip_name</c>: bytes up to and including the terminating zero or the first pointer.</summary>
    internal static int SkipName(ReadOnlySpan<byte> pkt, int start)
    {
        int src = start;
        while (src < pkt.Length)
        {
            byte c = pkt[src];
            if (c == 0)
                break;
            if (c >= 192)
            {
                src++;
                break;
            }
            src += c + 1;
        }
        src++;
        if (src > pkt.Length)
            src = pkt.Length;
        return src - start;
    }

    private bool CopyBytes(ReadOnlySpan<byte> pkt, ref int src, ref int srcBytes, int n)
    {
        if (srcBytes < n)
            return false;
        Copy(pkt.Slice(src, n));
        src += n;
        srcBytes -= n;
        return true;
    }

    private void Copy(ReadOnlySpan<byte> bytes)
    {
        EnsureData(bytes.Length);
        bytes.CopyTo(Data.AsSpan(DataLength));
        DataLength += bytes.Length;
    }

    private void EnsureData(int extra)
    {
        if (DataLength + extra <= Data.Length)
            return;
        int size = Math.Max(Data.Length * 2, DataLength + extra);
        byte[] next = new byte[size];
        Data.AsSpan(0, DataLength).CopyTo(next);
        Data = next;
    }

    /// <summary>wdns <c>wdns_compare_rr_rrset</c>: same type, class and name length, names equal ignoring ASCII case.</summary>
    public bool SameRrset(in ParsedRr a, in ParsedRr b)
    {
        if (a.Type != b.Type || a.Class != b.Class || a.NameLength != b.NameLength)
            return false;
        ReadOnlySpan<byte> x = Name(a), y = Name(b);
        for (int i = 0; i < x.Length; i++)
        {
            byte c1 = x[i], c2 = y[i];
            if (c1 >= 'A' && c1 <= 'Z')
                c1 |= 0x20;
            if (c2 >= 'A' && c2 <= 'Z')
                c2 |= 0x20;
            if (c1 != c2)
                return false;
        }
        return true;
    }

    private int[] _leaderOf = new int[32], _leaders = new int[32];

    /// <summary>Two scratch arrays of at least <paramref name="n"/> ints for RRset grouping, kept with this instance.</summary>
    internal int[] LeaderScratch(int n, out int[] leaders)
    {
        if (_leaderOf.Length < n)
        {
            _leaderOf = new int[Math.Max(n, _leaderOf.Length * 2)];
            _leaders = new int[_leaderOf.Length];
        }
        leaders = _leaders;
        return _leaderOf;
    }
}
