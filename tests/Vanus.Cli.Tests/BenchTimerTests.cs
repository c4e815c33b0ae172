using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Vanus.Cli.Bench;
using Vanus.Runtime.Codecs;
using Vanus.Runtime.Events;

namespace Vanus.Cli.Tests;

/// <summary>
/// Runs <c>bench timer</c> against the fake node, which holds events whose delivery time is after its clock and, when the
/// bench polls the bus, stores each at its delivery time plus a lateness the test chooses (or loses it). The figures are
/// therefore known exactly; no test waits for a timer or asserts a speed.
/// </summary>
public sealed class BenchTimerTests : FakeNodeTests
{

    /// <summary>The index the bench gave an event (its id is run-index).</summary>
    private static int IndexOf(Event e) => int.Parse(e.Id[(e.Id.LastIndexOf('-') + 1)..], CultureInfo.InvariantCulture);

    private Task<CliRun> RunAsync(TimeSpan clockAhead, params string[] args) =>
        CliRunner.RunAsync(["bench", "timer", .. args, "--endpoint", Node.Endpoint.AbsoluteUri], time: new FakeTimeProvider(Node.Clock.GetUtcNow() + clockAhead));

    private static JsonElement JsonLine(CliRun run)
    {
        var line = Assert.Single(run.OutLines);
        using var doc = JsonDocument.Parse(line);
        return doc.RootElement.Clone();
    }

    [Fact]
    public async Task Json_line_reports_lateness_memory_and_expirations_and_the_run_cleans_up()
    {
        // Event i is stored (i mod 10) ms after it is due: each of 0..9 ms a hundred times.
        Node.FireHeldOnPoll = e => TimeSpan.FromMilliseconds(IndexOf(e) % 10);

        var run = await RunAsync(TimeSpan.Zero, "--timers", "1000", "--window", "10", "--lead", "5", "--batch", "100", "--connections", "4", "--size", "16", "--json");

        Assert.Equal("", run.Error);
        Assert.Equal(0, run.ExitCode);
        var r = JsonLine(run);
        Assert.Equal(1000, r.GetProperty("timers").GetInt64());
        Assert.Equal(1000, r.GetProperty("acknowledged").GetInt64());
        Assert.Equal(1000, r.GetProperty("held").GetInt64());
        Assert.Equal(0, r.GetProperty("insert_errors").GetInt64());
        Assert.True(r.GetProperty("inserts_per_sec").GetDouble() > 0);
        Assert.Equal(0, r.GetProperty("pending_before").GetInt64());
        Assert.Equal(1000, r.GetProperty("pending").GetInt64());
        Assert.Equal(150_000_000, r.GetProperty("rss_before_bytes").GetInt64());
        Assert.Equal(150_000_000 + (1000 * 48), r.GetProperty("rss_after_bytes").GetInt64());
        Assert.Equal(48, r.GetProperty("bytes_per_timer").GetDouble());
        Assert.Equal(1000, r.GetProperty("found").GetInt64());
        Assert.Equal(0, r.GetProperty("missing").GetInt64());
        Assert.Equal(0, r.GetProperty("duplicates").GetInt64());
        Assert.Equal(0, r.GetProperty("unexpected").GetInt64());
        Assert.True(r.GetProperty("complete").GetBoolean());
        Assert.Equal(0, r.GetProperty("early").GetInt64());

        // Nearest rank over 0..9 ms, a hundred each: rank 500 is 4 ms, rank 990 is 9 ms.
        Assert.Equal(4, r.GetProperty("lateness_p50_ms").GetDouble());
        Assert.Equal(9, r.GetProperty("lateness_p99_ms").GetDouble());
        Assert.Equal(9, r.GetProperty("lateness_max_ms").GetDouble());
        Assert.Equal(0, r.GetProperty("lateness_min_ms").GetDouble());

        // Stores run from the first due time to the last plus 9 ms: 1000 events over 10.009 s, about 100 in each second.
        Assert.Equal(Math.Round(1000 / 10.009, 1), r.GetProperty("expirations_per_sec").GetDouble());
        Assert.Equal(10.009, r.GetProperty("expiration_window_sec").GetDouble());
        Assert.InRange(r.GetProperty("expirations_peak_per_sec").GetInt64(), 100, 101);
        Assert.True(r.GetProperty("cleaned_up").GetBoolean());

        // The run made its own bus, sent the delivery times spread from start + lead to start + lead + window, and deleted the bus.
        var name = r.GetProperty("eventbus").GetString()!;
        Assert.StartsWith("bench-timer-", name, StringComparison.Ordinal);
        Assert.Empty(Node.EventbusNames());
        Assert.Equal(("POST", "/api/v1/namespaces/default/eventbuses"), Node.RequestsTo("/api/v1/").Select(q => (q.Method, q.Path)).First());
        Assert.Equal(("DELETE", $"/api/v1/namespaces/default/eventbuses/{name}"), Node.RequestsTo("/api/v1/").Select(q => (q.Method, q.Path)).Last());
        var inserts = Node.RequestsTo("/namespaces/");
        Assert.Equal(10, inserts.Count);
        Assert.All(inserts, q => Assert.Equal(JsonEventFormat.BatchMediaType, q.ContentType?.Split(';')[0]));
        var sent = inserts.SelectMany(q => JsonEventFormat.DecodeBatch(q.Body)).OrderBy(IndexOf).ToList();
        Assert.Equal(Enumerable.Range(0, 1000), sent.Select(IndexOf));
        Assert.Equal("2026-11-27T16:00:05.000000Z", sent[0].Extensions.TryGet("xvanusdeliverytime", out var firstDue) ? firstDue.ToString() : null);
        Assert.Equal("2026-11-27T16:00:15.000000Z", sent[^1].Extensions.TryGet("xvanusdeliverytime", out var lastDue) ? lastDue.ToString() : null);
        Assert.All(sent, e => Assert.Equal(16, e.Data!.Value.Length));
    }

