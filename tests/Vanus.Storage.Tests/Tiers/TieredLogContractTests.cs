using Microsoft.Extensions.Time.Testing;
using Vanus.Runtime.Broker;
using Vanus.Storage.Files;
using Vanus.Storage.Tiers;
using static Vanus.Storage.Tests.TestLogs;

namespace Vanus.Storage.Tests.Tiers;

/// <summary>A log whose sealed segments move hot → warm → cold; run once per cold object store.</summary>
public abstract class TieredLogContractTests : SimulatedDiskTests
{
    private const string Warm = "/sim/warm";
    private readonly string _prefix = "logs/" + Guid.NewGuid().ToString("N")[..8] + "/";

    /// <summary>The cold store under test; <paramref name="fs"/> is the simulated disk, for stores that keep files.</summary>
    protected abstract IObjectStore CreateStore(ISimulatedFileSystem fs);

    private EventLogOptions TieredOptions(IObjectStore store, IFileSystem? fs = null, string? prefix = null) =>
        Options(fs ?? Disk, Clock, segmentSize: 4096) with
        {
            Tiers = new TierOptions
            {
                WarmDirectory = Warm,
                ColdStore = store,
                ColdPrefix = prefix ?? _prefix,
                HotMaxBytes = 3 * 4096,
                WarmMaxBytes = 2 * 4096,
                ColdChunkSize = 4096,
                CacheMaxBytes = 3 * 4096,
            },
        };

