using System.Buffers.Binary;

namespace Nmsg.Dns;

/// <summary>
/// wdns <c>_wdns_rdata_to_ubuf</c> (SPEC §8.4.2) over a <see cref="ByteBuilder"/> that may already hold the start of
/// a line: like the C code, the final trailing-space trim looks at the whole buffer, so an empty rdata after
/// <c>"… IN A "</c> removes that space, while the early returns (generic form, class mismatch) keep it.
/// </summary>
internal static class RdataWriter
{
    // wdns_res values that appear in " ### PARSE ERROR #<n> ###".
    private const int ResInvalidLengthOctet = 3;
    private const int ResNameLen = 8;
    private const int ResOverflow = 11;
    private const int ResParseError = 12;

    // SVCB parameter keys (draft-ietf-dnsop-svcb-https-08).
    internal const ushort KeyMandatory = 0;
    internal const ushort KeyAlpn = 1;
    internal const ushort KeyNoDefaultAlpn = 2;
    internal const ushort KeyPort = 3;
    internal const ushort KeyIpv4Hint = 4;
    internal const ushort KeyEch = 5;
    internal const ushort KeyIpv6Hint = 6;
    internal const ushort KeyInvalid = 65535;

    public static void Append(ref ByteBuilder b, scoped ReadOnlySpan<byte> rdata, ushort rrtype, ushort rrclass)
    {
        Rdf[]? fields = RecordDescriptors.Fields(rrtype);
        if (fields is null)
        {
            // RFC 3597 generic form; every byte keeps its trailing space.
            b.Append("\\# "u8);
            b.AppendDecimal((ulong)rdata.Length);
            b.Append((byte)' ');
            foreach (byte x in rdata)
            {
                b.AppendHexLower(x);
                b.Append((byte)' ');
            }
            return;
        }
        if (RecordDescriptors.IsInOnly(rrtype) && rrclass != 1)
            return;

        int src = 0;
        int srcBytes = rdata.Length;
        int res = 0;
        foreach (Rdf field in fields)
        {
            if (srcBytes == 0)
                break;
            switch (field)
            {
                case Rdf.Name:
                case Rdf.UName:
                    {
                        res = LenUname(rdata, src, srcBytes, out int len);
                        if (res != 0)
                            goto ErrRes;
                        DnsNames.Append(ref b, Slice(rdata, src), len);
                        b.Append((byte)' ');
                        src += len;
                        srcBytes -= len;
                        break;
                    }
                case Rdf.Bytes:
                    for (int i = 0; i < srcBytes; i++)
                        b.AppendHexUpper(rdata[src + i]);
                    srcBytes = 0;
                    break;
                case Rdf.BytesB64:
                    if (srcBytes > 0)
                        AppendBase64(ref b, rdata.Slice(src, srcBytes));
                    srcBytes = 0;
                    break;
                case Rdf.BytesStr:
                    {
                        int n = Math.Max(srcBytes, 0);
                        AppendQuoted(ref b, n == 0 ? default : rdata.Slice(src, n));
                        b.Append((byte)' ');
                        src += n;
                        srcBytes -= n;
                        break;
                    }
                case Rdf.Ipv6Prefix:
                    {
                        if (srcBytes < 1)
                            goto Err;
                        byte prefixLen = rdata[src++];
                        if (prefixLen > 128)
                            goto Err;
                        int oclen = (128 - prefixLen) / 8;
                        if (prefixLen % 8 != 0)
                            oclen++;
                        if (srcBytes < 1 + oclen)
                            goto Err;
                        b.AppendDecimal(prefixLen);
                        b.Append((byte)' ');
                        if (oclen > 0)
                        {
                            Span<byte> addr = stackalloc byte[16];
                            addr.Clear();
                            rdata.Slice(src, oclen).CopyTo(addr[(16 - oclen)..]);
                            IpText.Append(ref b, addr);
                            b.Append((byte)' ');
                        }
                        srcBytes -= oclen + 1;
                        src += oclen;
                        break;
                    }
                case Rdf.Salt:
                    {
                        if (srcBytes < 1)
                            goto Err;
                        int oclen = rdata[src++];
                        if (srcBytes < 1 + oclen)
                            goto Err;
                        if (oclen == 0)
                            b.Append((byte)'-');
                        for (int i = 0; i < oclen; i++)
                            b.AppendHexLower(rdata[src++]);
                        b.Append((byte)' ');
                        srcBytes -= oclen + 1;
                        break;
                    }
                case Rdf.Hash:
                    {
                        if (srcBytes < 1)
                            goto Err;
                        int oclen = rdata[src++];
                        if (srcBytes < 1 + oclen)
                            goto Err;
                        if (oclen == 0)
                        {
                            b.Append("0 "u8);
                            srcBytes--;
                            break;
                        }
                        AppendBase32Hex(ref b, rdata.Slice(src, oclen));
                        b.Append((byte)' ');
                        src += oclen;
                        srcBytes -= oclen + 1;
                        break;
                    }
                case Rdf.Int8:
                    if (srcBytes < 1)
                        goto Err;
                    b.AppendDecimal(rdata[src]);
                    b.Append((byte)' ');
                    src++;
                    srcBytes--;
                    break;
                case Rdf.Int16:
                    if (srcBytes < 2)
                        goto Err;
                    b.AppendDecimal(BinaryPrimitives.ReadUInt16BigEndian(rdata[src..]));
                    b.Append((byte)' ');
                    src += 2;
                    srcBytes -= 2;
                    break;
                case Rdf.Int32:
                    if (srcBytes < 4)
                        goto Err;
                    b.AppendDecimal(BinaryPrimitives.ReadUInt32BigEndian(rdata[src..]));
                    b.Append((byte)' ');
                    src += 4;
                    srcBytes -= 4;
                    break;
                case Rdf.Ipv4:
                    if (srcBytes < 4)
                        goto Err;
                    IpText.Append(ref b, rdata.Slice(src, 4));
                    b.Append((byte)' ');
                    src += 4;
                    srcBytes -= 4;
                    break;
                case Rdf.Ipv6:
                    if (srcBytes < 16)
                        goto Err;
                    IpText.Append(ref b, rdata.Slice(src, 16));
                    b.Append((byte)' ');
                    src += 16;
                    srcBytes -= 16;
                    break;
                case Rdf.Eui48:
                case Rdf.Eui64:
                    {
                        int n = field == Rdf.Eui48 ? 6 : 8;
                        if (srcBytes < n)
                            goto Err;
                        for (int i = 0; i < n; i++)
                        {
                            if (i != 0)
                                b.Append((byte)'-');
                            b.AppendHexLower(rdata[src + i]);
                        }
                        src += n;
                        srcBytes -= n;
                        break;
                    }
                case Rdf.String:
                    {
                        if (srcBytes < 1)
                            goto Err;
                        int oclen = rdata[src];
                        src++;
                        srcBytes--;
                        if (srcBytes < oclen)
                            goto Err;
                        AppendQuoted(ref b, rdata.Slice(src, oclen));
                        b.Append((byte)' ');
                        src += oclen;
                        srcBytes -= oclen;
                        break;
                    }
                case Rdf.RepString:
                    while (srcBytes > 0)
                    {
                        int oclen = rdata[src];
                        src++;
                        srcBytes--;
                        if (srcBytes < oclen)
                            goto Err;
                        AppendQuoted(ref b, rdata.Slice(src, oclen));
                        b.Append((byte)' ');
                        src += oclen;
                        srcBytes -= oclen;
                    }
                    break;
                case Rdf.RrType:
                    if (srcBytes < 2)
                        goto Err;
                    DnsMnemonics.AppendType(ref b, BinaryPrimitives.ReadUInt16BigEndian(rdata[src..]));
                    b.Append((byte)' ');
                    src += 2;
                    srcBytes -= 2;
                    break;
                case Rdf.TypeBitmap:
                    if (srcBytes < 2)
                        goto Err;
                    while (srcBytes >= 2)
                    {
                        byte window = rdata[src];
                        int bitmapLen = rdata[src + 1];
                        src += 2;
                        srcBytes -= 2;
                        if (srcBytes < bitmapLen)
                            goto Err;
                        ushort lo = 0;
                        for (int i = 0; i < bitmapLen; i++)
                        {
                            byte a = rdata[src + i];
                            for (int j = 1; j <= 8; j++)
                            {
                                if ((a & (1 << (8 - j))) != 0)
                                {
                                    DnsMnemonics.AppendType(ref b, (ushort)((window << 8) | lo));
                                    b.Append((byte)' ');
                                }
                                lo++;
                            }
                        }
                        src += bitmapLen;
                        srcBytes -= bitmapLen;
                    }
                    break;
                case Rdf.SvcParams:
                    while (srcBytes > 0)
                    {
                        if (srcBytes < 2)
                            goto Err;
                        ushort key = BinaryPrimitives.ReadUInt16BigEndian(rdata[src..]);
                        if (key == KeyInvalid)
                            goto Err;
                        AppendSvcKey(ref b, key);
                        if (key != KeyNoDefaultAlpn)
                            b.Append((byte)'=');
                        src += 2;
                        srcBytes -= 2;
                        if (srcBytes < 2)
                            goto Err;
                        int valLen = BinaryPrimitives.ReadUInt16BigEndian(rdata[src..]);
                        src += 2;
                        srcBytes -= 2;
                        if (srcBytes < valLen)
                            goto Err;
                        if (!AppendSvcParam(ref b, key, rdata.Slice(src, valLen)))
                        {
                            res = ResParseError;
                            goto ErrRes;
                        }
                        src += valLen;
                        srcBytes -= valLen;
                    }
                    break;
                case Rdf.EdnsOptRdata:
                    while (srcBytes > 0)
                    {
                        if (srcBytes < 2)
                            goto Err;
                        ushort code = BinaryPrimitives.ReadUInt16BigEndian(rdata[src..]);
                        EdnsOptionText.AppendCode(ref b, code);
                        src += 2;
                        srcBytes -= 2;
                        if (srcBytes < 2)
                            goto Err;
                        int optLen = BinaryPrimitives.ReadUInt16BigEndian(rdata[src..]);
                        src += 2;
                        srcBytes -= 2;
                        if (srcBytes < optLen)
                            goto Err;
                        if (!EdnsOptionText.AppendData(ref b, code, rdata.Slice(src, optLen)))
                        {
                            res = ResParseError;
                            goto ErrRes;
                        }
                        src += optLen;
                        srcBytes -= optLen;
                    }
                    break;
            }
        }

        if (b.Length > 0 && b.Last == ' ')
            b.Truncate(b.Length - 1);
        return;

    Err:
        b.Append(" ### PARSE ERROR ###"u8);
        return;

    ErrRes:
        b.Append(" ### PARSE ERROR #"u8);
        b.AppendDecimal((ulong)res);
        b.Append(" ###"u8);
    }

