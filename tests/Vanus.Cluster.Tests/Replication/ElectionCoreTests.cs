using Vanus.Cluster.Replication;
using Vanus.Storage.Replication;

namespace Vanus.Cluster.Tests.Replication;

/// <summary>The election rules of one replica's core, driven step by step over a hand-run network with a hand-run clock.</summary>
public class ElectionCoreTests
{
    private static readonly ElectionTimings Timings = new();
    private static readonly long Second = TimeSpan.TicksPerSecond;

    [Fact]
    public void Three_followers_elect_one_leader_that_the_others_follow()
    {
        var net = new Net(["n1", "n2", "n3"]);
        net.RunUntil(3 * Second);

        var leaders = net.Cores.Values.Where(c => c.Role == ReplicaRole.Leader).ToList();
        var leader = Assert.Single(leaders);
        Assert.Equal(1, leader.Epoch);
        Assert.All(net.Cores.Values, c => Assert.Equal(leader.Leader, c.Leader));
        Assert.All(net.Cores.Values, c => Assert.Equal(1, c.Epoch));
    }

    [Fact]
    public void A_vote_goes_to_a_log_at_least_as_up_to_date_by_last_epoch_first_then_end()
    {
        var voter = Core("n1", ["n1", "n2", "n3"], ReplicaVote.None, log: (2, 10));
        var now = 5 * Second;

        // A longer log of an older epoch may lack what a majority acknowledged: refused.
        Assert.False(VoteOf(voter.Receive(new VoteRequest("n2", "n1", 3, LastEpoch: 1, End: 50), now)));

        // The same epoch and at least as long, or a newer epoch however short: granted (to the first only).
        var effects = voter.Receive(new VoteRequest("n3", "n1", 4, LastEpoch: 2, End: 10), now);
        Assert.True(VoteOf(effects));
        Assert.False(VoteOf(voter.Receive(new VoteRequest("n2", "n1", 4, LastEpoch: 3, End: 0), now)));
        Assert.True(VoteOf(voter.Receive(new VoteRequest("n2", "n1", 5, LastEpoch: 3, End: 0), now)));
    }

    [Fact]
    public void A_vote_is_saved_before_it_is_sent_and_given_once_per_epoch()
    {
        var voter = Core("n1", ["n1", "n2", "n3"], ReplicaVote.None, log: (0, 0));
        var effects = voter.Receive(new VoteRequest("n2", "n1", 1, 0, 0), Second);

        // The save comes first: the host syncs it before the reply leaves.
        var save = effects.OfType<ElectionEffect.SaveVote>().Last();
        Assert.Equal(new ReplicaVote(1, "n2"), save.Vote);
        Assert.True(effects.ToList().IndexOf(save) < effects.ToList().FindIndex(e => e is ElectionEffect.Send));

        Assert.False(VoteOf(voter.Receive(new VoteRequest("n3", "n1", 1, 5, 500), Second)));
        Assert.True(VoteOf(voter.Receive(new VoteRequest("n2", "n1", 1, 0, 0), Second)));

        // Restarted from what it saved, it still refuses the other candidate of that epoch.
        var restarted = Core("n1", ["n1", "n2", "n3"], save.Vote, log: (0, 0));
        Assert.False(VoteOf(restarted.Receive(new VoteRequest("n3", "n1", 1, 5, 500), Second)));
    }

    [Fact]
    public void A_replica_cut_off_keeps_pre_voting_without_raising_the_epoch_and_does_not_unseat_the_leader_when_it_returns()
    {
        var net = new Net(["n1", "n2", "n3"]);
        net.RunUntil(3 * Second);
        var leader = net.Cores.Single(c => c.Value.Role == ReplicaRole.Leader).Key;
        var isolated = net.Cores.Keys.First(k => k != leader);

        net.Isolated.Add(isolated);
        net.RunUntil(20 * Second);
        Assert.Equal(1, net.Cores[isolated].Epoch);
        Assert.Equal(ReplicaRole.PreCandidate, net.Cores[isolated].Role);

        net.Isolated.Clear();
        net.RunUntil(23 * Second);
        Assert.Equal(ReplicaRole.Leader, net.Cores[leader].Role);
        Assert.All(net.Cores.Values, c => Assert.Equal(1, c.Epoch));
        Assert.Equal(leader, net.Cores[isolated].Leader);
    }

