using Vanus.Storage.Log;

namespace Vanus.Storage;

/// <summary>Opens event logs.</summary>
public static class EventLog
{
    /// <summary>Opens (creating when missing) the log in <see cref="EventLogOptions.Directory"/>, verifying its tail and cutting off a torn one.</summary>
    public static async ValueTask<IEventLog> OpenAsync(EventLogOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return await SegmentLog.OpenAsync(options with { }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Makes the next open of the closed log in <paramref name="options"/>' directory cut it at damage instead of opening
    /// it read-only (what an operator does by deleting its checkpoint): for a replica, whose cut records come back from
    /// its leader.
    /// </summary>
    public static void AllowCutAtDamage(EventLogOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var checkpoint = Path.Combine(options.Directory, SegmentLog.CheckpointFile);
        if (options.FileSystem.Exists(checkpoint))
        {
            options.FileSystem.Delete(checkpoint);
            options.FileSystem.SyncDirectory(options.Directory);
        }
    }
}
