using System.Globalization;

namespace Vanus.Cli.Bench;

/// <summary>The figures of one <c>bench e2e</c> run, printed as text or as exactly one JSON line.</summary>
internal sealed record EndToEndResult(
    EndToEndBenchmark.Settings Settings,
    string Eventbus,
    long Sent,
    long Acknowledged,
    IReadOnlyDictionary<string, long> Errors,
    long Delivered,
    long Duplicates,
    long Unexpected,
    bool Complete,
    double SendSeconds,
    double DeliveryWindowSeconds)
{
    /// <summary>Every measured event's latency, from just before its ingest request was sent to its first arrival at the sink.</summary>
    public required LatencyRecorder Latency { get; init; }

    /// <summary>Events sent during the warm-up (delivered and waited for, but not counted).</summary>
    public long WarmupSent { get; init; }

    /// <summary>Warm-up ingest requests that were not acknowledged.</summary>
    public long WarmupErrors { get; init; }

    /// <summary>Whether the run's subscription and eventbus were deleted afterwards.</summary>
    public bool CleanedUp { get; init; } = true;

    /// <summary>The rate the measured sends were issued at; below the asked rate when the sender fell behind its schedule.</summary>
    public double SendRate => SendSeconds > 0 ? Sent / SendSeconds : 0;

    /// <summary>Ingest requests that were not acknowledged: non-2xx answers, socket errors and timeouts.</summary>
    public long IngestErrors => Errors.Values.Sum();

    /// <summary>Acknowledged events that never reached the sink within the wait.</summary>
    public long Missing => Math.Max(0, Acknowledged - Delivered);

    /// <summary>Distinct events delivered per second, over the window from the first measured send to the last first arrival.</summary>
    public double EventsPerSecond => DeliveryWindowSeconds > 0 ? Delivered / DeliveryWindowSeconds : 0;

    public string ToJson() => BenchJson.Line(
        "e2e",
        Settings.Endpoint,
        Settings.Namespace,
        w =>
        {
            w.WriteString("eventbus", Eventbus);
            w.WriteString("subscription", Eventbus);
            w.WriteNumber("eventlogs", Settings.Eventlogs);
            w.WriteNumber("rate", Settings.Rate);
            w.WriteNumber("duration_sec", Settings.Duration.TotalSeconds);
            w.WriteNumber("size", Settings.Size);
            w.WriteNumber("warmup_sec", Settings.Warmup.TotalSeconds);
            w.WriteNumber("warmup_events", WarmupSent);
            w.WriteNumber("warmup_errors", WarmupErrors);
            w.WriteNumber("sent", Sent);
            w.WriteNumber("acknowledged", Acknowledged);
            w.WriteNumber("ingest_errors", IngestErrors);
            w.WriteStartObject("errors_by_kind");
            foreach (var (kind, count) in Errors.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                w.WriteNumber(kind, count);
            }

            w.WriteEndObject();
            w.WriteNumber("delivered", Delivered);
            w.WriteNumber("duplicates", Duplicates);
            w.WriteNumber("missing", Missing);
            w.WriteNumber("unexpected", Unexpected);
            w.WriteBoolean("complete", Complete);
            w.WriteNumber("send_sec", Math.Round(SendSeconds, 4));
            w.WriteNumber("send_rate", Math.Round(SendRate, 1));
            w.WriteNumber("delivery_window_sec", Math.Round(DeliveryWindowSeconds, 4));
            w.WriteNumber("events_per_sec", Math.Round(EventsPerSecond, 1));
            BenchJson.WriteLatency(w, Latency);
            w.WriteBoolean("cleaned_up", CleanedUp);
        });

    public string ToText()
    {
        var errors = Errors.Count == 0 ? "none" : string.Join(", ", Errors.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.Key}: {e.Value:N0}")));
        var wait = Complete ? "" : string.Create(CultureInfo.InvariantCulture, $" (gave up waiting after {Settings.Wait.TotalSeconds:0.###} s)");
        var warmup = WarmupSent == 0
            ? "no warm-up"
            : string.Create(CultureInfo.InvariantCulture, $"after a {Settings.Warmup.TotalSeconds:0.###} s warm-up ({WarmupSent:N0} events not counted{(WarmupErrors == 0 ? "" : $", {WarmupErrors:N0} of them not acknowledged")})");
        return string.Create(CultureInfo.InvariantCulture,
            $"""
            e2e {Settings.Endpoint} -> {Settings.Namespace}/{Eventbus} ({Settings.Eventlogs} eventlogs) -> loopback sink: {Settings.Rate:0.###} events/s for {Settings.Duration.TotalSeconds:0.###} s, {Settings.Size:N0} bytes of data each, binary mode, {warmup}
              sent {Sent:N0} in {SendSeconds:F3} s ({SendRate:N0}/s), {Acknowledged:N0} acknowledged, ingest errors: {errors}
              delivered {Delivered:N0} distinct ({Duplicates:N0} duplicates, {Missing:N0} missing, {Unexpected:N0} unexpected){wait}
              {EventsPerSecond:N0} events/s delivered over {DeliveryWindowSeconds:F3} s (first measured send to last delivery)
              end-to-end latency ms: p50 {Latency.PercentileMs(0.50):F3}  p99 {Latency.PercentileMs(0.99):F3}  p999 {Latency.PercentileMs(0.999):F3}  max {Latency.MaxMs():F3}
            """);
    }
}