    [Fact]
    public void A_leader_that_hears_no_majority_steps_down_and_the_others_elect_a_new_one()
    {
        var net = new Net(["n1", "n2", "n3"]);
        net.RunUntil(3 * Second);
        var leader = net.Cores.Single(c => c.Value.Role == ReplicaRole.Leader).Key;

        net.Isolated.Add(leader);
        var steppedDown = net.RunUntil(3 * Second + Timings.StepDownAfter.Ticks + Second);
        Assert.Contains(steppedDown, e => e.Node == leader && e.Effect is ElectionEffect.SteppedDown);
        Assert.NotEqual(ReplicaRole.Leader, net.Cores[leader].Role);

        net.RunUntil(12 * Second);
        var successor = Assert.Single(net.Cores, c => c.Value.Role == ReplicaRole.Leader && c.Key != leader);
        Assert.Equal(2, successor.Value.Epoch);

        // Back again, the old leader learns the new epoch and follows.
        net.Isolated.Clear();
        net.RunUntil(15 * Second);
        Assert.Equal(successor.Key, net.Cores[leader].Leader);
        Assert.Equal(2, net.Cores[leader].Epoch);
    }

    [Fact]
    public void A_newer_epoch_makes_a_leader_step_down_at_once()
    {
        var core = Core("n1", ["n1"], ReplicaVote.None, log: (0, 0));
        core.Tick(2 * Second);
        Assert.Equal(ReplicaRole.Leader, core.Role);

        var effects = core.Receive(new HeartbeatReply("n2", "n1", 7, Accepted: false), 3 * Second);
        Assert.Contains(effects, e => e is ElectionEffect.SteppedDown { Epoch: 7 });
        Assert.Contains(effects, e => e is ElectionEffect.SaveVote { Vote: { Epoch: 7, VotedFor: null } });
        Assert.Equal(ReplicaRole.Follower, core.Role);
    }

