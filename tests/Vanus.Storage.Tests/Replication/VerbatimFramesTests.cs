using Vanus.Runtime.Broker;
using static Vanus.Storage.Tests.TestLogs;

namespace Vanus.Storage.Tests.Replication;

/// <summary>
/// A follower's log takes the leader's records verbatim (offsets, store times and CRCs kept): copied frame by frame it
/// holds exactly what the leader holds, and frames that do not continue it are refused with nothing stored.
/// </summary>
public class VerbatimFramesTests : SimulatedDiskTests
{
    [Theory]
    [InlineData(SyncPolicy.Always)]
    [InlineData(SyncPolicy.Interval)]
    public async Task A_follower_fed_the_leaders_frames_holds_the_same_records_across_segments(SyncPolicy sync)
    {
        await using var leader = await OpenAsync(Options(Disk, Clock, sync, segmentSize: 4096, dir: "/sim/leader"));
        await using var follower = await OpenAsync(Options(Disk, Clock, sync, segmentSize: 8192, dir: "/sim/follower"));
        for (var i = 0; i < 120; i++)
        {
            Clock.Advance(TimeSpan.FromMilliseconds(3));
            await leader.AppendAsync(MakeEvent(i, 60 + (i % 7 * 40)));
        }

        // Copied in chunks of about 1 KB, as catch-up batches go.
        var copied = 0L;
        while (copied < leader.NextOffset)
        {
            var frames = await leader.ReadFramesAsync(copied, 1024);
            Assert.False(frames.IsEmpty);
            Assert.Equal(copied, await follower.AppendFramesAsync(frames));
            copied = follower.NextOffset;
        }

        Assert.True((await leader.ReadFramesAsync(leader.NextOffset, 1024)).IsEmpty);
        var expected = await ReadAllAsync(leader);
        var actual = await ReadAllAsync(follower);
        Assert.Equal(expected.Select(e => (e.Offset, e.StoreTime, e.Event)), actual.Select(e => (e.Offset, e.StoreTime, e.Event)));
        Assert.True(follower.Segments.Count < leader.Segments.Count, "the follower keeps its own segment size");
    }

    [Fact]
    public async Task Frames_that_do_not_continue_the_log_or_fail_their_check_are_refused_with_nothing_stored()
    {
        await using var leader = await OpenAsync(Options(Disk, Clock, dir: "/sim/leader"));
        await using var follower = await OpenAsync(Options(Disk, Clock, dir: "/sim/follower"));
        for (var i = 0; i < 10; i++)
        {
            await leader.AppendAsync(MakeEvent(i));
        }

        var all = (await leader.ReadFramesAsync(0, 1 << 20)).ToArray();
        var first = (await leader.ReadFramesAsync(0, 1)).ToArray();
        var fromFive = (await leader.ReadFramesAsync(5, 1 << 20)).ToArray();

        // Not at the end: the follower holds nothing yet, so frames from offset 5 leave a gap.
        var gap = await Assert.ThrowsAsync<ArgumentException>(async () => await follower.AppendFramesAsync(fromFive));
        Assert.Contains("offset 5", gap.Message);

        // A flipped bit, a frame cut short, and frames out of order are each named.
        var flipped = (byte[])all.Clone();
        flipped[first.Length + 30] ^= 1;
        Assert.Contains("frame 1", (await Assert.ThrowsAsync<ArgumentException>(async () => await follower.AppendFramesAsync(flipped))).Message);
        Assert.Contains("frame 9", (await Assert.ThrowsAsync<ArgumentException>(async () => await follower.AppendFramesAsync(all.AsMemory(0, all.Length - 3)))).Message);
        Assert.Contains("does not follow", (await Assert.ThrowsAsync<ArgumentException>(async () => await follower.AppendFramesAsync(first.Concat(first).ToArray()))).Message);
        Assert.Equal(0, follower.NextOffset);

        // Then the whole run goes in, and the same frames again are refused (they no longer continue the log).
        Assert.Equal(0, await follower.AppendFramesAsync(all));
        Assert.Equal(10, follower.NextOffset);
        await Assert.ThrowsAsync<ArgumentException>(async () => await follower.AppendFramesAsync(all));
        Assert.Equal(10, follower.NextOffset);
    }

    [Fact]
    public async Task A_follower_cut_at_the_divergence_point_takes_the_new_leaders_history()
    {
        await using var oldLeader = await OpenAsync(Options(Disk, Clock, dir: "/sim/old"));
        await using var newLeader = await OpenAsync(Options(Disk, Clock, dir: "/sim/new"));
        for (var i = 0; i < 20; i++)
        {
            await oldLeader.AppendAsync(MakeEvent(i));
        }

        // The new leader holds the first 12 and then writes its own.
        await newLeader.AppendFramesAsync(await oldLeader.ReadFramesAsync(0, 1 << 20) is var f ? f[..FrameEnd(f, 12)] : default);
        Assert.Equal(12, newLeader.NextOffset);
        Clock.Advance(TimeSpan.FromSeconds(1));
        for (var i = 100; i < 105; i++)
        {
            await newLeader.AppendAsync(MakeEvent(i));
        }

        // The old leader, now a follower, cuts its unacknowledged suffix and takes the new history.
        await oldLeader.TruncateAsync(12);
        await oldLeader.AppendFramesAsync(await newLeader.ReadFramesAsync(12, 1 << 20));
        var expected = await ReadAllAsync(newLeader);
        Assert.Equal(expected.Select(e => (e.Offset, e.StoreTime, e.Event)), (await ReadAllAsync(oldLeader)).Select(e => (e.Offset, e.StoreTime, e.Event)));
    }

