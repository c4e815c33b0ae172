using Microsoft.Extensions.Time.Testing;
using Vanus.Runtime.Broker;
using Vanus.Storage.Files;
using Vanus.Testing.Disk;
using static Vanus.Storage.Tests.TestLogs;

namespace Vanus.Storage.Tests.Log;

/// <summary>
/// A full disk refuses appends (never faulting the log), keeps reads going and lets appends resume once space returns;
/// nothing acknowledged is lost and nothing refused is stored.
/// </summary>
public class DiskFullTests : SimulatedDiskTests
{
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(1);

    [Theory]
    [InlineData(SyncPolicy.Always)]
    [InlineData(SyncPolicy.Interval)]
    [InlineData(SyncPolicy.None)]
    public async Task A_full_disk_refuses_appends_serves_reads_and_resumes_when_space_returns(SyncPolicy sync)
    {
        var options = Options(Disk, Clock, sync) with { FullRetryInterval = Retry };
        var log = await OpenAsync(options);

        // Room for three 8 KiB segments and a little: the fourth cannot be allocated.
        Disk.SetCapacity(Disk.UsedBytes + (3 * 8192) + 600);
        var stored = await AppendUntilFullAsync(log, 0);
        Assert.InRange(stored, 100, 400);
        Assert.Equal(stored, log.NextOffset);
        Assert.Equal(Enumerable.Range(0, stored).Select(i => (long)i), (await ReadAllAsync(log)).Select(e => DataNumber(e.Event)));

        // Refused at once while the retry interval runs, and again by the disk after it while it stays full.
        var used = Disk.UsedBytes;
        await Assert.ThrowsAsync<StorageFullException>(async () => await log.AppendAsync(MakeEvent(stored, 100)));
        Assert.Equal(used, Disk.UsedBytes);
        Clock.Advance(Retry);
        await Assert.ThrowsAsync<StorageFullException>(async () => await log.AppendAsync(MakeEvent(stored, 100)));
        Assert.Equal(stored, log.NextOffset);

        // A flush is not an append: it holds (what is stored was synced).
        await log.FlushAsync();

        // Space returns: after the interval the next append tries the disk and is stored, at the next offset.
        Disk.SetCapacity(null);
        Clock.Advance(Retry);
        for (var i = stored; i < stored + 50; i++)
        {
            Assert.Equal(i, await log.AppendAsync(MakeEvent(i, 100)));
        }

        await log.DisposeAsync();
        await using var reopened = await OpenAsync(options);
        Assert.True(reopened.Recovery.WasClean);
        Assert.Equal(Enumerable.Range(0, stored + 50).Select(i => (long)i), (await ReadAllAsync(reopened)).Select(e => DataNumber(e.Event)));
    }

    [Fact]
    public async Task Concurrent_appends_on_a_filling_disk_are_answered_stored_exactly_when_they_were()
    {
        var options = Options(Disk, Clock, SyncPolicy.Always, segmentSize: 4096) with { FullRetryInterval = Retry };
        await using var log = await OpenAsync(options);
        log.InlineIdleThreshold = long.MaxValue;
        Disk.SetCapacity(Disk.UsedBytes + (6 * 4096) + 300);

        // Waves of appends queue behind each other's writes and seals until the disk fills under them.
        var acknowledged = new Dictionary<long, long>();
        var refused = 0;
        for (var wave = 0; wave < 40 && refused == 0; wave++)
        {
            var pending = Enumerable.Range(wave * 20, 20).Select(n => (n, Task: log.AppendAsync(MakeEvent(n, 150)).AsTask())).ToList();
            foreach (var (n, task) in pending)
            {
                try
                {
                    acknowledged[await task] = n;
                }
                catch (StorageFullException)
                {
                    refused++;
                }
            }
        }

        Assert.True(refused > 0, "the disk never filled");

        // What is stored is exactly what was acknowledged: each at the offset its append was given, nothing refused among it.
        var all = await ReadAllAsync(log);
        Assert.Equal(acknowledged.Count, all.Count);
        Assert.All(all, e => Assert.Equal(acknowledged[e.Offset], DataNumber(e.Event)));
    }

    [Fact]
    public async Task A_seal_the_disk_cannot_hold_completes_the_records_before_it_and_leaves_the_segment_active()
    {
        var options = Options(Disk, Clock, SyncPolicy.Always, segmentSize: 4096) with { FullRetryInterval = Retry };
        await using var log = await OpenAsync(options);
        log.InlineIdleThreshold = long.MaxValue;

        // Fill most of the first segment, then room for nothing more than it: the next seal cannot write its index.
        var n = 0;
        while (log.Segments[^1].StoredBytes < 3000)
        {
            await log.AppendAsync(MakeEvent(n++, 150));
        }

        Disk.SetCapacity(Disk.UsedBytes + 10);
        Task<long> sealing, refused;
        using (var gate = Disk.GateSyncs())
        {
            // The writer holds in its sync of a first append; behind it two more fit the segment and one does not, so the
            // batch of the two carries the seal and the last goes to the successor.
            var first = log.AppendAsync(MakeEvent(n, 150)).AsTask();
            await gate.ArrivalsAsync(1);
            var second = log.AppendAsync(MakeEvent(n + 1, 150)).AsTask();
            sealing = log.AppendAsync(MakeEvent(n + 2, 150)).AsTask();
            refused = log.AppendAsync(MakeEvent(n + 3, 900)).AsTask();
            gate.Allow(int.MaxValue);
            Assert.Equal(n, await first);
            Assert.Equal(n + 1, await second);
        }

        // The records written and synced before the failed seal are stored and answered so; the one after it is refused.
        Assert.Equal(n + 2, await sealing);
        await Assert.ThrowsAsync<StorageFullException>(() => refused);
        Assert.Equal(n + 3, log.NextOffset);
        var segments = log.Segments;
        Assert.Single(segments);
        Assert.False(segments[0].Sealed);
        Assert.Equal(n + 3, (await ReadAllAsync(log)).Count);

        // Space returns: the seal is tried again and the log goes on in a new segment.
        Disk.SetCapacity(null);
        Clock.Advance(Retry);
        Assert.Equal(n + 3, await log.AppendAsync(MakeEvent(n + 3, 900)));
        Assert.Equal(2, log.Segments.Count);
        Assert.True(log.Segments[0].Sealed);
        Assert.Equal(Enumerable.Range(0, n + 4).Select(i => (long)i), (await ReadAllAsync(log)).Select(e => DataNumber(e.Event)));
    }

