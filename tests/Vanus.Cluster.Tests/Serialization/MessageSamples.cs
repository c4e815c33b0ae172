using Vanus.Cluster.Controller;
using Vanus.Cluster.Eventlogs;
using Vanus.Cluster.Messaging;
using Vanus.Cluster.Replicas;
using Vanus.Cluster.Replication;
using Vanus.Cluster.Schedules;
using Vanus.Cluster.Timers;
using Vanus.Cluster.Triggers;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;

namespace Vanus.Cluster.Tests.Serialization;

/// <summary>One filled-in instance of every message and persisted event the node serializes.</summary>
internal static class MessageSamples
{
    private static readonly DateTimeOffset Now = new DateTimeOffset(2026, 11, 27, 16, 0, 0, TimeSpan.Zero).AddTicks(1234567);
    private static readonly RetentionOptions Retention = new() { MaxAge = TimeSpan.FromDays(7), MaxBytes = 10_000_000_000 };

    public static Event FullEvent { get; } = new Event("evt-1", "/orders", "order.created")
    {
        Subject = "order/42",
        DataContentType = "application/json",
        DataSchema = "https://example.com/schema",
        Time = Now,
        Extensions = ExtensionAttributes.From(
        [
            new("partitionkey", AttributeValue.FromString("customer-7")),
            new("priority", AttributeValue.FromInteger(3)),
            new("urgent", AttributeValue.FromBoolean(true)),
            new("blob", AttributeValue.FromBinary([1, 2, 3])),
            new("due", AttributeValue.FromTimestamp(Now)),
        ]),
        Data = "{\"amount\":120}"u8.ToArray(),
    };

    public static Event BareEvent { get; } = new("evt-2", "/orders", "order.deleted");

