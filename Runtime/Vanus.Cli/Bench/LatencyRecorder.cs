using System.Diagnostics;

namespace Vanus.Cli.Bench;

/// <summary>Every latency of a run, kept exactly (one long per operation, allocated up front) for exact percentiles.</summary>
internal sealed class LatencyRecorder(long capacity)
{
    private readonly long[] _ticks = new long[capacity];
    private long _count;

    public long Count => _count;

    public void Record(long startTimestamp, long endTimestamp) => _ticks[_count++] = endTimestamp - startTimestamp;

    /// <summary>Records a latency already measured in Stopwatch ticks (workers that keep their own lists merge them here).</summary>
    public void RecordTicks(long ticks) => _ticks[_count++] = ticks;

    public void RecordAt(long index, long startTimestamp, long endTimestamp)
    {
        _ticks[index] = endTimestamp - startTimestamp;
        Interlocked.Increment(ref _count);
    }

    /// <summary>The latency at quantile <paramref name="q"/> (0..1) in milliseconds, by the nearest-rank method.</summary>
    public double PercentileMs(double q)
    {
        if (_count == 0)
        {
            return 0;
        }

        EnsureSorted();
        var rank = (long)Math.Ceiling(q * _count) - 1;
        return _ticks[Math.Clamp(rank, 0, _count - 1)] * 1000.0 / Stopwatch.Frequency;
    }

    public double MaxMs()
    {
        EnsureSorted();
        return _count == 0 ? 0 : _ticks[_count - 1] * 1000.0 / Stopwatch.Frequency;
    }

    private bool _sorted;

    private void EnsureSorted()
    {
        if (!_sorted)
        {
            Array.Sort(_ticks, 0, (int)_count);
            _sorted = true;
        }
    }
}
