using Vanus.Runtime.Broker;
using static Vanus.Storage.Tests.TestLogs;

namespace Vanus.Storage.Tests.Log;

/// <summary>Runs alone: it counts the allocations of the whole process, since the writer runs on other threads.</summary>
[CollectionDefinition(nameof(AllocationTests), DisableParallelization = true)]
public sealed class AllocationCollection;

[Collection(nameof(AllocationTests))]
public class AllocationTests
{
    [Fact]
    public async Task The_write_path_allocates_nothing_per_event()
    {
        var dir = TempDirectory();
        try
        {
            await using var log = await OpenAsync(new EventLogOptions(dir) { Sync = SyncPolicy.None, SegmentSize = 8 << 20 });
            log.InlineIdleThreshold = long.MaxValue;
            var e = MakeEvent(1, 200);
            const int Count = 50_000;
            var pending = new ValueTask<long>[1024];

            async Task RunAsync(int count)
            {
                long issued = 0, observed = 0;
                while (issued < count)
                {
                    if (issued - observed == pending.Length)
                    {
                        await pending[observed++ % pending.Length];
                    }

#pragma warning disable CA2012 // kept in a ring, each consumed exactly once
                    pending[issued++ % pending.Length] = log.AppendAsync(e);
#pragma warning restore CA2012
                    while (observed < issued && pending[observed % pending.Length].IsCompleted)
                    {
                        await pending[observed++ % pending.Length];
                    }
                }

                while (observed < issued)
                {
                    await pending[observed++ % pending.Length];
                }
            }

            // Warm up pools, then measure the whole process (the writer runs on other threads).
            await RunAsync(Count);
            var before = GC.GetTotalAllocatedBytes(precise: true);
            await RunAsync(Count);
            var perEvent = (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)Count;
            Assert.True(perEvent < 32, $"{perEvent:F1} bytes allocated per append");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
