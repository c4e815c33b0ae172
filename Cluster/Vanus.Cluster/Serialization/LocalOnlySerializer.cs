using System.Collections.Concurrent;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;

namespace Vanus.Cluster.Serialization;

/// <summary>
/// Lets a library's local-only message through <c>serialize-messages</c> verification by reference. Akka.Persistence.Sql's
/// journal sends itself a <c>WriteFinished</c> (holding a Task) without marking it
/// <see cref="INoSerializationVerificationNeeded"/>; with verification on, every one of them would fail and be dropped.
/// Bound only when <see cref="NodeOptions.SerializeMessages"/> is on, and only to such messages: the bytes are a key into
/// this process's memory, so they mean nothing anywhere else.
/// </summary>
internal sealed class LocalOnlySerializer : SerializerWithStringManifest
{
    public const int Id = 7312;

    private static readonly ConcurrentDictionary<long, object> Parked = new();
    private static long _next;

    public LocalOnlySerializer(ExtendedActorSystem system)
        : base(system)
    {
    }

    public override int Identifier => Id;

    public override byte[] ToBinary(object obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var key = Interlocked.Increment(ref _next);
        Parked[key] = obj;
        return BitConverter.GetBytes(key);
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return bytes.Length == sizeof(long) && Parked.TryRemove(BitConverter.ToInt64(bytes), out var obj)
            ? obj
            : throw new SerializationException($"a local-only message ({manifest}) can be read back only once, in the process that wrote it");
    }

    public override string Manifest(object o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return o.GetType().Name;
    }
}
