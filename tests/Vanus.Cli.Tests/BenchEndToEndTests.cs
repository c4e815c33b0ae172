using System.Text.Json;

namespace Vanus.Cli.Tests;

/// <summary>
/// Runs <c>bench e2e</c> for a fraction of a second against the fake node, which delivers each ingested event to the
/// subscription's sink (the command's own receiver). Counts are checked against what the node saw; speed never is.
/// </summary>
public sealed class BenchEndToEndTests : FakeNodeTests
{

    protected override void Arrange(FakeNode node)
    {
        node.RecordIngest = false;
    }

    private static JsonElement SingleJsonLine(CliRun run)
    {
        Assert.Equal("", run.Error);
        Assert.Equal(0, run.ExitCode);
        var line = Assert.Single(run.OutLines);
        using var doc = JsonDocument.Parse(line);
        return doc.RootElement.Clone();
    }

    [Fact]
    public async Task Json_line_counts_every_event_delivered_and_the_run_cleans_up()
    {
        var run = await CliRunner.RunAsync(Node, "bench", "e2e", "--rate", "200", "--warmup", "0.2", "--duration", "0.5", "--size", "64", "--eventlogs", "2", "--json");

        var result = SingleJsonLine(run);
        Assert.Equal(40, result.GetProperty("warmup_events").GetInt64());
        Assert.Equal(0, result.GetProperty("warmup_errors").GetInt64());
        Assert.Equal(100, result.GetProperty("sent").GetInt64());
        Assert.Equal(100, result.GetProperty("acknowledged").GetInt64());
        Assert.Equal(100, result.GetProperty("delivered").GetInt64());
        Assert.Equal(0, result.GetProperty("duplicates").GetInt64());
        Assert.Equal(0, result.GetProperty("missing").GetInt64());
        Assert.Equal(0, result.GetProperty("ingest_errors").GetInt64());
        Assert.True(result.GetProperty("complete").GetBoolean());
        Assert.True(result.GetProperty("cleaned_up").GetBoolean());
        Assert.Equal(140, Node.IngestRequests);
        Assert.True(result.GetProperty("events_per_sec").GetDouble() > 0);
        var p50 = result.GetProperty("p50_ms").GetDouble();
        var p99 = result.GetProperty("p99_ms").GetDouble();
        var p999 = result.GetProperty("p999_ms").GetDouble();
        Assert.True(p50 > 0 && p50 <= p99 && p99 <= p999 && p999 <= result.GetProperty("max_ms").GetDouble());
        Assert.Equal(2, result.GetProperty("eventlogs").GetInt32());
        Assert.Equal(64, result.GetProperty("size").GetInt32());

        // The bus and subscription were made for the run and are gone after it.
        var name = result.GetProperty("eventbus").GetString()!;
        Assert.StartsWith("bench-e2e-", name, StringComparison.Ordinal);
        Assert.Empty(Node.SubscriptionNames());
        Assert.Empty(Node.EventbusNames());
        var management = Node.RequestsTo("/api/v1/").Select(r => (r.Method, r.Path)).ToArray();
        Assert.Equal(
            [
                ("POST", "/api/v1/namespaces/default/eventbuses"),
                ("POST", "/api/v1/namespaces/default/subscriptions"),
                ("DELETE", $"/api/v1/namespaces/default/subscriptions/{name}"),
                ("DELETE", $"/api/v1/namespaces/default/eventbuses/{name}"),
            ],
            management);
        using var bus = JsonDocument.Parse(Node.RequestsTo("/api/v1/")[0].BodyText);
        Assert.Equal(2, bus.RootElement.GetProperty("eventlogs").GetInt32());
        using var subscription = JsonDocument.Parse(Node.RequestsTo("/api/v1/")[1].BodyText);
        var s = subscription.RootElement;
        Assert.Equal((name, name, "http", "binary", "latest"), (s.GetProperty("name").GetString(), s.GetProperty("eventbus").GetString(), s.GetProperty("protocol").GetString(), s.GetProperty("mode").GetString(), s.GetProperty("from").GetString()));
        Assert.StartsWith("http://127.0.0.1:", s.GetProperty("sink").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Duplicate_deliveries_are_counted_once_as_delivered_and_once_as_duplicates()
    {
        Node.DeliveryCopies = 2;

        var run = await CliRunner.RunAsync(Node, "bench", "e2e", "--rate", "100", "--warmup", "0", "--duration", "0.3", "--json");

        var result = SingleJsonLine(run);
        Assert.Equal(30, result.GetProperty("sent").GetInt64());
        Assert.Equal(30, result.GetProperty("delivered").GetInt64());
        // The second copies may still be arriving when the run ends; none can be counted as a first arrival.
        Assert.InRange(result.GetProperty("duplicates").GetInt64(), 0, 30);
    }

    [Fact]
    public async Task Events_that_never_arrive_are_reported_missing_after_the_wait()
    {
        Node.DeliveryCopies = 0;

        var run = await CliRunner.RunAsync(Node, "bench", "e2e", "--rate", "100", "--warmup", "0", "--duration", "0.1", "--wait", "100ms", "--json");

        var result = SingleJsonLine(run);
        Assert.Equal(10, result.GetProperty("sent").GetInt64());
        Assert.Equal(0, result.GetProperty("delivered").GetInt64());
        Assert.Equal(10, result.GetProperty("missing").GetInt64());
        Assert.False(result.GetProperty("complete").GetBoolean());
        Assert.Equal(0, result.GetProperty("events_per_sec").GetDouble());
        Assert.Empty(Node.EventbusNames());
    }

    [Fact]
    public async Task Text_output_reports_delivery_rate_latency_and_counts()
    {
        var run = await CliRunner.RunAsync(Node, "bench", "e2e", "--rate", "100", "--warmup", "0.1", "--duration", "0.2", "--size", "10");

        Assert.Equal("", run.Error);
        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith($"e2e {Node.Endpoint} -> default/bench-e2e-", run.Out);
        Assert.Contains("100 events/s for 0.2 s, 10 bytes of data each, binary mode, after a 0.1 s warm-up (10 events not counted)", run.Out);
        Assert.Contains("sent 20 in ", run.Out);
        Assert.Contains("20 acknowledged, ingest errors: none", run.Out);
        Assert.Contains("delivered 20 distinct (0 duplicates, 0 missing, 0 unexpected)", run.Out);
        Assert.Contains("end-to-end latency ms: p50 ", run.Out);
    }

    [Fact]
    public async Task A_refused_subscription_exits_1_and_deletes_the_bus_it_made()
    {
        Node.RefuseSubscriptions = "sinks on loopback are not allowed";

        var run = await CliRunner.RunAsync(Node, "bench", "e2e", "--rate", "100", "--warmup", "0", "--duration", "0.1");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Out);
        Assert.Contains("sinks on loopback are not allowed", run.Error);
        Assert.Equal(0, Node.IngestRequests);
        Assert.Empty(Node.EventbusNames());
        Assert.Equal("DELETE", Node.Requests.Last().Method);
    }

    [Fact]
    public async Task Ingest_refusals_are_counted_as_errors_by_status_and_nothing_is_awaited()
    {
        Node.Overloaded["*"] = true;

        var run = await CliRunner.RunAsync(Node, "bench", "e2e", "--rate", "100", "--warmup", "0", "--duration", "0.1", "--json");

        var result = SingleJsonLine(run);
        Assert.Equal(10, result.GetProperty("sent").GetInt64());
        Assert.Equal(0, result.GetProperty("acknowledged").GetInt64());
        Assert.Equal(10, result.GetProperty("ingest_errors").GetInt64());
        Assert.Equal(10, result.GetProperty("errors_by_kind").GetProperty("429").GetInt64());
        Assert.Equal(0, result.GetProperty("delivered").GetInt64());
        Assert.Equal(0, result.GetProperty("missing").GetInt64());
        Assert.True(result.GetProperty("complete").GetBoolean());
        Assert.Equal(10, Node.IngestRequests);
    }

    [Theory]
    [InlineData("--rate must be a positive number", "--rate", "0")]
    [InlineData("--rate must be a positive number", "--rate", "fast")]
    [InlineData("--duration must be from 0.001 to 86400, not 0", "--duration", "0")]
    [InlineData("--size must be from 1 to 16000000, not 0", "--size", "0")]
    [InlineData("--eventlogs must be from 1 to 64, not 65", "--eventlogs", "65")]
    [InlineData("--wait: '0s' must be longer than zero", "--wait", "0s")]
    [InlineData("--warmup must be from 0 to 3600, not -1", "--warmup", "-1")]
    [InlineData("--rate × (--warmup + --duration) is 86,401,000,000 events; a run sends at most 20,000,000", "--rate", "1000000", "--duration", "86400")]
    public async Task Bad_flags_fail_with_exit_2_before_any_request(string message, params string[] args)
    {
        await CliRunner.RunUsageErrorAsync(Node, message, ["bench", "e2e", .. args]);
    }
}
