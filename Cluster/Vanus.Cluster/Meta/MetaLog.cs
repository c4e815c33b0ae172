using Akka.Actor;
using MessagePack;
using Vanus.Cluster.Eventlogs;
using Vanus.Cluster.Messaging;
using Vanus.Cluster.Replicas;
using Vanus.Cluster.Serialization;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;

namespace Vanus.Cluster.Meta;

/// <summary>What one record of <c>__meta</c> says: a journal event, a snapshot, or a deletion of either.</summary>
internal enum MetaKind
{
    Event = 1,
    Snapshot = 2,
    DeleteEvents = 3,
    DeleteSnapshots = 4,
}

/// <summary>One record of the <c>__meta</c> eventlog, carried as an event's data (MessagePack).</summary>
[MessagePackObject]
internal sealed record MetaRecord(
    [property: Key(0)] MetaKind Kind,
    [property: Key(1)] string PersistenceId,
    [property: Key(2)] long SequenceNr,
    [property: Key(3)] int SerializerId,
    [property: Key(4)] string Manifest,
    [property: Key(5)] byte[] Payload,
    [property: Key(6)] long Timestamp,
    [property: Key(7)] string? WriterGuid,
    [property: Key(8)] long MaxSequenceNr,
    [property: Key(9)] long MaxTimestamp,
    [property: Key(10)] long MinSequenceNr);

/// <summary>
/// The replicated system eventlog <c>__meta</c> (DESIGN §5): the controller's journal and snapshots live there, so the
/// catalog survives the loss of any node, and the controller picks it up on whichever node it moves to. Its replicas are
/// on the first three seed nodes (named <c>seed:0</c> to <c>seed:2</c> in the group, whatever the nodes' own names).
/// </summary>
internal static class MetaLog
{
    /// <summary>The eventlog's entity id.</summary>
    public static readonly string EntityId = new EventlogId("meta", 0).EntityId;

    /// <summary>The plugin id of the journal and of the snapshot store kept on it.</summary>
    public const string PluginId = "vanus-meta";

    /// <summary>The replica names of the group: the seed nodes by position.</summary>
    public static IReadOnlyList<string> Replicas { get; } = [SeedName(0), SeedName(1), SeedName(2)];

    /// <summary>The name of the seed at <paramref name="index"/> among the replicas of <c>__meta</c>.</summary>
    public static string SeedName(int index) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{SeedPrefix}{index}");

    /// <summary>The seed index a replica name of <c>__meta</c> stands for, or null for any other name.</summary>
    public static int? SeedIndexOf(string name) =>
        name.StartsWith(SeedPrefix, StringComparison.Ordinal) && int.TryParse(name.AsSpan(SeedPrefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index) && index < Replicas.Count
            ? index
            : null;

    private const string SeedPrefix = "seed:";

    /// <summary>The eventlog's configuration: synced always, kept forever.</summary>
    public static EventlogConfig Config { get; } = new("__system", "__meta", "meta", 0, SyncPolicy.Always, RetentionOptions.Forever, Replicas);

    /// <summary>Appends records in order; throws when the eventlog refused or could not say.</summary>
    public static async Task AppendAsync(ActorSystem system, IReadOnlyList<MetaRecord> records, TimeSpan timeout)
    {
        var events = records.Select(r => new Event(Guid.NewGuid().ToString("N"), "/vanus/meta", "vanus.meta." + r.Kind.ToString().ToLowerInvariant())
        {
            Subject = r.PersistenceId,
            Data = MessagePackSerializer.Serialize(r, WireFormat.Options),
            DataContentType = "application/msgpack",
        }).ToList();
        var reply = await LocalReplica(system).Ask<object>(new AppendEvents(EntityId, events), timeout).ConfigureAwait(false);
        switch (reply)
        {
            case AppendReply { Error: null }:
                return;
            case AppendReply { Error: { } error }:
                throw new InvalidOperationException($"__meta: {error}");
            case Refusal refusal:
                throw new InvalidOperationException($"__meta: {refusal.Message}");
            case NotLeader notLeader:
                throw new InvalidOperationException($"__meta: {notLeader.Reason}; the controller runs where __meta is led");
            default:
                throw new InvalidOperationException($"__meta answered {reply.GetType().Name}");
        }
    }

    /// <summary>Every record of the eventlog, oldest first.</summary>
    public static async Task<List<MetaRecord>> ReadAllAsync(ActorSystem system, TimeSpan timeout)
    {
        var records = new List<MetaRecord>();
        var offset = 0L;
        while (true)
        {
            var reply = await LocalReplica(system).Ask<object>(new ReadEvents(EntityId, offset, 1000), timeout).ConfigureAwait(false);
            switch (reply)
            {
                case Refusal refusal:
                    throw new InvalidOperationException($"__meta: {refusal.Message}");
                case NotLeader notLeader:
                    throw new InvalidOperationException($"__meta: {notLeader.Reason}; the controller runs where __meta is led");
            }

            var page = ((ReadReply)reply).Records;
            if (page.Count == 0)
            {
                return records;
            }

            foreach (var stored in page)
            {
                records.Add(MessagePackSerializer.Deserialize<MetaRecord>(stored.Event.Data!.Value, WireFormat.Options));
                offset = stored.Offset + 1;
            }
        }
    }

    // The controller runs on the node whose replica leads __meta and writes through that replica only, never through the
    // router: a controller left on a node that lost the lead is refused (NotLeader) instead of writing beside the new one.
    private static ActorSelection LocalReplica(ActorSystem system) => system.ActorSelection("/user/" + ReplicaManager.ActorName);
}
