namespace Nmsg.Dns;

/// <summary>The rdata field kinds of wdns <c>record_descr.h</c>.</summary>
internal enum Rdf : byte
{
    Bytes,
    BytesB64,
    BytesStr,
    Name,
    UName,
    Int8,
    Int16,
    Int32,
    Ipv4,
    Ipv6,
    Ipv6Prefix,
    Eui48,
    Eui64,
    String,
    RepString,
    RrType,
    TypeBitmap,
    Salt,
    Hash,
    SvcParams,
    EdnsOptRdata,
}

/// <summary>
/// wdns <c>record_descr_array</c>: the field layout of every RR type that has one. The C array is indexed by
/// type and ends at CAA (257), so every type without an entry, and every type above 257, is "generic".
/// </summary>
internal static class RecordDescriptors
{
    /// <summary>Size of the C table: types at or above it are always generic.</summary>
    public const int TableLength = 258;

    private static readonly Rdf[]?[] s_fields = Build(out s_inOnly);
    private static readonly bool[] s_inOnly;

    /// <summary>The fields of <paramref name="type"/>, or null where wdns uses the generic form.</summary>
    public static Rdf[]? Fields(ushort type) => type < TableLength ? s_fields[type] : null;

    /// <summary>True for descriptors that apply to class IN only (rendered empty in any other class).</summary>
    public static bool IsInOnly(ushort type) => type < TableLength && s_inOnly[type];

    private static Rdf[]?[] Build(out bool[] inOnly)
    {
        var t = new Rdf[]?[TableLength];
        inOnly = new bool[TableLength];

        Rdf[] name = [Rdf.Name];
        t[5] = name;                                  // CNAME
        t[13] = [Rdf.String, Rdf.String];             // HINFO
        t[7] = name;                                  // MB
        t[3] = name;                                  // MD
        t[4] = name;                                  // MF
        t[8] = name;                                  // MG
        t[14] = [Rdf.Name, Rdf.Name];                 // MINFO
        t[9] = name;                                  // MR
        t[15] = [Rdf.Int16, Rdf.Name];                // MX
        t[2] = name;                                  // NS
        t[10] = [Rdf.Bytes];                          // NULL
        t[12] = name;                                 // PTR
        t[6] = [Rdf.Name, Rdf.Name, Rdf.Int32, Rdf.Int32, Rdf.Int32, Rdf.Int32, Rdf.Int32]; // SOA
        t[16] = [Rdf.RepString];                      // TXT
        t[1] = [Rdf.Ipv4];                            // A (IN)
        t[11] = [Rdf.Int32, Rdf.Int8, Rdf.Bytes];     // WKS (IN)
        t[18] = [Rdf.Int16, Rdf.Name];                // AFSDB
        t[20] = [Rdf.String, Rdf.String];             // ISDN
        t[17] = [Rdf.Name, Rdf.Name];                 // RP
        t[21] = [Rdf.Int16, Rdf.Name];                // RT
        t[19] = [Rdf.String];                         // X25
        t[30] = [Rdf.Name, Rdf.Bytes];                // NXT
        t[24] = [Rdf.Int16, Rdf.Int8, Rdf.Int8, Rdf.Int32, Rdf.Int32, Rdf.Int32, Rdf.Int16, Rdf.Name, Rdf.Bytes]; // SIG
        t[39] = [Rdf.UName];                          // DNAME
        t[38] = [Rdf.Ipv6Prefix, Rdf.UName];          // A6 (IN)
        t[28] = [Rdf.Ipv6];                           // AAAA (IN)
        t[36] = [Rdf.Int16, Rdf.UName];               // KX (IN)
        t[26] = [Rdf.Int16, Rdf.Name, Rdf.Name];      // PX (IN)
        t[35] = [Rdf.Int16, Rdf.Int16, Rdf.String, Rdf.String, Rdf.String, Rdf.Name]; // NAPTR (IN)
        t[33] = [Rdf.Int16, Rdf.Int16, Rdf.Int16, Rdf.Name]; // SRV (IN)
        t[48] = [Rdf.Int16, Rdf.Int8, Rdf.Int8, Rdf.BytesB64]; // DNSKEY
        t[46] = [Rdf.RrType, Rdf.Int8, Rdf.Int8, Rdf.Int32, Rdf.Int32, Rdf.Int32, Rdf.Int16, Rdf.UName, Rdf.BytesB64]; // RRSIG
        t[47] = [Rdf.UName, Rdf.TypeBitmap];          // NSEC
        t[43] = [Rdf.Int16, Rdf.Int8, Rdf.Int8, Rdf.Bytes]; // DS
        t[50] = [Rdf.Int8, Rdf.Int8, Rdf.Int16, Rdf.Salt, Rdf.Hash, Rdf.TypeBitmap]; // NSEC3
        t[51] = [Rdf.Int8, Rdf.Int8, Rdf.Int16, Rdf.Salt]; // NSEC3PARAM
        t[99] = [Rdf.RepString];                      // SPF
        t[52] = [Rdf.Int8, Rdf.Int8, Rdf.Int8, Rdf.Bytes]; // TLSA
        t[60] = [Rdf.Int16, Rdf.Int8, Rdf.Int8, Rdf.BytesB64]; // CDNSKEY
        t[59] = [Rdf.Int16, Rdf.Int8, Rdf.Int8, Rdf.Bytes]; // CDS
        t[61] = [Rdf.BytesB64];                       // OPENPGPKEY
        t[62] = [Rdf.Int32, Rdf.Int16, Rdf.TypeBitmap]; // CSYNC
        t[108] = [Rdf.Eui48];                         // EUI48
        t[109] = [Rdf.Eui64];                         // EUI64
        t[256] = [Rdf.Int16, Rdf.Int16, Rdf.BytesStr]; // URI
        t[64] = [Rdf.Int16, Rdf.Name, Rdf.SvcParams]; // SVCB (IN)
        t[65] = [Rdf.Int16, Rdf.Name, Rdf.SvcParams]; // HTTPS (IN)
        t[257] = [Rdf.Int8, Rdf.String, Rdf.BytesStr]; // CAA (IN)
        t[41] = [Rdf.EdnsOptRdata];                   // OPT

        foreach (int type in (ReadOnlySpan<int>)[1, 11, 38, 28, 36, 26, 35, 33, 64, 65, 257])
            inOnly[type] = true;
        return t;
    }
}
