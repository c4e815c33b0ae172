using Vanus.Runtime.Broker;
using static Vanus.Storage.Tests.TestLogs;

namespace Vanus.Storage.Tests.Log;

public class RetentionTests : SimulatedDiskTests
{

    [Fact]
    public async Task Segments_older_than_the_age_limit_are_deleted_whole_and_the_rest_stays_readable()
    {
        var options = Options(Disk, Clock, segmentSize: 4096) with { Retention = new RetentionOptions { MaxAge = TimeSpan.FromHours(1) } };
        await using var log = await OpenAsync(options);
        for (var i = 0; i < 200; i++)
        {
            await log.AppendAsync(MakeEvent(i, 100));
            Clock.Advance(TimeSpan.FromMinutes(1));
        }

        var before = log.Segments;
        var report = await log.MaintainAsync();
        Assert.NotEmpty(report.Deleted);
        var after = log.Segments;
        Assert.Equal(before.Count - report.Deleted.Count, after.Count);
        Assert.Equal(after[0].BaseOffset, log.EarliestOffset);

        // Every deleted segment's newest event was older than an hour; the first kept one has a newer event.
        var cutoff = Clock.GetUtcNow().AddHours(-1);
        var kept = await log.ReadAsync(log.EarliestOffset, 1 << 20);
        Assert.True(kept.Max(k => k.StoreTime) >= cutoff);
        Assert.Equal(log.EarliestOffset, kept[0].Offset);
        Assert.All(report.Deleted, b => Assert.False(Disk.Exists($"{Dir}/{b:D20}.seg") || Disk.Exists($"{Dir}/{b:D20}.idx")));
        await Assert.ThrowsAsync<OffsetOutOfRangeException>(async () => await log.ReadAsync(0));
        Assert.Equal(log.EarliestOffset, await log.FindOffsetAsync(DateTimeOffset.MinValue));
    }

    [Fact]
    public async Task The_oldest_segments_go_while_the_log_is_over_its_size_limit()
    {
        var options = Options(Disk, Clock, segmentSize: 4096) with { Retention = new RetentionOptions { MaxBytes = 20_000 } };
        await using (var log = await OpenAsync(options))
        {
            for (var i = 0; i < 400; i++)
            {
                await log.AppendAsync(MakeEvent(i, 100));
            }

            var report = await log.MaintainAsync();
            Assert.NotEmpty(report.Deleted);
            Assert.True(log.Segments.Sum(s => s.StoredBytes) <= 20_000);
            Assert.True(log.Segments.Sum(s => s.StoredBytes) > 20_000 - 4096);
            Assert.Empty((await log.MaintainAsync()).Deleted);
        }

        await using (var log = await OpenAsync(options))
        {
            var all = await ReadAllAsync(log);
            Assert.Equal(400 - log.EarliestOffset, all.Count);
            Assert.Equal(399, DataNumber(all[^1].Event));
        }
    }

    [Fact]
    public async Task The_active_segment_is_never_deleted()
    {
        var options = Options(Disk, Clock, segmentSize: 1 << 20) with { Retention = new RetentionOptions { MaxAge = TimeSpan.FromSeconds(1), MaxBytes = 100 } };
        await using var log = await OpenAsync(options);
        for (var i = 0; i < 20; i++)
        {
            await log.AppendAsync(MakeEvent(i, 100));
        }

        Clock.Advance(TimeSpan.FromDays(1));
        Assert.Empty((await log.MaintainAsync()).Deleted);
        Assert.Equal(20, (await ReadAllAsync(log)).Count);
    }

    [Fact]
    public async Task A_reader_in_a_segment_being_deleted_gets_a_clear_error_or_its_events()
    {
        var options = Options(Disk, Clock, segmentSize: 4096) with { Retention = new RetentionOptions { MaxBytes = 5000 } };
        await using var log = await OpenAsync(options);
        for (var i = 0; i < 100; i++)
        {
            await log.AppendAsync(MakeEvent(i, 100));
        }

        var reads = Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                try
                {
                    var batch = await log.ReadAsync(0, 1000);
                    Assert.Equal(0, batch[0].Offset);
                }
                catch (OffsetOutOfRangeException)
                {
                }
            }
        });
        await log.MaintainAsync();
        await reads;
        Assert.True(log.EarliestOffset > 0);
    }
}