    [Theory]
    [InlineData(1 << 20)]
    [InlineData(4096)]
    public async Task A_cut_suffix_written_after_the_new_leaders_records_does_not_hold_back_their_store_times(long segmentSize)
    {
        // A stale leader cut off from the others goes on writing for a while after the new leader wrote its own records:
        // the suffix it cuts is newer than the frames that replace it, which must still be taken.
        await using var stale = await OpenAsync(Options(Disk, Clock, segmentSize: segmentSize, dir: "/sim/stale"));
        await using var newLeader = await OpenAsync(Options(Disk, Clock, segmentSize: segmentSize, dir: "/sim/new"));
        for (var i = 0; i < 30; i++)
        {
            await stale.AppendAsync(MakeEvent(i, 200));
        }

        var kept = stale.Segments.Count > 1 ? stale.Segments[1].BaseOffset : 12;
        await newLeader.AppendFramesAsync(await stale.ReadFramesAsync(0, 1 << 20) is var f ? f[..FrameEnd(f, (int)kept)] : default);
        Clock.Advance(TimeSpan.FromSeconds(1));
        for (var i = 100; i < 105; i++)
        {
            await newLeader.AppendAsync(MakeEvent(i));
        }

        Clock.Advance(TimeSpan.FromSeconds(1));
        await stale.AppendAsync(MakeEvent(30));

        await stale.TruncateAsync(kept);
        Assert.Equal(kept, await stale.AppendFramesAsync(await newLeader.ReadFramesAsync(kept, 1 << 20)));
        var expected = await ReadAllAsync(newLeader);
        Assert.Equal(expected.Select(e => (e.Offset, e.StoreTime, e.Event)), (await ReadAllAsync(stale)).Select(e => (e.Offset, e.StoreTime, e.Event)));

        // Its own next append goes after the last record it now holds, not after the cut one.
        Assert.Equal(kept + 5, await stale.AppendAsync(MakeEvent(200)));
        var all = await ReadAllAsync(stale);
        Assert.Equal(all.Select(e => e.StoreTime).Order(), all.Select(e => e.StoreTime));
    }

    [Fact]
    public async Task A_follower_that_becomes_leader_never_stores_a_time_before_the_last_one_it_took()
    {
        // The old leader's clock ran ahead: its records carry store times an hour past the new leader's clock.
        var ahead = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Clock.GetUtcNow().AddHours(1));
        await using var oldLeader = await OpenAsync(Options(Disk, ahead, dir: "/sim/old"));
        await using var follower = await OpenAsync(Options(Disk, Clock, dir: "/sim/follower"));
        for (var i = 0; i < 5; i++)
        {
            await oldLeader.AppendAsync(MakeEvent(i));
        }

        await follower.AppendFramesAsync(await oldLeader.ReadFramesAsync(0, 1 << 20));
        Assert.Equal(5, await follower.AppendAsync(MakeEvent(5)));
        var all = await ReadAllAsync(follower);
        Assert.Equal(all.Select(e => e.StoreTime).Order(), all.Select(e => e.StoreTime));
        Assert.Equal(all[4].StoreTime, all[5].StoreTime);
    }

    [Fact]
    public async Task Synced_verbatim_appends_survive_a_power_loss()
    {
        var leaderOptions = Options(Disk, Clock, SyncPolicy.Always, dir: "/sim/leader");
        var followerOptions = Options(Disk, Clock, SyncPolicy.Always, dir: "/sim/follower");
        await using (var leader = await OpenAsync(leaderOptions))
        {
            for (var i = 0; i < 30; i++)
            {
                await leader.AppendAsync(MakeEvent(i));
            }
        }

        for (var seed = 0; seed < 20; seed++)
        {
            await using var leader = await OpenAsync(leaderOptions);
            var follower = await OpenAsync(followerOptions);
            var next = follower.NextOffset;
            if (next < leader.NextOffset)
            {
                await follower.AppendFramesAsync(await leader.ReadFramesAsync(next, 200));
            }

            var acknowledged = follower.NextOffset;
            follower.Abandon();
            await leader.DisposeAsync();
            Disk.PowerLoss(new Random(seed));
            await using var reopened = await OpenAsync(followerOptions);
            Assert.True(reopened.NextOffset >= acknowledged, $"seed {seed}: {reopened.NextOffset} < {acknowledged}");
            Assert.Equal((await ReadAllAsync(reopened)).Select(e => e.Offset), Enumerable.Range(0, (int)reopened.NextOffset).Select(i => (long)i));
        }
    }

    /// <summary>The byte length of the first <paramref name="count"/> frames.</summary>
    private static int FrameEnd(ReadOnlyMemory<byte> frames, int count)
    {
        var at = 0;
        for (var i = 0; i < count; i++)
        {
            at += 24 + (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(frames.Span[at..]);
        }

        return at;
    }
}
