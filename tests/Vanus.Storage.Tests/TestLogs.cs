using System.Text;
using Microsoft.Extensions.Time.Testing;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;
using Vanus.Storage.Files;
using Vanus.Storage.Log;

namespace Vanus.Storage.Tests;

/// <summary>Events, options and log handles shared by the storage tests.</summary>
internal static class TestLogs
{
    public const string Dir = "/sim/log";

    public static Event MakeEvent(long n, int dataSize = 40) =>
        new($"e-{n}", "/tests", "test.appended")
        {
            Data = Encoding.UTF8.GetBytes($"{n}:".PadRight(Math.Max(dataSize, 8), 'x')),
            DataContentType = "text/plain",
        };

    public static long DataNumber(Event e) => long.Parse(e.DataText!.Split(':')[0], System.Globalization.CultureInfo.InvariantCulture);

    public static EventLogOptions Options(IFileSystem fs, TimeProvider? time = null, SyncPolicy sync = SyncPolicy.Always, long segmentSize = 8192, string dir = Dir) =>
        new(dir)
        {
            FileSystem = fs,
            Time = time ?? new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero)),
            Sync = sync,
            SegmentSize = segmentSize,
            IndexIntervalBytes = 512,
            SyncInterval = TimeSpan.FromMilliseconds(10),
            MaxPendingBytes = 1 << 20,
        };

    public static async Task<SegmentLog> OpenAsync(EventLogOptions options) => (SegmentLog)await EventLog.OpenAsync(options);

    public static async Task<List<StoredEvent>> ReadAllAsync(IEventLog log, long from = -1)
    {
        var all = new List<StoredEvent>();
        var offset = from < 0 ? log.EarliestOffset : from;
        while (offset < log.NextOffset)
        {
            var batch = await log.ReadAsync(offset, 4096);
            Assert.NotEmpty(batch);
            all.AddRange(batch);
            offset = batch[^1].Offset + 1;
        }

        return all;
    }

    /// <summary>Holds the simulated disk's syncs at a gate the test opens one by one.</summary>
    public static SimulatedFileSystem.SyncGate GateSyncs(this ISimulatedFileSystem fs) => ((SimulatedFileSystem)fs).GateSyncs();

    /// <summary>File handles of the simulated disk opened and not yet disposed.</summary>
    public static int OpenHandles(this ISimulatedFileSystem fs) => ((SimulatedFileSystem)fs).OpenHandles;

    public static string TempDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "vanus-storage-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}

/// <summary>What most storage tests start from: an empty simulated disk and a fake clock at a fixed instant.</summary>
public abstract class SimulatedDiskTests
{
    /// <summary>The simulated file system the test's logs live on.</summary>
    protected ISimulatedFileSystem Disk { get; } = FileSystems.Simulated();

    /// <summary>The clock the test's logs run on.</summary>
    protected FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
}
