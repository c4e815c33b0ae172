using System.Globalization;
using Vanus.Cluster.Controller;
using Vanus.Cluster.Eventlogs;
using Vanus.Runtime.Broker;

namespace Vanus.Cluster.Timers;

/// <summary>
/// How the timer service is named. Timer eventlog <c>i</c> is the eventlog entity <c>timers:{i}</c> (a system log outside the
/// catalog, so no user lists, reads or deletes it); the timer actor that serves it has the same entity id in the
/// <see cref="TypeName"/> region and persistence id <c>timer-timers:{i}</c>.
/// </summary>
internal static class TimerIds
{
    public const string TypeName = "timer";

    /// <summary>The incarnation of the timer eventlogs: fixed, as they live as long as the node's data folder.</summary>
    public const string Incarnation = "timers";

    /// <summary>The bus name timer eventlogs report in their configuration and errors.</summary>
    public const string BusName = "__timers";

    /// <summary>Where a held event goes, as the timer eventlog stores it: <c>{namespace}/{eventbus}/{incarnation}</c>; removed when it is appended.</summary>
    public const string TargetAttribute = "xvanustimertarget";

    /// <summary>The attribute an event appended by the timer service carries: <see cref="Marker"/> of its timer.</summary>
    public const string MarkerAttribute = "xvanustimer";

    /// <summary>The configuration timer eventlog <paramref name="index"/> is created with: synced before a held event is acknowledged, kept until fired.</summary>
    public static EventlogConfig LogConfig(int index) =>
        new(EventbusNames.DefaultNamespace, BusName, Incarnation, index, SyncPolicy.Always, RetentionOptions.Forever);

    /// <summary>The timer eventlogs addressed as a bus (outside the catalog), so appends to them are routed and grouped as any bus's.</summary>
    public static EventbusEntry Bus(int eventlogs) =>
        new(EventbusNames.DefaultNamespace, BusName, Incarnation, eventlogs, 1, SyncPolicy.Always, RetentionOptions.Forever, default, null, null);

    public static string EntityId(int index) => new EventlogId(Incarnation, index).EntityId;

    public static string PersistenceId(string entityId) => "timer-" + entityId;

    public static int IndexOf(string entityId) =>
        EventlogId.TryParse(entityId, out var id) && id.Incarnation == Incarnation
            ? id.Index
            : throw new ArgumentException($"'{entityId}' is not a timer eventlog's entity id", nameof(entityId));

    /// <summary>The marker a fired event carries: which timer it was, so a restart can tell whether an append in doubt landed.</summary>
    public static string Marker(int index, long offset) => string.Create(CultureInfo.InvariantCulture, $"{index}:{offset}");
}
