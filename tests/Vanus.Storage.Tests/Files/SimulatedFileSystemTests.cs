using Vanus.Storage.Files;

namespace Vanus.Storage.Tests.Files;

public class SimulatedFileSystemTests
{
    private static ISimulatedFileSystem NewFs()
    {
        var fs = FileSystems.Simulated();
        fs.CreateDirectory("/d");
        return fs;
    }

    [Fact]
    public void Synced_bytes_survive_a_power_loss_and_unsynced_ones_may_not()
    {
        var fs = NewFs();
        using (var f = fs.Open("/d/a", create: true))
        {
            f.Write(0, [1, 2, 3]);
            f.Sync();
            f.Write(3, [4, 5, 6]);
        }

        var seen = new HashSet<string>();
        for (var seed = 0; seed < 200; seed++)
        {
            var copy = NewFs();
            using (var f = copy.Open("/d/a", create: true))
            {
                f.Write(0, [1, 2, 3]);
                f.Sync();
                copy.SyncDirectory("/d");
                f.Write(3, [4, 5, 6]);
            }

            copy.PowerLoss(new Random(seed));
            var bytes = copy.ReadAllBytes("/d/a");
            Assert.Equal([1, 2, 3], bytes[..3]);
            seen.Add(Convert.ToHexString(bytes));
        }

        // Dropped entirely, kept entirely and torn part-way all happen.
        Assert.Contains("010203", seen);
        Assert.Contains("010203040506", seen);
        Assert.True(seen.Count > 2);
    }

    [Fact]
    public void Creates_renames_and_deletes_are_durable_only_once_their_directory_is_synced()
    {
        var outcomes = new HashSet<string>();
        for (var seed = 0; seed < 100; seed++)
        {
            var fs = NewFs();
            using (var f = fs.Open("/d/kept", create: true))
            {
                f.Write(0, [1]);
                f.Sync();
            }

            fs.SyncDirectory("/d");
            using (var f = fs.Open("/d/new", create: true))
            {
                f.Write(0, [2]);
                f.Sync();
            }

            fs.Rename("/d/kept", "/d/renamed");
            fs.PowerLoss(new Random(seed));
            var names = string.Join(",", fs.List("/d", "").Select(Path.GetFileName).Order());
            outcomes.Add(names);

            // Whatever survived has its synced content, and exactly one of the old or the new name holds the renamed file.
            Assert.True(fs.Exists("/d/kept") ^ fs.Exists("/d/renamed"), $"seed {seed}: {names}");
            Assert.Equal([1], fs.ReadAllBytes(fs.Exists("/d/kept") ? "/d/kept" : "/d/renamed"));
        }

        Assert.Equal(["kept", "kept,new", "new,renamed", "renamed"], outcomes.Order());

        var synced = NewFs();
        synced.Open("/d/a", create: true).Dispose();
        synced.Open("/d/b", create: true).Dispose();
        synced.SyncDirectory("/d");
        synced.Delete("/d/a");
        synced.SyncDirectory("/d");
        synced.Delete("/d/b");
        synced.PowerLoss(new Random(3));
        Assert.False(synced.Exists("/d/a"));
    }

    [Fact]
    public void Handles_die_with_the_power()
    {
        var fs = NewFs();
        var f = fs.Open("/d/a", create: true);
        fs.PowerLoss(new Random(1));
        Assert.Throws<IOException>(() => f.Write(0, [1]));
        using var again = fs.Open("/d/a", create: false);
        again.Write(0, [1]);
    }

    [Fact]
    public void Preallocated_files_read_as_zeros_and_set_length_shrinks()
    {
        var fs = NewFs();
        using var f = fs.Open("/d/a", create: true, preallocate: 100);
        Assert.Equal(100, f.Length);
        f.Write(10, [9, 9]);
        f.SetLength(11);
        f.SetLength(20);
        var bytes = fs.ReadAllBytes("/d/a");
        Assert.Equal(20, bytes.Length);
        Assert.Equal(9, bytes[10]);
        Assert.Equal(0, bytes[11]);
    }

    [Fact]
    public void Locks_are_exclusive_until_released_or_the_power_goes()
    {
        var fs = NewFs();
        var l = fs.Lock("/d/LOCK");
        Assert.Throws<IOException>(() => fs.Lock("/d/LOCK"));
        l.Dispose();
        fs.Lock("/d/LOCK");
        fs.PowerLoss(new Random(0));
        fs.Lock("/d/LOCK").Dispose();
    }

    [Fact]
    public void Missing_files_and_directories_are_reported()
    {
        var fs = NewFs();
        Assert.Throws<FileNotFoundException>(() => fs.Open("/d/none", create: false));
        Assert.Throws<DirectoryNotFoundException>(() => fs.Open("/nowhere/a", create: true));
        Assert.Throws<FileNotFoundException>(() => fs.Rename("/d/none", "/d/b"));
    }

    [Fact]
    public void A_failing_disk_fails_writes_and_syncs_until_cleared()
    {
        var fs = NewFs();
        using var f = fs.Open("/d/a", create: true);
        fs.FailWrites("disk full");
        var error = Assert.Throws<IOException>(() => f.Write(0, [1]));
        Assert.Contains("disk full", error.Message);
        Assert.Throws<IOException>(f.Sync);
        fs.ClearFault();
        f.Write(0, [1]);
        f.Sync();
    }

    [Fact]
    public void Local_file_system_does_the_same_operations()
    {
        var dir = TestLogs.TempDirectory();
        try
        {
            var fs = FileSystems.Local;
            var path = Path.Combine(dir, "a.seg");
            using (var f = fs.Open(path, create: true, preallocate: 4096))
            {
                Assert.Equal(4096, f.Length);
                f.Write(0, [1, 2, 3]);
                f.Write(3, [new byte[] { 4 }, new byte[] { 5, 6 }]);
                f.Sync();
                var back = new byte[6];
                Assert.Equal(6, f.Read(0, back));
                Assert.Equal([1, 2, 3, 4, 5, 6], back);
                f.SetLength(6);
                Assert.Equal(6, f.Length);
            }

            fs.SyncDirectory(dir);
            fs.Rename(path, path + ".b");
            Assert.Single(fs.List(dir, ".b"));
            using (var l = fs.Lock(Path.Combine(dir, "LOCK")))
            {
                Assert.Throws<IOException>(() => fs.Lock(Path.Combine(dir, "LOCK")));
            }

            fs.Delete(path + ".b");
            Assert.False(fs.Exists(path + ".b"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
