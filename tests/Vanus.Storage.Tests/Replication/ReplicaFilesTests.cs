using Vanus.Storage.Replication;

namespace Vanus.Storage.Tests.Replication;

/// <summary>A replica's <c>raft.state</c> and epoch table: what was saved survives any power loss, and the rules that keep a vote single hold.</summary>
public class ReplicaFilesTests : SimulatedDiskTests
{
    private const string Dir = "/sim/replica";

    [Fact]
    public void A_saved_vote_survives_a_power_loss_and_a_torn_later_write_leaves_it()
    {
        using (var state = ReplicaStateFile.Open(Disk, Dir))
        {
            Assert.Equal(ReplicaVote.None, state.Current);
            state.Save(new ReplicaVote(3, null));
            state.Save(new ReplicaVote(3, "n2"));
        }

        for (var seed = 0; seed < 50; seed++)
        {
            Disk.PowerLoss(new Random(seed));
            using var state = ReplicaStateFile.Open(Disk, Dir);
            Assert.Equal(new ReplicaVote(3, "n2"), state.Current);
        }
    }

    [Fact]
    public void Every_save_is_durable_before_it_returns_whatever_crash_follows()
    {
        using (var state = ReplicaStateFile.Open(Disk, Dir))
        {
            state.Save(new ReplicaVote(1, "n1"));
        }

        for (var seed = 0; seed < 50; seed++)
        {
            ReplicaVote saved;
            using (var state = ReplicaStateFile.Open(Disk, Dir))
            {
                saved = new ReplicaVote(state.Current.Epoch + 1, seed % 2 == 0 ? "n3" : null);
                state.Save(saved);
            }

            Disk.PowerLoss(new Random(seed));
            using var reopened = ReplicaStateFile.Open(Disk, Dir);
            Assert.Equal(saved, reopened.Current);
        }
    }

    [Fact]
    public void A_vote_is_never_changed_within_its_epoch_and_the_epoch_never_goes_back()
    {
        using var state = ReplicaStateFile.Open(Disk, Dir);
        state.Save(new ReplicaVote(5, "n1"));
        Assert.Throws<InvalidOperationException>(() => state.Save(new ReplicaVote(5, "n2")));
        Assert.Throws<InvalidOperationException>(() => state.Save(new ReplicaVote(5, null)));
        Assert.Throws<InvalidOperationException>(() => state.Save(new ReplicaVote(4, null)));
        Assert.Throws<ArgumentException>(() => state.Save(new ReplicaVote(6, new string('x', 201))));
        state.Save(new ReplicaVote(5, "n1"));
        state.Save(new ReplicaVote(6, null));
        Assert.Equal(new ReplicaVote(6, null), state.Current);
    }

    [Fact]
    public void A_state_whose_copies_are_both_unreadable_is_refused_but_a_torn_first_save_is_no_vote_yet()
    {
        var path = Path.Combine(Dir, ReplicaStateFile.FileName);
        using (var state = ReplicaStateFile.Open(Disk, Dir))
        {
            state.Save(new ReplicaVote(1, "n1"));
        }

        // Only the first save's slot (the second) is written: damaged, it is a save that never completed.
        Disk.Corrupt(path, 256 + 9, [0xff]);
        using (var state = ReplicaStateFile.Open(Disk, Dir))
        {
            Assert.Equal(ReplicaVote.None, state.Current);
            state.Save(new ReplicaVote(2, null));
            state.Save(new ReplicaVote(2, "n2"));
        }

        // Both slots written, both damaged: voting from nothing could vote twice in an epoch.
        Disk.Corrupt(path, 9, [0xff]);
        Disk.Corrupt(path, 256 + 9, [0xff]);
        Assert.Throws<LogCorruptedException>(() => ReplicaStateFile.Open(Disk, Dir));
    }

    [Fact]
    public void The_epoch_table_answers_where_each_epoch_ends_and_which_epoch_wrote_an_offset()
    {
        using var table = EpochTable.Open(Disk, Dir);
        table.Append(1, 0);
        table.Append(3, 100);
        table.Append(4, 100);
        table.Append(7, 250);
        Assert.Equal(7, table.LastEpoch);
        Assert.Equal(0, table.EpochAt(-1));
        Assert.Equal(1, table.EpochAt(99));
        Assert.Equal(4, table.EpochAt(100));
        Assert.Equal(7, table.EpochAt(400));

        // A follower whose log ends in epoch 2 diverged where epoch 1's offsets end: at 100.
        Assert.Equal((1L, 100L), table.EndOffsetFor(2, logEnd: 300));
        Assert.Equal((4L, 250L), table.EndOffsetFor(6, logEnd: 300));
        Assert.Equal((7L, 300L), table.EndOffsetFor(9, logEnd: 300));
        Assert.Equal((0L, 0L), EpochTable.Open(Disk, "/sim/other").EndOffsetFor(3, logEnd: 0));

        Assert.Throws<InvalidOperationException>(() => table.Append(7, 300));
        Assert.Throws<InvalidOperationException>(() => table.Append(8, 200));
    }

    [Fact]
    public void A_truncated_epoch_table_keeps_only_epochs_the_log_still_holds_across_a_power_loss()
    {
        using (var table = EpochTable.Open(Disk, Dir))
        {
            table.Append(1, 0);
            table.Append(2, 40);
            table.Append(5, 90);
            table.TruncateTo(60);
            Assert.Equal([new EpochEntry(1, 0), new EpochEntry(2, 40)], table.Entries);
            table.Append(6, 60);
        }

        for (var seed = 0; seed < 50; seed++)
        {
            Disk.PowerLoss(new Random(seed));
            using var reopened = EpochTable.Open(Disk, Dir);
            Assert.Equal([new EpochEntry(1, 0), new EpochEntry(2, 40), new EpochEntry(6, 60)], reopened.Entries);
        }
    }

    [Fact]
    public void At_open_epochs_past_the_logs_end_go_and_a_marker_at_the_end_stays()
    {
        using (var table = EpochTable.Open(Disk, Dir))
        {
            table.Append(1, 0);
            table.Append(2, 40);
            table.Append(3, 60);
            table.Append(4, 70);

            // The log was cut to 60 but the crash came before the table's rewrite.
            table.DropPast(60);
            Assert.Equal([new EpochEntry(1, 0), new EpochEntry(2, 40), new EpochEntry(3, 60)], table.Entries);
            table.DropPast(60);
        }

        using var reopened = EpochTable.Open(Disk, Dir);
        Assert.Equal(3, reopened.LastEpoch);
    }

    [Fact]
    public void An_append_cut_by_a_crash_is_dropped_and_every_synced_one_kept()
    {
        using (var table = EpochTable.Open(Disk, Dir))
        {
            table.Append(1, 0);
            table.Append(2, 10);
        }

        // A third entry half-written and never synced, as a crash in the middle of an append leaves it.
        using (var file = Disk.Open(Path.Combine(Dir, EpochTable.FileName), create: false))
        {
            file.Write(48, new byte[] { 9, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0 });
        }

        using var reopened = EpochTable.Open(Disk, Dir);
        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(2, 10)], reopened.Entries);
        reopened.Append(3, 20);
        Assert.Equal(3, reopened.LastEpoch);
    }
}
