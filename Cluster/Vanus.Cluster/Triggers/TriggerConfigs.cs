using Vanus.Cluster.Controller;

namespace Vanus.Cluster.Triggers;

/// <summary>Builds the configuration each trigger of a subscription gets: the subscription, its eventlog and where dead letters go.</summary>
internal static class TriggerConfigs
{
    public static IEnumerable<ConfigureTrigger> For(SubscriptionEntry subscription, EventbusEntry bus, EventbusEntry? deadLetter) =>
        Enumerable.Range(0, bus.Eventlogs).Select(i => new ConfigureTrigger(
            subscription.TriggerId(i),
            new TriggerConfig(subscription, i, bus.EntityId(i), deadLetter?.EntityId(0), deadLetter?.Name)));
}
