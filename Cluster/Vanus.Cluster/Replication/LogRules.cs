using Vanus.Storage.Replication;

namespace Vanus.Cluster.Replication;

/// <summary>
/// The log half's two decisions as pure functions: where a follower's log stops agreeing with its leader's (KIP-101
/// with KIP-279's iteration, by epoch tables, never by guessing), and how far a leader may commit (a majority durable,
/// and older epochs only once a majority holds this epoch's marker: Raft's no-op rule without spending an offset).
/// </summary>
internal static class LogRules
{
    /// <summary>
    /// The offset a follower cuts its log back to so that everything below it is the leader's: epoch by epoch from the
    /// follower's newest, the leader says where that epoch ends in its log (or where the newest older epoch it has
    /// ends), and the follower keeps no more than that. Returns <paramref name="followerEnd"/> when the logs agree.
    /// </summary>
    public static long DivergenceOffset(IReadOnlyList<EpochEntry> leader, long leaderEnd, IReadOnlyList<EpochEntry> follower, long followerEnd)
    {
        ArgumentNullException.ThrowIfNull(leader);
        ArgumentNullException.ThrowIfNull(follower);
        var end = followerEnd;
        for (var i = follower.Count - 1; i >= 0; i--)
        {
            var entry = follower[i];
            if (entry.StartOffset >= end)
            {
                // This epoch wrote nothing the follower still keeps: the one before it decides.
                continue;
            }

            var (epoch, epochEnd) = EpochEntries.EndOffsetFor(leader, leaderEnd, entry.Epoch);
            if (epoch == entry.Epoch)
            {
                // Both logs hold this epoch from the same start: they agree up to where it ends in the shorter.
                return Math.Min(end, epochEnd);
            }

            // The leader never had this epoch: none of its offsets can stay beyond where the leader's older epoch ends.
            end = Math.Min(end, Math.Max(epochEnd, 0));
            if (epoch == 0)
            {
                return Math.Min(end, entry.StartOffset);
            }

            end = Math.Min(end, entry.StartOffset);
        }

        // Offsets written before any epoch the follower knows of (none in practice: every leader writes its marker first).
        return Math.Min(end, follower.Count == 0 ? Math.Min(followerEnd, leaderEnd) : end);
    }

    /// <summary>
    /// How far the leader may commit: the largest end that a majority of voters holds durably, counting only the voters
    /// that hold this epoch's marker (the leader always does). Never below <paramref name="committed"/>, and null until
    /// a majority holds the marker: until then entries of older epochs may still be overwritten by another leader.
    /// </summary>
    public static long? Commit(IReadOnlyDictionary<string, long> durableEnds, IReadOnlySet<string> markerHolders, IReadOnlySet<string> voters, long committed)
    {
        ArgumentNullException.ThrowIfNull(durableEnds);
        ArgumentNullException.ThrowIfNull(markerHolders);
        ArgumentNullException.ThrowIfNull(voters);

        // Only voters count: a learner's acknowledgement is no part of a majority.
        var majority = (voters.Count / 2) + 1;
        var ends = durableEnds.Where(e => voters.Contains(e.Key) && markerHolders.Contains(e.Key)).Select(e => e.Value).OrderDescending().ToList();
        if (ends.Count < majority)
        {
            return null;
        }

        return Math.Max(committed, ends[majority - 1]);
    }
}
