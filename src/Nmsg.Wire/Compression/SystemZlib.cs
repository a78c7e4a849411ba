using System.Runtime.InteropServices;

namespace Nmsg.Compression;

/// <summary>
/// The platform's zlib (libz.so.1 / libz.dylib), when there is one. libnmsg compresses with zlib at level 6; .NET's
/// own compressor is zlib-ng, which picks different matches, so only the system zlib reproduces nmsgtool's
/// compressed bytes exactly. Calls go through function pointers resolved once (NativeAOT-friendly, no marshalling).
/// </summary>
internal static unsafe class SystemZlib
{
    private const int ZOk = 0, ZStreamEnd = 1, ZFinish = 4, ZDeflated = 8, ZDefaultStrategy = 0;

    // zlib's z_stream; uLong is C "unsigned long" (CULong), so the layout is right on LP64 and LLP64 alike.
    [StructLayout(LayoutKind.Sequential)]
    private struct ZStream
    {
        public byte* NextIn;
        public uint AvailIn;
        public CULong TotalIn;
        public byte* NextOut;
        public uint AvailOut;
        public CULong TotalOut;
        public byte* Msg;
        public void* State;
        public void* ZAlloc;
        public void* ZFree;
        public void* Opaque;
        public int DataType;
        public CULong Adler;
        public CULong Reserved;
    }

    private static readonly delegate* unmanaged<ZStream*, int, int, int, int, int, byte*, int, int> DeflateInit2;
    private static readonly delegate* unmanaged<ZStream*, int, int> Deflate;
    private static readonly delegate* unmanaged<ZStream*, int> DeflateEnd;
    private static readonly byte* Version;

    /// <summary>Whether a usable system zlib was found.</summary>
    public static bool IsAvailable { get; }

    static SystemZlib()
    {
        if (Environment.GetEnvironmentVariable("NMSG_DISABLE_SYSTEM_ZLIB") == "1")
            return;
        foreach (string name in new[] { "libz.so.1", "libz.so", "libz.1.dylib", "libz.dylib", "zlib1.dll" })
        {
            if (!NativeLibrary.TryLoad(name, out IntPtr lib))
                continue;
            if (NativeLibrary.TryGetExport(lib, "deflateInit2_", out IntPtr init)
                && NativeLibrary.TryGetExport(lib, "deflate", out IntPtr deflate)
                && NativeLibrary.TryGetExport(lib, "deflateEnd", out IntPtr end)
                && NativeLibrary.TryGetExport(lib, "zlibVersion", out IntPtr version))
            {
                DeflateInit2 = (delegate* unmanaged<ZStream*, int, int, int, int, int, byte*, int, int>)init;
                Deflate = (delegate* unmanaged<ZStream*, int, int>)deflate;
                DeflateEnd = (delegate* unmanaged<ZStream*, int>)end;
                Version = ((delegate* unmanaged<byte*>)version)();
                // zlib-ng's native API ("2.x.x-ng"/zng_) is not zlib: accept only classic zlib 1.x.
                IsAvailable = Version is not null && Version[0] == (byte)'1';
                if (IsAvailable)
                    return;
            }
            NativeLibrary.Free(lib);
        }
    }

    /// <summary>
    /// Compresses <paramref name="source"/> as one zlib stream at level 6 (window 15, memLevel 8, default strategy),
    /// in a single Z_FINISH call as libnmsg does, into <paramref name="destination"/>; returns the bytes written, or
    /// -1 if zlib failed.
    /// </summary>
    public static int Compress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        ZStream* zs = (ZStream*)NativeMemory.AllocZeroed((nuint)sizeof(ZStream));
        try
        {
            if (DeflateInit2(zs, 6, ZDeflated, 15, 8, ZDefaultStrategy, Version, sizeof(ZStream)) != ZOk)
                return -1;
            try
            {
                fixed (byte* src = source)
                fixed (byte* dst = destination)
                {
                    zs->NextIn = src;
                    zs->AvailIn = (uint)source.Length;
                    zs->NextOut = dst;
                    zs->AvailOut = (uint)destination.Length;
                    return Deflate(zs, ZFinish) == ZStreamEnd ? (int)zs->TotalOut.Value : -1;
                }
            }
            finally
            {
                DeflateEnd(zs);
            }
        }
        finally
        {
            NativeMemory.Free(zs);
        }
    }

    /// <summary>zlib's conservative worst-case compressed size (deflateBound's generic formula) plus the zlib wrapper.</summary>
    public static int Bound(int length) => checked(length + ((length + 7) >> 3) + ((length + 63) >> 6) + 5 + 6);
}
