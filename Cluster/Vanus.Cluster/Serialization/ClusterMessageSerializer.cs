using Akka.Actor;
using Akka.Serialization;

namespace Vanus.Cluster.Serialization;

/// <summary>Akka serializer for every <see cref="IClusterMessage"/>: MessagePack bodies, string manifests from <see cref="MessageRegistry"/>.</summary>
internal sealed class ClusterMessageSerializer : SerializerWithStringManifest
{
    /// <summary>The serializer's id on the wire and in the journal; Akka reserves 0 to 100.</summary>
    public const int Id = 7311;

    public ClusterMessageSerializer(ExtendedActorSystem system)
        : base(system)
    {
    }

    public override int Identifier => Id;

    public override byte[] ToBinary(object obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return MessageRegistry.Serialize(obj);
    }

    public override object FromBinary(byte[] bytes, string manifest) => MessageRegistry.Deserialize(bytes, manifest);

    public override string Manifest(object o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return MessageRegistry.ManifestOf(o.GetType());
    }
}
