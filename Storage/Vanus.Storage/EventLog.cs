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
}
