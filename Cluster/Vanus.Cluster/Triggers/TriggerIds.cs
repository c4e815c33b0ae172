using System.Globalization;

namespace Vanus.Cluster.Triggers;

/// <summary>How a trigger is named: entity id <c>{subscription incarnation}:{eventlog}</c>, persistence id <c>trigger-{entity id}</c>.</summary>
internal static class TriggerIds
{
    public const string TypeName = "trigger";

    public static string EntityId(string incarnation, int eventlog) => string.Create(CultureInfo.InvariantCulture, $"{incarnation}:{eventlog}");

    public static string PersistenceId(string entityId) => "trigger-" + entityId;
}
