using Vanus.Storage.Tiers;
using static Vanus.Storage.Tests.TestLogs;

namespace Vanus.Storage.Tests.Tiers;

/// <summary>The local cache of cold chunks: where it may live, what it deletes and what it trusts.</summary>
public class ChunkCacheTests : SimulatedDiskTests
{
    private const string Cold = "/sim/cold";
    private const string Cache = "/sim/cache";

    private EventLogOptions ColdOptions(IObjectStore store, string dir, string prefix) =>
        // Segments of four chunks: a reader keeps only the last chunk it read in memory, so a second read goes to the cache.
        Options(Disk, Clock, segmentSize: 4 * 4096, dir: dir) with
        {
            Tiers = new TierOptions
            {
                ColdStore = store,
                ColdPrefix = prefix,
                HotMaxBytes = 4 * 4096,
                ColdChunkSize = 4096,
                CacheDirectory = Cache,
                CacheMaxBytes = 1 << 20,
            },
        };

    private IObjectStore Store()
    {
        Disk.CreateDirectory(Cold);
        return ObjectStores.Directory(Cold, Disk);
    }

    private static Vanus.Runtime.Events.Event Other(long n) => MakeEvent(n, 100) with { Source = "/other" };

    [Fact]
    public async Task A_cache_directory_that_is_the_log_or_the_warm_directory_is_refused_with_the_field()
    {
        using var store = Store();
        var tiers = new TierOptions { ColdStore = store, WarmDirectory = "/sim/warm" };
        foreach (var cache in new[] { "/sim/warm", "/sim/warm/", Dir, Dir + "/." })
        {
            var options = Options(Disk, Clock) with { Tiers = tiers with { CacheDirectory = cache } };
            var error = await Assert.ThrowsAsync<ArgumentException>(async () => await EventLog.OpenAsync(options));
            Assert.Equal("CacheDirectory", error.ParamName);
        }

        var warmIsHot = Options(Disk, Clock) with { Tiers = tiers with { WarmDirectory = Dir } };
        Assert.Equal("WarmDirectory", (await Assert.ThrowsAsync<ArgumentException>(async () => await EventLog.OpenAsync(warmIsHot))).ParamName);
    }

    [Fact]
    public async Task Opening_the_cache_deletes_only_chunk_files()
    {
        using var store = Store();
        Disk.CreateDirectory(Cache);
        Disk.Open(Cache + "/notes.txt", create: true).Dispose();
        Disk.Open(Cache + "/old.chunk", create: true).Dispose();
        await using var log = await OpenAsync(ColdOptions(store, Dir, "a/"));
        Assert.True(Disk.Exists(Cache + "/notes.txt"));
        Assert.False(Disk.Exists(Cache + "/old.chunk"));
    }

    [Fact]
    public async Task Two_logs_sharing_a_cache_directory_each_read_their_own_events()
    {
        using var store = Store();
        await using var a = await OpenAsync(ColdOptions(store, "/sim/a", "a/"));
        await using var b = await OpenAsync(ColdOptions(store, "/sim/b", "b/"));
        for (var i = 0; i < 400; i++)
        {
            await a.AppendAsync(MakeEvent(i, 100));
            await b.AppendAsync(Other(i));
        }

        Assert.NotEmpty((await a.MaintainAsync()).MovedToCold);
        Assert.NotEmpty((await b.MaintainAsync()).MovedToCold);

        // Same base offsets, same chunk indexes, same sizes: only the cold key tells the chunks apart.
        Assert.All(await ReadAllAsync(a), s => Assert.Equal("/tests", s.Event.Source));
        Assert.All(await ReadAllAsync(b), s => Assert.Equal("/other", s.Event.Source));
        Assert.All(await ReadAllAsync(a), s => Assert.Equal("/tests", s.Event.Source));
    }

    [Fact]
    public async Task A_damaged_cached_chunk_is_fetched_again()
    {
        using var store = Store();
        await using var log = await OpenAsync(ColdOptions(store, Dir, "a/"));
        for (var i = 0; i < 400; i++)
        {
            await log.AppendAsync(MakeEvent(i, 100));
        }

        await log.MaintainAsync();
        var expected = (await ReadAllAsync(log)).Select(s => s.Event).ToList();
        var chunks = Disk.List(Cache, ".chunk");
        Assert.NotEmpty(chunks);
        foreach (var chunk in chunks)
        {
            Disk.Corrupt(chunk, 100, [0xFF, 0x00, 0xFF]);
        }

        Assert.Equal(expected, (await ReadAllAsync(log)).Select(s => s.Event));
    }
}
