using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;
using static Vanus.Storage.Tests.TestLogs;

namespace Vanus.Storage.Tests.Log;

public class BatchAppendTests : SimulatedDiskTests
{

    private static List<Event> Batch(int from, int count, int dataSize = 40) => [.. Enumerable.Range(from, count).Select(i => MakeEvent(i, dataSize))];

    [Theory]
    [InlineData(SyncPolicy.Always)]
    [InlineData(SyncPolicy.Interval)]
    [InlineData(SyncPolicy.None)]
    public async Task A_batch_gets_consecutive_offsets_and_returns_the_first(SyncPolicy sync)
    {
        await using var log = await OpenAsync(Options(Disk, Clock, sync, segmentSize: 4096));
        Assert.Equal(0, await log.AppendAsync(MakeEvent(0)));
        Assert.Equal(1, await log.AppendBatchAsync(Batch(1, 150)));
        Assert.Equal(151, await log.AppendBatchAsync(Batch(151, 1)));
        Assert.Equal(152, log.NextOffset);

        // 150 records of ~100 bytes span several 4 KiB segments: the batch rolls segments on its way.
        Assert.True(log.Segments.Count > 3);
        var all = await ReadAllAsync(log);
        Assert.Equal(Enumerable.Range(0, 152).Select(i => (long)i), all.Select(s => s.Offset));
        Assert.All(all, s => Assert.Equal(s.Offset, DataNumber(s.Event)));
    }

    [Fact]
    public async Task A_batch_with_an_event_too_large_stores_none_of_it_and_names_the_index()
    {
        await using var log = await OpenAsync(Options(Disk, Clock, segmentSize: 4096));
        var batch = Batch(0, 5);
        batch[3] = MakeEvent(3, 5000);
        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await log.AppendBatchAsync(batch));
        Assert.Contains("index 3 of the batch", error.Message);
        Assert.Equal(0, log.NextOffset);
        Assert.Equal(0, await log.AppendBatchAsync(Batch(0, 2)));
        Assert.Equal(2, (await ReadAllAsync(log)).Count);
    }

    [Fact]
    public async Task An_empty_or_null_batch_is_refused()
    {
        await using var log = await OpenAsync(Options(Disk, Clock));
        await Assert.ThrowsAsync<ArgumentException>(async () => await log.AppendBatchAsync([]));
        await Assert.ThrowsAsync<ArgumentException>(async () => await log.AppendBatchAsync([MakeEvent(0), null!]));
        Assert.Equal(0, log.NextOffset);
    }

    [Fact]
    public async Task Batches_held_by_backpressure_stay_whole_and_in_order_with_single_appends()
    {
        var options = Options(Disk, Clock, SyncPolicy.Always, segmentSize: 1 << 20) with { MaxPendingBytes = 4096 };
        await using var log = await OpenAsync(options);
        log.InlineIdleThreshold = long.MaxValue;
        var expected = new List<(int First, int Count)>();
        var pending = new List<ValueTask<long>>();
        var n = 0;
        using (var gate = Disk.GateSyncs())
        {
            // The writer waits in its first sync while the rest arrive: they fill the pending limit and then wait for room.
#pragma warning disable CA2012 // awaited below
            pending.Add(log.AppendAsync(MakeEvent(n, 100)));
#pragma warning restore CA2012
            expected.Add((n++, 1));
            await gate.ArrivalsAsync(1);
            for (var i = 1; i < 60; i++)
            {
                var count = (i % 7) + 1;
                expected.Add((n, count));
#pragma warning disable CA2012 // each awaited once below
                pending.Add(count == 1 ? log.AppendAsync(MakeEvent(n, 100)) : log.AppendBatchAsync(Batch(n, count, 100)));
#pragma warning restore CA2012
                n += count;
            }

            Assert.True(log.HeldCount > 0, "backpressure held nothing");
        }

        for (var i = 0; i < pending.Count; i++)
        {
            Assert.Equal(expected[i].First, await pending[i]);
        }

        var all = await ReadAllAsync(log);
        Assert.Equal(Enumerable.Range(0, n).Select(i => (long)i), all.Select(s => s.Offset));
        Assert.All(all, s => Assert.Equal(s.Offset, DataNumber(s.Event)));
    }

    [Fact]
    public async Task Under_always_a_completed_batch_survives_a_power_loss()
    {
        var options = Options(Disk, Clock, SyncPolicy.Always, segmentSize: 8192);
        var log = await OpenAsync(options);
        Assert.Equal(0, await log.AppendBatchAsync(Batch(0, 120)));
        Disk.PowerLoss(new Random(7));
        log.Abandon();

        await using var reopened = await OpenAsync(options);
        var all = await ReadAllAsync(reopened);
        Assert.Equal(Enumerable.Range(0, 120).Select(i => (long)i), all.Select(s => s.Offset));
        Assert.Equal(120, await reopened.AppendAsync(MakeEvent(120)));
    }

    [Fact]
    public async Task A_batch_held_by_backpressure_is_placed_whole_even_when_a_truncation_comes_next()
    {
        var options = Options(Disk, Clock, SyncPolicy.Always, segmentSize: 1 << 20) with { MaxPendingBytes = 4096 };
        await using var log = await OpenAsync(options);
        log.InlineIdleThreshold = long.MaxValue;
        Task<long> first, batch;
        Task truncate;
        using (var gate = Disk.GateSyncs())
        {
            first = log.AppendAsync(MakeEvent(0, 100)).AsTask();
            await gate.ArrivalsAsync(1);

            // About 10 KiB against a 4 KiB limit with bytes pending: held.
            batch = log.AppendBatchAsync(Batch(1, 60, 100)).AsTask();
            Assert.True(log.HeldCount > 0, "the batch was not held");

            // The first sync completes and room frees up: the writer places what it may and stops in the next sync.
            gate.Allow(1);
            await gate.ArrivalsAsync(2);

            // The truncation waits for the writer (it cannot block this thread) and then cuts after offset 0.
            truncate = log.TruncateAsync(1).AsTask();
        }

        await truncate;
        Assert.Equal(0, await first);
        Assert.Equal(1, await batch);
        var all = await ReadAllAsync(log);

        // Placed whole before the truncation (and so cut whole by it), or whole after it: never split around it.
        Assert.True(all.Count is 1 or 61, $"the log holds {all.Count} records: the batch was split by the truncation");
        Assert.Equal(Enumerable.Range(0, all.Count).Select(i => (long)i), all.Select(s => DataNumber(s.Event)));
    }
}
