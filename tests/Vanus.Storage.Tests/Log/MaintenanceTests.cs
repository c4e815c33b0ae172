using Vanus.Storage.Tiers;
using static Vanus.Storage.Tests.TestLogs;

namespace Vanus.Storage.Tests.Log;

/// <summary>Maintenance (tier moves and retention) against the rest of the log's life.</summary>
public class MaintenanceTests : SimulatedDiskTests
{

    /// <summary>A store whose puts wait until the test lets them go or their caller cancels.</summary>
    private sealed class StallingStore(IObjectStore inner) : IObjectStore
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Entered => _entered.Task;

        public void Release() => _release.TrySetResult();

        public async Task PutAsync(string key, Stream content, long length, CancellationToken cancellationToken = default)
        {
            _entered.TrySetResult();
            await _release.Task.WaitAsync(cancellationToken);
            await inner.PutAsync(key, content, length, cancellationToken);
        }

        public Task<int> ReadAsync(string key, long position, Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(key, position, buffer, cancellationToken);

        public Task<IReadOnlyList<ObjectInfo>> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

        public Task DeleteAsync(string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);

        public string Describe(string key) => inner.Describe(key);

        public void Dispose() => inner.Dispose();
    }

    [Fact]
    public async Task Dispose_stops_a_running_maintenance_and_waits_for_it_before_closing()
    {
        Disk.CreateDirectory("/sim/cold");
        using var store = new StallingStore(ObjectStores.Directory("/sim/cold", Disk));
        var options = Options(Disk, Clock, segmentSize: 4096) with { Tiers = new TierOptions { ColdStore = store, HotMaxBytes = 4096, ColdChunkSize = 4096 } };
        var log = await OpenAsync(options);
        for (var i = 0; i < 100; i++)
        {
            await log.AppendAsync(MakeEvent(i, 100));
        }

        // The maintenance task itself, not a Task.Run wrapper: a wrapper completes a moment after what it wraps, and the
        // check below raced with that.
        var maintain = log.MaintainAsync().AsTask();
        try
        {
            await store.Entered;
            await log.DisposeAsync();
            Assert.True(maintain.IsCompleted, "the log closed while its maintenance was still uploading");
            await Assert.ThrowsAsync<ObjectDisposedException>(() => maintain);
        }
        finally
        {
            store.Release();
        }

        await using var reopened = await OpenAsync(options);
        Assert.True(reopened.Recovery.WasClean);
        Assert.All(reopened.Segments, s => Assert.Equal(SegmentTier.Hot, s.Tier));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), (await ReadAllAsync(reopened)).Select(s => DataNumber(s.Event)));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await log.MaintainAsync());
    }
}
