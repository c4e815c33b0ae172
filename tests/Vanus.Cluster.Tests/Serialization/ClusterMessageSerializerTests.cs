using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Configuration;
using Vanus.Cluster.Controller;
using Vanus.Cluster.Eventlogs;
using Vanus.Cluster.Hosting;
using Vanus.Cluster.Replicas;
using Vanus.Cluster.Replication;
using Vanus.Cluster.Serialization;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Codecs;

namespace Vanus.Cluster.Tests.Serialization;

public sealed class ClusterMessageSerializerTests : IDisposable
{
    // The node's own serialization settings, in a local actor system (no remoting needed to look up serializers).
    private readonly ActorSystem _system = ActorSystem.Create(
        "serialization",
        ConfigurationFactory.ParseString("akka.actor.provider = local")
            .WithFallback(NodeConfig.Build(new NodeOptions { DataDirectory = "unused", SerializeMessages = true }, "unused.db")));

    public static TheoryData<string> Manifests()
    {
        var data = new TheoryData<string>();
        foreach (var sample in MessageSamples.All())
        {
            data.Add(MessageRegistry.ManifestOf(sample.GetType()));
        }

        return data;
    }

    public void Dispose() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));

    [Fact]
    public void Every_registered_type_has_a_sample() =>
        Assert.Equal(
            MessageRegistry.RegisteredTypes.Select(t => t.FullName).Order(),
            MessageSamples.All().Select(s => s.GetType().FullName).Order());

    [Fact]
    public void Every_cluster_message_type_is_registered()
    {
        var declared = typeof(IClusterMessage).Assembly.GetTypes()
            .Where(t => typeof(IClusterMessage).IsAssignableFrom(t) && t is { IsInterface: false, IsAbstract: false })
            .Select(t => t.FullName)
            .Order();
        Assert.Equal(declared, MessageRegistry.RegisteredTypes.Select(t => t.FullName).Order());
    }

    [Theory]
    [MemberData(nameof(Manifests))]
    public void Round_trips_through_the_registry(string manifest)
    {
        var sample = Sample(manifest);
        var bytes = MessageRegistry.Serialize(sample);
        var back = MessageRegistry.Deserialize(bytes, manifest);

        Assert.IsType(sample.GetType(), back);
        // Written again, the copy gives the same bytes: every field came back.
        Assert.Equal(bytes, MessageRegistry.Serialize(back));
    }

    [Theory]
    [MemberData(nameof(Manifests))]
    public void Akka_picks_the_messagepack_serializer_not_json(string manifest)
    {
        var sample = Sample(manifest);
        var serializer = _system.Serialization.FindSerializerFor(sample);
        Assert.IsType<ClusterMessageSerializer>(serializer);
        Assert.Equal(ClusterMessageSerializer.Id, serializer.Identifier);

        var bytes = serializer.ToBinary(sample);
        var back = _system.Serialization.Deserialize(bytes, serializer.Identifier, manifest);
        Assert.Equal(bytes, serializer.ToBinary(back));
    }

    public static TheoryData<int> ReplicaMessageIndexes() => [.. Enumerable.Range(0, ReplicaMessages.Length)];

    private static readonly ReplicaMessage[] ReplicaMessages =
    [
        new PreVoteRequest("n1", "n2", 3, 2, 40),
        new PreVoteReply("n2", "n1", 2, 3, true),
        new VoteRequest("n1", "n3", 3, 2, 40),
        new VoteReply("n3", "n1", 3, false),
        new Heartbeat("n1", "n2", 3, 17),
        new HeartbeatReply("n2", "n1", 3, true),
        new AppendRequest("n1", "n2", 3, 40, 2, 0, ReadOnlyMemory<byte>.Empty, [], 0, 40),
        new AppendResponse("n2", "n1", 3, 40, false, 35, 2, [new(1, 0), new(2, 30)]),
        new AppendResponse("n2", "n1", 3, 40, true, 41, 3, null),
    ];

    [Theory]
    [MemberData(nameof(ReplicaMessageIndexes))]
    public void Every_kind_of_replica_message_comes_back_field_for_field(int index)
    {
        var message = ReplicaMessages[index];
        var envelope = new ReplicaEnvelope("abc:0", message);
        var back = ((ReplicaEnvelope)MessageRegistry.Deserialize(MessageRegistry.Serialize(envelope), "rep.envelope")).Message;

        // Records compare lists by reference: the epochs and frames are compared apart.
        Assert.Equal(message.GetType(), back.GetType());
        switch ((message, back))
        {
            case (AppendRequest sent, AppendRequest got):
                Assert.Equal(sent with { Frames = default, Epochs = [] }, got with { Frames = default, Epochs = [] });
                Assert.Equal(sent.Frames.ToArray(), got.Frames.ToArray());
                Assert.Equal(sent.Epochs, got.Epochs);
                break;
            case (AppendResponse sent, AppendResponse got):
                Assert.Equal(sent with { Epochs = null }, got with { Epochs = null });
                Assert.Equal(sent.Epochs, got.Epochs);
                break;
            default:
                Assert.Equal(message, back);
                break;
        }
    }

    [Fact]
    public void Events_keep_every_attribute_and_the_data()
    {
        var back = (AppendEvents)MessageRegistry.Deserialize(MessageRegistry.Serialize(new AppendEvents("x:0", [MessageSamples.FullEvent, MessageSamples.BareEvent])), "log.append");
        Assert.Equal(MessageSamples.FullEvent, back.Events[0]);
        Assert.Equal(MessageSamples.BareEvent, back.Events[1]);
        Assert.False(back.Events[1].HasData);
        Assert.Equal(BinaryEventCodec.Encode(MessageSamples.FullEvent), BinaryEventCodec.Encode(back.Events[0]));
    }

    [Fact]
    public void Retention_and_sync_policy_survive()
    {
        var view = (CatalogView)MessageSamples.All().Single(s => s is CatalogView);
        var back = (CatalogView)MessageRegistry.Deserialize(MessageRegistry.Serialize(view), "ctl.catalog");
        Assert.Equal(view.Version, back.Version);
        Assert.Equal(view.Eventbuses, back.Eventbuses);
        Assert.Equal(view.Namespaces, back.Namespaces);
        Assert.Same(RetentionOptions.Forever, back.Eventbuses[2].Retention);
    }

    [Fact]
    public void An_unknown_manifest_is_a_serialization_error()
    {
        var ex = Assert.Throws<SerializationException>(() => MessageRegistry.Deserialize([0x90], "ctl.no-such-message"));
        Assert.Contains("ctl.no-such-message", ex.Message);
    }

    [Fact]
    public void An_unregistered_type_is_a_serialization_error() =>
        Assert.Throws<SerializationException>(() => MessageRegistry.ManifestOf(typeof(string)));

    [Fact]
    public void Local_only_messages_come_back_once_in_this_process()
    {
        var serializer = new LocalOnlySerializer((ExtendedActorSystem)_system);
        var message = new object();
        var bytes = serializer.ToBinary(message);
        Assert.Same(message, serializer.FromBinary(bytes, "Object"));
        Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes, "Object"));
    }

    private static object Sample(string manifest) => MessageSamples.All().Single(s => MessageRegistry.ManifestOf(s.GetType()) == manifest);
}
