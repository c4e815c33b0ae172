using System.Globalization;

namespace Vanus.Cluster.Eventlogs;

/// <summary>How an eventlog is named: entity id <c>{incarnation}:{index}</c>, persistence id <c>eventlog-{entity id}</c>, folder <c>eventlogs/{incarnation}/{index}</c>.</summary>
internal static class EventlogIds
{
    public const string TypeName = "eventlog";

    public static string EntityId(string incarnation, int index) => string.Create(CultureInfo.InvariantCulture, $"{incarnation}:{index}");

    public static string PersistenceId(string entityId) => "eventlog-" + entityId;

    /// <summary>Splits an entity id back into incarnation and index; false for anything this node did not make.</summary>
    public static bool TryParse(string entityId, out string incarnation, out int index)
    {
        var colon = entityId.LastIndexOf(':');
        incarnation = colon > 0 ? entityId[..colon] : "";
        index = -1;
        return colon > 0
            && int.TryParse(entityId.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out index)
            && incarnation.All(char.IsAsciiLetterOrDigit);
    }
}