    [Fact]
    public async Task A_batch_that_fits_a_segment_never_straddles_a_seal_so_a_full_disk_refuses_all_of_it()
    {
        var options = Options(Disk, Clock, SyncPolicy.Always, segmentSize: 4096) with { FullRetryInterval = Retry };
        await using var log = await OpenAsync(options);
        var n = 0;
        while (log.Segments[^1].StoredBytes < 3000)
        {
            await log.AppendAsync(MakeEvent(n++, 150));
        }

        Disk.SetCapacity(Disk.UsedBytes + 10);
        var batch = Enumerable.Range(n, 6).Select(i => MakeEvent(i, 150)).ToList();
        await Assert.ThrowsAsync<StorageFullException>(async () => await log.AppendBatchAsync(batch));
        Assert.Equal(n, log.NextOffset);

        Disk.SetCapacity(null);
        Clock.Advance(Retry);
        Assert.Equal(n, await log.AppendBatchAsync(batch));

        // The whole batch went into the new segment, though the first of it would have fitted the old one.
        var segments = log.Segments;
        Assert.Equal(2, segments.Count);
        Assert.Equal(n, segments[1].BaseOffset);
    }

    [Fact]
    public async Task An_append_larger_than_a_segment_cut_by_a_full_disk_says_which_of_its_events_were_stored()
    {
        var options = Options(Disk, Clock, SyncPolicy.Always, segmentSize: 4096) with { FullRetryInterval = Retry };
        await using var log = await OpenAsync(options);
        await log.AppendAsync(MakeEvent(0, 150));
        Disk.SetCapacity(Disk.UsedBytes + 4096 + 600);

        // About 20 KB: five segments' worth, of which the disk holds the rest of this one and one more.
        var batch = Enumerable.Range(1, 100).Select(i => MakeEvent(i, 150)).ToList();
        var error = await Assert.ThrowsAsync<StorageFullException>(async () => await log.AppendBatchAsync(batch));
        Assert.Equal(1, error.StoredOffset);
        Assert.InRange(error.StoredCount, 1, 99);
        Assert.Equal(1 + error.StoredCount, log.NextOffset);
        Assert.Equal(Enumerable.Range(0, 1 + error.StoredCount).Select(i => (long)i), (await ReadAllAsync(log)).Select(e => DataNumber(e.Event)));
    }

    [Fact]
    public async Task A_new_log_takes_no_space_until_its_first_append_allocates_a_segment()
    {
        var options = Options(Disk, Clock, SyncPolicy.Always, segmentSize: 64 << 10) with { FullRetryInterval = Retry };
        Disk.SetCapacity(32 << 10);

        // Half a segment of room: the log opens, and its first append is refused, storing nothing.
        await using (var log = await OpenAsync(options))
        {
            Assert.True(Disk.UsedBytes < 1024, $"a new log took {Disk.UsedBytes} bytes");
            await Assert.ThrowsAsync<StorageFullException>(async () => await log.AppendAsync(MakeEvent(0)));
            Assert.Equal(0, log.NextOffset);
            Disk.SetCapacity(null);
            Clock.Advance(Retry);
            Assert.Equal(0, await log.AppendAsync(MakeEvent(0)));
            Assert.Equal(64 << 10, Disk.ReadAllBytes(Disk.List(Dir, ".seg").Single()).Length);
        }
    }

    [SkippableFact]
    public async Task On_a_real_full_tmpfs_appends_are_refused_as_full_and_resume_once_a_file_is_deleted()
    {
        using var mount = TmpfsMount.TryMount(1 << 20, out var why);
        Skip.If(mount is null, why);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = Options(FileSystems.Local, clock, SyncPolicy.Always, segmentSize: 128 << 10, dir: Path.Combine(mount!.Path, "log")) with { FullRetryInterval = Retry };
        var filler = mount.Fill("filler", 512 << 10);

        await using var log = await OpenAsync(options);
        var stored = await AppendUntilFullAsync(log, 0, dataSize: 1000);
        Assert.True(stored > 0);
        Assert.Equal(stored, (await ReadAllAsync(log)).Count);

        File.Delete(filler);
        clock.Advance(Retry);
        Assert.Equal(stored, await log.AppendAsync(MakeEvent(stored, 1000)));
        Assert.Equal(Enumerable.Range(0, stored + 1).Select(i => (long)i), (await ReadAllAsync(log)).Select(e => DataNumber(e.Event)));
    }

    /// <summary>Appends one event at a time from <paramref name="from"/> until the disk refuses one; returns how many were stored.</summary>
    private static async Task<int> AppendUntilFullAsync(IEventLog log, int from, int dataSize = 100)
    {
        for (var i = from; i < from + 100_000; i++)
        {
            try
            {
                Assert.Equal(i, await log.AppendAsync(MakeEvent(i, dataSize)));
            }
            catch (StorageFullException)
            {
                return i - from;
            }
        }

        throw new InvalidOperationException("the disk never filled");
    }
}
