using System.Globalization;
using System.Text.Json;
using Vanus.Cli.Output;

namespace Vanus.Cli.Bench;

/// <summary>The figures of one <c>bench timer</c> run, printed as a text table or as exactly one JSON line.</summary>
internal sealed record TimerResult(
    TimerBenchmark.Settings Settings,
    string Eventbus,
    long Acknowledged,
    long Held,
    IReadOnlyDictionary<string, long> Errors,
    double InsertSeconds,
    NodeMetrics Before,
    NodeMetrics After,
    bool Complete,
    long Duplicates,
    long Unexpected)
{
    /// <summary>Lateness and expiration figures of the events found in the bus.</summary>
    public required TimerLateness Lateness { get; init; }

    /// <summary>Whether a bus made for the run was deleted afterwards.</summary>
    public bool CleanedUp { get; init; } = true;

    /// <summary>Events acknowledged per second, from the first insert request to the last answer.</summary>
    public double InsertsPerSecond => InsertSeconds > 0 ? Acknowledged / InsertSeconds : 0;

    /// <summary>Insert requests that were not acknowledged: non-2xx answers, socket errors and timeouts.</summary>
    public long InsertErrors => Errors.Values.Sum();

    /// <summary>Timers the node gained during the inserts: its pending count after them minus before.</summary>
    public long PendingAdded => After.PendingTimers - Before.PendingTimers;

    /// <summary>The node's resident memory growth over the inserts per timer they added; null when none is pending.</summary>
    public double? BytesPerTimer => PendingAdded > 0 ? (After.ResidentBytes - Before.ResidentBytes) / (double)PendingAdded : null;

    /// <summary>Events of the run never found in the bus.</summary>
    public long Missing => Settings.Timers - Lateness.Found;

    /// <summary>Inserting took longer than the lead, so some timers may have fired before memory was read.</summary>
    public bool InsertOutlastedLead => InsertSeconds > Settings.Lead.TotalSeconds;

    /// <summary>Every event arrived, and none before its delivery time.</summary>
    public bool Passed => Missing == 0 && Lateness.Early == 0;

    public string ToJson() => BenchJson.Line(
        "timer",
        Settings.Endpoint,
        Settings.Namespace,
        w =>
        {
            w.WriteString("eventbus", Eventbus);
            w.WriteNumber("timers", Settings.Timers);
            w.WriteNumber("window_sec", Settings.Window.TotalSeconds);
            w.WriteNumber("lead_sec", Settings.Lead.TotalSeconds);
            w.WriteNumber("batch", Settings.Batch);
            w.WriteNumber("connections", Settings.Connections);
            w.WriteNumber("size", Settings.Size);
            w.WriteNumber("acknowledged", Acknowledged);
            w.WriteNumber("held", Held);
            w.WriteNumber("insert_errors", InsertErrors);
            w.WriteStartObject("errors_by_kind");
            foreach (var (kind, count) in Errors.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                w.WriteNumber(kind, count);
            }

            w.WriteEndObject();
            w.WriteNumber("insert_sec", Math.Round(InsertSeconds, 4));
            w.WriteNumber("inserts_per_sec", Math.Round(InsertsPerSecond, 1));
            w.WriteBoolean("insert_outlasted_lead", InsertOutlastedLead);
            w.WriteNumber("rss_before_bytes", Before.ResidentBytes);
            w.WriteNumber("rss_after_bytes", After.ResidentBytes);
            Nullable(w, "gc_heap_before_bytes", Before.GcHeapBytes);
            Nullable(w, "gc_heap_after_bytes", After.GcHeapBytes);
            w.WriteNumber("pending_before", Before.PendingTimers);
            w.WriteNumber("pending", After.PendingTimers);
            Nullable(w, "bytes_per_timer", BytesPerTimer is { } b ? Math.Round(b, 1) : null);
            w.WriteNumber("found", Lateness.Found);
            w.WriteNumber("missing", Missing);
            w.WriteNumber("duplicates", Duplicates);
            w.WriteNumber("unexpected", Unexpected);
            w.WriteBoolean("complete", Complete);
            w.WriteNumber("early", Lateness.Early);
            w.WriteNumber("lateness_p50_ms", Math.Round(Lateness.P50Ms, 4));
            w.WriteNumber("lateness_p99_ms", Math.Round(Lateness.P99Ms, 4));
            w.WriteNumber("lateness_p999_ms", Math.Round(Lateness.P999Ms, 4));
            w.WriteNumber("lateness_min_ms", Math.Round(Lateness.MinMs, 4));
            w.WriteNumber("lateness_max_ms", Math.Round(Lateness.MaxMs, 4));
            w.WriteNumber("expirations_per_sec", Math.Round(Lateness.ExpirationsPerSecond, 1));
            w.WriteNumber("expirations_peak_per_sec", Lateness.ExpirationsPeakPerSecond);
            w.WriteNumber("expiration_window_sec", Math.Round(Lateness.ExpirationWindowSeconds, 4));
            w.WriteBoolean("cleaned_up", CleanedUp);
        });

    public string ToText()
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"timer {Settings.Endpoint} -> {Settings.Namespace}/{Eventbus}: {Settings.Timers:N0} delayed events due over {Settings.Window.TotalSeconds:0.###} s from {Settings.Lead.TotalSeconds:0.###} s after the start, {Settings.Size:N0} bytes of data each, {Settings.Batch:N0} per request over {Settings.Connections} connections"));
        var errors = Errors.Count == 0 ? "none" : string.Join(", ", Errors.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.Key}: {e.Value:N0}")));
        var memory = BytesPerTimer is { } perTimer ? string.Create(CultureInfo.InvariantCulture, $"{perTimer:N1} bytes") : "- (no timer pending)";
        var rows = new List<KeyValuePair<string, string>>
        {
            Row("inserts", $"{Acknowledged:N0} acknowledged ({Held:N0} held) in {InsertSeconds:F3} s: {InsertsPerSecond:N0}/s; errors: {errors}"),
            Row("node memory", $"RSS {Mb(Before.ResidentBytes)} -> {Mb(After.ResidentBytes)} MB, GC heap {Mb(Before.GcHeapBytes)} -> {Mb(After.GcHeapBytes)} MB (MB = 10^6 bytes)"),
            Row("pending timers", $"{Before.PendingTimers:N0} -> {After.PendingTimers:N0}{(InsertOutlastedLead ? " (inserting outlasted the lead: some had fired)" : "")}"),
            new("bytes per timer", memory),
            Row("arrived", $"{Lateness.Found:N0} of {Settings.Timers:N0} ({Missing:N0} missing, {Duplicates:N0} duplicates, {Unexpected:N0} unexpected){(Complete ? "" : " — gave up waiting")}"),
            Row("lateness ms", $"p50 {Lateness.P50Ms:F3}  p99 {Lateness.P99Ms:F3}  p999 {Lateness.P999Ms:F3}  min {Lateness.MinMs:F3}  max {Lateness.MaxMs:F3}"),
            Row("early", $"{Lateness.Early:N0}"),
            Row("expirations/s", $"{Lateness.ExpirationsPerSecond:N0} over {Lateness.ExpirationWindowSeconds:F3} s, peak {Lateness.ExpirationsPeakPerSecond:N0} in one second"),
        };
        Table.WriteProperties(output, rows);
        return output.ToString().TrimEnd('\n', '\r');
    }

    private static KeyValuePair<string, string> Row(string name, FormattableString value) => new(name, value.ToString(CultureInfo.InvariantCulture));

    private static string Mb(long? bytes) => bytes is { } b ? (b / 1e6).ToString("F1", CultureInfo.InvariantCulture) : "-";

    private static void Nullable(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
