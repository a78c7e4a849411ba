using System.Buffers;
using System.Text;

namespace Nmsg.Dns;

/// <summary>Rdata text as wdns writes (<c>wdns_rdata_to_str</c>) and reads (<c>wdns_str_to_rdata</c>) it.</summary>
public static class DnsRdata
{
    /// <summary>
    /// Appends the rdata text exactly as wdns <c>rdata_to_str</c> (SPEC §8.4.2): fields by the type's descriptor,
    /// space separated; the generic <c>\# n hh hh </c> form (trailing space kept) for types without one; nothing for
    /// an IN-only type in another class; <c> ### PARSE ERROR ###</c> (or <c>#&lt;code&gt;</c>) after the text so far
    /// for malformed rdata. Like the C API the length is taken as 16 bits.
    /// </summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    public static void Format(ushort rrtype, ushort rrclass, ReadOnlySpan<byte> rdata, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (rdata.Length > ushort.MaxValue)
            rdata = rdata[..(rdata.Length & 0xFFFF)];
        if (output is Nmsg.Internal.PooledBufferWriter pooled)
        {
            // Straight into the library's own buffer.
            var direct = ByteBuilder.Over(pooled, 1024);
            try
            {
                RdataWriter.Append(ref direct, rdata, rrtype, rrclass);
                direct.CommitTo(pooled);
            }
            finally
            {
                direct.Dispose();
            }
            return;
        }
        var b = new ByteBuilder(stackalloc byte[1024]);
        try
        {
            RdataWriter.Append(ref b, rdata, rrtype, rrclass);
            b.CopyTo(output);
        }
        finally
        {
            b.Dispose();
        }
    }

    /// <summary>The rdata text as a string (convenience; allocates).</summary>
    public static string ToString(ushort rrtype, ushort rrclass, ReadOnlySpan<byte> rdata)
    {
        var w = new ArrayBufferWriter<byte>(64);
        Format(rrtype, rrclass, rdata, w);
        return Encoding.UTF8.GetString(w.WrittenSpan);
    }

    /// <summary>
    /// <see cref="TryParse"/> over text already in UTF-8 (JSON input): no transcoding and no copy of the result.
    /// </summary>
    internal static bool TryParseUtf8(ushort rrtype, ushort rrclass, ReadOnlySpan<byte> utf8, out ReadOnlyMemory<byte> rdata)
    {
        int nul = utf8.IndexOf((byte)0);
        if (nul >= 0)
            utf8 = utf8[..nul];
        var parser = new RdataParser(utf8);
        if (!parser.Parse(rrtype, rrclass, out _))
        {
            rdata = default;
            return false;
        }
        rdata = parser.ResultMemory();
        return true;
    }

    /// <summary>
    /// wdns <c>str_to_rdata</c>: presentation text to wire rdata, by the type's descriptor; types without one take
    /// only the generic <c>\# &lt;len&gt; &lt;hex&gt;</c> form. Text left over after the last field is ignored and
    /// an IN-only type in another class gives empty rdata, both as in wdns. False, with a reason, on error.
    /// </summary>
    public static bool TryParse(ushort rrtype, ushort rrclass, ReadOnlySpan<char> text, out byte[] rdata, out string? error)
    {
        int nul = text.IndexOf('\0');
        if (nul >= 0)
            text = text[..nul];
        byte[] utf8 = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length) + 1);
        try
        {
            int n = Encoding.UTF8.GetBytes(text, utf8);
            var parser = new RdataParser(utf8.AsSpan(0, n));
            if (!parser.Parse(rrtype, rrclass, out error))
            {
                rdata = [];
                return false;
            }
            rdata = parser.Result();
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(utf8);
        }
    }
}
