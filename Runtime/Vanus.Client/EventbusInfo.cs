namespace Vanus.Client;

/// <summary>An eventbus as the node shows it: its eventlogs with their offsets, replication, sync policy and dead-letter bus.</summary>
public sealed record EventbusInfo(
    string Name,
    string Namespace,
    IReadOnlyList<EventlogInfo> Eventlogs,
    int Replicas,
    string? Sync,
    DateTimeOffset? CreatedAt,
    string? DeadLetterBus);

/// <summary>One eventlog of an eventbus: the first readable offset and the offset the next event will get.</summary>
public sealed record EventlogInfo(int Id, long Earliest, long Next);
