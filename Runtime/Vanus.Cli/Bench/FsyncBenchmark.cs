using System.Diagnostics;
using Vanus.Storage.Files;

namespace Vanus.Cli.Bench;

/// <summary>
/// The floor for synced appends on this disk: a bare loop of one write and one fdatasync per operation into a
/// preallocated file, through the same file layer the log uses, timed like the append benchmark.
/// </summary>
internal static class FsyncBenchmark
{
    public static async Task<BenchResult> RunAsync(string directory, long count, int size, double? rate, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "fsync-bench.dat");
        File.Delete(path);
        var latency = new LatencyRecorder(count);
        var block = new byte[size];
        new Random(7).NextBytes(block);
        var started = Stopwatch.GetTimestamp();
        using (var file = FileSystems.Local.Open(path, create: true, preallocate: Math.Max(count * size, 4096)))
        {
            var period = rate is { } r ? Stopwatch.Frequency / r : 0;
            for (long i = 0; i < count; i++)
            {
                if (period > 0)
                {
                    var due = started + (long)(i * period);
                    await Pacer.WaitUntilAsync(due, cancellationToken).ConfigureAwait(false);
                }

                var start = Stopwatch.GetTimestamp();
                file.Write(i * size, block);
                file.Sync();
                latency.Record(start, Stopwatch.GetTimestamp());
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        File.Delete(path);
        return new BenchResult("write_fdatasync", "always", count, size, count * size, elapsed, latency);
    }
}