    private async Task FillAsync(IEventLog log, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await log.AppendAsync(MakeEvent(i, 100));
            Clock.Advance(TimeSpan.FromSeconds(1));
        }
    }

    [Fact]
    public async Task Reads_span_hot_warm_and_cold_segments_and_survive_a_reopen()
    {
        using var store = CreateStore(Disk);
        var options = TieredOptions(store);
        var start = Clock.GetUtcNow();
        await using (var log = await OpenAsync(options))
        {
            await FillAsync(log, 300);
            var report = await log.MaintainAsync();
            Assert.NotEmpty(report.MovedToWarm);
            Assert.NotEmpty(report.MovedToCold);
            var tiers = log.Segments.Select(s => s.Tier).ToList();
            Assert.Contains(SegmentTier.Hot, tiers);
            Assert.Contains(SegmentTier.Warm, tiers);
            Assert.Contains(SegmentTier.Cold, tiers);
            Assert.Equal(tiers.OrderByDescending(t => t), tiers);

            var all = await ReadAllAsync(log);
            Assert.Equal(Enumerable.Range(0, 300).Select(i => (long)i), all.Select(a => DataNumber(a.Event)));
            Assert.True(log.CacheBytes <= 3 * 4096);
            Assert.Equal(5, await log.FindOffsetAsync(start.AddSeconds(5)));
            var warmOffset = log.Segments.First(s => s.Tier == SegmentTier.Warm).BaseOffset + 1;
            Assert.Equal(warmOffset, await log.FindOffsetAsync(start.AddSeconds(warmOffset)));
            Assert.Equal(290, await log.FindOffsetAsync(start.AddSeconds(290)));
        }

        await using (var log = await OpenAsync(options))
        {
            Assert.Contains(SegmentTier.Cold, log.Segments.Select(s => s.Tier));
            Assert.Equal(Enumerable.Range(0, 300).Select(i => (long)i), (await ReadAllAsync(log)).Select(a => DataNumber(a.Event)));
            Assert.Equal(300, await log.AppendAsync(MakeEvent(300, 100)));
        }
    }

    [Fact]
    public async Task Cold_segments_are_compressed()
    {
        using var store = CreateStore(Disk);
        await using var log = await OpenAsync(TieredOptions(store));
        await FillAsync(log, 300);
        await log.MaintainAsync();
        var cold = log.Segments.Where(s => s.Tier == SegmentTier.Cold).ToList();
        Assert.NotEmpty(cold);
        // Each segment held about 4 KiB of repetitive events; compressed, its object is much smaller.
        Assert.All(cold, s => Assert.InRange(s.StoredBytes, 100, 2500));
        var objects = await store.ListAsync(_prefix);
        Assert.Equal(cold.Select(s => s.StoredBytes), objects.Select(o => o.Size));
    }

    [Fact]
    public async Task Retention_deletes_whole_segments_from_every_tier()
    {
        using var store = CreateStore(Disk);
        var options = TieredOptions(store);
        await using (var log = await OpenAsync(options))
        {
            await FillAsync(log, 300);
            await log.MaintainAsync();
        }

        var byAge = options with { Retention = new RetentionOptions { MaxAge = TimeSpan.FromSeconds(40) } };
        await using (var log = await OpenAsync(byAge))
        {
            var report = await log.MaintainAsync();
            Assert.NotEmpty(report.Deleted);
            Assert.Empty(await store.ListAsync(_prefix));
            Assert.Empty(Disk.List(Warm, ".seg"));
            Assert.All(log.Segments, s => Assert.Equal(SegmentTier.Hot, s.Tier));
            var kept = await ReadAllAsync(log);
            Assert.Equal(299, DataNumber(kept[^1].Event));
            Assert.Equal(log.EarliestOffset, kept[0].Offset);
        }
    }

    [Fact]
    public async Task A_damaged_cold_object_beside_a_local_copy_is_dropped_and_the_local_copy_kept()
    {
        using var store = CreateStore(Disk);
        var options = Options(Disk, Clock, segmentSize: 4096) with { Tiers = new TierOptions { ColdStore = store, ColdPrefix = _prefix, HotMaxBytes = 1 << 20 } };
        await using (var log = await OpenAsync(options))
        {
            for (var i = 0; i < 100; i++)
            {
                await log.AppendAsync(MakeEvent(i, 100));
            }
        }

        // What an upload that went wrong before the move finished could leave: an object that is not the segment.
        await store.PutAsync(_prefix + "00000000000000000000.vseg", new MemoryStream(new byte[100]), 100);
        await using (var log = await OpenAsync(options))
        {
            Assert.Equal(SegmentTier.Hot, log.Segments[0].Tier);
            Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), (await ReadAllAsync(log)).Select(a => DataNumber(a.Event)));
            Assert.Empty(await store.ListAsync(_prefix));
        }
    }

    /// <summary>A store that reports a put done but keeps a damaged copy: short by ten bytes, or with a byte of the header changed.</summary>
    private sealed class DamagingStore(IObjectStore inner, bool truncate) : IObjectStore
    {
        public async Task PutAsync(string key, Stream content, long length, CancellationToken cancellationToken = default)
        {
            var bytes = new byte[length];
            await content.ReadExactlyAsync(bytes, cancellationToken);
            if (!truncate)
            {
                bytes[40] ^= 0x20;
            }

            var kept = truncate ? bytes.Length - 10 : bytes.Length;
            await inner.PutAsync(key, new MemoryStream(bytes, 0, kept), kept, cancellationToken);
        }

        public Task<int> ReadAsync(string key, long position, Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(key, position, buffer, cancellationToken);

        public Task<IReadOnlyList<ObjectInfo>> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

        public Task DeleteAsync(string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);

        public string Describe(string key) => inner.Describe(key);

        public void Dispose() => inner.Dispose();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_upload_that_does_not_read_back_whole_leaves_the_segment_where_it_was(bool truncate)
    {
        using var store = new DamagingStore(CreateStore(Disk), truncate);
        var options = TieredOptions(store);
        await using var log = await OpenAsync(options);
        await FillAsync(log, 300);
        var error = await Assert.ThrowsAsync<IOException>(async () => await log.MaintainAsync());
        Assert.Contains("did not verify", error.Message);
        Assert.DoesNotContain(SegmentTier.Cold, log.Segments.Select(s => s.Tier));
        Assert.Empty(await store.ListAsync(_prefix));
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (long)i), (await ReadAllAsync(log)).Select(a => DataNumber(a.Event)));
    }

    [Fact]
    public async Task A_crash_at_any_step_of_a_move_loses_nothing_and_duplicates_nothing()
    {
        // Every step starts from the same state (a fresh disk and a fresh cold prefix) and crashes one step later.
        for (var step = 0; ; step++)
        {
            var fs = FileSystems.Simulated();
            var crash = new CrashSwitch();
            var prefix = _prefix + step + "/";
            using var store = new CrashingObjectStore(CreateStore(fs), crash);
            var options = TieredOptions(store, new CrashingFileSystem(fs, crash), prefix);
            var log = await OpenAsync(options);
            await FillAsync(log, 200);
            await log.FlushAsync();
            crash.ArmAt(step);
            var crashed = false;
            try
            {
                await log.MaintainAsync();
            }
            catch (SimulatedCrashException)
            {
                crashed = true;
            }

            crash.Disarm();
            log.Abandon();
            fs.PowerLoss(new Random(step));
            await using (var reopened = await OpenAsync(options))
            {
                var all = await ReadAllAsync(reopened);
                Assert.True(Enumerable.Range(0, 200).Select(i => (long)i).SequenceEqual(all.Select(a => DataNumber(a.Event))), $"step {step}: the events read back differ");
                var hot = fs.List(Dir, ".seg").Select(Path.GetFileNameWithoutExtension);
                var warm = fs.List(Warm, ".seg").Select(Path.GetFileNameWithoutExtension);
                var cold = (await store.ListAsync(prefix)).Select(o => Path.GetFileNameWithoutExtension(o.Key));
                var places = hot.Concat(warm).Concat(cold).ToList();
                Assert.True(places.Count == places.Distinct().Count(), $"step {step}: a segment is in two places: {string.Join(", ", places)}");
                Assert.Equal(reopened.Segments.Count, places.Count);

                // The interrupted pass finishes on the next maintenance.
                await reopened.MaintainAsync();
                Assert.Equal(200, (await ReadAllAsync(reopened)).Count);
                Assert.Contains(SegmentTier.Cold, reopened.Segments.Select(s => s.Tier));
            }

            if (!crashed)
            {
                Assert.True(step > 10, $"a whole maintenance pass took only {step} steps");
                break;
            }
        }
    }
}