    [Fact]
    public void A_learner_neither_stands_nor_votes_until_it_is_promoted()
    {
        var learner = Core("n4", ["n1", "n2", "n3", "n4"], ReplicaVote.None, log: (0, 0), learner: true);
        Assert.Equal(ReplicaRole.Learner, learner.Role);
        Assert.Empty(learner.Tick(60 * Second).OfType<ElectionEffect.Send>());
        Assert.False(VoteOf(learner.Receive(new VoteRequest("n1", "n4", 1, 0, 0), 60 * Second)));

        learner.Promote();
        Assert.Equal(ReplicaRole.Follower, learner.Role);
        Assert.True(VoteOf(learner.Receive(new VoteRequest("n1", "n4", 2, 0, 0), 61 * Second)));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void Under_random_loss_and_partitions_no_epoch_ever_has_two_leaders_and_a_healed_group_elects_one(int size)
    {
        for (var seed = 0; seed < 200; seed++)
        {
            var random = new Random(seed);
            var names = Enumerable.Range(1, size).Select(i => $"n{i}").ToArray();
            var net = new Net(names, seed) { Loss = 0.1, Random = random };
            var leaders = new Dictionary<long, string>();
            for (var round = 0; round < 30; round++)
            {
                // Every two seconds a random minority or majority is cut off, or nobody.
                net.Isolated.Clear();
                foreach (var name in names.Where(_ => random.NextDouble() < 0.25))
                {
                    net.Isolated.Add(name);
                }

                foreach (var (node, effect) in net.RunUntil((round + 1) * 2 * Second))
                {
                    if (effect is ElectionEffect.BecameLeader { Epoch: var epoch })
                    {
                        Assert.True(leaders.TryAdd(epoch, node) || leaders[epoch] == node, $"seed {seed}: epoch {epoch} has two leaders, {leaders.GetValueOrDefault(epoch)} and {node}");
                    }
                }
            }

            net.Isolated.Clear();
            net.Loss = 0;
            net.RunUntil(75 * Second);
            var now = net.Cores.Values.Where(c => c.Role == ReplicaRole.Leader).ToList();
            Assert.True(now.Count == 1, $"seed {seed}: {now.Count} leaders after healing");
            Assert.All(net.Cores.Values, c => Assert.Equal(now[0].Epoch, c.Epoch));
        }
    }

    [Fact]
    public void An_append_request_is_the_leaders_heartbeat_and_a_newer_epoch_is_saved_before_it_is_followed()
    {
        var follower = Core("n1", ["n1", "n2", "n3"], new ReplicaVote(2, "n3"), log: (2, 10));

        // An older epoch's leader is refused, and nothing changes.
        var (current, effects) = follower.LeaderContact("n2", 1, Second);
        Assert.False(current);
        Assert.Empty(effects);
        Assert.Null(follower.Leader);

        // A newer one is adopted and saved (no vote) before the host takes the request, then followed.
        (current, effects) = follower.LeaderContact("n2", 3, Second);
        Assert.True(current);
        Assert.Equal(new ReplicaVote(3, null), Assert.Single(effects.OfType<ElectionEffect.SaveVote>()).Vote);
        Assert.Equal("n2", follower.Leader);
        Assert.Equal(3, follower.Epoch);

        // Heard within the election timeout, the leader keeps the follower from standing.
        Assert.Empty(follower.Tick(Second + (Timings.ElectionTimeoutMin.Ticks / 2)));
        Assert.Equal(ReplicaRole.Follower, follower.Role);
    }

    [Fact]
    public void A_leader_steps_down_on_an_answer_of_a_newer_epoch_or_when_it_resigns_and_never_shares_its_epoch()
    {
        var net = new Net(["n1", "n2", "n3"]);
        net.RunUntil(3 * Second);
        var leader = net.Cores.Values.Single(c => c.Role == ReplicaRole.Leader);
        var epoch = leader.Epoch;

        // An answer of its own epoch counts as heard; another replica claiming to lead the same epoch is a bug.
        Assert.Empty(leader.FollowerContact("n9", epoch, 3 * Second));
        Assert.Throws<InvalidOperationException>(() => leader.LeaderContact("n9", epoch, 3 * Second));

        var down = leader.FollowerContact("n9", epoch + 1, 3 * Second);
        Assert.Contains(down, e => e is ElectionEffect.SteppedDown);
        Assert.Equal(ReplicaRole.Follower, leader.Role);
        Assert.Equal(epoch + 1, leader.Epoch);

        // A follower that resigns does nothing; a leader that resigns steps down in its epoch.
        Assert.Empty(leader.Resign(3 * Second, "disk full"));
        net.RunUntil(8 * Second);
        var next = net.Cores.Values.Single(c => c.Role == ReplicaRole.Leader);
        var resigned = Assert.Single(next.Resign(8 * Second, "disk full").OfType<ElectionEffect.SteppedDown>());
        Assert.Equal(next.Epoch, resigned.Epoch);
        Assert.Contains("disk full", resigned.Reason);
    }

    [Fact]
    public void A_voter_that_rejoins_as_a_learner_neither_votes_nor_stands_until_promoted()
    {
        var rejoining = new ElectionCore("n1", ["n1", "n2", "n3"], new ReplicaVote(4, null), () => (0, 0), Timings, new Random(1), 0, learner: true);
        Assert.Equal(ReplicaRole.Learner, rejoining.Role);
        Assert.False(VoteOf(rejoining.Receive(new VoteRequest("n2", "n1", 5, 0, 0), Second)));
        Assert.Empty(rejoining.Tick(10 * Second).OfType<ElectionEffect.Send>());

        rejoining.Promote();
        Assert.Equal(ReplicaRole.Follower, rejoining.Role);
        Assert.True(VoteOf(rejoining.Receive(new VoteRequest("n2", "n1", 6, 0, 0), 20 * Second)));
    }

    private static bool VoteOf(IReadOnlyList<ElectionEffect> effects) =>
        effects.OfType<ElectionEffect.Send>().Select(s => s.Message).OfType<VoteReply>().Single().Granted;

    private static ElectionCore Core(string self, string[] voters, ReplicaVote saved, (long, long) log, bool learner = false) =>
        new(self, learner ? [.. voters.Where(v => v != self)] : voters, saved, () => log, Timings, new Random(1), 0);

    /// <summary>Replicas that pass messages at once, except to and from the isolated ones, on a clock stepped 50 ms at a time.</summary>
    private sealed class Net
    {
        private long _now;

        public Net(string[] names, int seed = 0)
        {
            foreach (var name in names)
            {
                Cores[name] = new ElectionCore(name, names, ReplicaVote.None, () => (0, 0), Timings, new Random(++seed), 0);
            }
        }

        public Dictionary<string, ElectionCore> Cores { get; } = [];

        public HashSet<string> Isolated { get; } = [];

        /// <summary>The share of messages lost on the way.</summary>
        public double Loss { get; set; }

        public Random Random { get; init; } = new(0);

        /// <summary>Runs until <paramref name="until"/>; returns every effect, by node.</summary>
        public List<(string Node, ElectionEffect Effect)> RunUntil(long until)
        {
            var all = new List<(string, ElectionEffect)>();
            var queue = new Queue<ReplicaMessage>();
            while (_now < until)
            {
                _now += TimeSpan.TicksPerMillisecond * 50;
                foreach (var (name, core) in Cores)
                {
                    Take(name, core.Tick(_now));
                }

                while (queue.TryDequeue(out var message))
                {
                    if (!Isolated.Contains(message.From) && !Isolated.Contains(message.To) && (Loss == 0 || Random.NextDouble() >= Loss))
                    {
                        Take(message.To, Cores[message.To].Receive(message, _now));
                    }
                }
            }

            return all;

            void Take(string name, IReadOnlyList<ElectionEffect> effects)
            {
                foreach (var effect in effects)
                {
                    all.Add((name, effect));
                    if (effect is ElectionEffect.Send send)
                    {
                        queue.Enqueue(send.Message);
                    }
                }
            }
        }
    }
}
