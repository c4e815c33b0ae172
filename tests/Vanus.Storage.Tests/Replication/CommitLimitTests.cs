using Vanus.Runtime.Broker;
using static Vanus.Storage.Tests.TestLogs;

namespace Vanus.Storage.Tests.Replication;

/// <summary>
/// A replicated log shows readers only what its replica marked committed: written records wait, commits never go back,
/// truncation never cuts them, and retention and tier moves stop at the committed end.
/// </summary>
public class CommitLimitTests : SimulatedDiskTests
{
    private EventLogOptions Replicated(long segmentSize = 8192) => Options(Disk, Clock, SyncPolicy.Always, segmentSize) with { Replicated = true };

    [Fact]
    public async Task Written_records_are_seen_only_once_committed_and_commits_never_go_back()
    {
        await using var log = await OpenAsync(Replicated());
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(i, await log.AppendAsync(MakeEvent(i)));
        }

        Assert.Equal(10, log.WrittenOffset);
        Assert.Equal(0, log.NextOffset);
        Assert.Empty(await log.ReadAsync(0));
        var waiting = log.WaitForAsync(3).AsTask();
        Assert.False(waiting.IsCompleted);

        await log.CommitAsync(4);
        await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(4, log.NextOffset);
        Assert.Equal([0L, 1, 2, 3], (await log.ReadAsync(0)).Select(e => DataNumber(e.Event)));

        await log.CommitAsync(2);
        Assert.Equal(4, log.NextOffset);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await log.CommitAsync(11));
        await log.CommitAsync(10);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), (await ReadAllAsync(log)).Select(e => DataNumber(e.Event)));

        // What the leader sends its followers is everything written, committed or not.
        await log.AppendAsync(MakeEvent(10));
        Assert.Equal(10, log.NextOffset);
        Assert.False((await log.ReadFramesAsync(10, 1024)).IsEmpty);
    }

    [Fact]
    public async Task A_commit_inside_an_older_segment_shows_exactly_up_to_it()
    {
        await using var log = await OpenAsync(Replicated(segmentSize: 4096));
        for (var i = 0; i < 100; i++)
        {
            await log.AppendAsync(MakeEvent(i, 100));
        }

        Assert.True(log.Segments.Count > 4);
        foreach (var commit in new long[] { 1, 7, 23, 24, 25, 61, 99, 100 })
        {
            await log.CommitAsync(commit);
            Assert.Equal(commit, log.NextOffset);
            Assert.Equal(Enumerable.Range(0, (int)commit).Select(i => (long)i), (await ReadAllAsync(log)).Select(e => DataNumber(e.Event)));
            Assert.Empty(await log.ReadAsync(commit));
        }
    }

    [Fact]
    public async Task Truncation_cuts_only_what_is_not_committed()
    {
        await using var log = await OpenAsync(Replicated());
        for (var i = 0; i < 10; i++)
        {
            await log.AppendAsync(MakeEvent(i));
        }

        await log.CommitAsync(6);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await log.TruncateAsync(5));
        await log.TruncateAsync(8);
        Assert.Equal(8, log.WrittenOffset);
        Assert.Equal(6, log.NextOffset);
        Assert.Equal(8, await log.AppendAsync(MakeEvent(80)));
        await log.CommitAsync(9);
        Assert.Equal([0L, 1, 2, 3, 4, 5, 6, 7, 80], (await ReadAllAsync(log)).Select(e => DataNumber(e.Event)));
    }

    [Fact]
    public async Task After_a_reopen_nothing_is_seen_until_a_commit_says_so()
    {
        var options = Replicated();
        await using (var log = await OpenAsync(options))
        {
            for (var i = 0; i < 10; i++)
            {
                await log.AppendAsync(MakeEvent(i));
            }

            await log.CommitAsync(10);
        }

        await using var reopened = await OpenAsync(options);
        Assert.Equal(10, reopened.WrittenOffset);
        Assert.Equal(0, reopened.NextOffset);
        await reopened.CommitAsync(7);
        Assert.Equal(7, (await ReadAllAsync(reopened)).Count);
    }

    [Fact]
    public async Task Retention_deletes_only_whole_committed_segments()
    {
        var options = Replicated(segmentSize: 4096) with { Retention = new RetentionOptions { MaxBytes = 1 } };
        await using var log = await OpenAsync(options);
        for (var i = 0; i < 100; i++)
        {
            await log.AppendAsync(MakeEvent(i, 100));
        }

        var segments = log.Segments;
        var third = segments[2];
        await log.CommitAsync(third.BaseOffset + 1);
        await log.MaintainAsync();

        // Everything before the segment that holds the committed end is gone; that segment and all after it stay.
        Assert.Equal(third.BaseOffset, log.EarliestOffset);
        Assert.Equal(segments.Count - 2, log.Segments.Count);
    }

    [Fact]
    public async Task A_log_that_is_not_replicated_sees_what_is_written_and_takes_no_commits()
    {
        await using var log = await OpenAsync(Options(Disk, Clock));
        await log.AppendAsync(MakeEvent(0));
        Assert.Equal(1, log.NextOffset);
        Assert.Equal(1, log.WrittenOffset);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await log.CommitAsync(1));
    }
}
