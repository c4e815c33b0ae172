using System.Text.Json;

namespace Vanus.Cli.Tests;

/// <summary>
/// Runs the load generator for about a second against the fake node and checks that its counts agree with what the
/// node saw. Speed is never asserted: that lives in docs/BENCHMARKS.md.
/// </summary>
public sealed class BenchIngestTests : FakeNodeTests
{

    protected override void Arrange(FakeNode node)
    {
        node.RecordIngest = false;
        node.AddEventbus("orders", eventlogs: 2);
    }

    private static JsonElement SingleJsonLine(CliRun run)
    {
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Error);
        var line = Assert.Single(run.OutLines);
        using var doc = JsonDocument.Parse(line);
        return doc.RootElement.Clone();
    }

    [Fact]
    public async Task Single_events_are_counted_exactly_as_the_node_stored_them()
    {
        var run = await CliRunner.RunAsync(Node, "bench", "ingest", "--eventbus", "orders", "--batch", "1", "--connections", "2", "--duration", "1", "--size", "100", "--json");

        var result = SingleJsonLine(run);
        var requests = result.GetProperty("requests").GetInt64();
        Assert.True(requests > 0);
        Assert.Equal(requests, result.GetProperty("ok_requests").GetInt64());
        Assert.Equal(requests, result.GetProperty("events").GetInt64());
        Assert.Equal(0, result.GetProperty("errors").GetInt64());
        Assert.Empty(result.GetProperty("errors_by_kind").EnumerateObject());
        Assert.Equal(requests, Node.IngestRequests);
        var stored = Node.Stored("orders");
        Assert.Equal(requests, stored.Count);
        Assert.All(stored, e => Assert.Equal(100, e.Data!.Value.Length));
        Assert.All(stored, e => Assert.Equal("vanus.bench.ingest", e.Type));
        Assert.True(result.GetProperty("events_per_sec").GetDouble() > 0);
        Assert.True(result.GetProperty("requests_per_sec").GetDouble() > 0);
        var p50 = result.GetProperty("p50_ms").GetDouble();
        var p99 = result.GetProperty("p99_ms").GetDouble();
        var max = result.GetProperty("max_ms").GetDouble();
        Assert.True(p50 > 0 && p50 <= p99 && p99 <= result.GetProperty("p999_ms").GetDouble() && p99 <= max);
        Assert.Equal(1, result.GetProperty("batch").GetInt32());
        Assert.Equal(2, result.GetProperty("connections").GetInt32());
    }

    [Fact]
    public async Task Batches_carry_batch_events_per_request()
    {
        var run = await CliRunner.RunAsync(Node, "bench", "ingest", "--eventbus", "orders", "--batch", "10", "--connections", "3", "--duration", "1", "--size", "50", "--json");

        var result = SingleJsonLine(run);
        var requests = result.GetProperty("ok_requests").GetInt64();
        Assert.True(requests > 0);
        Assert.Equal(requests * 10, result.GetProperty("events").GetInt64());
        Assert.Equal(requests, Node.IngestRequests);
        var stored = Node.Stored("orders");
        Assert.Equal(requests * 10, stored.Count);
        Assert.All(stored, e => Assert.Equal("text/plain", e.DataContentType));
        Assert.All(stored, e => Assert.Equal(50, e.Data!.Value.Length));
        Assert.Equal(10, stored.Select(e => e.Id).Distinct().Count());
    }

    [Fact]
    public async Task Refusals_are_counted_by_status_and_no_event_counts_as_acknowledged()
    {
        Node.Overloaded["orders"] = true;

        var run = await CliRunner.RunAsync(Node, "bench", "ingest", "--eventbus", "orders", "--connections", "2", "--duration", "1", "--json");

        var result = SingleJsonLine(run);
        var requests = result.GetProperty("requests").GetInt64();
        Assert.True(requests > 0);
        Assert.Equal(0, result.GetProperty("events").GetInt64());
        Assert.Equal(0, result.GetProperty("ok_requests").GetInt64());
        Assert.Equal(requests, result.GetProperty("errors").GetInt64());
        Assert.Equal(requests, result.GetProperty("errors_by_kind").GetProperty("429").GetInt64());
        Assert.Equal(0, result.GetProperty("events_per_sec").GetDouble());
        Assert.Equal(requests, Node.IngestRequests);
    }

    [Fact]
    public async Task Text_output_reports_rates_latency_and_errors()
    {
        var run = await CliRunner.RunAsync(Node, "bench", "ingest", "--eventbus", "orders", "--connections", "1", "--duration", "0.5");

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith($"ingest {Node.Endpoint} -> default/orders: 1 binary-mode event per request, 263 bytes of data each, 1 connections", run.Out);
        Assert.Contains(" events/s, ", run.Out);
        Assert.Contains(" requests/s, ", run.Out);
        Assert.Contains("request latency ms: p50 ", run.Out);
        Assert.Contains("errors: none", run.Out);
    }

    [Fact]
    public async Task An_unknown_eventbus_fails_before_any_load()
    {
        var run = await CliRunner.RunAsync(Node, "bench", "ingest", "--eventbus", "nope", "--duration", "1");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Eventbus not found", run.Error);
        Assert.Equal(0, Node.IngestRequests);
    }

    [Theory]
    [InlineData("--batch must be from 1 to 100000, not 0", "--batch", "0")]
    [InlineData("--connections must be from 1 to 10000, not 0", "--connections", "0")]
    [InlineData("--duration must be from 0.001 to 86400, not 0", "--duration", "0")]
    [InlineData("--connections must be a whole number, not 'many'", "--connections", "many")]
    [InlineData("--size must be from 1 to 16000000, not 0", "--size", "0")]
    [InlineData("--timeout: '5' has no unit", "--timeout", "5")]
    [InlineData("--timeout: '0s' must be longer than zero", "--timeout", "0s")]
    [InlineData("--eventbus")]
    public async Task Bad_flags_fail_with_exit_2_before_any_request(string message, params string[] flags)
    {
        var args = flags.Contains("--eventbus") || message == "--eventbus" ? flags : ["--eventbus", "orders", .. flags];

        await CliRunner.RunUsageErrorAsync(Node, message, ["bench", "ingest", .. args]);
    }
}
