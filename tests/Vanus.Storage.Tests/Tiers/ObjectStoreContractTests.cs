using Vanus.Storage.Files;
using Vanus.Storage.Tiers;

namespace Vanus.Storage.Tests.Tiers;

/// <summary>What every object store must do; run once per implementation.</summary>
public abstract class ObjectStoreContractTests
{
    private readonly string _prefix = "contract-" + Guid.NewGuid().ToString("N")[..8] + "/";

    protected abstract IObjectStore CreateStore();

    private static MemoryStream Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return new MemoryStream(bytes);
    }

    [Fact]
    public async Task A_put_object_reads_back_whole_and_by_range()
    {
        using var store = CreateStore();
        var content = Bytes(100_000, 1);
        await store.PutAsync(_prefix + "a", content, content.Length);
        var whole = new byte[100_000];
        Assert.Equal(100_000, await store.ReadAsync(_prefix + "a", 0, whole));
        Assert.Equal(content.ToArray(), whole);
        var range = new byte[1000];
        Assert.Equal(1000, await store.ReadAsync(_prefix + "a", 5000, range));
        Assert.Equal(content.ToArray()[5000..6000], range);
        Assert.Equal(500, await store.ReadAsync(_prefix + "a", 99_500, range));
        Assert.Equal(0, await store.ReadAsync(_prefix + "a", 100_000, range));
    }

    [Fact]
    public async Task A_missing_object_is_reported_by_key()
    {
        using var store = CreateStore();
        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => store.ReadAsync(_prefix + "none", 0, new byte[10]));
        Assert.Contains("none", error.Message);
    }

    [Fact]
    public async Task List_returns_the_prefix_objects_in_key_order_with_sizes()
    {
        using var store = CreateStore();
        await store.PutAsync(_prefix + "b", Bytes(20, 2), 20);
        await store.PutAsync(_prefix + "a", Bytes(10, 3), 10);
        await store.PutAsync(_prefix + "c", Bytes(0, 4), 0);
        var listed = await store.ListAsync(_prefix);
        Assert.Equal([new ObjectInfo(_prefix + "a", 10), new ObjectInfo(_prefix + "b", 20), new ObjectInfo(_prefix + "c", 0)], listed);
        Assert.Empty(await store.ListAsync(_prefix + "zz"));
    }

    [Fact]
    public async Task A_put_replaces_and_a_delete_is_idempotent()
    {
        using var store = CreateStore();
        await store.PutAsync(_prefix + "k", Bytes(50, 5), 50);
        await store.PutAsync(_prefix + "k", Bytes(30, 6), 30);
        Assert.Equal(30, Assert.Single(await store.ListAsync(_prefix)).Size);
        await store.DeleteAsync(_prefix + "k");
        await store.DeleteAsync(_prefix + "k");
        Assert.Empty(await store.ListAsync(_prefix));
    }

    [Fact]
    public async Task A_large_object_goes_up_in_parts_and_reads_back()
    {
        using var store = CreateStore();
        var content = Bytes(11 << 20, 7);
        await store.PutAsync(_prefix + "big", content, content.Length);
        Assert.Equal(11L << 20, Assert.Single(await store.ListAsync(_prefix)).Size);
        var tail = new byte[4096];
        Assert.Equal(4096, await store.ReadAsync(_prefix + "big", (11 << 20) - 4096, tail));
        Assert.Equal(content.ToArray()[^4096..], tail);
        var across = new byte[2 << 20];
        Assert.Equal(2 << 20, await store.ReadAsync(_prefix + "big", (5 << 20) - 1000, across));
        Assert.Equal(content.ToArray().AsSpan((5 << 20) - 1000, 2 << 20).ToArray(), across);
    }

    [Fact]
    public async Task Content_shorter_than_announced_fails_and_leaves_no_object()
    {
        using var store = CreateStore();
        await Assert.ThrowsAnyAsync<IOException>(() => store.PutAsync(_prefix + "short", Bytes(10, 8), 100));
        Assert.Empty(await store.ListAsync(_prefix));
    }
}

public sealed class DirectoryObjectStoreTests : ObjectStoreContractTests
{
    protected override IObjectStore CreateStore()
    {
        var fs = FileSystems.Simulated();
        fs.CreateDirectory("/sim/objects");
        return ObjectStores.Directory("/sim/objects", fs);
    }

    [Fact]
    public async Task Removing_incomplete_puts_deletes_only_the_temporary_files_of_accepted_keys()
    {
        var fs = FileSystems.Simulated();
        fs.CreateDirectory("/sim/objects/p");
        using var store = ObjectStores.Directory("/sim/objects", fs);
        await store.PutAsync("p/a", new MemoryStream([1, 2, 3]), 3);
        fs.Open("/sim/objects/p/a.0123456789abcdef0123456789abcdef.part", create: true).Dispose();
        fs.Open("/sim/objects/p/b.0123456789abcdef0123456789abcdef.part", create: true).Dispose();
        await store.RemoveIncompleteAsync("p/", key => key == "p/a");
        Assert.Equal(["/sim/objects/p/b.0123456789abcdef0123456789abcdef.part"], fs.List("/sim/objects/p", ".part"));
        Assert.Equal([new ObjectInfo("p/a", 3)], await store.ListAsync("p/"));
    }

    [Fact]
    public void Keys_that_escape_the_directory_are_refused()
    {
        using var store = CreateStore();
        Assert.Throws<ArgumentException>(() => store.Describe("../outside"));
    }
}

[Collection("s3rver")]
public sealed class S3ObjectStoreTests(S3rverFixture s3rver) : ObjectStoreContractTests
{
    protected override IObjectStore CreateStore() => s3rver.CreateStore();

    [Fact]
    public void An_etag_that_is_a_plain_md5_must_match_the_bytes_sent()
    {
        var md5 = Convert.FromHexString("9e107d9d372bb6826bd81d3542a419d6");
        Assert.Null(S3ObjectStore.EtagProblem("\"9e107d9d372bb6826bd81d3542a419d6\"", md5));
        Assert.Contains("9e107d9d372bb6826bd81d3542a419d6", S3ObjectStore.EtagProblem("\"00000000000000000000000000000000\"", md5));

        // Multipart and KMS ETags are not MD5s of the bytes: S3 checked Content-MD5 for those.
        Assert.Null(S3ObjectStore.EtagProblem("\"0123456789abcdef0123456789abcdef-3\"", md5));
        Assert.Null(S3ObjectStore.EtagProblem(null, md5));
    }

    [Fact]
    public void Parts_smaller_than_S3_allows_are_refused()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ObjectStores.S3(new S3StoreOptions(new Uri("http://127.0.0.1:1"), "b") { PartSize = 1024 }));
        Assert.Contains("at least", error.Message);
    }
}
