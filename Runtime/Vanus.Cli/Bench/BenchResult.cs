using System.Globalization;
using System.Text.Json;

namespace Vanus.Cli.Bench;

/// <summary>The figures of one benchmark run, printed as text or as one JSON line.</summary>
internal sealed record BenchResult(
    string Benchmark,
    string Sync,
    long Operations,
    long BytesPerOperation,
    long StoredBytes,
    double ElapsedSeconds,
    LatencyRecorder Latency)
{
    public double OperationsPerSecond => Operations / ElapsedSeconds;

    /// <summary>MB of 10^6 bytes, as dd prints them, of what reached the file (frames with headers and attributes).</summary>
    public double MegabytesPerSecond => StoredBytes / ElapsedSeconds / 1e6;

    public string ToJson() => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["benchmark"] = Benchmark,
        ["sync"] = Sync,
        ["events"] = Operations,
        ["size"] = BytesPerOperation,
        ["stored_bytes"] = StoredBytes,
        ["elapsed_sec"] = Math.Round(ElapsedSeconds, 4),
        ["events_per_sec"] = Math.Round(OperationsPerSecond, 1),
        ["mb_per_sec"] = Math.Round(MegabytesPerSecond, 2),
        ["p50_ms"] = Math.Round(Latency.PercentileMs(0.50), 4),
        ["p99_ms"] = Math.Round(Latency.PercentileMs(0.99), 4),
        ["p999_ms"] = Math.Round(Latency.PercentileMs(0.999), 4),
        ["max_ms"] = Math.Round(Latency.MaxMs(), 4),
    });

    public string ToText() => string.Create(CultureInfo.InvariantCulture,
        $"""
        {Benchmark} (sync {Sync}): {Operations:N0} operations of {BytesPerOperation:N0} bytes in {ElapsedSeconds:F3} s
          {OperationsPerSecond:N0} ops/s, {MegabytesPerSecond:F1} MB/s ({StoredBytes:N0} bytes stored; MB = 10^6 bytes)
          latency ms: p50 {Latency.PercentileMs(0.50):F4}  p99 {Latency.PercentileMs(0.99):F4}  p999 {Latency.PercentileMs(0.999):F4}  max {Latency.MaxMs():F4}
        """);
}
