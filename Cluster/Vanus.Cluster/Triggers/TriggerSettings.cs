using Akka.Actor;

namespace Vanus.Cluster.Triggers;

/// <summary>What every trigger of a node shares: the eventlog region it reads through, the HTTP client it delivers with, time and limits.</summary>
internal sealed record TriggerSettings(IActorRef Eventlogs, HttpClient Http, TimeProvider Time, TimeSpan AskTimeout)
{
    /// <summary>Bytes of event bodies (data and attributes) a trigger holds read ahead of delivery before it stops reading.</summary>
    public long ReadAheadBytes { get; init; } = 16L << 20;

    /// <summary>Events asked for per read.</summary>
    public int ReadBatch { get; init; } = 512;

    /// <summary>How long a caught-up read waits at the eventlog for the next event before it is asked again.</summary>
    public TimeSpan TailWait { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often changed progress is persisted; an idle trigger persists nothing.</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Progress records between snapshots.</summary>
    public int SnapshotEvery { get; init; } = 100;

    /// <summary>The wait before a failed read or dead-letter append is tried again.</summary>
    public TimeSpan RetryFailedIo { get; init; } = TimeSpan.FromSeconds(1);
}
