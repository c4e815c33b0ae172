using Vanus.Storage.Replication;

namespace Vanus.Cluster.Tests.Replication;

/// <summary>Epoch tables for the log-matching tests: an entry, and the table of a log given as one epoch per offset.</summary>
internal static class EpochHistories
{
    public static EpochEntry E(long epoch, long start) => new(epoch, start);

    public static List<EpochEntry> TableOf(List<long> epochs)
    {
        var table = new List<EpochEntry>();
        for (var i = 0; i < epochs.Count; i++)
        {
            if (i == 0 || epochs[i] != epochs[i - 1])
            {
                table.Add(E(epochs[i], i));
            }
        }

        return table;
    }
}
