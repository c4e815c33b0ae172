using Vanus.Storage.Replication;

namespace Vanus.Cluster.Replication;

/// <summary>
/// What a leader's append request says about the log it comes from: its epoch, where its frames start, the epoch of the
/// offset before them, how many frames it carries, the leader's epoch entries from the one holding the offset before
/// <see cref="Start"/> on (its current epoch's marker included), and the leader's committed end.
/// </summary>
internal sealed record AppendRequestShape(long Epoch, long Start, long PrevEpoch, long Count, IReadOnlyList<EpochEntry> Epochs, long Commit);

/// <summary>What a follower does with an append request, decided by <see cref="AppendPlan.Decide"/>.</summary>
internal abstract record AppendDecision
{
    /// <summary>From a leader of an older epoch: refused, and the follower's epoch tells it to step down.</summary>
    public sealed record Stale(long Epoch) : AppendDecision;

    /// <summary>
    /// The follower's log does not hold the offset before the frames at that epoch: it answers with its end and epoch
    /// table, from which the leader finds where they agree (<see cref="LogRules.DivergenceOffset"/>) and sends from there.
    /// </summary>
    public sealed record Mismatch(long End, IReadOnlyList<EpochEntry> Epochs) : AppendDecision;

    /// <summary>
    /// Taken: cut the log to <see cref="TruncateTo"/> (when set; the epoch table with it), skip the first
    /// <see cref="Skip"/> frames (held already), append the rest, append <see cref="NewEpochs"/> to the epoch table before
    /// them, and commit up to <see cref="Commit"/>.
    /// </summary>
    public sealed record Accept(long? TruncateTo, long Skip, IReadOnlyList<EpochEntry> NewEpochs, long Commit) : AppendDecision;
}

/// <summary>
/// The follower's side of log matching as a pure function (Raft §5.3 by epoch tables): a request is taken only when the
/// follower holds the offset before it at the same epoch; entries it holds past that are kept while their epochs agree
/// with the leader's and cut from the first that does not (never below the committed end, which agrees by Raft's
/// safety); what it already holds is not written again, so a duplicated or late request changes nothing.
/// </summary>
internal static class AppendPlan
{
    /// <summary>Decides what the follower (its epoch, epoch table, log end and committed end) does with <paramref name="request"/>.</summary>
    public static AppendDecision Decide(AppendRequestShape request, long epoch, IReadOnlyList<EpochEntry> table, long end, long committed)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(table);
        if (request.Epoch < epoch)
        {
            return new AppendDecision.Stale(epoch);
        }

        if (request.Start > end || (request.Start > 0 && EpochEntries.EpochAt(table, request.Start - 1) != request.PrevEpoch))
        {
            return new AppendDecision.Mismatch(end, table);
        }

        // Past the start, the follower keeps what agrees with the leader's epochs and cuts from the first that does not.
        // That holds past the frames too: the leader's table says which epoch wrote (or will write, its own) every
        // offset from the start on, and the same epoch at the same offset is the same entry (Raft's log matching).
        var requestEnd = request.Start + request.Count;
        var agreeTo = request.Start;
        while (agreeTo < end && EpochEntries.EpochAt(table, agreeTo) == EpochEntries.EpochAt(request.Epochs, agreeTo))
        {
            // Jump to the next boundary of either table: epochs are constant between boundaries.
            agreeTo = Math.Min(end, Math.Min(NextBoundary(table, agreeTo), NextBoundary(request.Epochs, agreeTo)));
        }

        long? truncateTo = null;
        var kept = end;
        if (agreeTo < end)
        {
            // A committed entry always agrees (Raft's leader completeness): a cut below the commit point is a bug upstream.
            if (agreeTo < committed)
            {
                throw new InvalidOperationException($"the leader's epochs disagree with committed offset {agreeTo} (committed below {committed})");
            }

            truncateTo = agreeTo;
            kept = agreeTo;
        }

        // A marker-only epoch of the follower at its kept end that the leader never had (a leader elected here that wrote
        // nothing and lost) goes too: left, it would claim the leader's next frames for an epoch that never wrote them.
        if (truncateTo is null && table.Any(e => e.StartOffset >= kept && !request.Epochs.Contains(e)))
        {
            truncateTo = kept;
        }

        var skip = Math.Max(0, Math.Min(kept, requestEnd) - request.Start);

        // The leader's epochs the follower's table lacks after the cut, marker included (it may start at the very end).
        var keptTable = truncateTo is { } cut ? table.Where(e => e.StartOffset < cut).ToList() : [.. table];
        var keptLast = keptTable.Count == 0 ? 0 : keptTable[^1].Epoch;
        var newEpochs = request.Epochs.Where(e => e.Epoch > keptLast && e.StartOffset <= requestEnd).ToList();
        // Only what this request vouched for may be committed: entries the follower holds past it are not yet checked.
        return new AppendDecision.Accept(truncateTo, skip, newEpochs, Math.Max(committed, Math.Min(request.Commit, requestEnd)));
    }

    private static long NextBoundary(IReadOnlyList<EpochEntry> table, long offset)
    {
        foreach (var entry in table)
        {
            if (entry.StartOffset > offset)
            {
                return entry.StartOffset;
            }
        }

        return long.MaxValue;
    }
}
