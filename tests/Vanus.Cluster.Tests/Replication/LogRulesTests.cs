using Vanus.Cluster.Replication;
using Vanus.Storage.Replication;
using static Vanus.Cluster.Tests.Replication.EpochHistories;

namespace Vanus.Cluster.Tests.Replication;

/// <summary>Where a follower's log diverges from its leader's, by epoch tables, and how far a leader may commit.</summary>
public class LogRulesTests
{
    [Fact]
    public void A_follower_that_is_a_prefix_of_the_leader_keeps_everything()
    {
        Assert.Equal(15, LogRules.DivergenceOffset([E(1, 0), E(2, 10)], 20, [E(1, 0), E(2, 10)], 15));
        Assert.Equal(0, LogRules.DivergenceOffset([E(1, 0)], 20, [], 0));
    }

    [Fact]
    public void A_follower_with_more_of_an_epoch_than_the_leader_kept_cuts_where_the_leaders_next_epoch_begins()
    {
        // Epoch 2's leader reached this follower with 25 offsets but the new leader with 18 (KIP-101, scenario 1).
        Assert.Equal(18, LogRules.DivergenceOffset([E(1, 0), E(2, 10), E(3, 18)], 30, [E(1, 0), E(2, 10)], 25));
    }

    [Fact]
    public void A_follower_with_an_epoch_the_leader_never_had_cuts_back_to_where_their_common_epoch_ends_in_both()
    {
        // Epoch 2 wrote 8..14 here only; the leader's epoch 1 runs to 10, the follower's to 8 (KIP-279: iterate).
        Assert.Equal(8, LogRules.DivergenceOffset([E(1, 0), E(3, 10)], 20, [E(1, 0), E(2, 8)], 15));

        // Behind the leader in an older epoch the leader overwrote: cut where the leader's next epoch began.
        Assert.Equal(5, LogRules.DivergenceOffset([E(1, 0), E(2, 5)], 12, [E(1, 0)], 7));

        // Nothing in common: everything goes.
        Assert.Equal(0, LogRules.DivergenceOffset([E(5, 100)], 200, [E(3, 50)], 120));
    }

    [Fact]
    public void Random_histories_are_cut_exactly_at_their_longest_common_prefix()
    {
        for (var seed = 0; seed < 2000; seed++)
        {
            var random = new Random(seed);

            // The leader's log as one epoch per offset, epochs rising; some epochs wrote nothing (a marker only).
            var leader = new List<long>();
            var leaderTable = new List<EpochEntry>();
            long epoch = 0;
            for (var run = random.Next(1, 6); run > 0; run--)
            {
                epoch += random.Next(1, 3);
                leaderTable.Add(E(epoch, leader.Count));
                leader.AddRange(Enumerable.Repeat(epoch, random.Next(0, 8)));
            }

            // The follower shares a prefix, may hold more of the epoch the prefix ends in (only where the leader moved to
            // another epoch), then epochs the leader never had.
            var common = random.Next(0, leader.Count + 1);
            var follower = leader.Take(common).ToList();
            var last = common == 0 ? 0 : follower[^1];
            if (common > 0 && (common == leader.Count || leader[common] != last))
            {
                follower.AddRange(Enumerable.Repeat(last, common == leader.Count ? 0 : random.Next(0, 4)));
            }

            var own = leaderTable.Select(t => t.Epoch).ToHashSet();
            var next = Math.Max(last, 0);
            for (var run = random.Next(0, 3); run > 0; run--)
            {
                do
                {
                    next++;
                }
                while (own.Contains(next));

                follower.AddRange(Enumerable.Repeat(next, random.Next(1, 5)));
            }

            var followerTable = TableOf(follower);
            var context = $"seed {seed}: leader [{string.Join(",", leader)}] follower [{string.Join(",", follower)}]";
            Assert.True(common == LogRules.DivergenceOffset(leaderTable, leader.Count, followerTable, follower.Count), context);
        }
    }

    [Fact]
    public void A_leader_commits_what_a_majority_of_marker_holders_holds_durably_and_never_goes_back()
    {
        var ends = new Dictionary<string, long> { ["n1"] = 10, ["n2"] = 8, ["n3"] = 12, ["learner"] = 30 };
        var voters = new HashSet<string> { "n1", "n2", "n3" };

        // Until a majority holds this epoch's marker, nothing older counts as committed.
        Assert.Null(LogRules.Commit(ends, new HashSet<string> { "n1" }, voters, committed: 0));
        Assert.Equal(8, LogRules.Commit(ends, new HashSet<string> { "n1", "n2" }, voters, committed: 0));
        Assert.Equal(10, LogRules.Commit(ends, new HashSet<string> { "n1", "n2", "n3" }, voters, committed: 0));
        Assert.Equal(11, LogRules.Commit(ends, new HashSet<string> { "n1", "n2" }, voters, committed: 11));

        // A learner's acknowledgement is no part of a majority.
        Assert.Null(LogRules.Commit(ends, new HashSet<string> { "n1", "learner" }, voters, committed: 0));

        // Five voters need three.
        var five = new Dictionary<string, long> { ["a"] = 50, ["b"] = 40, ["c"] = 30, ["d"] = 20, ["e"] = 10 };
        Assert.Equal(30, LogRules.Commit(five, five.Keys.ToHashSet(), five.Keys.ToHashSet(), committed: 0));
        Assert.Null(LogRules.Commit(five, new HashSet<string> { "a", "b" }, five.Keys.ToHashSet(), committed: 0));
    }
}
