using Vanus.Cluster.Replication;
using Vanus.Storage.Replication;
using static Vanus.Cluster.Tests.Replication.EpochHistories;

namespace Vanus.Cluster.Tests.Replication;

/// <summary>The follower's side of log matching: what it takes, keeps, cuts and commits for each append request.</summary>
public class AppendPlanTests
{
    [Fact]
    public void A_request_from_an_older_epoch_is_refused_with_the_followers_epoch()
    {
        var decision = AppendPlan.Decide(new AppendRequestShape(2, 0, 0, 1, [E(2, 0)], 0), epoch: 3, [E(3, 0)], end: 0, committed: 0);
        Assert.Equal(new AppendDecision.Stale(3), decision);
    }

    [Fact]
    public void A_request_past_the_end_or_after_another_epoch_is_a_mismatch_with_the_followers_table()
    {
        IReadOnlyList<EpochEntry> table = [E(1, 0), E(2, 8)];
        var gap = Assert.IsType<AppendDecision.Mismatch>(AppendPlan.Decide(new AppendRequestShape(3, 20, 3, 5, [E(1, 0), E(3, 10)], 0), 3, table, 15, 0));
        Assert.Equal(15, gap.End);
        Assert.Equal(table, gap.Epochs);

        // Offset 9 is epoch 2 here but epoch 1 at the leader.
        Assert.IsType<AppendDecision.Mismatch>(AppendPlan.Decide(new AppendRequestShape(3, 10, 1, 5, [E(1, 0), E(3, 10)], 0), 3, table, 15, 0));
    }

    [Fact]
    public void Frames_at_the_end_are_taken_and_a_repeated_request_writes_nothing_again()
    {
        var request = new AppendRequestShape(2, 10, 2, 5, [E(1, 0), E(2, 4)], Commit: 12);
        AssertAccept(AppendPlan.Decide(request, 2, [E(1, 0), E(2, 4)], end: 10, committed: 3), null, 0, [], 12);
        AssertAccept(AppendPlan.Decide(request, 2, [E(1, 0), E(2, 4)], end: 15, committed: 12), null, 5, [], 12);
    }

    [Fact]
    public void Entries_that_disagree_are_cut_from_the_first_one_and_the_leaders_epochs_are_taken()
    {
        // The follower holds 8..14 from epoch 2; the leader has epoch 1 up to 10 and epoch 3 from there.
        AssertAccept(AppendPlan.Decide(new AppendRequestShape(3, 8, 1, 7, [E(1, 0), E(3, 10)], 0), 3, [E(1, 0), E(2, 8)], end: 15, committed: 8), 8, 0, [E(3, 10)], 8);

        // A marker alone (no frames yet) is taken too.
        AssertAccept(AppendPlan.Decide(new AppendRequestShape(4, 15, 3, 0, [E(1, 0), E(3, 10), E(4, 15)], 0), 4, [E(1, 0), E(3, 10)], end: 15, committed: 0), null, 0, [E(4, 15)], 0);

        // Entries past the frames that the leader's table says another epoch wrote are cut too (an empty probe at the end).
        AssertAccept(AppendPlan.Decide(new AppendRequestShape(6, 12, 4, 0, [E(4, 6), E(6, 12)], 0), 6, [E(4, 6), E(5, 12)], end: 14, committed: 0), 12, 0, [E(6, 12)], 0);

        // A cut below the committed end would break Raft's safety: it is refused loudly.
        Assert.Throws<InvalidOperationException>(() => AppendPlan.Decide(new AppendRequestShape(3, 8, 1, 7, [E(1, 0), E(3, 10)], 0), 3, [E(1, 0), E(2, 8)], end: 15, committed: 9));
    }

    [Fact]
    public void A_marker_only_epoch_the_leader_never_had_is_dropped_before_the_leaders_frames_are_taken()
    {
        // Epoch 5's leader reached this follower with its marker only, then lost; epoch 6's leader sends epoch 4's frames.
        AssertAccept(AppendPlan.Decide(new AppendRequestShape(6, 10, 2, 3, [E(2, 3), E(4, 10), E(6, 13)], 13), 6, [E(2, 3), E(5, 10)], end: 10, committed: 0),
            10, 0, [E(4, 10), E(6, 13)], 13);

        // The leader's own marker at the follower's end is kept.
        AssertAccept(AppendPlan.Decide(new AppendRequestShape(6, 13, 4, 0, [E(4, 10), E(6, 13)], 13), 6, [E(4, 10), E(6, 13)], end: 13, committed: 13),
            null, 0, [], 13);
    }

    [Fact]
    public void Only_what_a_request_vouched_for_is_committed()
    {
        // The follower holds 0..19, but this request covers 0..9: entries past it are not checked yet.
        AssertAccept(AppendPlan.Decide(new AppendRequestShape(2, 0, 0, 10, [E(2, 0)], Commit: 18), 2, [E(2, 0)], end: 20, committed: 0), null, 10, [], 10);
    }

