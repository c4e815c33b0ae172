using Vanus.Runtime.Broker;
using Vanus.Storage.Files;
using Vanus.Storage.Tests.Tiers;
using static Vanus.Storage.Tests.TestLogs;

namespace Vanus.Storage.Tests.Log;

/// <summary>Truncation racing the other operations of the log, and failing part-way.</summary>
public class TruncationTests : SimulatedDiskTests
{

    private async Task<Vanus.Storage.Log.SegmentLog> FilledAsync(EventLogOptions options, int count = 100)
    {
        var log = await OpenAsync(options);
        for (var i = 0; i < count; i++)
        {
            await log.AppendAsync(MakeEvent(i, 100));
        }

        return log;
    }

    [Fact]
    public async Task A_flush_and_a_seal_during_a_truncation_wait_for_it_and_the_log_goes_on()
    {
        await using var log = await FilledAsync(Options(Disk, Clock, SyncPolicy.Always, segmentSize: 4096));
        Task truncate, flush, seal;
        using (var gate = Disk.GateSyncs())
        {
            // Started on the pool: the truncation may run synchronously into the held sync.
            truncate = Task.Run(() => log.TruncateAsync(40).AsTask());

            // The truncation holds the writer role and waits in the sync of its checkpoint.
            await gate.ArrivalsAsync(1);
            flush = log.FlushAsync().AsTask();
            seal = log.SealAsync().AsTask();
        }

        await truncate;
        await flush;
        await seal;
        Assert.Equal(40, log.NextOffset);
        Assert.Equal(40, await log.AppendAsync(MakeEvent(1040, 100)));
        Assert.Equal(Enumerable.Range(0, 40).Append(1040).Select(i => (long)i), (await ReadAllAsync(log)).Select(a => DataNumber(a.Event)));
    }

    [Fact]
    public async Task A_dispose_during_a_truncation_waits_for_it_and_closes_cleanly()
    {
        var options = Options(Disk, Clock, SyncPolicy.Always, segmentSize: 4096);
        var log = await FilledAsync(options);
        Task truncate, dispose;
        using (var gate = Disk.GateSyncs())
        {
            // Started on the pool: the truncation may run synchronously into the held sync.
            truncate = Task.Run(() => log.TruncateAsync(40).AsTask());
            await gate.ArrivalsAsync(1);
            dispose = log.DisposeAsync().AsTask();
        }

        await truncate;
        await dispose;
        await using var reopened = await OpenAsync(options);
        Assert.True(reopened.Recovery.WasClean);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => (long)i), (await ReadAllAsync(reopened)).Select(a => DataNumber(a.Event)));
    }

    [Fact]
    public async Task A_truncation_failing_after_its_checkpoint_faults_the_log_and_a_reopen_finds_it_whole()
    {
        for (var step = 0; ; step++)
        {
            var (fs, options, log, crashed) = await TruncateCrashingAtAsync(step);
            if (!crashed)
            {
                Assert.True(step > 5, $"a truncation took only {step} steps");
                await log.DisposeAsync();
                break;
            }

            // Half-applied state must never take appends: the log refuses them until it is reopened.
            var error = await Assert.ThrowsAsync<IOException>(async () => await log.AppendAsync(MakeEvent(5000, 100)));
            Assert.Contains("accepts no more appends", error.Message);
            log.Abandon();

            await using var reopened = await OpenAsync(options);
            var all = await ReadAllAsync(reopened);
            // Whole, or cut as asked once the redo checkpoint is written: never part-way, never cut records back.
            Assert.True(all.Count is 57 or 200, $"step {step}: {all.Count} records");
            Assert.Equal(Enumerable.Range(0, all.Count).Select(i => (long)i), all.Select(a => DataNumber(a.Event)));
            Assert.Equal(all.Count, await reopened.AppendAsync(MakeEvent(all.Count, 100)));
        }
    }

    [Fact]
    public async Task A_truncation_cut_short_by_a_crash_and_a_power_loss_is_finished_or_undone_whole_at_the_next_open()
    {
        for (var step = 0; ; step++)
        {
            var (fs, options, log, crashed) = await TruncateCrashingAtAsync(step);
            log.Abandon();
            fs.PowerLoss(new Random(step));
            await using var reopened = await OpenAsync(options);
            var all = await ReadAllAsync(reopened);
            Assert.True(all.Count is 57 or 200, $"step {step}: {all.Count} records");
            Assert.True(crashed || all.Count == 57, $"a truncation that finished came back after a power loss: {all.Count} records");
            Assert.Equal(Enumerable.Range(0, all.Count).Select(i => (long)i), all.Select(a => DataNumber(a.Event)));
            if (!crashed)
            {
                break;
            }
        }
    }

    /// <summary>Fills a log of 200 records on a fresh disk and truncates it to 57 with a crash armed at <paramref name="step"/>.</summary>
    private async Task<(ISimulatedFileSystem Fs, EventLogOptions Options, Vanus.Storage.Log.SegmentLog Log, bool Crashed)> TruncateCrashingAtAsync(int step)
    {
        var fs = FileSystems.Simulated();
        var crash = new CrashSwitch();
        var options = Options(new CrashingFileSystem(fs, crash), Clock, SyncPolicy.Always, segmentSize: 4096);
        var log = await FilledAsync(options, 200);
        crash.ArmAt(step);
        var crashed = false;
        try
        {
            await log.TruncateAsync(57);
        }
        catch (SimulatedCrashException)
        {
            crashed = true;
        }

        crash.Disarm();
        return (fs, options, log, crashed);
    }

    [Fact]
    public async Task A_reader_that_started_before_a_truncation_reads_the_log_as_it_is_after_it()
    {
        await using var log = await FilledAsync(Options(Disk, Clock, SyncPolicy.Always, segmentSize: 4096), 200);
        var before = log.View;
        await log.TruncateAsync(57);

        // The reader holds the tail and catalog from before: past the cut it finds zeros or removed segments, which are
        // the truncation's doing and not damage.
        var read = await log.ReadAsync(50, 1 << 20, before, CancellationToken.None);
        Assert.Equal(Enumerable.Range(50, 7).Select(i => (long)i), read.Select(s => s.Offset));
        await Assert.ThrowsAsync<OffsetOutOfRangeException>(async () => await log.ReadAsync(100, 1 << 20, before, CancellationToken.None));
        await Assert.ThrowsAsync<OffsetOutOfRangeException>(async () => await log.ReadAsync(60, 1 << 20, before, CancellationToken.None));

        // After new appends, the stale reader sees them, never the records that were cut.
        for (var i = 0; i < 30; i++)
        {
            await log.AppendAsync(MakeEvent(1000 + i, 100));
        }

        var again = await log.ReadAsync(55, 1 << 20, before, CancellationToken.None);
        Assert.Equal(new long[] { 55, 56 }.Concat(Enumerable.Range(1000, 30).Select(i => (long)i)), again.Select(s => DataNumber(s.Event)));
    }
}
