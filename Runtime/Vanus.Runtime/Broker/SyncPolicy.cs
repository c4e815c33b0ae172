namespace Vanus.Runtime.Broker;

/// <summary>When appended records are forced to disk.</summary>
public enum SyncPolicy
{
    /// <summary>Synced before the append completes: a completed append survives a power loss.</summary>
    Always,

    /// <summary>Written before the append completes and synced within the log's sync interval: a power loss loses at most that window.</summary>
    Interval,

    /// <summary>Written before the append completes and synced only when a segment is sealed or the log closes (durability comes from replicas).</summary>
    None,
}
