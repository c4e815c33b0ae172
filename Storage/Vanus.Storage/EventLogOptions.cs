using Vanus.Runtime.Broker;
using Vanus.Storage.Files;
using Vanus.Storage.Tiers;

namespace Vanus.Storage;

/// <summary>How an event log stores its segments; copied when the log opens.</summary>
public sealed record EventLogOptions
{
    /// <summary>The default segment size, 64 MiB.</summary>
    public const long DefaultSegmentSize = 64L << 20;

    /// <summary>Creates options for a log kept in <paramref name="directory"/> (the hot tier).</summary>
    public EventLogOptions(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = directory;
    }

    /// <summary>The log's own directory: the active segment, the hot tier, the checkpoint and the lock file.</summary>
    public string Directory { get; }

    /// <summary>When appends are forced to disk.</summary>
    public SyncPolicy Sync { get; init; } = SyncPolicy.Interval;

    /// <summary>Under <see cref="SyncPolicy.Interval"/>, the longest a completed append stays unsynced.</summary>
    public TimeSpan SyncInterval { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>The size at which a segment is sealed and a new one started; a segment's file is allocated to it at its first write.</summary>
    public long SegmentSize { get; init; } = DefaultSegmentSize;

    /// <summary>The distance in bytes between two entries of the sparse offset and time index.</summary>
    public int IndexIntervalBytes { get; init; } = 16 << 10;

    /// <summary>The most bytes of appended records waiting for the writer; appends past it wait (backpressure).</summary>
    public long MaxPendingBytes { get; init; } = 32L << 20;

    /// <summary>After this many synced bytes the checkpoint moves forward (bounds the tail that recovery verifies).</summary>
    public long CheckpointIntervalBytes { get; init; } = 16L << 20;

    /// <summary>
    /// A replica of a replicated eventlog: readers see records only once <see cref="IEventLog.CommitAsync"/> marks them
    /// committed (nothing after an open until then), and a truncation never cuts committed ones. Otherwise records are
    /// visible as soon as they are written.
    /// </summary>
    public bool Replicated { get; init; }

    /// <summary>After a write the full disk refused, appends are refused at once for this long; the next one tries the disk again.</summary>
    public TimeSpan FullRetryInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Retention by age and size.</summary>
    public RetentionOptions Retention { get; init; } = RetentionOptions.Forever;

    /// <summary>Where sealed segments move as they age (warm directory, cold object store); null keeps everything hot.</summary>
    public TierOptions? Tiers { get; init; }

    /// <summary>The file system to write through; tests pass a simulated one.</summary>
    public IFileSystem FileSystem { get; init; } = FileSystems.Local;

    /// <summary>The clock for store times, the sync interval and retention.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The largest payload a record can have in a segment of this size.</summary>
    internal long MaxPayload => SegmentSize - Segments.RecordFormat.HeaderSize;

    internal void Validate()
    {
        if (SegmentSize < 4096 || SegmentSize > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(SegmentSize), SegmentSize, "segment size must be between 4096 bytes and 2 GiB");
        }

        if (SyncInterval <= TimeSpan.Zero && Sync == SyncPolicy.Interval)
        {
            throw new ArgumentOutOfRangeException(nameof(SyncInterval), SyncInterval, "sync interval must be positive");
        }

        if (FullRetryInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(FullRetryInterval), FullRetryInterval, "the retry interval of a full disk must be positive");
        }

        if (IndexIntervalBytes < 64)
        {
            throw new ArgumentOutOfRangeException(nameof(IndexIntervalBytes), IndexIntervalBytes, "index interval must be at least 64 bytes");
        }

        if (MaxPendingBytes < 4096)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxPendingBytes), MaxPendingBytes, "pending bytes must be at least 4096");
        }

        if (!Enum.IsDefined(Sync))
        {
            throw new ArgumentOutOfRangeException(nameof(Sync), Sync, "unknown sync policy");
        }

        if (Retention.MaxAge is { } age && age <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Retention), age, "retention age must be positive");
        }

        if (Retention.MaxBytes is { } bytes && bytes <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Retention), bytes, "retention size must be positive");
        }

        if (Tiers is not { } tiers)
        {
            return;
        }

        tiers.Validate();
        var hot = FullPath(Directory);
        var warm = tiers.WarmDirectory is { } w ? FullPath(w) : null;
        if (warm == hot)
        {
            throw new ArgumentException($"the warm directory '{tiers.WarmDirectory}' is the log's own directory: the warm tier needs a directory of its own", nameof(TierOptions.WarmDirectory));
        }

        // The cache empties its directory of chunk files when it opens and evicts freely: it must not share a directory
        // with segments or the log's own files.
        if (tiers.CacheDirectory is { } cache && (FullPath(cache) == hot || FullPath(cache) == warm))
        {
            throw new ArgumentException($"the cold cache directory '{cache}' is the log's {(FullPath(cache) == hot ? "own" : "warm")} directory: the cache needs a directory of its own", nameof(TierOptions.CacheDirectory));
        }
    }

    private static string FullPath(string path) => System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(path));
}
