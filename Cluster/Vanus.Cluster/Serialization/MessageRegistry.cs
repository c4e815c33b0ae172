using System.Collections.Frozen;
using System.Runtime.Serialization;
using MessagePack;
using Vanus.Cluster.Controller;
using Vanus.Cluster.Eventlogs;
using Vanus.Cluster.Messaging;
using Vanus.Cluster.Replicas;
using Vanus.Cluster.Schedules;
using Vanus.Cluster.Timers;
using Vanus.Cluster.Triggers;

namespace Vanus.Cluster.Serialization;

/// <summary>
/// Every type <see cref="ClusterMessageSerializer"/> writes, with its manifest. Manifests are stored in the journal beside
/// persisted events, so an entry never changes its manifest and is never removed while old journals may hold it.
/// </summary>
internal static class MessageRegistry
{
    private static readonly (string Manifest, Type Type)[] Entries =
    [
        ("ctl.get-catalog", typeof(GetCatalog)),
        ("ctl.create-namespace", typeof(CreateNamespace)),
        ("ctl.delete-namespace", typeof(DeleteNamespace)),
        ("ctl.create-eventbus", typeof(CreateEventbus)),
        ("ctl.delete-eventbus", typeof(DeleteEventbus)),
        ("ctl.catalog", typeof(CatalogView)),
        ("ctl.namespace-created", typeof(NamespaceCreated)),
        ("ctl.eventbus-created", typeof(EventbusCreated)),
        ("ctl.deleted", typeof(CatalogDeleted)),
        ("refusal", typeof(Refusal)),
        ("ctl.stop", typeof(StopController)),
        ("ctl.ev.namespace-added", typeof(NamespaceAdded)),
        ("ctl.ev.namespace-removed", typeof(NamespaceRemoved)),
        ("ctl.ev.eventbus-added", typeof(EventbusAdded)),
        ("ctl.ev.eventbus-removed", typeof(EventbusRemoved)),
        ("ctl.ev.storage-released", typeof(StorageReleased)),
        ("ctl.snapshot", typeof(CatalogSnapshot)),
        ("log.create", typeof(CreateEventlog)),
        ("log.append", typeof(AppendEvents)),
        ("log.appended", typeof(AppendReply)),
        ("log.read", typeof(ReadEvents)),
        ("log.read-offsets", typeof(ReadOffsets)),
        ("log.records", typeof(ReadReply)),
        ("log.find-offset", typeof(FindOffset)),
        ("log.offset", typeof(OffsetReply)),
        ("log.info", typeof(GetEventlogInfo)),
        ("log.info-reply", typeof(EventlogInfoReply)),
        ("log.delete", typeof(DeleteEventlog)),
        ("log.ack", typeof(EventlogAck)),
        ("log.stop", typeof(StopEventlog)),
        ("log.ev.created", typeof(EventlogCreated)),
        ("log.ev.epoch", typeof(LeaderEpochStarted)),
        ("log.ev.removed", typeof(EventlogRemoved)),
        ("log.snapshot", typeof(EventlogSnapshot)),
        ("ctl.create-subscription", typeof(CreateSubscription)),
        ("ctl.update-subscription", typeof(UpdateSubscription)),
        ("ctl.pause-subscription", typeof(SetSubscriptionPaused)),
        ("ctl.delete-subscription", typeof(DeleteSubscription)),
        ("ctl.subscription-changed", typeof(SubscriptionChanged)),
        ("ctl.subscription-deleted", typeof(SubscriptionDeleted)),
        ("ctl.ev.subscription-added", typeof(SubscriptionAdded)),
        ("ctl.ev.subscription-updated", typeof(SubscriptionUpdated)),
        ("ctl.ev.subscription-removed", typeof(SubscriptionRemoved)),
        ("trg.configure", typeof(ConfigureTrigger)),
        ("trg.status", typeof(GetTriggerStatus)),
        ("trg.status-reply", typeof(TriggerStatus)),
        ("trg.reset", typeof(ResetTrigger)),
        ("trg.delete", typeof(DeleteTrigger)),
        ("trg.redeliver", typeof(RedeliverDeadLetters)),
        ("trg.pull", typeof(PullEvents)),
        ("trg.cancel-pull", typeof(CancelPull)),
        ("trg.pulled", typeof(PulledBatch)),
        ("trg.ack-events", typeof(AckEvents)),
        ("trg.ack", typeof(TriggerAck)),
        ("trg.stop", typeof(StopTrigger)),
        ("trg.ev.started", typeof(TriggerStarted)),
        ("trg.ev.progress", typeof(TriggerProgress)),
        ("trg.ev.reset", typeof(TriggerReset)),
        ("trg.snapshot", typeof(TriggerSnapshot)),
        ("ctl.create-schedule", typeof(CreateSchedule)),
        ("ctl.delete-schedule", typeof(DeleteSchedule)),
        ("ctl.schedule-changed", typeof(ScheduleChanged)),
        ("ctl.schedule-deleted", typeof(ScheduleDeleted)),
        ("ctl.ev.schedule-added", typeof(ScheduleAdded)),
        ("ctl.ev.schedule-removed", typeof(ScheduleRemoved)),
        ("ctl.create-token", typeof(CreateToken)),
        ("ctl.delete-token", typeof(DeleteToken)),
        ("ctl.token-changed", typeof(TokenChanged)),
        ("ctl.ev.token-added", typeof(TokenAdded)),
        ("ctl.ev.token-removed", typeof(TokenRemoved)),
        ("sch.configure", typeof(ConfigureSchedule)),
        ("sch.status", typeof(GetScheduleStatus)),
        ("sch.status-reply", typeof(ScheduleStatus)),
        ("sch.forget", typeof(ForgetSchedule)),
        ("sch.ack", typeof(ScheduleAck)),
        ("sch.stop", typeof(StopSchedule)),
        ("sch.ev.firing", typeof(ScheduleFiring)),
        ("sch.ev.fired", typeof(ScheduleFired)),
        ("sch.ev.halted", typeof(ScheduleHalted)),
        ("sch.snapshot", typeof(ScheduleSnapshot)),
        ("tmr.wake", typeof(WakeTimers)),
        ("tmr.stop", typeof(StopTimers)),
        ("tmr.ev.progress", typeof(TimerProgress)),
        ("tmr.snapshot", typeof(TimerSnapshot)),
        ("rep.envelope", typeof(ReplicaEnvelope)),
        ("rep.batch", typeof(ReplicaBatch)),
        ("rep.not-leader", typeof(NotLeader)),
        ("rep.leader", typeof(LeaderElected)),
    ];

    private static readonly FrozenDictionary<Type, string> Manifests = Entries.ToFrozenDictionary(e => e.Type, e => e.Manifest);
    private static readonly FrozenDictionary<string, Type> Types = Entries.ToFrozenDictionary(e => e.Manifest, e => e.Type, StringComparer.Ordinal);

    /// <summary>Every registered type.</summary>
    public static IEnumerable<Type> RegisteredTypes => Entries.Select(e => e.Type);

    public static string ManifestOf(Type type) =>
        Manifests.TryGetValue(type, out var manifest)
            ? manifest
            : throw new SerializationException($"{type.FullName} is not registered in {nameof(MessageRegistry)}; add it with a manifest of its own");

    public static byte[] Serialize(object message) =>
        MessagePackSerializer.Serialize(message.GetType(), message, WireFormat.Options);

    public static object Deserialize(byte[] bytes, string manifest)
    {
        if (!Types.TryGetValue(manifest, out var type))
        {
            throw new SerializationException($"unknown message manifest '{manifest}': the sender runs a build with messages this one does not know");
        }

        return MessagePackSerializer.Deserialize(type, bytes, WireFormat.Options)
            ?? throw new SerializationException($"message '{manifest}' deserialized to null");
    }
}
