using Vanus.Runtime.Broker;
using static Vanus.Storage.Tests.TestLogs;

namespace Vanus.Storage.Tests.Log;

public class SegmentLogTests : SimulatedDiskTests
{

    [Theory]
    [InlineData(SyncPolicy.Always)]
    [InlineData(SyncPolicy.Interval)]
    [InlineData(SyncPolicy.None)]
    public async Task Appends_get_contiguous_offsets_from_zero_and_read_back(SyncPolicy sync)
    {
        await using var log = await OpenAsync(Options(Disk, Clock, sync));
        for (var i = 0; i < 300; i++)
        {
            Assert.Equal(i, await log.AppendAsync(MakeEvent(i)));
        }

        Assert.Equal(0, log.EarliestOffset);
        Assert.Equal(300, log.NextOffset);
        var all = await ReadAllAsync(log);
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (long)i), all.Select(s => s.Offset));
        Assert.All(all, s => Assert.Equal(MakeEvent(s.Offset), s.Event));
        Assert.All(all, s => Assert.Equal(Clock.GetUtcNow(), s.StoreTime));
    }

    [Fact]
    public async Task Segments_seal_at_the_configured_size_and_roll()
    {
        await using var log = await OpenAsync(Options(Disk, Clock, segmentSize: 4096));
        for (var i = 0; i < 200; i++)
        {
            await log.AppendAsync(MakeEvent(i, 100));
        }

        var segments = log.Segments;
        Assert.True(segments.Count > 3);
        Assert.All(segments.SkipLast(1), s => Assert.True(s.Sealed && s.StoredBytes <= 4096 && s.StoredBytes > 3000));
        Assert.False(segments[^1].Sealed);
        for (var i = 1; i < segments.Count; i++)
        {
            Assert.Equal(segments[i - 1].NextOffset, segments[i].BaseOffset);
        }

        // Sealed segment files are cut to their records; the active one is preallocated.
        var files = Disk.List(Dir, ".seg").Order().ToList();
        Assert.Equal(segments.Count, files.Count);
        Assert.Equal(4096, Disk.ReadAllBytes(files[^1]).Length);
        Assert.Equal(segments[0].StoredBytes, Disk.ReadAllBytes(files[0]).Length);
        Assert.Equal(200, (await ReadAllAsync(log)).Count);
    }

    [Fact]
    public async Task Concurrent_appends_share_writes_and_all_complete_in_order()
    {
        var options = Options(Disk, Clock, SyncPolicy.Always, segmentSize: 64 << 10);
        await using var log = await OpenAsync(options);
        log.InlineIdleThreshold = long.MaxValue;
        var pending = new List<ValueTask<long>>();
        var syncsBefore = Disk.SyncCount;

        // The disk is slow: the first sync is still running while the other appends arrive, so they must share writes.
        using (Disk.HoldSyncs())
        {
            for (var i = 0; i < 2000; i++)
            {
#pragma warning disable CA2012 // held to await later, each exactly once
                pending.Add(log.AppendAsync(MakeEvent(i)));
#pragma warning restore CA2012
            }
        }

        var offsets = new List<long>();
        foreach (var p in pending)
        {
            offsets.Add(await p);
        }

        Assert.Equal(Enumerable.Range(0, 2000).Select(i => (long)i), offsets);
        var syncs = Disk.SyncCount - syncsBefore;
        var seals = log.Segments.Count - 1;

        // Each seal syncs twice; beyond that, a handful of group commits, not one per append.
        Assert.True(syncs <= (2 * seals) + 20, $"expected group commit, saw {syncs} syncs for 2000 appends and {seals} seals");
        var all = await ReadAllAsync(log);
        Assert.All(all, s => Assert.Equal(s.Offset, DataNumber(s.Event)));
    }

    [Fact]
    public async Task Many_appending_threads_get_unique_contiguous_offsets()
    {
        await using var log = await OpenAsync(Options(Disk, Clock, SyncPolicy.Interval, segmentSize: 32 << 10));
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(async () =>
        {
            var mine = new List<(long Offset, long N)>();
            for (var i = 0; i < 500; i++)
            {
                var n = (t * 1000) + i;
                mine.Add((await log.AppendAsync(MakeEvent(n)), n));
            }

            return mine;
        })));
        var all = results.SelectMany(r => r).OrderBy(r => r.Offset).ToList();
        Assert.Equal(Enumerable.Range(0, 2000).Select(i => (long)i), all.Select(a => a.Offset));
        var read = await ReadAllAsync(log);
        Assert.Equal(all.Select(a => a.N), read.Select(s => DataNumber(s.Event)));
    }

    [Fact]
    public async Task The_idle_log_completes_an_append_synchronously()
    {
        await using var log = await OpenAsync(Options(Disk, Clock, SyncPolicy.Always));
        log.InlineIdleThreshold = 0;
        var append = log.AppendAsync(MakeEvent(0));
        Assert.True(append.IsCompletedSuccessfully);
        Assert.Equal(0, await append);
    }

    [Fact]
    public async Task Reads_respect_the_byte_limit_but_return_at_least_one_event()
    {
        await using var log = await OpenAsync(Options(Disk, Clock, segmentSize: 64 << 10));
        for (var i = 0; i < 100; i++)
        {
            await log.AppendAsync(MakeEvent(i, 200));
        }

        var one = await log.ReadAsync(10, maxBytes: 1);
        Assert.Equal(10, Assert.Single(one).Offset);
        var some = await log.ReadAsync(10, maxBytes: 1000);
        Assert.InRange(some.Count, 2, 5);
        Assert.Equal(Enumerable.Range(10, some.Count).Select(i => (long)i), some.Select(s => s.Offset));
        Assert.Empty(await log.ReadAsync(100));
    }

    [Fact]
    public async Task Reading_outside_the_log_or_with_no_room_is_refused()
    {
        await using var log = await OpenAsync(Options(Disk, Clock));
        await log.AppendAsync(MakeEvent(0));
        var past = await Assert.ThrowsAsync<OffsetOutOfRangeException>(async () => await log.ReadAsync(5));
        Assert.Contains("offset 5 is not in the log", past.Message);
        Assert.Equal(1, past.Next);
        await Assert.ThrowsAsync<OffsetOutOfRangeException>(async () => await log.ReadAsync(-1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await log.ReadAsync(0, 0));
    }

    [Fact]
    public async Task An_event_larger_than_a_segment_is_refused_with_its_size()
    {
        await using var log = await OpenAsync(Options(Disk, Clock, segmentSize: 4096));
        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await log.AppendAsync(MakeEvent(1, 5000)));
        Assert.Contains("more than a segment of 4096 bytes holds", error.Message);
        Assert.Equal(0, await log.AppendAsync(MakeEvent(2)));
    }

    [Fact]
    public async Task Bad_options_are_refused_with_the_field()
    {
        var e = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await EventLog.OpenAsync(Options(Disk, Clock, segmentSize: 100)));
        Assert.Equal("SegmentSize", e.ParamName);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await EventLog.OpenAsync(Options(Disk, Clock) with { SyncInterval = TimeSpan.Zero, Sync = SyncPolicy.Interval }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await EventLog.OpenAsync(Options(Disk, Clock) with { Retention = new RetentionOptions { MaxBytes = 0 } }));
        Assert.Throws<ArgumentException>(() => new EventLogOptions(" "));
    }

    [Fact]
    public async Task Tailing_waits_for_new_events_without_polling()
    {
        await using var log = await OpenAsync(Options(Disk, Clock));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new List<long>();
        var reader = Task.Run(async () =>
        {
            await foreach (var e in log.TailAsync(0, cts.Token))
            {
                seen.Add(e.Offset);
                if (e.Offset == 49)
                {
                    return;
                }
            }
        });
        var wait = log.WaitForAsync(0);
        Assert.False(wait.IsCompleted);
        for (var i = 0; i < 50; i++)
        {
            await log.AppendAsync(MakeEvent(i));
        }

        await wait;
        await reader;
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), seen);
        var cancelled = log.WaitForAsync(50, new CancellationToken(true));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await cancelled);
    }

    [Fact]
    public async Task Find_offset_by_store_time_across_segments()
    {
        await using var log = await OpenAsync(Options(Disk, Clock, segmentSize: 4096));
        var start = Clock.GetUtcNow();
        for (var i = 0; i < 300; i++)
        {
            await log.AppendAsync(MakeEvent(i, 60));
            Clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.True(log.Segments.Count > 4);
        Assert.Equal(0, await log.FindOffsetAsync(start.AddDays(-1)));
        Assert.Equal(0, await log.FindOffsetAsync(start));
        Assert.Equal(1, await log.FindOffsetAsync(start.AddMilliseconds(1)));
        Assert.Equal(137, await log.FindOffsetAsync(start.AddSeconds(137)));
        Assert.Equal(299, await log.FindOffsetAsync(start.AddSeconds(299)));
        Assert.Equal(300, await log.FindOffsetAsync(start.AddSeconds(299.5)));
    }

    [Fact]
    public async Task Store_times_never_go_backwards_when_the_clock_does()
    {
        await using var log = await OpenAsync(Options(Disk, Clock));
        await log.AppendAsync(MakeEvent(0));
        Clock.AdjustTime(Clock.GetUtcNow().AddMinutes(-5));
        await log.AppendAsync(MakeEvent(1));
        var all = await ReadAllAsync(log);
        Assert.Equal(all[0].StoreTime, all[1].StoreTime);
    }

    [Fact]
    public async Task Reopen_continues_where_the_log_ended()
    {
        var options = Options(Disk, Clock, segmentSize: 4096);
        await using (var log = await OpenAsync(options))
        {
            for (var i = 0; i < 120; i++)
            {
                await log.AppendAsync(MakeEvent(i, 80));
            }
        }

        await using (var log = await OpenAsync(options))
        {
            Assert.True(log.Recovery.WasClean);
            Assert.Null(log.Recovery.TruncatedFile);
            Assert.Equal(120, log.NextOffset);
            Assert.Equal(120, await log.AppendAsync(MakeEvent(120, 80)));
            var all = await ReadAllAsync(log);
            Assert.Equal(Enumerable.Range(0, 121).Select(i => (long)i), all.Select(a => DataNumber(a.Event)));
        }
    }

    [Fact]
    public async Task A_second_open_of_the_same_log_is_refused()
    {
        await using var log = await OpenAsync(Options(Disk, Clock));
        var e = await Assert.ThrowsAsync<IOException>(async () => await EventLog.OpenAsync(Options(Disk, Clock)));
        Assert.Contains("locked", e.Message);
    }

    [Fact]
    public async Task Seal_now_starts_a_new_segment_and_an_empty_segment_is_not_sealed()
    {
        await using var log = await OpenAsync(Options(Disk, Clock, segmentSize: 1 << 20));
        await log.SealAsync();
        Assert.Single(log.Segments);
        await log.AppendAsync(MakeEvent(0));
        await log.SealAsync();
        Assert.Equal(2, log.Segments.Count);
        Assert.Equal(1, log.Segments[1].BaseOffset);
        Assert.Equal(1, await log.AppendAsync(MakeEvent(1)));
    }

    [Fact]
    public async Task Truncate_drops_the_suffix_across_segments_and_appends_continue()
    {
        var options = Options(Disk, Clock, segmentSize: 4096);
        await using (var log = await OpenAsync(options))
        {
            for (var i = 0; i < 200; i++)
            {
                await log.AppendAsync(MakeEvent(i, 80));
            }

            await log.TruncateAsync(57);
            Assert.Equal(57, log.NextOffset);
            Assert.Equal(57, await log.AppendAsync(MakeEvent(1057, 80)));
            await Assert.ThrowsAsync<OffsetOutOfRangeException>(async () => await log.TruncateAsync(500));
        }

        await using (var log = await OpenAsync(options))
        {
            var all = await ReadAllAsync(log);
            Assert.Equal(Enumerable.Range(0, 57).Select(i => (long)i).Append(1057), all.Select(a => DataNumber(a.Event)));
        }
    }

    [Fact]
    public async Task A_failing_disk_fails_the_appends_and_faults_the_log_until_reopened()
    {
        var options = Options(Disk, Clock);
        var log = await OpenAsync(options);
        await log.AppendAsync(MakeEvent(0));
        // A broken disk, not a full one (DiskFullTests): the log faults.
        Disk.FailWrites("input/output error");
        var error = await Assert.ThrowsAsync<IOException>(async () => await log.AppendAsync(MakeEvent(1)));
        Assert.Contains("input/output error", error.Message);
        await Assert.ThrowsAsync<IOException>(async () => await log.AppendAsync(MakeEvent(2)));
        await log.DisposeAsync();
        Disk.ClearFault();
        await using var reopened = await OpenAsync(options);
        Assert.Equal(1, reopened.NextOffset);
        Assert.Equal(1, await reopened.AppendAsync(MakeEvent(1)));
    }

    [Fact]
    public async Task Appends_after_dispose_are_refused()
    {
        var log = await OpenAsync(Options(Disk, Clock));
        await log.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await log.AppendAsync(MakeEvent(0)));
    }

    [Fact]
    public async Task Backpressure_holds_appends_beyond_the_pending_limit_and_releases_them()
    {
        var options = Options(Disk, Clock, SyncPolicy.Always, segmentSize: 1 << 20) with { MaxPendingBytes = 8192 };
        await using var log = await OpenAsync(options);
        log.InlineIdleThreshold = long.MaxValue;
        var pending = new List<ValueTask<long>>();
        using (var gate = Disk.GateSyncs())
        {
            // The writer waits in its first sync while the rest arrive: they fill the pending limit and then wait for room.
#pragma warning disable CA2012 // awaited below, each once
            pending.Add(log.AppendAsync(MakeEvent(0, 100)));
            await gate.ArrivalsAsync(1);
            pending.AddRange(Enumerable.Range(1, 499).Select(i => log.AppendAsync(MakeEvent(i, 100))));
#pragma warning restore CA2012
            Assert.True(log.HeldCount > 0, "backpressure held nothing");
        }

        for (var i = 0; i < pending.Count; i++)
        {
            Assert.Equal(i, await pending[i]);
        }
    }

    [Fact]
    public async Task A_burst_leaves_only_a_few_batch_buffers_behind()
    {
        var options = Options(Disk, Clock, SyncPolicy.Always, segmentSize: 8 << 20) with { MaxPendingBytes = 8 << 20 };
        await using var log = await OpenAsync(options);
        log.InlineIdleThreshold = long.MaxValue;
        var pending = new List<Task<long>>();
        using (var gate = Disk.GateSyncs())
        {
            // About 1.7 MB queue behind the first sync: several 256 KiB batches at once.
            pending.Add(log.AppendAsync(MakeEvent(0, 100)).AsTask());
            await gate.ArrivalsAsync(1);
            for (var i = 1; i < 10_000; i++)
            {
                pending.Add(log.AppendAsync(MakeEvent(i, 100)).AsTask());
            }
        }

        await Task.WhenAll(pending);
        await log.WhenIdleAsync();
        Assert.InRange(log.PooledBatches, 1, 4);
    }

    // The time limit only turns a hang into a failure; nothing here depends on how long anything takes.
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_tail_waiter_is_released_by_dispose_and_reads_after_it_are_refused()
    {
        var log = await OpenAsync(Options(Disk, Clock));
        await log.AppendAsync(MakeEvent(0));
        var wait = log.WaitForAsync(1).AsTask();
        await using var tail = log.TailAsync(1).GetAsyncEnumerator();
        var tailed = tail.MoveNextAsync().AsTask();
        Assert.False(wait.IsCompleted);
        await log.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => wait.WaitAsync(HangGuard));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => tailed.WaitAsync(HangGuard));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await log.ReadAsync(0));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await log.WaitForAsync(5));
    }

    [Fact]
    public async Task A_tail_waiter_is_released_by_a_write_fault()
    {
        await using var log = await OpenAsync(Options(Disk, Clock));
        await log.AppendAsync(MakeEvent(0));
        var wait = log.WaitForAsync(1).AsTask();
        Disk.FailWrites("the disk is gone");
        await Assert.ThrowsAsync<IOException>(async () => await log.AppendAsync(MakeEvent(1)));
        var error = await Assert.ThrowsAsync<IOException>(() => wait.WaitAsync(HangGuard));
        Assert.Contains("the disk is gone", error.Message);
        Disk.ClearFault();
    }
}
