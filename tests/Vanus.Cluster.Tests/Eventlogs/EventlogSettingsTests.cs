using Vanus.Cluster.Eventlogs;
using Vanus.Runtime.Broker;
using Vanus.Storage.Tiers;

namespace Vanus.Cluster.Tests.Eventlogs;

public sealed class EventlogSettingsTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private EventlogSettings Settings(TierOptions? tiers) =>
        new(Path.Combine(_folder.Path, "eventlogs"), tiers, 1 << 20, TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(1), TimeProvider.System);

    [Fact]
    public void Each_eventlog_gets_its_own_folders_and_cold_prefix()
    {
        using var cold = ObjectStores.Directory(Path.Combine(_folder.Path, "cold"));
        var template = new TierOptions
        {
            WarmDirectory = Path.Combine(_folder.Path, "warm"),
            CacheDirectory = Path.Combine(_folder.Path, "cache"),
            ColdStore = cold,
            ColdPrefix = "node-a/",
            HotMaxAge = TimeSpan.FromHours(1),
        };
        var settings = Settings(template);
        var options = settings.OptionsFor(new EventlogConfig("default", "orders", "inc1", 3, SyncPolicy.Always, RetentionOptions.Forever));

        Assert.Equal(Path.Combine(_folder.Path, "eventlogs", "inc1", "3"), options.Directory);
        Assert.Equal(SyncPolicy.Always, options.Sync);
        Assert.Equal(1 << 20, options.SegmentSize);
        Assert.Equal(Path.Combine(_folder.Path, "warm", "inc1", "3"), options.Tiers!.WarmDirectory);
        Assert.Equal(Path.Combine(_folder.Path, "cache", "inc1", "3"), options.Tiers.CacheDirectory);
        Assert.Equal("node-a/inc1/3/", options.Tiers.ColdPrefix);
        Assert.Same(cold, options.Tiers.ColdStore);
        Assert.Equal(TimeSpan.FromHours(1), options.Tiers.HotMaxAge);
        Assert.Null(Settings(null).OptionsFor(new EventlogConfig("default", "orders", "inc1", 0, SyncPolicy.Interval, RetentionOptions.Forever)).Tiers);
    }

    [Fact]
    public async Task Removing_storage_clears_every_tier_of_one_eventlog_only()
    {
        using var cold = ObjectStores.Directory(Path.Combine(_folder.Path, "cold"));
        var settings = Settings(new TierOptions { WarmDirectory = Path.Combine(_folder.Path, "warm"), ColdStore = cold });
        foreach (var index in new[] { 0, 1 })
        {
            Directory.CreateDirectory(settings.DirectoryOf("inc1", index));
            await File.WriteAllTextAsync(Path.Combine(settings.DirectoryOf("inc1", index), "segment"), "hot");
            Directory.CreateDirectory(settings.TiersOf("inc1", index)!.WarmDirectory!);
            await cold.PutAsync($"inc1/{index}/00000000", new MemoryStream([1, 2, 3]), 3);
        }

        await settings.RemoveStorageAsync("inc1", 0);

        Assert.False(Directory.Exists(settings.DirectoryOf("inc1", 0)));
        Assert.False(Directory.Exists(settings.TiersOf("inc1", 0)!.WarmDirectory));
        Assert.Empty(await cold.ListAsync("inc1/0/"));
        Assert.True(Directory.Exists(settings.DirectoryOf("inc1", 1)));
        Assert.Single(await cold.ListAsync("inc1/1/"));

        await settings.RemoveStorageAsync("inc1", 1);
        Assert.False(Directory.Exists(Path.Combine(_folder.Path, "eventlogs", "inc1")));
        Assert.Empty(await cold.ListAsync("inc1/"));

        // Removing again finds nothing and is no error (a delete retried after a restart).
        await settings.RemoveStorageAsync("inc1", 1);
    }

    [Theory]
    [InlineData("0123abcd:0", "0123abcd", 0)]
    [InlineData("0123abcd:63", "0123abcd", 63)]
    public void Entity_ids_parse_back(string entityId, string incarnation, int index)
    {
        Assert.True(EventlogId.TryParse(entityId, out var parsed));
        Assert.Equal((incarnation, index), (parsed.Incarnation, parsed.Index));
        Assert.Equal(entityId, new EventlogId(incarnation, index).EntityId);
    }

    [Theory]
    [InlineData("")]
    [InlineData(":1")]
    [InlineData("abc")]
    [InlineData("abc:x")]
    [InlineData("../x:1")]
    public void Foreign_entity_ids_do_not_parse(string entityId) => Assert.False(EventlogId.TryParse(entityId, out _));
}
