using System.Collections.Concurrent;
using Nmsg.Modules.Base;
using Nmsg.Modules.Sie;

namespace Nmsg.Modules;

/// <summary>
/// The registry of message modules: (vid, msgtype) ↔ (vendor name, message type name). Holds base and SIE from the
/// start; <see cref="Register"/> adds a user's module (the analogue of a msgmod plugin), which then prints, parses
/// and filters like a built-in one. Thread-safe.
/// </summary>
public sealed class NmsgModules
{
    private readonly ConcurrentDictionary<(uint, uint), NmsgModule> _byId = new();
    // Read-mostly snapshots for the per-message lookups, rebuilt when a module is registered.
    private volatile System.Collections.Frozen.FrozenDictionary<ulong, NmsgModule> _byIdFast = System.Collections.Frozen.FrozenDictionary<ulong, NmsgModule>.Empty;
    private volatile System.Collections.Frozen.FrozenDictionary<uint, string> _vendorNamesFast = System.Collections.Frozen.FrozenDictionary<uint, string>.Empty;
    private readonly Lock _registerLock = new();
    private volatile int _version;

    /// <summary>Changes whenever a module or vendor is added (for callers that cache lookups).</summary>
    internal int Version => _version;
    private readonly ConcurrentDictionary<uint, ConcurrentDictionary<string, NmsgModule>> _byName = new();
    private readonly ConcurrentDictionary<uint, string> _vendorNames = new();
    private readonly ConcurrentDictionary<string, NmsgModule> _byDescriptor = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, uint> _vendorIds = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The process-wide registry used by <see cref="NmsgMessage"/> and the formats.</summary>
    public static NmsgModules Default { get; } = CreateDefault();

    /// <summary>A registry with base and SIE (and the vendor names of nmsg/vendors.h).</summary>
    public static NmsgModules CreateDefault()
    {
        var r = new NmsgModules();
        // nmsg/vendors.h; "ISC" is base's old name.
        r.AddVendor(1, "base");
        r._vendorIds["ISC"] = 1;
        r.AddVendor(2, "SIE");
        r.AddVendor(3, "GTISC");
        r.AddVendor(4, "Defintel");
        r.AddVendor(5, "Univie");
        r.AddVendor(6, "Unveillance");
        r.AddVendor(7, "WISC");
        foreach (NmsgModule m in BaseModules.All)
            r.Register(m);
        foreach (NmsgModule m in SieModules.All)
            r.Register(m);
        return r;
    }

    private void AddVendor(uint vid, string name)
    {
        lock (_registerLock)
        {
            _vendorNames[vid] = name;
            _vendorIds[name] = vid;
            _vendorNamesFast = System.Collections.Frozen.FrozenDictionary.ToFrozenDictionary(_vendorNames);
            _version++;
        }
    }

    /// <summary>Adds (or replaces) a module.</summary>
    public void Register(NmsgModule module)
    {
        ArgumentNullException.ThrowIfNull(module);
        lock (_registerLock)
        {
            _vendorNames.TryAdd(module.Vid, module.VendorName);
            _vendorIds.TryAdd(module.VendorName, module.Vid);
            _byId[(module.Vid, module.MsgType)] = module;
            _byDescriptor[module.Descriptor.FullName] = module;
            _byName.GetOrAdd(module.Vid, _ => new ConcurrentDictionary<string, NmsgModule>(StringComparer.OrdinalIgnoreCase))[module.Name] = module;
            _byIdFast = System.Collections.Frozen.FrozenDictionary.ToFrozenDictionary(_byId, kv => ((ulong)kv.Key.Item1 << 32) | kv.Key.Item2, kv => kv.Value);
            _vendorNamesFast = System.Collections.Frozen.FrozenDictionary.ToFrozenDictionary(_vendorNames);
            _version++;
        }
    }

    /// <summary>The module of a (vid, msgtype), or null.</summary>
    public NmsgModule? Find(uint vid, uint msgType) => _byIdFast.GetValueOrDefault(((ulong)vid << 32) | msgType);

    /// <summary>The module named (vendor, type), case-insensitive; "ISC" is base.</summary>
    public NmsgModule? Find(string vendorName, string typeName)
    {
        ArgumentNullException.ThrowIfNull(vendorName);
        ArgumentNullException.ThrowIfNull(typeName);
        if (!_vendorIds.TryGetValue(vendorName, out uint vid) || !_byName.TryGetValue(vid, out var types))
            return null;
        return types.GetValueOrDefault(typeName);
    }

    /// <summary>The module whose payload type is <paramref name="descriptor"/>, or null.</summary>
    public NmsgModule? Find(Google.Protobuf.Reflection.MessageDescriptor descriptor)
        => _byDescriptor.GetValueOrDefault(descriptor.FullName);

    /// <summary>The vendor name of a vid, or null.</summary>
    public string? VendorName(uint vid) => _vendorNamesFast.GetValueOrDefault(vid);

    /// <summary>The vid of a vendor name (case-insensitive), or null.</summary>
    public uint? VendorId(string name) => _vendorIds.TryGetValue(name, out uint v) ? v : null;

    /// <summary>Every registered module.</summary>
    public IEnumerable<NmsgModule> All => _byId.Values.OrderBy(m => m.Vid).ThenBy(m => m.MsgType);
}
