using Google.Protobuf;
using Nmsg.Modules;

namespace Nmsg;

public sealed partial class NmsgMessage
{
    // The typed payload, parsed on first use and kept while the payload is unchanged.
    private IMessage? _typed;

    /// <summary>The module of this message's (vid, msgtype) in <see cref="NmsgModules.Default"/>, or null if unknown.</summary>
    public NmsgModule? Module => NmsgModules.Default.Find(Vid, MsgType);

    /// <summary>
    /// The payload decoded as the generated protobuf type <typeparamref name="T"/>, decoded on first use and cached.
    /// Treat it as read-only: after changing it, store it back with <see cref="SetPayload{T}(T)"/>.
    /// </summary>
    /// <exception cref="NmsgFormatException">The payload is not a valid <typeparamref name="T"/>.</exception>
    public T Get<T>() where T : class, IMessage<T>, new()
    {
        if (_typed is T cached)
            return cached;
        T parsed = Parse<T>(_payload.Span);
        _typed = parsed;
        return parsed;
    }

    /// <summary>Replaces the payload with a serialized <paramref name="payload"/> (vid and msgtype are left as they are).</summary>
    public void SetPayload<T>(T payload) where T : class, IMessage<T>
    {
        ArgumentNullException.ThrowIfNull(payload);
        Payload = payload.ToByteArray();
        _typed = payload;
    }

    /// <summary>Creates a message from a generated type of a registered module, stamped with the current time.</summary>
    /// <exception cref="ArgumentException">No module is registered for the type.</exception>
    public static NmsgMessage Create<T>(T payload, NmsgTimestamp? time = null) where T : class, IMessage<T>
    {
        ArgumentNullException.ThrowIfNull(payload);
        NmsgModule module = NmsgModules.Default.Find(payload.Descriptor)
            ?? throw new ArgumentException($"no NMSG module is registered for {payload.Descriptor.FullName}", nameof(payload));
        var m = new NmsgMessage(module.Vid, module.MsgType, time ?? NmsgTimestamp.Now, payload.ToByteArray());
        m._typed = payload;
        return m;
    }

    /// <summary>The typed payload if one is already decoded or set (derived fields then read it, not the bytes).</summary>
    internal IMessage? CachedTyped => _typed;

    /// <summary>The typed payload through the module's parser (for virtual-field getters), cached.</summary>
    internal IMessage GetTyped(NmsgModule module)
    {
        if (_typed is { } cached && cached.Descriptor == module.Descriptor)
            return cached;
        try
        {
            _typed = module.Parser.ParseFrom(_payload.Span);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new NmsgFormatException(NmsgErrorReason.ProtobufInvalid, $"payload is not a valid {module.Descriptor.Name}: {e.Message}", inner: e);
        }
        return _typed;
    }

    private static T Parse<T>(ReadOnlySpan<byte> bytes) where T : class, IMessage<T>, new()
    {
        try
        {
            return ParserOf<T>.Instance.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new NmsgFormatException(NmsgErrorReason.ProtobufInvalid, $"payload is not a valid {typeof(T).Name}: {e.Message}", inner: e);
        }
    }

    private static class ParserOf<T> where T : class, IMessage<T>, new()
    {
        public static readonly MessageParser<T> Instance = new(() => new T());
    }
}
