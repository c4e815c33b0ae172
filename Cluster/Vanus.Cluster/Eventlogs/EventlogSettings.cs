using System.Globalization;
using Vanus.Runtime.Broker;
using Vanus.Storage;
using Vanus.Storage.Tiers;

namespace Vanus.Cluster.Eventlogs;

/// <summary>What every eventlog on a node shares: where the logs live, the tier template, segment size, clocks and intervals.</summary>
internal sealed record EventlogSettings(
    string Root,
    TierOptions? Tiers,
    long SegmentSize,
    TimeSpan SyncInterval,
    TimeSpan MaintenanceInterval,
    TimeProvider Time)
{
    public static EventlogSettings From(NodeOptions options, string root) =>
        new(root, options.Tiers, options.SegmentSize, options.SyncInterval, options.MaintenanceInterval, options.Time);

    /// <summary>The log's own (hot) folder: <c>{root}/{incarnation}/{index}</c>.</summary>
    public string DirectoryOf(string incarnation, int index) => Path.Combine(Root, incarnation, Index(index));

    /// <summary>The tier options of one log: the template with the log's own warm and cache sub-folders and cold key prefix.</summary>
    public TierOptions? TiersOf(string incarnation, int index) => Tiers is not { } t
        ? null
        : t with
        {
            WarmDirectory = t.WarmDirectory is { } warm ? Path.Combine(warm, incarnation, Index(index)) : null,
            CacheDirectory = t.CacheDirectory is { } cache ? Path.Combine(cache, incarnation, Index(index)) : null,
            ColdPrefix = $"{t.ColdPrefix}{incarnation}/{Index(index)}/",
        };

    public EventLogOptions OptionsFor(EventlogConfig config) => new(DirectoryOf(config.Incarnation, config.Index))
    {
        // "none" relies on replicas; an eventlog of one (made before that was refused) syncs on the interval instead.
        Sync = config.Sync == SyncPolicy.None && !config.IsReplicated ? SyncPolicy.Interval : config.Sync,
        SyncInterval = SyncInterval,
        SegmentSize = SegmentSize,
        Retention = config.Retention,
        Tiers = TiersOf(config.Incarnation, config.Index),
        Time = Time,
    };

    /// <summary>Deletes everything one log stored in any tier; what is already gone is skipped.</summary>
    public async Task RemoveStorageAsync(string incarnation, int index, CancellationToken cancellationToken = default)
    {
        DeleteFolder(DirectoryOf(incarnation, index));
        if (TiersOf(incarnation, index) is { } tiers)
        {
            if (tiers.WarmDirectory is { } warm)
            {
                DeleteFolder(warm);
            }

            if (tiers.CacheDirectory is { } cache)
            {
                DeleteFolder(cache);
            }

            if (tiers.ColdStore is { } cold)
            {
                foreach (var item in await cold.ListAsync(tiers.ColdPrefix, cancellationToken).ConfigureAwait(false))
                {
                    await cold.DeleteAsync(item.Key, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private static string Index(int index) => index.ToString(CultureInfo.InvariantCulture);

    private static void DeleteFolder(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }

        // The incarnation's folder goes with its last eventlog; another eventlog still in it keeps it.
        var parent = Path.GetDirectoryName(path);
        if (parent is not null && Directory.Exists(parent) && !Directory.EnumerateFileSystemEntries(parent).Any())
        {
            try
            {
                Directory.Delete(parent);
            }
            catch (IOException)
            {
                // A sibling eventlog was created in the meantime, or another one removed the folder first.
            }
        }
    }
}
