using Microsoft.Extensions.Time.Testing;
using Vanus.Cluster.Replication;
using Vanus.Runtime.Events;
using Vanus.Storage;
using Vanus.Storage.Files;

namespace Vanus.Cluster.Tests.Replication;

/// <summary>One replica driven by hand: what it answers a producer when it leads, when it does not, and when its disk fails.</summary>
public class ReplicaTests
{
    private static readonly long Second = TimeSpan.TicksPerSecond;
    private readonly ISimulatedFileSystem _fs = FileSystems.Simulated();
    private readonly List<ReplicaMessage> _sent = [];

    [Fact]
    public async Task A_replica_of_one_leads_after_its_election_timeout_and_answers_at_commit()
    {
        await using var replica = await OpenAsync(["n1"]);
        Assert.Throws<NotLeaderException>(() => replica.Propose([new Event("a", "/s", "t")]));

        await replica.TickAsync(2 * Second);
        Assert.Equal(ReplicaRole.Leader, replica.Role);
        Assert.Equal(1, replica.Epoch);
        Assert.Equal([new Storage.Replication.EpochEntry(1, 0)], replica.Epochs);

        var proposal = replica.Propose([new Event("a", "/s", "t"), new Event("b", "/s", "t")]);
        Assert.Equal((0, 2), (proposal.First, proposal.Count));
        await proposal.Written;
        await replica.OnWrittenAsync(2 * Second);
        Assert.Equal(0, await proposal.Committed);
        Assert.Equal(2, replica.Committed);
        Assert.Equal(["a", "b"], (await replica.Log.ReadAsync(0)).Select(e => e.Event.Id));
    }

    [Fact]
    public async Task A_follower_refuses_proposals_and_names_its_leader()
    {
        await using var replica = await OpenAsync(["n1", "n2", "n3"]);
        await replica.ReceiveAsync(new AppendRequest("n2", "n1", 3, 0, 0, 0, ReadOnlyMemory<byte>.Empty, [new(3, 0)], 0, 0), Second);

        var refused = Assert.Throws<NotLeaderException>(() => replica.Propose([new Event("a", "/s", "t")]));
        Assert.Equal("n2", refused.Leader);
        Assert.Contains("the leader is n2", refused.Message);

        // It took the epoch and its marker, saved them, and acknowledged the (empty) request.
        var ack = Assert.IsType<AppendResponse>(Assert.Single(_sent));
        Assert.True(ack.Accepted);
        Assert.Equal((3L, 3L), (ack.Epoch, ack.LastEpoch));
    }

    [Fact]
    public async Task A_leader_whose_disk_refuses_a_write_fails_the_proposal_and_resigns()
    {
        await using var replica = await OpenAsync(["n1"]);
        await replica.TickAsync(2 * Second);
        _fs.FailWrites("the disk is gone");

        var proposal = replica.Propose([new Event("a", "/s", "t")]);
        await Assert.ThrowsAnyAsync<Exception>(() => proposal.Written);
        await replica.OnWrittenAsync(2 * Second);

        var failed = await Assert.ThrowsAnyAsync<Exception>(() => proposal.Committed);
        Assert.Contains("the disk is gone", failed.ToString());
        Assert.NotEqual(ReplicaRole.Leader, replica.Role);
        Assert.Throws<NotLeaderException>(() => replica.Propose([new Event("b", "/s", "t")]));
    }

    [Fact]
    public async Task A_replica_whose_log_is_corrupt_cuts_it_at_the_damage_and_rejoins_as_a_learner()
    {
        await using (var replica = await OpenAsync(["n1"]))
        {
            await replica.TickAsync(2 * Second);
            var proposal = replica.Propose([.. Enumerable.Range(0, 20).Select(i => new Event($"e{i}", "/s", "t").WithTextData(new string('x', 100)))]);
            await proposal.Written;
            await replica.OnWrittenAsync(2 * Second);
            Assert.Equal(20, replica.Committed);
        }

        // Synced records damaged in the middle: a log of one copy would open read-only for an operator.
        var segment = _fs.List("/data/log", ".seg").Single();
        _fs.Corrupt(segment, 1000, [0xFF, 0xFF, 0xFF]);

        await using var repaired = await OpenAsync(["n1", "n2", "n3"]);

        Assert.NotNull(repaired.Repair);
        Assert.Contains(segment, repaired.Repair);
        Assert.True(repaired.Rejoining);
        Assert.InRange(repaired.Log.WrittenOffset, 1, 19);
        Assert.True(_fs.Exists("/data/log/rejoining"));
        Assert.All(repaired.Epochs, e => Assert.True(e.StartOffset <= repaired.Log.WrittenOffset));

        // The next open is an ordinary one: nothing left to repair, still a learner until it catches up.
        await repaired.DisposeAsync();
        await using var again = await OpenAsync(["n1", "n2", "n3"]);
        Assert.Null(again.Repair);
        Assert.True(again.Rejoining);
    }

    private Task<Replica> OpenAsync(string[] voters) =>
        Replica.OpenAsync(
            new ReplicaSettings("n1", voters),
            new EventLogOptions("/data/log") { FileSystem = _fs, Time = new FakeTimeProvider(), Sync = Runtime.Broker.SyncPolicy.Always },
            _sent.Add,
            new Random(1),
            0);
}