    [Fact]
    public async Task Early_and_lost_events_are_reported_and_fail_the_run_with_exit_1()
    {
        // The command's clock is an hour ahead of the node's, so every event is held however short the lead.
        Node.FireHeldOnPoll = e => IndexOf(e) switch
        {
            3 => TimeSpan.FromMilliseconds(-2),
            7 => null,
            _ => TimeSpan.FromMilliseconds(1),
        };

        var run = await RunAsync(TimeSpan.FromHours(1), "--timers", "10", "--window", "0.01", "--lead", "0", "--grace", "0.05", "--json");

        Assert.Equal(1, run.ExitCode);
        var r = JsonLine(run);
        Assert.Equal(1, r.GetProperty("early").GetInt64());
        Assert.Equal(1, r.GetProperty("missing").GetInt64());
        Assert.Equal(9, r.GetProperty("found").GetInt64());
        Assert.False(r.GetProperty("complete").GetBoolean());
        Assert.Equal(-2, r.GetProperty("lateness_min_ms").GetDouble());
        Assert.Equal(1, r.GetProperty("lateness_max_ms").GetDouble());
        Assert.Contains("error: 1 of 10 events reached their bus before their delivery time", run.Error);
        Assert.Contains("error: 1 of 10 events never reached their bus (10 were acknowledged)", run.Error);
        Assert.True(r.GetProperty("cleaned_up").GetBoolean());
        Assert.Empty(Node.EventbusNames());
    }

    [Fact]
    public async Task A_given_eventbus_is_counted_from_its_current_offsets_and_kept()
    {
        Node.AddEventbus("mine", eventlogs: 2);
        Assert.Equal(0, (await CliRunner.RunAsync(Node, "event", "put", "mine", "--type", "before")).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync(Node, "event", "put", "mine", "--type", "before")).ExitCode);
        Node.FireHeldOnPoll = _ => TimeSpan.FromMilliseconds(3);

        var run = await RunAsync(TimeSpan.FromHours(1), "--eventbus", "mine", "--timers", "50", "--window", "1", "--lead", "0", "--batch", "7", "--json");