    private static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> s, int start) => start <= s.Length ? s[start..] : default;

    /// <summary>
    /// <c>wdns_len_uname(p, p + srcBytes)</c>: 0 or a wdns_res code. An unterminated name that fills the span
    /// exactly reports its length plus one (the C loop counter wraps), which the caller passes on unchanged.
    /// </summary>
    private static int LenUname(ReadOnlySpan<byte> rdata, int start, int srcBytes, out int size)
    {
        size = 0;
        if (srcBytes <= 0)
            return ResOverflow;
        uint olen = (uint)srcBytes;
        uint len = olen;
        int p = start;
        bool terminated = false;
        while (len != 0)
        {
            len--;
            byte oclen = rdata[p++];
            if (oclen > 63 || oclen > len)
                return ResInvalidLengthOctet;
            if (oclen == 0)
            {
                terminated = true;
                break;
            }
            p += oclen;
            len -= oclen;
        }
        long sz = terminated ? olen - len : olen + 1L;
        if (sz > 255)
            return ResNameLen;
        size = (int)sz;
        return 0;
    }

    /// <summary>A quoted character-string: <c>\"</c>, <c>\\</c>, printable ASCII verbatim, else <c>\DDD</c>.</summary>
    internal static void AppendQuoted(ref ByteBuilder b, scoped ReadOnlySpan<byte> s)
    {
        b.Append((byte)'"');
        AppendEscaped(ref b, s);
        b.Append((byte)'"');
    }

    private static void AppendEscaped(ref ByteBuilder b, scoped ReadOnlySpan<byte> s)
    {
        foreach (byte c in s)
        {
            if (c == '"')
            {
                b.Append("\\\""u8);
            }
            else if (c == '\\')
            {
                b.Append("\\\\"u8);
            }
            else if (c >= ' ' && c <= '~')
            {
                b.Append(c);
            }
            else
            {
                b.AppendDecimalEscape(c);
            }
        }
    }

    internal static void AppendSvcKey(ref ByteBuilder b, ushort key)
    {
        switch (key)
        {
            case KeyMandatory: b.Append("mandatory"u8); break;
            case KeyAlpn: b.Append("alpn"u8); break;
            case KeyNoDefaultAlpn: b.Append("no-default-alpn"u8); break;
            case KeyPort: b.Append("port"u8); break;
            case KeyEch: b.Append("ech"u8); break;
            case KeyIpv4Hint: b.Append("ipv4hint"u8); break;
            case KeyIpv6Hint: b.Append("ipv6hint"u8); break;
            case KeyInvalid: b.Append("invalid key"u8); break;
            default:
                b.Append("key"u8);
                b.AppendDecimal(key);
                break;
        }
    }

    /// <summary>wdns <c>svcparam_to_str</c>; false where it returns a parse error.</summary>
    private static bool AppendSvcParam(ref ByteBuilder b, ushort key, scoped ReadOnlySpan<byte> v)
    {
        int p = 0;
        switch (key)
        {
            case KeyMandatory:
                while (p < v.Length)
                {
                    if (p + 2 > v.Length)
                        return false;
                    AppendSvcKey(ref b, BinaryPrimitives.ReadUInt16BigEndian(v[p..]));
                    p += 2;
                    b.Append(p < v.Length ? (byte)',' : (byte)' ');
                }
                return true;
            case KeyNoDefaultAlpn:
                if (v.Length != 0)
                    return false;
                b.Append((byte)' ');
                return true;
            case KeyPort:
                if (v.Length != 2)
                    return false;
                b.AppendDecimal(BinaryPrimitives.ReadUInt16BigEndian(v));
                b.Append((byte)' ');
                return true;
            case KeyEch:
                AppendBase64(ref b, v);
                b.Append((byte)' ');
                return true;
            case KeyIpv4Hint:
            case KeyIpv6Hint:
                {
                    int n = key == KeyIpv4Hint ? 4 : 16;
                    while (p < v.Length)
                    {
                        if (p + n > v.Length)
                            return false;
                        IpText.Append(ref b, v.Slice(p, n));
                        p += n;
                        b.Append(p < v.Length ? (byte)',' : (byte)' ');
                    }
                    return true;
                }
            case KeyAlpn:
                b.Append((byte)'"');
                while (p < v.Length)
                {
                    int oclen = v[p++];
                    if (p + oclen > v.Length)
                        return false;
                    for (int i = 0; i < oclen; i++)
                    {
                        byte c = v[p++];
                        if (c == '"')
                            b.Append("\\\""u8);
                        else if (c == '\\')
                            b.Append("\\\\\\\\"u8);
                        else if (c == ',')
                            b.Append("\\\\,"u8);
                        else if (c >= ' ' && c <= '~')
                            b.Append(c);
                        else
                            b.AppendDecimalEscape(c);
                    }
                    b.Append(p < v.Length ? (byte)',' : (byte)'"');
                }
                b.Append((byte)' ');
                return true;
            default:
                AppendQuoted(ref b, v);
                b.Append((byte)' ');
                return true;
        }
    }

    internal static void AppendBase64(ref ByteBuilder b, scoped ReadOnlySpan<byte> data)
    {
        ReadOnlySpan<byte> alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"u8;
        int i = 0;
        for (; i + 3 <= data.Length; i += 3)
        {
            int v = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
            b.Append(alphabet[v >> 18]);
            b.Append(alphabet[(v >> 12) & 63]);
            b.Append(alphabet[(v >> 6) & 63]);
            b.Append(alphabet[v & 63]);
        }
        int rest = data.Length - i;
        if (rest == 1)
        {
            int v = data[i] << 16;
            b.Append(alphabet[v >> 18]);
            b.Append(alphabet[(v >> 12) & 63]);
            b.Append("=="u8);
        }
        else if (rest == 2)
        {
            int v = (data[i] << 16) | (data[i + 1] << 8);
            b.Append(alphabet[v >> 18]);
            b.Append(alphabet[(v >> 12) & 63]);
            b.Append(alphabet[(v >> 6) & 63]);
            b.Append((byte)'=');
        }
    }

    /// <summary>libmy <c>base32_encode</c>: RFC 4648 base32hex, uppercase, no padding characters.</summary>
    internal static void AppendBase32Hex(ref ByteBuilder b, scoped ReadOnlySpan<byte> data)
    {
        ReadOnlySpan<byte> alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUV"u8;
        Span<byte> x = stackalloc byte[5];
        Span<byte> s = stackalloc byte[8];
        int i = 0;
        do
        {
            int k = (data.Length - i) switch
            {
                4 => 7,
                3 => 5,
                2 => 4,
                1 => 2,
                _ => 8,
            };
            for (int j = 0; j < 5; j++)
                x[j] = i < data.Length ? data[i++] : (byte)0;
            s[0] = (byte)(x[0] >> 3);
            s[1] = (byte)(((x[0] & 0x07) << 2) | (x[1] >> 6));
            s[2] = (byte)((x[1] >> 1) & 0x1f);
            s[3] = (byte)(((x[1] & 0x01) << 4) | (x[2] >> 4));
            s[4] = (byte)(((x[2] & 0x0f) << 1) | (x[3] >> 7));
            s[5] = (byte)((x[3] >> 2) & 0x1f);
            s[6] = (byte)(((x[3] & 0x03) << 3) | (x[4] >> 5));
            s[7] = (byte)(x[4] & 0x1f);
            for (int j = 0; j < k; j++)
                b.Append(alphabet[s[j]]);
        }
        while (i < data.Length);
    }
}
