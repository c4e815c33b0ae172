using System.Globalization;

namespace Vanus.Cli.Bench;

/// <summary>The figures of one <c>bench ingest</c> run, printed as text or as exactly one JSON line.</summary>
internal sealed record IngestResult(
    IngestBenchmark.Settings Settings,
    long Requests,
    long OkRequests,
    int EventsPerRequest,
    int BodyBytes,
    double ElapsedSeconds,
    IReadOnlyDictionary<string, long> Errors,
    LatencyRecorder Latency)
{
    /// <summary>Events the node acknowledged (those of 2xx answers).</summary>
    public long Events => OkRequests * EventsPerRequest;

    /// <summary>Non-2xx answers plus requests that got no answer (socket errors, timeouts).</summary>
    public long ErrorCount => Errors.Values.Sum();

    public double EventsPerSecond => Events / ElapsedSeconds;

    /// <summary>Answered requests per second, whatever their status, as wrk counts them.</summary>
    public double RequestsPerSecond => Requests / ElapsedSeconds;

    /// <summary>Event data acknowledged per second in MB of 10^6 bytes (attributes and framing not counted).</summary>
    public double MegabytesPerSecond => Events * (double)Settings.Size / ElapsedSeconds / 1e6;

    public string ToJson() => BenchJson.Line(
        "ingest",
        Settings.Endpoint,
        Settings.Namespace,
        w =>
        {
            w.WriteString("eventbus", Settings.Eventbus);
            w.WriteNumber("batch", Settings.Batch);
            w.WriteNumber("connections", Settings.Connections);
            w.WriteNumber("size", Settings.Size);
            w.WriteNumber("request_body_bytes", BodyBytes);
            w.WriteNumber("duration_sec", Settings.Duration.TotalSeconds);
            w.WriteNumber("elapsed_sec", Math.Round(ElapsedSeconds, 4));
            w.WriteNumber("requests", Requests);
            w.WriteNumber("ok_requests", OkRequests);
            w.WriteNumber("events", Events);
            w.WriteNumber("errors", ErrorCount);
            w.WriteStartObject("errors_by_kind");
            foreach (var (kind, count) in Errors)
            {
                w.WriteNumber(kind, count);
            }

            w.WriteEndObject();
            w.WriteNumber("events_per_sec", Math.Round(EventsPerSecond, 1));
            w.WriteNumber("requests_per_sec", Math.Round(RequestsPerSecond, 1));
            w.WriteNumber("mb_per_sec", Math.Round(MegabytesPerSecond, 3));
            BenchJson.WriteLatency(w, Latency);
        });

    public string ToText()
    {
        var errors = Errors.Count == 0 ? "none" : string.Join(", ", Errors.Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.Key}: {e.Value:N0}")));
        var mode = Settings.Batch == 1 ? "1 binary-mode event per request" : string.Create(CultureInfo.InvariantCulture, $"batches of {Settings.Batch} events");
        return string.Create(CultureInfo.InvariantCulture,
            $"""
            ingest {Settings.Endpoint} -> {Settings.Namespace}/{Settings.Eventbus}: {mode}, {Settings.Size:N0} bytes of data each, {Settings.Connections} connections, {Settings.Duration.TotalSeconds:0.###} s
              {Requests:N0} requests answered ({OkRequests:N0} 2xx), {Events:N0} events acknowledged in {ElapsedSeconds:F3} s
              {EventsPerSecond:N0} events/s, {RequestsPerSecond:N0} requests/s, {MegabytesPerSecond:F2} MB/s of event data (MB = 10^6 bytes)
              request latency ms: p50 {Latency.PercentileMs(0.50):F3}  p99 {Latency.PercentileMs(0.99):F3}  p999 {Latency.PercentileMs(0.999):F3}  max {Latency.MaxMs():F3}
              errors: {errors}
            """);
    }
}
