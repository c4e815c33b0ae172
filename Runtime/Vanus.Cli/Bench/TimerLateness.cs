namespace Vanus.Cli.Bench;

/// <summary>
/// What <c>bench timer</c> reports about the delayed events it found in their bus: lateness (store time minus delivery
/// time) percentiles, how many were early, and the rate at which they expired.
/// </summary>
internal sealed record TimerLateness(
    long Found,
    long Early,
    double P50Ms,
    double P99Ms,
    double P999Ms,
    double MinMs,
    double MaxMs,
    double ExpirationsPerSecond,
    long ExpirationsPeakPerSecond,
    double ExpirationWindowSeconds)
{
    /// <summary>The summary of no events: every figure 0.</summary>
    public static readonly TimerLateness None = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>
    /// Summarises pairs of (delivery time, store time) in UTC ticks, one per event found. The arrays are used as scratch
    /// space and left sorted. Percentiles are by the nearest-rank method. The expiration rate is the events over the span
    /// from the first store time to the last; with every event stored in the same tick it is the peak.
    /// </summary>
    public static TimerLateness Summarise(long[] dueTicks, long[] storeTicks)
    {
        ArgumentNullException.ThrowIfNull(dueTicks);
        ArgumentNullException.ThrowIfNull(storeTicks);
        if (dueTicks.Length != storeTicks.Length)
        {
            throw new ArgumentException($"{dueTicks.Length} delivery times but {storeTicks.Length} store times", nameof(storeTicks));
        }

        var n = dueTicks.Length;
        if (n == 0)
        {
            return None;
        }

        // The lateness overwrites the delivery times: at ten million events a second array would cost 80 MB more.
        var lateness = dueTicks;
        long early = 0;
        for (var i = 0; i < n; i++)
        {
            lateness[i] = storeTicks[i] - dueTicks[i];
            if (lateness[i] < 0)
            {
                early++;
            }
        }

        Array.Sort(lateness);
        Array.Sort(storeTicks);
        var first = storeTicks[0];
        var span = storeTicks[^1] - first;

        // One-second buckets from the first store time; counting in a sorted array needs no table of buckets.
        long peak = 0, inBucket = 0, bucket = -1;
        foreach (var stored in storeTicks)
        {
            var b = (stored - first) / TimeSpan.TicksPerSecond;
            inBucket = b == bucket ? inBucket + 1 : 1;
            bucket = b;
            peak = Math.Max(peak, inBucket);
        }

        var seconds = span / (double)TimeSpan.TicksPerSecond;
        return new TimerLateness(
            n,
            early,
            Ms(Percentile(lateness, 0.50)),
            Ms(Percentile(lateness, 0.99)),
            Ms(Percentile(lateness, 0.999)),
            Ms(lateness[0]),
            Ms(lateness[^1]),
            span > 0 ? n / seconds : peak,
            peak,
            seconds);
    }

    private static long Percentile(long[] sorted, double q)
    {
        var rank = (long)Math.Ceiling(q * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    private static double Ms(long ticks) => ticks / (double)TimeSpan.TicksPerMillisecond;
}
