using Vanus.Runtime.Broker;

namespace Vanus.Cluster.Broker;

/// <summary>
/// The room on the disk of this node's data folder, checked before an eventbus is created: its eventlogs take no space
/// until their first append, when each allocates a whole segment, so a bus whose first segments cannot fit is refused.
/// </summary>
internal sealed class DiskSpace(string directory, long segmentSize)
{
    /// <summary>The bytes free for this process on the data folder's disk, or null when the system does not say.</summary>
    public long? FreeBytes()
    {
        try
        {
            return new DriveInfo(Path.GetFullPath(directory)).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string Mebibytes(long bytes) => $"{bytes / (1024.0 * 1024):0.#} MiB";

    /// <summary>Throws <see cref="BrokerErrorKind.InsufficientStorage"/> when the first segments of <paramref name="eventlogs"/> eventlogs do not fit.</summary>
    public void CheckRoomFor(string eventbus, int eventlogs)
    {
        if (FreeBytes() is not { } free)
        {
            return;
        }

        var needed = eventlogs * segmentSize;
        if (free < needed)
        {
            throw new BrokerException(
                BrokerErrorKind.InsufficientStorage,
                $"the disk of this node's data folder has {Mebibytes(free)} free, and eventbus '{eventbus}' needs {Mebibytes(needed)} for the first segment of each of its {eventlogs} eventlogs: free space, or create the bus with fewer eventlogs",
                "eventlogs");
        }
    }
}
