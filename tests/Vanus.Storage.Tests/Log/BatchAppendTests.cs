using Microsoft.Extensions.Time.Testing;
using Vanus.Runtime.Events;
using Vanus.Storage.Files;
using static Vanus.Storage.Tests.TestLogs;

namespace Vanus.Storage.Tests.Log;

public class BatchAppendTests
{
    private readonly ISimulatedFileSystem _fs = FileSystems.Simulated();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));

    private static List<Event> Batch(int from, int count, int dataSize = 40) => [.. Enumerable.Range(from, count).Select(i => MakeEvent(i, dataSize))];

    [Theory]
    [InlineData(SyncPolicy.Always)]
    [InlineData(SyncPolicy.Interval)]
    [InlineData(SyncPolicy.None)]
    public async Task A_batch_gets_consecutive_offsets_and_returns_the_first(SyncPolicy sync)
    {
        await using var log = await OpenAsync(Options(_fs, _time, sync, segmentSize: 4096));
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
        await using var log = await OpenAsync(Options(_fs, _time, segmentSize: 4096));
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
        await using var log = await OpenAsync(Options(_fs, _time));
        await Assert.ThrowsAsync<ArgumentException>(async () => await log.AppendBatchAsync([]));
        await Assert.ThrowsAsync<ArgumentException>(async () => await log.AppendBatchAsync([MakeEvent(0), null!]));
        Assert.Equal(0, log.NextOffset);
    }

    [Fact]
    public async Task Batches_held_by_backpressure_stay_whole_and_in_order_with_single_appends()
    {
        var options = Options(_fs, _time, SyncPolicy.None, segmentSize: 1 << 20) with { MaxPendingBytes = 4096 };
        await using var log = await OpenAsync(options);
        log.InlineIdleThreshold = long.MaxValue;
        var expected = new List<(int First, int Count)>();
        var pending = new List<ValueTask<long>>();
        var n = 0;
        using (_fs.HoldSyncs())
        {
            for (var i = 0; i < 60; i++)
            {
                var count = (i % 7) + 1;
                expected.Add((n, count));
#pragma warning disable CA2012 // each awaited once below
                pending.Add(count == 1 ? log.AppendAsync(MakeEvent(n, 100)) : log.AppendBatchAsync(Batch(n, count, 100)));
#pragma warning restore CA2012
                n += count;
            }
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
        var options = Options(_fs, _time, SyncPolicy.Always, segmentSize: 8192);
        var log = await OpenAsync(options);
        Assert.Equal(0, await log.AppendBatchAsync(Batch(0, 120)));
        _fs.PowerLoss(new Random(7));
        log.Abandon();

        await using var reopened = await OpenAsync(options);
        var all = await ReadAllAsync(reopened);
        Assert.Equal(Enumerable.Range(0, 120).Select(i => (long)i), all.Select(s => s.Offset));
        Assert.Equal(120, await reopened.AppendAsync(MakeEvent(120)));
    }
}