    [Fact]
    public void Random_followers_catch_up_to_their_leader_exactly_through_mismatches_cuts_and_batches()
    {
        for (var seed = 0; seed < 2000; seed++)
        {
            var random = new Random(seed);
            var (leader, follower) = Histories(random);
            // The leader leads an epoch newer than any in either log, and its marker is the last entry of its table.
            var leaderTable = TableOf(leader);
            var leaderEpoch = leader.Concat(follower).DefaultIfEmpty().Max() + 2;
            leaderTable.Add(E(leaderEpoch, leader.Count));
            // Now and then the follower also holds the marker of an epoch that wrote nothing here and that the leader never had.
            var followerTable = TableOf(follower);
            var followerLast = followerTable.Count == 0 ? 0 : followerTable[^1].Epoch;
            var unknown = Enumerable.Range((int)followerLast + 1, (int)(leaderEpoch - followerLast - 1)).Select(x => (long)x).Where(x => leaderTable.All(t => t.Epoch != x)).ToList();
            if (unknown.Count > 0 && random.Next(3) == 0)
            {
                followerTable.Add(E(unknown[random.Next(unknown.Count)], follower.Count));
            }

            var next = (long)leader.Count;
            var context = $"seed {seed}: leader [{string.Join(",", leader)}] follower [{string.Join(",", follower)}]";
            for (var round = 0; ; round++)
            {
                Assert.True(round < 50, context + ": no convergence");
                var count = Math.Min(random.Next(0, 6), leader.Count - next);
                var request = new AppendRequestShape(leaderEpoch, next, next == 0 ? 0 : EpochEntries.EpochAt(leaderTable, next - 1), count, leaderTable, 0);
                var decision = AppendPlan.Decide(request, leaderEpoch, followerTable, follower.Count, 0);
                if (decision is AppendDecision.Mismatch mismatch)
                {
                    next = LogRules.DivergenceOffset(leaderTable, leader.Count, mismatch.Epochs, mismatch.End);
                    continue;
                }

                var accept = Assert.IsType<AppendDecision.Accept>(decision);
                if (accept.TruncateTo is { } cut)
                {
                    follower.RemoveRange((int)cut, follower.Count - (int)cut);
                    followerTable = [.. followerTable.Where(e => e.StartOffset < cut)];
                }

                followerTable.AddRange(accept.NewEpochs);
                for (var i = next + accept.Skip; i < next + count; i++)
                {
                    Assert.True(i == follower.Count, context + $": frame {i} would not continue a log of {follower.Count}");
                    follower.Add(leader[(int)i]);
                }

                next += count;
                if (next == leader.Count && follower.Count == leader.Count)
                {
                    break;
                }
            }

            Assert.True(leader.SequenceEqual(follower), context + $": ended [{string.Join(",", follower)}]");
            Assert.True(followerTable.All(leaderTable.Contains), context + $": the follower's table holds [{string.Join(",", followerTable.Except(leaderTable))}], which the leader's does not");
            Assert.True(Enumerable.Range(0, leader.Count).All(o => EpochEntries.EpochAt(followerTable, o) == leader[o]), context + ": tables disagree");
        }
    }

    private static void AssertAccept(AppendDecision decision, long? truncateTo, long skip, EpochEntry[] epochs, long commit)
    {
        var accept = Assert.IsType<AppendDecision.Accept>(decision);
        Assert.Equal(truncateTo, accept.TruncateTo);
        Assert.Equal(skip, accept.Skip);
        Assert.Equal(epochs, accept.NewEpochs);
        Assert.Equal(commit, accept.Commit);
    }

    /// <summary>A leader's log (an epoch per offset) and a follower that shares a prefix, then holds what the leader does not.</summary>
    private static (List<long> Leader, List<long> Follower) Histories(Random random)
    {
        var leader = new List<long>();
        long epoch = 0;
        for (var run = random.Next(1, 6); run > 0; run--)
        {
            epoch += random.Next(1, 3);
            leader.AddRange(Enumerable.Repeat(epoch, random.Next(1, 8)));
        }

        var own = leader.ToHashSet();
        var common = random.Next(0, leader.Count + 1);
        var follower = leader.Take(common).ToList();
        var last = common == 0 ? 0 : follower[^1];
        if (common > 0 && common < leader.Count && leader[common] != last)
        {
            follower.AddRange(Enumerable.Repeat(last, random.Next(0, 4)));
        }

        var next = last;
        for (var run = random.Next(0, 3); run > 0; run--)
        {
            do
            {
                next++;
            }
            while (own.Contains(next));

            follower.AddRange(Enumerable.Repeat(next, random.Next(1, 5)));
        }

        return (leader, follower);
    }
}