    public static IReadOnlyList<object> All()
    {
        var ns = new NamespaceEntry("tenant", Now);
        var bus = new EventbusEntry("tenant", "orders", "0123456789abcdef0123456789abcdef", 4, 1, SyncPolicy.Always, Retention, Now, "__dl_orders", null);
        var deadLetter = new EventbusEntry("tenant", "__dl_orders", "fedcba9876543210fedcba9876543210", 1, 1, SyncPolicy.Always, Retention, Now, null, "orders");
        var plain = bus with { Name = "plain", Incarnation = "00000000000000000000000000000001", Sync = SyncPolicy.None, Retention = RetentionOptions.Forever };
        var subscription = new SubscriptionEntry(
            "tenant", "orders-hook", "11111111111111111111111111111111", "orders", "http://127.0.0.1:9000/hook",
            "[{\"sql\":\"amount > 100\"}]", "{\"define\":{\"id\":\"$.data.id\"},\"template\":\"<id>\"}", TimeSpan.FromSeconds(30).Ticks,
            SinkProtocol.Http, SinkMode.Structured, new Dictionary<string, string> { ["Authorization"] = "Bearer x" },
            new DeliveryEntry(10, [TimeSpan.FromSeconds(1).Ticks, TimeSpan.FromSeconds(5).Ticks], TimeSpan.FromSeconds(5).Ticks, true, true, 64, 250.5),
            SubscriptionStartKind.Time, Now, true, Now, 18);
        var schedule = new ScheduleEntry(
            "tenant", "tick", "22222222222222222222222222222222", "orders", "*/5 * * * *", "America/New_York", null, FullEvent, Now, 19);
        var intervalSchedule = schedule with { Name = "pulse", Incarnation = "33333333333333333333333333333333", Cron = null, TimeZone = "UTC", IntervalTicks = TimeSpan.FromSeconds(30).Ticks, Template = BareEvent };
        var firing = new ScheduleFiring(Now, Now.AddMilliseconds(3), 4);
        var halted = new ScheduleHalted("eventbus 'orders' no longer exists in namespace 'tenant'", Now);
        var token = new TokenEntry("shop", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", ["write:default/orders", "read:default/*"], Now, Now.AddDays(90));
        var view = new CatalogView(17, [ns, new NamespaceEntry("default", Now)], [bus, deadLetter, plain], [subscription], [schedule, intervalSchedule], [token, token with { Name = "ops", Roles = ["admin"], Expires = null }]);
        var trigger = subscription.TriggerId(2);
        var triggerConfig = new TriggerConfig(subscription, 2, bus.EntityId(2), deadLetter.EntityId(0), deadLetter.Name);
        var retry = new RetryEntry(12, 3, Now.UtcTicks, "customer-7");
        var counts = new TriggerCounts(100, 7, 2, 1);
        var release = new PendingRelease(bus.Incarnation, 4);
        var config = new EventlogConfig("tenant", "orders", bus.Incarnation, 2, SyncPolicy.Interval, Retention);
        var entity = bus.EntityId(2);
        return
        [
            GetCatalog.Instance,
            new CreateNamespace("tenant"),
            new DeleteNamespace("tenant"),
            new CreateEventbus("tenant", "orders", 4, 1, SyncPolicy.Always, Retention),
            new DeleteEventbus("tenant", "orders"),
            view,
            new NamespaceCreated(view, ns),
            new EventbusCreated(view, bus),
            new CatalogDeleted(view, true),
            new Refusal(BrokerErrorKind.Invalid, "an eventbus has 1 to 64 eventlogs, not 0", "eventlogs"),
            StopController.Instance,
            new NamespaceAdded(ns),
            new NamespaceRemoved("tenant"),
            new EventbusAdded(bus, deadLetter),
            new EventbusRemoved("tenant", "orders", [release, new PendingRelease(deadLetter.Incarnation, 1)]),
            new StorageReleased(bus.Incarnation),
            new CatalogSnapshot([ns], [bus, deadLetter], [release], [subscription], [schedule], [token]),
            new CreateEventlog(entity, config),
            new AppendEvents(entity, [FullEvent, BareEvent]),
            new AppendReply([0, 1, -1], "event 2 ('x') was not stored: disk full", Full: true),
            new ReadEvents(entity, 10, 100),
            new ReadReply([new StoredRecord(10, Now.UtcTicks, FullEvent), new StoredRecord(11, Now.UtcTicks + 1, BareEvent)]),
            new FindOffset(entity, Now),
            new OffsetReply(42),
            new GetEventlogInfo(entity),
            new EventlogInfoReply(3, 42, "n2", 5, ["n1", "n2", "n3"]),
            new DeleteEventlog(entity),
            new EventlogAck(entity),
            StopEventlog.Instance,
            new EventlogCreated(config),
            new LeaderEpochStarted(7),
            new ReplicaEnvelope(entity, new AppendRequest("n1", "n2", 4, 10, 3, 2, new byte[] { 1, 2, 3 }, [new(3, 0), new(4, 11)], 9, 12)),
            new ReplicaBatch([
                new ReplicaEnvelope(entity, new AppendRequest("n1", "n2", 4, 10, 4, 0, ReadOnlyMemory<byte>.Empty, [], 9, 12)),
                new ReplicaEnvelope("other:1", new AppendResponse("n1", "n2", 4, 10, true, 12, 4, null))]),
            new NotLeader(entity, "n3", "n1 is a follower in epoch 4"),
            new LeaderElected(entity, "n3", 5),
            EventlogRemoved.Instance,
            new EventlogSnapshot(config, 7, false),
            new CreateSubscription(subscription),
            new UpdateSubscription(subscription),
            new SetSubscriptionPaused("tenant", "orders-hook", true),
            new DeleteSubscription("tenant", "orders-hook"),
            new SubscriptionChanged(view, subscription),
            new SubscriptionDeleted(view, subscription),
            new SubscriptionAdded(subscription),
            new SubscriptionUpdated(subscription),
            new SubscriptionRemoved("tenant", "orders-hook"),
            new ConfigureTrigger(trigger, triggerConfig),
            new GetTriggerStatus(trigger),
            new TriggerStatus(40, counts, 1, "sink answered 503 Service Unavailable", Now, true),
            new ResetTrigger(trigger, Now),
            new DeleteTrigger(trigger),
            new RedeliverDeadLetters(trigger, [3, 4, 5]),
            new PullEvents(trigger, 100, TimeSpan.FromSeconds(5).Ticks, Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e")),
            new CancelPull(trigger, Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e")),
            new PulledBatch([new PulledItem(12, 12, 2, FullEvent), new PulledItem(-4, 3, 1, BareEvent)]),
            new AckEvents(trigger, [new PullToken(12, 2), new PullToken(-4, 1)]),
            new TriggerAck(trigger, 3),
            StopTrigger.Instance,
            new TriggerStarted(40),
            new TriggerProgress(41, [retry], [10, 11], counts),
            new TriggerReset(0),
            new TriggerSnapshot(true, 41, [retry], counts),
            new CreateSchedule(schedule),
            new DeleteSchedule("tenant", "tick"),
            new ScheduleChanged(view, schedule),
            new ScheduleDeleted(view, intervalSchedule),
            new ScheduleAdded(schedule),
            new ScheduleRemoved("tenant", "tick"),
            new CreateToken(token),
            new DeleteToken("shop"),
            new TokenChanged(view, token),
            new TokenAdded(token),
            new TokenRemoved("shop"),
            new ConfigureSchedule(schedule.EntityId, schedule),
            new GetScheduleStatus(schedule.EntityId),
            new ScheduleStatus(true, Now.AddMinutes(5), Now, 12, 3, false, "appending the event failed: overloaded; retrying in 1 s", Now),
            new ForgetSchedule(schedule.EntityId),
            new ScheduleAck(schedule.EntityId),
            StopSchedule.Instance,
            firing,
            new ScheduleFired(Now),
            halted,
            new ScheduleSnapshot(Now, 12, 3, firing, halted),
            new ReadOffsets(entity, [3, 4, 9]),
            new WakeTimers("timers:0"),
            StopTimers.Instance,
            new TimerProgress(100, Now.UtcTicks, 40, [new FarBucket(Now.UtcTicks, 7, 2)], [41, 42], Now.UtcTicks, 42, 1),
            new TimerSnapshot(new TimerProgress(100, Now.UtcTicks, 40, [], [], Now.UtcTicks, 42, 1), [new FiredChunk(0, new ulong[64])]),
        ];
    }
}