        Assert.Equal(0, run.ExitCode);
        var r = JsonLine(run);
        Assert.Equal("mine", r.GetProperty("eventbus").GetString());
        Assert.Equal(50, r.GetProperty("found").GetInt64());
        Assert.Equal(0, r.GetProperty("unexpected").GetInt64());
        Assert.Equal(3, r.GetProperty("lateness_p50_ms").GetDouble());
        Assert.Equal(8, Node.RequestsTo("/namespaces/").Count - 2);
        Assert.Equal(["mine"], Node.EventbusNames());
        Assert.Equal(52, Node.Stored("mine").Count);
        Assert.DoesNotContain(Node.Requests, q => q.Method is "POST" or "DELETE" && q.Path.StartsWith("/api/v1/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Text_output_is_a_table_of_the_figures()
    {
        Node.FireHeldOnPoll = _ => TimeSpan.FromMilliseconds(2);

        var run = await RunAsync(TimeSpan.FromHours(1), "--timers", "20", "--window", "1", "--lead", "0");

        Assert.Equal(0, run.ExitCode);
        var lines = run.OutLines;
        Assert.StartsWith("timer http://127.0.0.1:", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("inserts:", StringComparison.Ordinal) && l.Contains("20 acknowledged (20 held)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("bytes per timer:", StringComparison.Ordinal) && l.EndsWith("48.0 bytes", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("lateness ms:", StringComparison.Ordinal) && l.Contains("p50 2.000", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("early:", StringComparison.Ordinal) && l.EndsWith(" 0", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("arrived:", StringComparison.Ordinal) && l.Contains("20 of 20 (0 missing", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_node_without_a_timer_service_is_refused_before_any_insert()
    {
        Node.ExportsTimers = false;

        var run = await RunAsync(TimeSpan.Zero, "--timers", "10", "--json");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("error: the node's /metrics has no vanus_timers_pending", run.Error);
        Assert.Empty(Node.RequestsTo("/namespaces/"));
        Assert.Empty(Node.EventbusNames());
    }

    [Fact]
    public async Task An_unknown_eventbus_is_refused_with_the_nodes_problem()
    {
        var run = await RunAsync(TimeSpan.Zero, "--eventbus", "nope", "--timers", "10");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Eventbus not found", run.Error);
        Assert.Empty(Node.RequestsTo("/namespaces/"));
    }

    [Theory]
    [InlineData("--timers must be from 1 to 20000000, not 0", "--timers", "0")]
    [InlineData("--timers must be from 1 to 20000000, not 20000001", "--timers", "20000001")]
    [InlineData("--timers must be a whole number, not 'many'", "--timers", "many")]
    [InlineData("--window must be from 0 to 86400, not -1", "--window", "-1")]
    [InlineData("--lead must be a number, not '5s'", "--lead", "5s")]
    [InlineData("--grace must be from 0.001 to 86400, not 0", "--grace", "0")]
    [InlineData("--batch must be from 1 to 100000, not 0", "--batch", "0")]
    [InlineData("--connections must be from 1 to 1024, not 0", "--connections", "0")]
    [InlineData("--size must be from 1 to 16000000, not 0", "--size", "0")]
    [InlineData("--eventbus must not be empty", "--eventbus", "")]
    [InlineData("--eventlogs sizes the eventbus the run makes; it cannot be combined with --eventbus", "--eventbus", "mine", "--eventlogs", "2")]
    [InlineData("--endpoint must be an absolute http:// or https:// URL", "--endpoint", "localhost:8080")]
    public async Task Bad_flags_fail_with_exit_2_before_any_request(string message, params string[] flags)
    {
        var run = await CliRunner.RunAsync(["bench", "timer", .. flags]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Error);
        Assert.Empty(Node.Requests);
    }

    [Fact]
    public void Lateness_summary_counts_early_events_and_takes_nearest_rank_percentiles()
    {
        var t0 = new DateTimeOffset(2026, 11, 27, 16, 0, 0, TimeSpan.Zero).UtcTicks;
        long Ms(double ms) => (long)(ms * TimeSpan.TicksPerMillisecond);

        // Four events due each 100 ms, stored -1, 0, 5 and 20 ms off their time.
        long[] dues = [t0, t0 + Ms(100), t0 + Ms(200), t0 + Ms(300)];
        long[] stores = [t0 - Ms(1), t0 + Ms(100), t0 + Ms(205), t0 + Ms(320)];

        var s = TimerLateness.Summarise(dues, stores);

        Assert.Equal(4, s.Found);
        Assert.Equal(1, s.Early);
        Assert.Equal(0, s.P50Ms);
        Assert.Equal(20, s.P99Ms);
        Assert.Equal(-1, s.MinMs);
        Assert.Equal(20, s.MaxMs);
        Assert.Equal(0.321, s.ExpirationWindowSeconds, 9);
        Assert.Equal(4 / 0.321, s.ExpirationsPerSecond, 9);
        Assert.Equal(4, s.ExpirationsPeakPerSecond);
    }

    [Fact]
    public void Expiration_peak_is_the_fullest_second_counted_from_the_first_store()
    {
        var t0 = new DateTimeOffset(2026, 11, 27, 16, 0, 0, TimeSpan.Zero).UtcTicks;
        var second = TimeSpan.TicksPerSecond;

        // Stores at 0 s, 1.2 s, 1.5 s, 1.9 s and 2.0 s: the bucket [1 s, 2 s) holds three.
        long[] stores = [t0 + (2 * second), t0, t0 + (second * 12 / 10), t0 + (second * 15 / 10), t0 + (second * 19 / 10)];
        var dues = stores.ToArray();

        var s = TimerLateness.Summarise(dues, stores);

        Assert.Equal(3, s.ExpirationsPeakPerSecond);
        Assert.Equal(2.5, s.ExpirationsPerSecond, 9);
        Assert.Equal(0, s.Early);
        Assert.Equal(0, s.MaxMs);
    }

    [Fact]
    public void Events_all_stored_in_one_instant_expire_at_their_peak_and_none_found_is_all_zero()
    {
        var t = new DateTimeOffset(2026, 11, 27, 16, 0, 0, TimeSpan.Zero).UtcTicks;

        var one = TimerLateness.Summarise([t, t, t], [t, t, t]);
        Assert.Equal(3, one.ExpirationsPerSecond);
        Assert.Equal(3, one.ExpirationsPeakPerSecond);

        Assert.Equal(TimerLateness.None, TimerLateness.Summarise([], []));
        Assert.Throws<ArgumentException>(() => TimerLateness.Summarise([t], []));
    }

    [Fact]
    public void Metrics_text_gives_unlabelled_samples_and_nothing_for_a_prefix_or_a_labelled_one()
    {
        const string text = """
            # HELP process_resident_memory_bytes Resident memory.
            # TYPE process_resident_memory_bytes gauge
            process_resident_memory_bytes_by_kind 7
            vanus_timers_pending{eventlog="0"} 5
            process_resident_memory_bytes 1.5E+09
            vanus_timers_pending 12345 1700000000000
            dotnet_gc_heap_size_bytes NaN
            """;

        Assert.Equal(1.5e9, NodeMetrics.Sample(text, "process_resident_memory_bytes"));
        Assert.Equal(12345, NodeMetrics.Sample(text, "vanus_timers_pending"));
        Assert.True(double.IsNaN(NodeMetrics.Sample(text, "dotnet_gc_heap_size_bytes")!.Value));
        Assert.Null(NodeMetrics.Sample(text, "vanus_timers_in_memory"));
        Assert.Null(NodeMetrics.Sample(text, "process_resident_memory"));
    }

    [Fact]
    public void Timer_batch_spreads_delivery_times_evenly_at_microseconds_and_knows_its_own_ids()
    {
        var start = new DateTimeOffset(2026, 11, 27, 16, 0, 0, TimeSpan.Zero);
        var batch = new TimerBatch("run1", 4, start, TimeSpan.FromMilliseconds(1), 3);

        Assert.Equal(start.UtcTicks, batch.DueTicks(0));
        Assert.Equal(start.UtcTicks + 3330, batch.DueTicks(1));
        Assert.Equal(start.UtcTicks + 6660, batch.DueTicks(2));
        Assert.Equal(start.UtcTicks + 10_000, batch.DueTicks(3));

        var events = JsonEventFormat.DecodeBatch(batch.Encode(1, 3));
        Assert.Equal(["run1-1", "run1-2", "run1-3"], events.Select(e => e.Id));
        Assert.All(events, e => Assert.Equal("abc", e.DataText));
        Assert.All(events, e => Assert.Equal("vanus.bench.timer", e.Type));
        Assert.True(events[0].Extensions.TryGet("xvanusdeliverytime", out var due));
        Assert.Equal("2026-11-27T16:00:00.000333Z", due.ToString());

        Assert.Equal(2, batch.IndexOf("run1-2"));
        Assert.Equal(-1, batch.IndexOf("run1-4"));
        Assert.Equal(-1, batch.IndexOf("run2-2"));
        Assert.Equal(-1, batch.IndexOf("run1-"));
        Assert.Equal(-1, batch.IndexOf("run1-+1"));
    }

    [Fact]
    public void Held_entries_of_an_ingest_answer_are_counted()
    {
        var answer = """{"events":[{"id":"a","eventId":"0000000000000000","eventlog":0,"offset":0},{"id":"b","eventId":"0000000000000001","deliverytime":"2026-11-28T00:00:00Z"}]}"""u8.ToArray();

        Assert.Equal(1, TimerBenchmark.CountHeld(answer));
    }
}
