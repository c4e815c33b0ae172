using System.Text;
using System.Text.Json;

namespace Vanus.Cli.Bench;

/// <summary>The JSON line a benchmark against a node prints: its name, endpoint and namespace first, its latencies as every benchmark names them.</summary>
internal static class BenchJson
{
    /// <summary>One JSON object on one line: benchmark, endpoint and namespace, then what <paramref name="fields"/> writes.</summary>
    public static string Line(string benchmark, Uri endpoint, string ns, Action<Utf8JsonWriter> fields)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("benchmark", benchmark);
            w.WriteString("endpoint", endpoint.AbsoluteUri);
            w.WriteString("namespace", ns);
            fields(w);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes p50, p99, p999 and max, in milliseconds to four places.</summary>
    public static void WriteLatency(Utf8JsonWriter w, LatencyRecorder latency)
    {
        w.WriteNumber("p50_ms", Math.Round(latency.PercentileMs(0.50), 4));
        w.WriteNumber("p99_ms", Math.Round(latency.PercentileMs(0.99), 4));
        w.WriteNumber("p999_ms", Math.Round(latency.PercentileMs(0.999), 4));
        w.WriteNumber("max_ms", Math.Round(latency.MaxMs(), 4));
    }
}
