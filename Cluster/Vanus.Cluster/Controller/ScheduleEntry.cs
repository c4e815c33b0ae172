using MessagePack;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;

namespace Vanus.Cluster.Controller;

/// <summary>
/// A schedule as the catalog holds it. <see cref="Incarnation"/> is unique per creation and names the schedule's actor (and
/// its journal), so a deleted schedule's progress is never that of a later one of the same name. <see cref="CreatedAt"/>
/// anchors an interval and bounds the first occurrence; <see cref="Version"/> is the catalog sequence number of the change.
/// </summary>
[MessagePackObject]
internal sealed record ScheduleEntry(
    [property: Key(0)] string Namespace,
    [property: Key(1)] string Name,
    [property: Key(2)] string Incarnation,
    [property: Key(3)] string Eventbus,
    [property: Key(4)] string? Cron,
    [property: Key(5)] string TimeZone,
    [property: Key(6)] long? IntervalTicks,
    [property: Key(7)] Event Template,
    [property: Key(8)] DateTimeOffset CreatedAt,
    [property: Key(9)] long Version) : ICatalogEntry
{
    /// <summary>The entry for a document; incarnation, creation time and version are the controller's to set.</summary>
    public static ScheduleEntry From(string @namespace, ScheduleSpec spec) =>
        new(@namespace, spec.Name, "", spec.Eventbus, spec.Cron, spec.TimeZone, spec.Interval?.Ticks, spec.Event, default, 0);

    /// <summary>The document this entry holds.</summary>
    public ScheduleSpec ToSpec() => new(Name, Eventbus, Template)
    {
        Cron = Cron,
        TimeZone = TimeZone,
        Interval = IntervalTicks is { } ticks ? TimeSpan.FromTicks(ticks) : null,
    };

    /// <summary>The sharded entity id of the schedule's actor.</summary>
    [IgnoreMember]
    public string EntityId => Schedules.ScheduleIds.EntityId(Incarnation);
}
