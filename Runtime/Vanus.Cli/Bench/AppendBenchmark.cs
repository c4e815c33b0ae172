using System.Diagnostics;
using EventLog = Vanus.Storage.EventLog;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;
using Vanus.Storage;

namespace Vanus.Cli.Bench;

/// <summary>
/// Appends events to a fresh log as fast as it takes them (or at a fixed rate) and measures each append from call to
/// completion. Unlimited, it keeps up to <see cref="Window"/> appends in flight, as a producer with many requests would.
/// </summary>
internal static class AppendBenchmark
{
    public const int Window = 1 << 13;

    public sealed record Settings(string Directory, long Events, int Size, SyncPolicy Sync, double? Rate, TextWriter? Progress)
    {
        /// <summary>Events per append call; above 1 the benchmark uses AppendBatchAsync, as a batching producer would.</summary>
        public int Batch { get; init; } = 1;

        /// <summary>The log's segment size, or null for the default.</summary>
        public long? SegmentSize { get; init; }
    }

    public static async Task<BenchResult> RunAsync(Settings settings, CancellationToken cancellationToken)
    {
        // One event reused for every append, as producer benchmarks reuse one payload: the figures are the log's.
        var data = new byte[settings.Size];
        new Random(42).NextBytes(data);
        var e = new Event("bench-event", "/vanus/bench", "vanus.bench.append") { Data = data, DataContentType = "application/octet-stream" };
        var options = new EventLogOptions(settings.Directory) { Sync = settings.Sync, SegmentSize = settings.SegmentSize ?? EventLogOptions.DefaultSegmentSize };
        var log = await EventLog.OpenAsync(options, cancellationToken).ConfigureAwait(false);
        var storedBefore = log.Segments.Sum(s => s.StoredBytes);
        var latency = new LatencyRecorder(settings.Events);
        var started = Stopwatch.GetTimestamp();
        try
        {
            if (settings.Rate is { } rate)
            {
                await RunPacedAsync(log, e, settings, rate, latency, cancellationToken).ConfigureAwait(false);
            }
            else if (settings.Batch > 1)
            {
                await RunBatchedAsync(log, e, settings, latency, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await RunUnlimitedAsync(log, e, settings, latency, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await log.DisposeAsync().ConfigureAwait(false);
        }

        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await using var reopened = await EventLog.OpenAsync(options, cancellationToken).ConfigureAwait(false);
        var stored = reopened.Segments.Sum(s => s.StoredBytes) - storedBefore;
        return new BenchResult("append", settings.Sync.ToString().ToLowerInvariant(), settings.Events, settings.Size, stored, elapsed, latency);
    }

#pragma warning disable CA2012 // in-flight appends are kept in a ring and each is consumed exactly once
    private static async Task RunUnlimitedAsync(IEventLog log, Event e, Settings settings, LatencyRecorder latency, CancellationToken cancellationToken)
    {
        var tasks = new ValueTask<long>[Window];
        var starts = new long[Window];
        long issued = 0, observed = 0, reported = -1;
        while (issued < settings.Events)
        {
            if (issued - observed == Window)
            {
                var slot = (int)(observed % Window);
                var offset = await tasks[slot].ConfigureAwait(false);
                latency.Record(starts[slot], Stopwatch.GetTimestamp());
                observed++;
                reported = Report(settings.Progress, offset, reported, force: false);
            }

            var i = (int)(issued % Window);
            starts[i] = Stopwatch.GetTimestamp();
            tasks[i] = log.AppendAsync(e, cancellationToken);
            issued++;
            while (observed < issued && tasks[observed % Window].IsCompleted)
            {
                var slot = (int)(observed % Window);
                var offset = tasks[slot].Result;
                latency.Record(starts[slot], Stopwatch.GetTimestamp());
                observed++;
                reported = Report(settings.Progress, offset, reported, force: false);
            }
        }

        while (observed < issued)
        {
            var slot = (int)(observed % Window);
            var offset = await tasks[slot].ConfigureAwait(false);
            latency.Record(starts[slot], Stopwatch.GetTimestamp());
            observed++;
            reported = Report(settings.Progress, offset, reported, force: observed == issued);
        }
    }

    private static async Task RunBatchedAsync(IEventLog log, Event e, Settings settings, LatencyRecorder latency, CancellationToken cancellationToken)
    {
        var full = Enumerable.Repeat(e, settings.Batch).ToArray();
        var window = Math.Max(2, Window / settings.Batch);
        var inFlight = new Queue<(ValueTask<long> Append, long Start, int Count)>();
        long issued = 0, reported = -1;
        while (issued < settings.Events || inFlight.Count > 0)
        {
            if (issued < settings.Events && inFlight.Count < window)
            {
                var n = (int)Math.Min(settings.Batch, settings.Events - issued);
                var start = Stopwatch.GetTimestamp();
                inFlight.Enqueue((log.AppendBatchAsync(n == full.Length ? full : full[..n], cancellationToken), start, n));
                issued += n;
                if (!inFlight.Peek().Append.IsCompleted)
                {
                    continue;
                }
            }

            var (append, started, count) = inFlight.Dequeue();
            var first = await append.ConfigureAwait(false);
            latency.Record(started, Stopwatch.GetTimestamp());
            reported = Report(settings.Progress, first + count - 1, reported, force: inFlight.Count == 0 && issued == settings.Events);
        }
    }
#pragma warning restore CA2012

    private static async Task RunPacedAsync(IEventLog log, Event e, Settings settings, double rate, LatencyRecorder latency, CancellationToken cancellationToken)
    {
        var pending = new List<Task>();
        var period = Stopwatch.Frequency / rate;
        var origin = Stopwatch.GetTimestamp();
        for (long i = 0; i < settings.Events; i++)
        {
            // Sends keep to the schedule (a slow append does not delay the ones after it), so a stall shows in the latencies.
            var due = origin + (long)(i * period);
            await Pacer.WaitUntilAsync(due, cancellationToken).ConfigureAwait(false);

            var start = Stopwatch.GetTimestamp();
            var append = log.AppendAsync(e, cancellationToken);
            if (append.IsCompletedSuccessfully)
            {
                latency.RecordAt(i, start, Stopwatch.GetTimestamp());
                Report(settings.Progress, append.Result, -1, force: true);
            }
            else
            {
                pending.Add(TrackAsync(append, i, start, latency, settings.Progress));
            }
        }

        await Task.WhenAll(pending).ConfigureAwait(false);
    }

    private static async Task TrackAsync(ValueTask<long> append, long index, long start, LatencyRecorder latency, TextWriter? progress)
    {
        var offset = await append.ConfigureAwait(false);
        latency.RecordAt(index, start, Stopwatch.GetTimestamp());
        Report(progress, offset, -1, force: true);
    }

    /// <summary>Prints "completed N" (every append up to offset N has completed) for a parent process watching this one.</summary>
    private static long Report(TextWriter? progress, long offset, long reported, bool force)
    {
        if (progress is null || (!force && offset - reported < 256))
        {
            return reported;
        }

        lock (progress)
        {
            progress.WriteLine($"completed {offset}");
            progress.Flush();
        }

        return offset;
    }
}