public sealed class DirectoryTieredLogTests : TieredLogContractTests
{
    protected override IObjectStore CreateStore(ISimulatedFileSystem fs)
    {
        fs.CreateDirectory("/sim/cold");
        return ObjectStores.Directory("/sim/cold", fs);
    }

    [Fact]
    public async Task A_damaged_cold_object_is_reported_with_its_key()
    {
        var fs = FileSystems.Simulated();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
        using var store = CreateStore(fs);
        var options = Options(fs, time, segmentSize: 4096) with
        {
            Tiers = new TierOptions { ColdStore = store, HotMaxBytes = 4096, ColdChunkSize = 4096, CacheMaxBytes = 8192 },
        };
        await using (var log = await OpenAsync(options))
        {
            for (var i = 0; i < 100; i++)
            {
                await log.AppendAsync(MakeEvent(i, 100));
            }

            await log.MaintainAsync();
        }

        var first = fs.List("/sim/cold", ".vseg").Order().First();
        var bytes = fs.ReadAllBytes(first);
        fs.Corrupt(first, bytes.Length - 10, [0x00, 0x11, 0x22]);
        await using (var log = await OpenAsync(options))
        {
            var error = await Assert.ThrowsAsync<LogCorruptedException>(async () => await ReadAllAsync(log));
            Assert.Contains(first, error.Message);
        }
    }

    [Fact]
    public async Task A_cold_segment_whose_summary_disagrees_with_the_next_segment_is_reported()
    {
        var fs = FileSystems.Simulated();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
        using var store = CreateStore(fs);
        EventLogOptions ColdLog(string dir, string prefix) => Options(fs, time, segmentSize: 4096, dir: dir) with
        {
            Tiers = new TierOptions { ColdStore = store, ColdPrefix = prefix, HotMaxBytes = 4096, ColdChunkSize = 4096, CacheMaxBytes = 8192 },
        };

        foreach (var (dir, prefix, size) in new[] { ("/sim/a", "a/", 100), ("/sim/b", "b/", 300) })
        {
            await using var log = await OpenAsync(ColdLog(dir, prefix));
            for (var i = 0; i < 100; i++)
            {
                await log.AppendAsync(MakeEvent(i, size));
            }

            await log.MaintainAsync();
        }

        // A whole, valid object of segment 0 from a log with larger events: it ends well before log a's next segment.
        var foreign = fs.ReadAllBytes("/sim/cold/b/00000000000000000000.vseg");
        using (var file = fs.Open("/sim/cold/a/00000000000000000000.vseg", create: false))
        {
            file.SetLength(0);
            file.Write(0, foreign);
            file.Sync();
        }

        await using (var log = await OpenAsync(ColdLog("/sim/a", "a/")))
        {
            // Run on the pool, with a limit that only turns an endless loop into a failure.
            var read = Task.Run(async () => await ReadAllAsync(log));
            var error = await Assert.ThrowsAsync<LogCorruptedException>(() => read.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("a/00000000000000000000.vseg", error.Message);
            Assert.Contains("next segment begins", error.Message);
        }
    }

    [Fact]
    public async Task Opening_removes_what_puts_interrupted_by_a_crash_left_in_the_store()
    {
        var fs = FileSystems.Simulated();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
        using var store = CreateStore(fs);
        var options = Options(fs, time, segmentSize: 4096) with { Tiers = new TierOptions { ColdStore = store, ColdPrefix = "log/", HotMaxBytes = 4096 } };

        // A put that died before its rename leaves its temporary file; another log's, under another prefix, is not ours.
        fs.CreateDirectory("/sim/cold/log");
        fs.CreateDirectory("/sim/cold/other");
        fs.Open("/sim/cold/log/00000000000000000007.vseg.0123456789abcdef.part", create: true).Dispose();
        fs.Open("/sim/cold/other/00000000000000000007.vseg.0123456789abcdef.part", create: true).Dispose();
        await using var log = await OpenAsync(options);
        Assert.Empty(fs.List("/sim/cold/log", ".part"));
        Assert.Single(fs.List("/sim/cold/other", ".part"));
    }

    [Fact]
    public async Task Tier_limits_without_a_place_to_move_to_are_refused()
    {
        var options = Options(FileSystems.Simulated()) with { Tiers = new TierOptions { HotMaxBytes = 10 } };
        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await EventLog.OpenAsync(options));
        Assert.Contains("neither a warm directory nor a cold store", error.Message);
    }
}

[Collection("s3rver")]
public sealed class S3TieredLogTests(S3rverFixture s3rver) : TieredLogContractTests
{
    protected override IObjectStore CreateStore(ISimulatedFileSystem fs) => s3rver.CreateStore();
}
