using System.Globalization;

namespace Vanus.Cluster.Triggers;

/// <summary>
/// A trigger's identity: the trigger of one subscription incarnation over eventlog <see cref="Eventlog"/> of its bus. Its
/// entity id is <c>{subscription incarnation}:{eventlog}</c>, its persistence id <c>trigger-{entity id}</c>.
/// </summary>
internal readonly record struct TriggerId(string Incarnation, int Eventlog)
{
    /// <summary>The sharding type name of trigger entities.</summary>
    public const string TypeName = "trigger";

    /// <summary>The entity id messages address.</summary>
    public string EntityId => ToString();

    /// <summary>The persistence id of a trigger actor's journal, from its entity id.</summary>
    public static string PersistenceIdOf(string entityId) => "trigger-" + entityId;

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Incarnation}:{Eventlog}");
}
