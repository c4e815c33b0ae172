using System.Collections.Concurrent;
using System.Text;

namespace Vanus.Gateway.Observability;

/// <summary>A small metrics registry: counters with labels, gauges read by callback and histograms, written as Prometheus text.</summary>
internal sealed class MetricsRegistry
{
    private readonly List<MetricFamily> _families = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public CounterFamily AddCounter(string name, string help, params string[] labelNames) => Add(new CounterFamily(name, help, labelNames));

    public ReadFamily AddGauge(string name, string help, Func<double> read) => Add(new ReadFamily(name, help, "gauge", read));

    /// <summary>A counter kept elsewhere (a service's own running total), read when the registry is written.</summary>
    public ReadFamily AddCounterReading(string name, string help, Func<double> read) => Add(new ReadFamily(name, help, "counter", read));

    public Histogram AddHistogram(string name, string help, double[] upperBounds) => Add(new Histogram(name, help, upperBounds));

    public void Write(StringBuilder output)
    {
        lock (_families)
        {
            foreach (var family in _families)
            {
                family.Write(output);
            }
        }
    }

    private T Add<T>(T family)
        where T : MetricFamily
    {
        lock (_families)
        {
            if (!_names.Add(family.Name))
            {
                throw new InvalidOperationException($"A metric named '{family.Name}' is already registered.");
            }

            _families.Add(family);
        }

        return family;
    }
}

/// <summary>A named metric with its HELP text; writes its own HELP, TYPE and samples.</summary>
internal abstract class MetricFamily(string name, string help)
{
    public string Name { get; } = name;

    public string Help { get; } = help;

    public abstract void Write(StringBuilder output);
}

/// <summary>A counter with labels; each distinct set of label values is one cell.</summary>
internal sealed class CounterFamily(string name, string help, string[] labelNames) : MetricFamily(name, help)
{
    private readonly ConcurrentDictionary<string, Counter> _cells = new(StringComparer.Ordinal);

    public Counter WithLabels(params string[] labelValues)
    {
        if (labelValues.Length != labelNames.Length)
        {
            throw new ArgumentException($"{Name} takes {labelNames.Length} label values, got {labelValues.Length}.", nameof(labelValues));
        }

        // A separator that cannot occur in label values keeps distinct tuples apart.
        var key = string.Join('\u0000', labelValues);
        return _cells.GetOrAdd(key, static (_, values) => new Counter(values), labelValues);
    }

    public override void Write(StringBuilder output)
    {
        PrometheusText.Header(output, Name, Help, "counter");
        foreach (var (_, cell) in _cells.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            PrometheusText.Sample(output, Name, labelNames, cell.LabelValues, cell.Value);
        }
    }
}

/// <summary>One counter cell; adds are lock-free.</summary>
internal sealed class Counter(string[] labelValues)
{
    private long _value;

    public string[] LabelValues { get; } = labelValues;

    public long Value => Interlocked.Read(ref _value);

    public void Add(long amount) => Interlocked.Add(ref _value, amount);

    public void Increment() => Interlocked.Increment(ref _value);
}

/// <summary>A gauge, or a counter kept elsewhere, without labels whose value is read when the registry is written.</summary>
internal sealed class ReadFamily(string name, string help, string type, Func<double> read) : MetricFamily(name, help)
{
    public override void Write(StringBuilder output)
    {
        PrometheusText.Header(output, Name, Help, type);
        PrometheusText.Sample(output, Name, [], [], read());
    }
}

/// <summary>A histogram of durations without labels: fixed upper bounds in seconds, lock-free observations.</summary>
internal sealed class Histogram : MetricFamily
{
    private readonly double[] _upperBounds;
    private readonly long[] _counts;
    private long _sumTicks;

    public Histogram(string name, string help, double[] upperBounds)
        : base(name, help)
    {
        var increasing = upperBounds.Length > 0;
        for (var i = 1; i < upperBounds.Length; i++)
        {
            increasing &= upperBounds[i] > upperBounds[i - 1];
        }

        if (!increasing)
        {
            throw new ArgumentException("Histogram bounds must be a non-empty, strictly increasing list.", nameof(upperBounds));
        }

        _upperBounds = upperBounds;
        _counts = new long[upperBounds.Length + 1];
    }

    public void Observe(TimeSpan duration)
    {
        var seconds = duration.TotalSeconds;
        var i = 0;
        while (i < _upperBounds.Length && seconds > _upperBounds[i])
        {
            i++;
        }

        Interlocked.Increment(ref _counts[i]);
        Interlocked.Add(ref _sumTicks, duration.Ticks);
    }

    public override void Write(StringBuilder output)
    {
        PrometheusText.Header(output, Name, Help, "histogram");
        var bucket = Name + "_bucket";
        long cumulative = 0;
        for (var i = 0; i < _upperBounds.Length; i++)
        {
            cumulative += Interlocked.Read(ref _counts[i]);
            PrometheusText.Sample(output, bucket, [], [], cumulative, "le", PrometheusText.Number(_upperBounds[i]));
        }

        // The count is the +Inf bucket by construction, so a scrape racing observations still reads a consistent histogram.
        cumulative += Interlocked.Read(ref _counts[^1]);
        PrometheusText.Sample(output, bucket, [], [], cumulative, "le", "+Inf");
        PrometheusText.Sample(output, Name + "_sum", [], [], (double)Interlocked.Read(ref _sumTicks) / TimeSpan.TicksPerSecond);
        PrometheusText.Sample(output, Name + "_count", [], [], cumulative);
    }
}
