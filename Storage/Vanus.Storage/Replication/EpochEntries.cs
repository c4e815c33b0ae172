namespace Vanus.Storage.Replication;

/// <summary>Look-ups over an epoch table given as its entries (a replica's own <see cref="EpochTable"/>, or one another replica sent).</summary>
public static class EpochEntries
{
    /// <summary>The epoch that wrote <paramref name="offset"/>, or 0 before the first entry.</summary>
    public static long EpochAt(IReadOnlyList<EpochEntry> entries, long offset)
    {
        ArgumentNullException.ThrowIfNull(entries);
        for (var i = entries.Count - 1; i >= 0; i--)
        {
            if (entries[i].StartOffset <= offset)
            {
                return entries[i].Epoch;
            }
        }

        return 0;
    }

    /// <summary>
    /// KIP-101's OffsetsForLeaderEpoch: the largest epoch not above <paramref name="epoch"/>, and where its offsets end (the
    /// next epoch's start, or <paramref name="logEnd"/> for the last). (0, 0) when no epoch is that old.
    /// </summary>
    public static (long Epoch, long EndOffset) EndOffsetFor(IReadOnlyList<EpochEntry> entries, long logEnd, long epoch)
    {
        ArgumentNullException.ThrowIfNull(entries);
        for (var i = entries.Count - 1; i >= 0; i--)
        {
            if (entries[i].Epoch <= epoch)
            {
                return (entries[i].Epoch, i == entries.Count - 1 ? logEnd : entries[i + 1].StartOffset);
            }
        }

        return (0, 0);
    }
}
