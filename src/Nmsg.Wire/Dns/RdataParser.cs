using System.Buffers.Binary;

namespace Nmsg.Dns;

/// <summary>
/// wdns <c>_wdns_str_to_rdata_ubuf</c> over the UTF-8 bytes of the text, quirks included (leftover text is
/// ignored, hex pairs are read the way <c>sscanf("%02hhx")</c> reads them, base64 skips anything outside its
/// alphabet). A position of -1 stands for the C code's NULL string pointer (input exhausted).
/// </summary>
internal ref struct RdataParser
{
    private readonly ReadOnlySpan<byte> _s;
    private byte[] _out;
    private int _len;

    public RdataParser(ReadOnlySpan<byte> text)
    {
        _s = text;
        _out = new byte[Math.Max(16, text.Length)];
        _len = 0;
    }

    public readonly byte[] Result() => _out.AsSpan(0, _len).ToArray();

    /// <summary>The parsed rdata without a copy (the parser's own buffer; the parser must not be used again).</summary>
    public readonly ReadOnlyMemory<byte> ResultMemory() => _out.AsMemory(0, _len);

    [System.Runtime.CompilerServices.SkipLocalsInit] // the scratch buffers are written before they are read (a dns line's rdata zeroed 655 bytes)
    public bool Parse(ushort rrtype, ushort rrclass, out string? error)
    {
        error = null;
        Rdf[]? fields = RecordDescriptors.Fields(rrtype);
        if (fields is null)
            return ParseGeneric(out error);
        if (RecordDescriptors.IsInOnly(rrtype) && rrclass != 1)
            return true;

        // Scratch space for one field at a time (no stackalloc inside the loop).
        Span<byte> name = stackalloc byte[255];
        Span<byte> addr = stackalloc byte[16];
        Span<byte> hash = stackalloc byte[256];
        Span<char> chars = stackalloc char[64];
        int p = 0;
        foreach (Rdf field in fields)
        {
            if (p < 0)
                break;
            while (IsSpace(At(p)))
                p++;
            if (At(p) == 0)
                break;

            switch (field)
            {
                case Rdf.Name:
                case Rdf.UName:
                    {
                        int end = TokenEnd(p);
                        int n = DnsNames.ParseWire(_s[p..(end < 0 ? _s.Length : end)], name);
                        if (n < 0)
                            return Fail(out error, "invalid domain name");
                        Append(name[..n]);
                        p = end;
                        break;
                    }
                case Rdf.Bytes:
                    while (At(p) != 0)
                    {
                        if (At(p + 1) == 0 || !ScanHexByte(p, out byte c))
                            return Fail(out error, "invalid hex string");
                        Append(c);
                        p += 2;
                    }
                    break;
                case Rdf.BytesB64:
                    {
                        int decoded = AppendBase64Decoded(_s[p..]);
                        p = Math.Min(p + decoded, _s.Length);
                        break;
                    }
                case Rdf.BytesStr:
                    {
                        int strLen = _s.Length - p;
                        if (strLen < 3 || _s[p] != '"' || _s[^1] != '"' || StringValue(p) == 0)
                            return Fail(out error, "expected a quoted string");
                        p = _s.Length;
                        break;
                    }
                case Rdf.Ipv6Prefix:
                    {
                        int end = TokenEnd(p);
                        if (end < 0)
                            end = _s.Length;
                        if (!AllDigits(p, end))
                            return Fail(out error, "invalid A6 prefix length");
                        byte prefixLen = (byte)DecimalValue(p, end);
                        if (prefixLen > 128)
                            return Fail(out error, "A6 prefix length above 128");
                        Append(prefixLen);
                        p = end;
                        while (IsSpace(At(p)))
                            p++;
                        if (At(p) == 0)
                            return Fail(out error, "missing A6 address");
                        int end2 = TokenEnd(p);
                        int oclen = (128 - prefixLen) / 8;
                        if (prefixLen % 8 != 0)
                            oclen++;
                        if (IpText.TryParseV6(Chars(p, end2 < 0 ? _s.Length : end2, chars), addr))
                        {
                            Append(addr[(16 - oclen)..]);
                            p = end2;
                            if (prefixLen == 0 && p >= 0)
                            {
                                while (IsSpace(At(p)))
                                    p++;
                                if (At(p) != 0)
                                    return Fail(out error, "A6 with prefix length 0 has no name");
                                p = -1;
                            }
                        }
                        else if (prefixLen != 128)
                        {
                            return Fail(out error, "invalid A6 address");
                        }
                        break;
                    }
                case Rdf.Salt:
                    {
                        int end = TokenEnd(p);
                        if (end < 0)
                            end = _s.Length;
                        int tokLen = end - p;
                        if (_s[p] == '-' && tokLen == 1)
                        {
                            Append(0);
                            p++;
                        }
                        else
                        {
                            if (tokLen > 510 || tokLen % 2 == 1)
                                return Fail(out error, "invalid salt");
                            int oclen = (byte)tokLen / 2; // wdns casts the length to 8 bits before halving
                            Append((byte)oclen);
                            for (; oclen > 0; oclen--)
                            {
                                if (!ScanHexByte(p, out byte c))
                                    return Fail(out error, "invalid salt");
                                Append(c);
                                p += 2;
                            }
                        }
                        break;
                    }
                case Rdf.Hash:
                    {
                        int end = TokenEnd(p);
                        if (end < 0)
                            end = _s.Length;
                        if (end - p == 1)
                        {
                            Append(0);
                            p++;
                            break;
                        }
                        int n = Base32HexDecode(_s[p..end], hash);
                        if (n < 0 || n > 255)
                            return Fail(out error, "invalid base32hex hash");
                        Append((byte)n);
                        Append(hash[..n]);
                        p = end;
                        break;
                    }
                case Rdf.Int8:
                case Rdf.Int16:
                case Rdf.Int32:
                    {
                        int end = TokenEnd(p);
                        if (end < 0)
                            end = _s.Length;
                        if (!AllDigits(p, end))
                            return Fail(out error, "invalid integer");
                        ulong v = DecimalValue(p, end);
                        ulong max = field == Rdf.Int8 ? byte.MaxValue : field == Rdf.Int16 ? ushort.MaxValue : uint.MaxValue;
                        if (v > max)
                            return Fail(out error, "integer out of range");
                        if (field == Rdf.Int8)
                        {
                            Append((byte)v);
                        }
                        else if (field == Rdf.Int16)
                        {
                            Append((byte)(v >> 8));
                            Append((byte)v);
                        }
                        else
                        {
                            BinaryPrimitives.WriteUInt32BigEndian(addr, (uint)v);
                            Append(addr[..4]);
                        }
                        p = end;
                        break;
                    }
                case Rdf.Ipv4:
                    {
                        int end = TokenEnd(p);
                        if (end < 0)
                            end = _s.Length;
                        if (!IpText.TryParseV4(Chars(p, end, chars), addr))
                            return Fail(out error, "invalid IPv4 address");
                        Append(addr[..4]);
                        p = end;
                        break;
                    }
                case Rdf.Ipv6:
                    {
                        int end = TokenEnd(p);
                        if (!IpText.TryParseV6(Chars(p, end < 0 ? _s.Length : end, chars), addr))
                            return Fail(out error, "invalid IPv6 address");
                        Append(addr);
                        p = end;
                        break;
                    }
                case Rdf.Eui48:
                case Rdf.Eui64:
                    {
                        int groups = field == Rdf.Eui48 ? 6 : 8;
                        if (_s.Length - p != groups * 3 - 1)
                            return Fail(out error, "invalid EUI address");
                        for (int i = 0; i < groups; i++)
                        {
                            int at = p + 3 * i;
                            if (HexValue(_s[at]) < 0 || HexValue(_s[at + 1]) < 0 || (i < groups - 1 && _s[at + 2] != '-'))
                                return Fail(out error, "invalid EUI address");
                            Append((byte)((HexValue(_s[at]) << 4) | HexValue(_s[at + 1])));
                        }
                        p = _s.Length;
                        break;
                    }
                case Rdf.String:
                    {
                        int used = CharacterString(p);
                        if (used == 0)
                            return Fail(out error, "invalid character-string");
                        p += used;
                        break;
                    }
                case Rdf.RepString:
                    while (At(p) != 0)
                    {
                        if (IsSpace(At(p)))
                        {
                            p++;
                            continue;
                        }
                        int used = CharacterString(p);
                        if (used == 0)
                            return Fail(out error, "invalid character-string");
                        p += used;
                    }
                    break;
                case Rdf.RrType:
                    {
                        int end = TokenEnd(p);
                        if (!DnsMnemonics.TryParseType(Chars(p, end < 0 ? _s.Length : end, chars), out ushort t) || t == 0)
                            return Fail(out error, "invalid RR type");
                        Append((byte)(t >> 8));
                        Append((byte)t);
                        p = end;
                        break;
                    }
                case Rdf.SvcParams:
                    {
                        int status = ParseSvcParams(p);
                        if (status < 0)
                            return Fail(out error, "invalid SvcParams");
                        if (status == 1)
                            return true; // wdns stops, successfully, at a key that lacks its value
                        p = -1;
                        break;
                    }
                case Rdf.TypeBitmap:
                    if (!ParseTypeBitmap(ref p, chars))
                        return Fail(out error, "invalid RR type in bitmap");
                    break;
                default:
                    return Fail(out error, "no presentation format for this field");
            }
        }
        return true;
    }

    private bool ParseGeneric(out string? error)
    {
        error = null;
        if (At(0) != '\\' || At(1) != '#')
            return Fail(out error, "expected the generic form \\# <length> <hex>");
        int p = 2;
        if (!IsSpace(At(p)))
            return Fail(out error, "expected the generic form \\# <length> <hex>");
        while (IsSpace(At(p)))
            p++;
        int ptr = p;
        while (At(ptr) != 0 && !IsSpace(At(ptr)))
        {
            if (!IsDigit(At(ptr)))
                return Fail(out error, "invalid generic rdata length");
            ptr++;
        }
        if (ptr == p)
            return Fail(out error, "missing generic rdata length");
        int rdlen = (ushort)DecimalValue(p, ptr); // sscanf("%hu") keeps the low 16 bits
        p = ptr;
        int count = 0;
        while (At(p) != 0)
        {
            if (IsSpace(At(p)))
            {
                p++;
                continue;
            }
            if (At(p + 1) == 0 || !ScanHexByte(p, out byte c))
                return Fail(out error, "invalid generic rdata hex");
            Append(c);
            count++;
            p += 2;
        }
        if (count != rdlen)
            return Fail(out error, "generic rdata length does not match its data");
        return true;
    }

    /// <summary>0 done, 1 stop with success (a key without value), -1 error.</summary>
    private int ParseSvcParams(int start)
    {
        int eol = _s.Length;
        while (start < eol)
        {
            if (_s[start] == ' ')
            {
                start++;
                continue;
            }
            int val = start;
            while (val != eol && _s[val] != '=' && _s[val] != ' ')
                val++;
            ushort k = SvcKey(_s[start..val]);
            if (k == RdataWriter.KeyInvalid)
                return -1;
            if (val == eol || _s[val] == ' ')
            {
                if (k != RdataWriter.KeyNoDefaultAlpn)
                    return 1;
                if (!SvcParam(k, default, hasValue: false))
                    return -1;
                start = val;
                continue;
            }
            int end = ++val;
            bool quotes = false;
            if (end < eol && _s[end] == '"')
            {
                quotes = true;
                end++;
            }
            while (end < eol)
            {
                if (_s[end] == '"' && quotes)
                {
                    end++;
                    break;
                }
                if (_s[end] == ' ' && !quotes)
                    break;
                end++;
            }
            if (!SvcParam(k, _s[val..end], hasValue: true))
                return -1;
            start = end;
        }
        return 0;
    }

    private bool SvcParam(ushort key, ReadOnlySpan<byte> val, bool hasValue)
    {
        Append((byte)(key >> 8));
        Append((byte)key);
        if (key == RdataWriter.KeyNoDefaultAlpn)
            return !hasValue;

        int lenAt = _len;
        Append(0);
        Append(0);
        int valLen = 0;
        switch (key)
        {
            case RdataWriter.KeyMandatory:
                {
                    int pos = 0;
                    bool any = false;
                    while (NextToken(val, ref pos, (byte)',', out ReadOnlySpan<byte> tok))
                    {
                        ushort k = SvcKey(tok);
                        if (k == RdataWriter.KeyInvalid)
                            return false;
                        Append((byte)(k >> 8));
                        Append((byte)k);
                        valLen += 2;
                        any = true;
                    }
                    if (!any)
                        return false;
                    break;
                }
            case RdataWriter.KeyPort:
                {
                    int pos = 0;
                    if (!NextToken(val, ref pos, (byte)' ', out ReadOnlySpan<byte> tok) || !StrToUlong(tok, out ulong port) ||
                        port > ushort.MaxValue)
                    {
                        return false;
                    }
                    Append((byte)(port >> 8));
                    Append((byte)port);
                    valLen = 2;
                    break;
                }
            case RdataWriter.KeyEch:
                {
                    int pos = 0;
                    if (!NextToken(val, ref pos, (byte)' ', out ReadOnlySpan<byte> tok) || tok.Length > 255)
                        return false;
                    valLen = AppendBase64Decoded(tok);
                    break;
                }
            case RdataWriter.KeyIpv4Hint:
            case RdataWriter.KeyIpv6Hint:
                {
                    int pos = 0;
                    bool any = false;
                    Span<byte> addr = stackalloc byte[16];
                    Span<char> chars = stackalloc char[64];
                    while (NextToken(val, ref pos, (byte)',', out ReadOnlySpan<byte> tok))
                    {
                        if (tok.Length > chars.Length)
                            return false;
                        for (int i = 0; i < tok.Length; i++)
                            chars[i] = (char)tok[i];
                        bool ok = key == RdataWriter.KeyIpv4Hint
                            ? IpText.TryParseV4(chars[..tok.Length], addr)
                            : IpText.TryParseV6(chars[..tok.Length], addr);
                        if (!ok)
                            return false;
                        int n = key == RdataWriter.KeyIpv4Hint ? 4 : 16;
                        Append(addr[..n]);
                        valLen += n;
                        any = true;
                    }
                    if (!any)
                        return false;
                    break;
                }
            case RdataWriter.KeyAlpn:
                {
                    var sub = new RdataParser(val);
                    int used = sub.StringValue(0);
                    if (used <= 0)
                        return false;
                    ReadOnlySpan<byte> v = sub._out.AsSpan(0, sub._len);
                    int offset = _len;
                    int oclen = 0;
                    Append(0);
                    for (int i = 0; i < v.Length; i++)
                    {
                        byte c = v[i];
                        if (c == '\\')
                        {
                            if (++i >= v.Length)
                                return false;
                            c = v[i];
                            if (c != '\\' && c != ',')
                                return false;
                            Append(c);
                            oclen++;
                        }
                        else if (c == ',')
                        {
                            _out[offset] = (byte)oclen;
                            valLen += oclen + 1;
                            offset = _len;
                            oclen = 0;
                            Append(0);
                        }
                        else
                        {
                            Append(c);
                            oclen++;
                        }
                    }
                    // An empty last id leaves its length octet in the rdata uncounted, as in wdns.
                    if (oclen != 0)
                    {
                        _out[offset] = (byte)oclen;
                        valLen += oclen + 1;
                    }
                    break;
                }
            default:
                {
                    var sub = new RdataParser(val);
                    if (sub.StringValue(0) == 0)
                        return false;
                    Append(sub._out.AsSpan(0, sub._len));
                    valLen = sub._len;
                    break;
                }
        }
        _out[lenAt] = (byte)(valLen >> 8);
        _out[lenAt + 1] = (byte)valLen;
        return true;
    }

    private bool ParseTypeBitmap(ref int p, scoped Span<char> chars)
    {
        var types = new List<ushort>();
        while (p >= 0 && At(p) != 0)
        {
            if (IsSpace(At(p)))
            {
                p++;
                continue;
            }
            int end = TokenEnd(p);
            if (!DnsMnemonics.TryParseType(Chars(p, end < 0 ? _s.Length : end, chars), out ushort t) || t == 0)
                return false;
            types.Add(t);
            p = end;
        }
        types.Sort();

        Span<byte> bitmap = stackalloc byte[32];
        bitmap.Clear();
        int window = 0;
        int bitmapLen = 0;
        int last = 0;
        foreach (ushort t in types)
        {
            if (t == last)
                continue;
            last = t;
            int curWindow = t / 256;
            if (curWindow != window)
            {
                if (bitmapLen > 0)
                {
                    Append((byte)window);
                    Append((byte)bitmapLen);
                    Append(bitmap[..bitmapLen]);
                    bitmapLen = 0;
                }
                bitmap.Clear();
                window = curWindow;
            }
            int offset = t % 256;
            bitmap[offset / 8] |= (byte)(0x80 >> (offset % 8));
            bitmapLen = 1 + offset / 8;
        }
        if (bitmapLen != 0)
        {
            Append((byte)window);
            Append((byte)bitmapLen);
            Append(bitmap[..bitmapLen]);
        }
        return true;
    }

    /// <summary>A length-prefixed character-string (wdns <c>str_to_ubuf</c>); returns the characters consumed, 0 on error.</summary>
    private int CharacterString(int p)
    {
        int lenAt = _len;
        Append(0);
        int used = StringValue(p);
        int strLen = _len - lenAt - 1;
        if (used == 0 || strLen > 255)
        {
            _len = lenAt;
            return 0;
        }
        _out[lenAt] = (byte)strLen;
        return used;
    }

    /// <summary>
    /// wdns <c>rdata_from_str_string</c>: a quoted string (to its closing quote) or an unquoted token (to white
    /// space); <c>\"</c>, <c>\\</c> and <c>\DDD</c> escapes only; printable ASCII only. Returns the characters
    /// consumed, or 0 (nothing appended) on error.
    /// </summary>
    private int StringValue(int p)
    {
        int orig = _len;
        int ptr = p;
        bool quoted = At(ptr) == '"';
        if (quoted)
            ptr++;
        while (At(ptr) != 0)
        {
            byte c = At(ptr);
            if (quoted && c == '"')
                return ptr + 1 - p;
            if (!quoted && IsSpace(c))
                break;
            if (c == '\\')
            {
                ptr++;
                byte e = At(ptr);
                if (e == 0)
                    goto Err;
                if (e == '"' || e == '\\')
                {
                    Append(e);
                    ptr++;
                }
                else if (IsDigit(e))
                {
                    if (!IsDigit(At(ptr + 1)) || !IsDigit(At(ptr + 2)))
                        goto Err;
                    int v = (e - '0') * 100 + (At(ptr + 1) - '0') * 10 + (At(ptr + 2) - '0');
                    if (v > 255)
                        goto Err;
                    Append((byte)v);
                    ptr += 3;
                }
                else
                {
                    goto Err;
                }
            }
            else if (c >= ' ' && c <= '~')
            {
                Append(c);
                ptr++;
            }
            else
            {
                goto Err;
            }
        }
        if (!quoted)
            return ptr - p;
    Err:
        _len = orig;
        return 0;
    }

    /// <summary>libb64 decoding: characters outside the alphabet (padding, spaces) are skipped.</summary>
    private int AppendBase64Decoded(scoped ReadOnlySpan<byte> text)
    {
        int before = _len;
        int acc = 0, bits = 0;
        foreach (byte ch in text)
        {
            int v = ch switch
            {
                >= (byte)'A' and <= (byte)'Z' => ch - 'A',
                >= (byte)'a' and <= (byte)'z' => ch - 'a' + 26,
                >= (byte)'0' and <= (byte)'9' => ch - '0' + 52,
                (byte)'+' => 62,
                (byte)'/' => 63,
                _ => -1,
            };
            if (v < 0)
                continue;
            acc = (acc << 6) | v;
            bits += 6;
            if (bits >= 8)
            {
                bits -= 8;
                Append((byte)(acc >> bits));
                acc &= (1 << bits) - 1;
            }
        }
        return _len - before;
    }

    /// <summary>libmy <c>base32_decode</c> (base32hex, either case, '=' padding); -1 on a bad character.</summary>
    private static int Base32HexDecode(ReadOnlySpan<byte> data, Span<byte> dst)
    {
        Span<byte> s = stackalloc byte[8];
        Span<byte> b = stackalloc byte[5];
        int q = 0, si = 0, pad = 0;
        for (int i = 0; i < data.Length;)
        {
            byte c = data[i++];
            if (c == '=')
            {
                pad++;
            }
            else
            {
                int v = c switch
                {
                    >= (byte)'0' and <= (byte)'9' => c - '0',
                    >= (byte)'A' and <= (byte)'V' => c - 'A' + 10,
                    >= (byte)'a' and <= (byte)'v' => c - 'a' + 10,
                    _ => -1,
                };
                if (v < 0)
                    return -1;
                s[si++] = (byte)v;
            }
            if (si == 8 || pad > 0 || i == data.Length)
            {
                s[si..].Clear();
                int outN = 0;
                if (si >= 2)
                {
                    b[outN++] = (byte)(((s[0] << 3) & 0xf8) | ((s[1] >> 2) & 0x07));
                    if (si >= 4)
                    {
                        b[outN++] = (byte)(((s[1] & 0x03) << 6) | ((s[2] & 0x1f) << 1) | ((s[3] >> 4) & 1));
                        if (si >= 5)
                        {
                            b[outN++] = (byte)(((s[3] & 0x0f) << 4) | ((s[4] >> 1) & 0x0f));
                            if (si >= 7)
                            {
                                b[outN++] = (byte)(((s[4] & 1) << 7) | ((s[5] & 0x1f) << 2) | ((s[6] >> 3) & 0x03));
                                if (si >= 8)
                                    b[outN++] = (byte)(((s[6] & 0x07) << 5) | (s[7] & 0x1f));
                            }
                        }
                    }
                }
                for (int k = 0; k < outN && q < dst.Length; k++)
                    dst[q++] = b[k];
                si = 0;
            }
            if (q == dst.Length)
                break;
        }
        return q;
    }

    /// <summary>
    /// sscanf("%02hhx") at <paramref name="p"/>: leading white space skipped, then one or two hex digits (the caller
    /// advances two characters regardless, as wdns does).
    /// </summary>
    private readonly bool ScanHexByte(int p, out byte value)
    {
        value = 0;
        while (IsSpace(At(p)))
            p++;
        int d0 = HexValue(At(p));
        if (d0 < 0)
            return false;
        int d1 = HexValue(At(p + 1));
        value = d1 < 0 ? (byte)d0 : (byte)((d0 << 4) | d1);
        return true;
    }

    private static ushort SvcKey(ReadOnlySpan<byte> name)
    {
        if (name.SequenceEqual("mandatory"u8))
            return RdataWriter.KeyMandatory;
        if (name.SequenceEqual("alpn"u8))
            return RdataWriter.KeyAlpn;
        if (name.SequenceEqual("no-default-alpn"u8))
            return RdataWriter.KeyNoDefaultAlpn;
        if (name.SequenceEqual("port"u8))
            return RdataWriter.KeyPort;
        if (name.SequenceEqual("ech"u8))
            return RdataWriter.KeyEch;
        if (name.SequenceEqual("ipv4hint"u8))
            return RdataWriter.KeyIpv4Hint;
        if (name.SequenceEqual("ipv6hint"u8))
            return RdataWriter.KeyIpv6Hint;
        if (name.Length > 3 && name.StartsWith("key"u8) && StrToUlong(name[3..], out ulong key) && key < RdataWriter.KeyInvalid)
            return (ushort)key;
        return RdataWriter.KeyInvalid;
    }

    /// <summary>strtoul (base 10) that must consume the whole token: optional white space and sign, then digits.</summary>
    private static bool StrToUlong(ReadOnlySpan<byte> tok, out ulong value)
    {
        value = 0;
        int i = 0;
        while (i < tok.Length && IsSpace(tok[i]))
            i++;
        bool negative = false;
        if (i < tok.Length && (tok[i] == '+' || tok[i] == '-'))
        {
            negative = tok[i] == '-';
            i++;
        }
        int digits = i;
        while (i < tok.Length && IsDigit(tok[i]))
        {
            value = value > ulong.MaxValue / 10 ? ulong.MaxValue : value * 10 + (ulong)(tok[i] - '0');
            i++;
        }
        if (i == digits || i != tok.Length)
            return false;
        if (negative && value != 0)
            value = ulong.MaxValue; // strtoul negates into a huge value
        return true;
    }

    /// <summary>strtok: the next token between delimiters, skipping empty ones.</summary>
    private static bool NextToken(ReadOnlySpan<byte> s, ref int pos, byte delim, out ReadOnlySpan<byte> tok)
    {
        while (pos < s.Length && s[pos] == delim)
            pos++;
        if (pos >= s.Length)
        {
            tok = default;
            return false;
        }
        int start = pos;
        while (pos < s.Length && s[pos] != delim)
            pos++;
        tok = s[start..pos];
        return true;
    }

    private readonly bool AllDigits(int from, int to)
    {
        for (int i = from; i < to; i++)
        {
            if (!IsDigit(_s[i]))
                return false;
        }
        return true;
    }

    /// <summary>The decimal value of digits [from, to), saturating (strtoull).</summary>
    private readonly ulong DecimalValue(int from, int to)
    {
        ulong v = 0;
        for (int i = from; i < to; i++)
            v = v > (ulong.MaxValue - 9) / 10 ? ulong.MaxValue : v * 10 + (ulong)(_s[i] - '0');
        return v;
    }

    /// <summary>The bytes [from, to) widened to chars (for the address and mnemonic parsers); empty if too long.</summary>
    private readonly ReadOnlySpan<char> Chars(int from, int to, Span<char> buffer)
    {
        int n = to - from;
        if (n > buffer.Length)
            return "\u0001";
        for (int i = 0; i < n; i++)
            buffer[i] = (char)_s[from + i];
        return buffer[..n];
    }

    /// <summary>strpbrk(str, " \t\r\n"): index of the next separator, or -1.</summary>
    private readonly int TokenEnd(int p)
    {
        for (int i = p; i < _s.Length; i++)
        {
            byte c = _s[i];
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
                return i;
        }
        return -1;
    }

    private readonly byte At(int i) => (uint)i < (uint)_s.Length ? _s[i] : (byte)0;

    private void Append(byte b)
    {
        if (_len == _out.Length)
            Array.Resize(ref _out, _out.Length * 2);
        _out[_len++] = b;
    }

    private void Append(scoped ReadOnlySpan<byte> bytes)
    {
        if (_len + bytes.Length > _out.Length)
            Array.Resize(ref _out, Math.Max(_out.Length * 2, _len + bytes.Length));
        bytes.CopyTo(_out.AsSpan(_len));
        _len += bytes.Length;
    }

    private static bool Fail(out string? error, string reason)
    {
        error = reason;
        return false;
    }

    private static bool IsSpace(byte c) => c is (byte)' ' or (byte)'\t' or (byte)'\n' or 0x0B or 0x0C or (byte)'\r';

    private static bool IsDigit(byte c) => c >= '0' && c <= '9';

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };
}
