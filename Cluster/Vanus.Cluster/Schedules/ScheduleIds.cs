namespace Vanus.Cluster.Schedules;

/// <summary>How a schedule's actor is named: entity id <c>{schedule incarnation}</c>, persistence id <c>schedule-{entity id}</c>.</summary>
internal static class ScheduleIds
{
    public const string TypeName = "schedule";

    public static string EntityId(string incarnation) => incarnation;

    public static string PersistenceId(string entityId) => "schedule-" + entityId;
}
