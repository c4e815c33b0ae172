using System.Net;
using System.Text;
using Vanus.Gateway.Observability;
using Vanus.Runtime.Broker;

namespace Vanus.Gateway.Tests;

public sealed class ObservabilityTests
{
    [Fact]
    public async Task Healthz_is_200_even_while_not_ready()
    {
        await using var host = await GatewayHost.StartAsync();
        host.Broker.IsReady = false;
        using var response = await host.Client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Readyz_follows_the_broker()
    {
        await using var host = await GatewayHost.StartAsync();
        using (var ready = await host.Client.GetAsync("/readyz"))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        host.Broker.IsReady = false;
        using (var notReady = await host.Client.GetAsync("/readyz"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        }

        host.Broker.IsReady = true;
        using var again = await host.Client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task Readyz_waits_for_the_timer_service_to_recover()
    {
        await using var host = await GatewayHost.StartAsync();
        host.Timers!.Stats = new TimerStats(5, 5, 0, 0, Ready: false);
        using (var recovering = await host.Client.GetAsync("/readyz"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, recovering.StatusCode);
            Assert.Equal("not ready: timers are recovering\n", await recovering.Content.ReadAsStringAsync());
        }

        host.Timers.Stats = new TimerStats(5, 5, 0, 0, Ready: true);
        using var ready = await host.Client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("ready\n", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Readyz_without_a_timer_service_follows_the_broker_alone()
    {
        await using var host = await GatewayHost.StartAsync(timers: false);
        using (var ready = await host.Client.GetAsync("/readyz"))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        host.Broker.IsReady = false;
        using var notReady = await host.Client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.Equal("not ready\n", await notReady.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Metrics_report_the_timer_services_counts_as_they_are_now()
    {
        await using var host = await GatewayHost.StartAsync();
        host.Timers!.Stats = new TimerStats(Pending: 1_000_000, InMemory: 250_000, Fired: 42, Dropped: 3, Ready: true);
        var first = await ScrapeAsync(host);

        Assert.Equal("gauge", first.Types["vanus_timers_pending"]);
        Assert.Equal("gauge", first.Types["vanus_timers_in_memory"]);
        Assert.Equal("counter", first.Types["vanus_timers_fired_total"]);
        Assert.Equal("counter", first.Types["vanus_timers_dropped_total"]);
        Assert.Equal(1_000_000, first.Value("vanus_timers_pending"));
        Assert.Equal(250_000, first.Value("vanus_timers_in_memory"));
        Assert.Equal(42, first.Value("vanus_timers_fired_total"));
        Assert.Equal(3, first.Value("vanus_timers_dropped_total"));

        host.Timers.Stats = new TimerStats(Pending: 999_000, InMemory: 249_000, Fired: 1_042, Dropped: 3, Ready: true);
        var second = await ScrapeAsync(host);
        Assert.Equal(999_000, second.Value("vanus_timers_pending"));
        Assert.Equal(1_042, second.Value("vanus_timers_fired_total"));
    }

    [Fact]
    public async Task Metrics_leave_out_timer_figures_when_the_node_has_no_timer_service()
    {
        await using var host = await GatewayHost.StartAsync(timers: false);
        var metrics = await ScrapeAsync(host);

        Assert.DoesNotContain(metrics.Types.Keys, name => name.StartsWith("vanus_timers_", StringComparison.Ordinal));
        Assert.Equal("gauge", metrics.Types["process_resident_memory_bytes"]);
    }

    [Fact]
    public async Task Metrics_report_the_process_resident_memory_and_the_managed_heap()
    {
        await using var host = await GatewayHost.StartAsync();
        GC.Collect();
        var metrics = await ScrapeAsync(host);

        Assert.Equal("gauge", metrics.Types["process_resident_memory_bytes"]);
        Assert.Equal("gauge", metrics.Types["dotnet_gc_heap_size_bytes"]);
        var resident = metrics.Value("process_resident_memory_bytes");
        var heap = metrics.Value("dotnet_gc_heap_size_bytes");

        // A running .NET process with a web host resides in megabytes, and its heap lies within what resides.
        Assert.True(resident > 1_000_000, $"resident {resident}");
        Assert.True(heap > 0 && heap < resident, $"heap {heap}, resident {resident}");
        if (OperatingSystem.IsLinux())
        {
            Assert.Equal(0, resident % Environment.SystemPageSize);
        }
    }

    [Theory]
    [InlineData("12345 678 90 1 0 400 0\n", 4096, 678L * 4096)]
    [InlineData("12345 0 0 1 0 400 0", 16384, 0L)]
    public void Statm_resident_field_counts_pages(string text, long pageSize, long expected)
    {
        Assert.True(ProcessMemory.TryParseStatm(text, pageSize, out var bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("12345")]
    [InlineData("12345 -3 0")]
    [InlineData("12345 lots 0")]
    public void Statm_that_cannot_be_read_is_refused_so_the_working_set_is_used(string text)
    {
        Assert.False(ProcessMemory.TryParseStatm(text, 4096, out _));
    }

    [Fact]
    public async Task Metrics_count_ingest_errors_latency_and_offsets_in_prometheus_text()
    {
        await using var host = await GatewayHost.StartAsync();
        await host.CreateBusAsync("orders", eventlogs: 2);

        // Every append takes exactly 3 ms on the fake clock, so the histogram's buckets are known.
        host.Broker.DuringAppend = () => host.Time.Advance(TimeSpan.FromMilliseconds(3));
        var batch = $"[{GatewayHost.EventJson("a")},{GatewayHost.EventJson("b")},{GatewayHost.EventJson("c")}]";
        long bytes = Encoding.UTF8.GetByteCount(batch) + "hello".Length;
        using (var r = await host.Client.PostAsync("/gateway/orders", GatewayHost.Batch(batch)))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }

        using (var r = await host.Client.PostAsync("/gateway/orders", GatewayHost.Binary("d", "hello")))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }

        using (var r = await host.Client.PostAsync("/gateway/nope", GatewayHost.Binary("x")))
        {
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        }

        host.Broker.RefuseNextAppend = BrokerErrorKind.Overloaded;
        using (var r = await host.Client.PostAsync("/gateway/orders", GatewayHost.Binary("y")))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode);
        }

        using var response = await host.Client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(response.Content.Headers.ContentType!.Parameters, p => p.Name == "version" && p.Value == "0.0.4");
        var metrics = PrometheusParser.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal("counter", metrics.Types["vanus_ingest_events_total"]);
        Assert.Equal("counter", metrics.Types["vanus_ingest_bytes_total"]);
        Assert.Equal("counter", metrics.Types["vanus_ingest_requests_total"]);
        Assert.Equal("counter", metrics.Types["vanus_errors_total"]);
        Assert.Equal("histogram", metrics.Types["vanus_append_duration_seconds"]);
        Assert.Equal("gauge", metrics.Types["vanus_eventlog_next_offset"]);
        Assert.Equal("gauge", metrics.Types["vanus_eventlog_earliest_offset"]);
        Assert.Equal("gauge", metrics.Types["vanus_ingest_in_flight_requests"]);
        Assert.Equal("gauge", metrics.Types["vanus_ingest_buffered_bytes"]);
        Assert.Equal("gauge", metrics.Types["vanus_ready"]);
        Assert.All(metrics.Types.Keys, name => Assert.False(string.IsNullOrWhiteSpace(metrics.Help[name])));

        var bus = new[] { ("namespace", "default"), ("eventbus", "orders") };
        Assert.Equal(4, metrics.Value("vanus_ingest_events_total", bus));
        Assert.Equal(2, metrics.Value("vanus_ingest_requests_total", bus));
        Assert.Equal(bytes, metrics.Value("vanus_ingest_bytes_total", bus));
        Assert.Equal(1, metrics.Value("vanus_errors_total", ("kind", "not-found"), ("status", "404")));
        Assert.Equal(1, metrics.Value("vanus_errors_total", ("kind", "overloaded"), ("status", "429")));
        Assert.Equal(1, metrics.Value("vanus_ready"));
        Assert.Equal(0, metrics.Value("vanus_ingest_in_flight_requests"));
        Assert.Equal(0, metrics.Value("vanus_ingest_buffered_bytes"));

        // a, c and d went to eventlog 0, b to eventlog 1 (round-robin).
        Assert.Equal(2, metrics.Value("vanus_eventlog_next_offset", ("eventbus", "orders"), ("eventlog", "0")));
        Assert.Equal(2, metrics.Value("vanus_eventlog_next_offset", ("eventbus", "orders"), ("eventlog", "1")));
        Assert.Equal(0, metrics.Value("vanus_eventlog_earliest_offset", ("eventbus", "orders"), ("eventlog", "0")));
        Assert.Equal(0, metrics.Value("vanus_eventlog_next_offset", ("eventbus", "__dl_orders"), ("eventlog", "0")));

        // Two timed appends of 3 ms each (the refused one is not timed): buckets are cumulative and end at the count.
        var buckets = metrics.Samples.Where(s => s.Name == "vanus_append_duration_seconds_bucket").ToList();
        Assert.True(buckets.Count > 2);
        Assert.Equal("+Inf", buckets[^1].Labels["le"]);
        for (var i = 1; i < buckets.Count; i++)
        {
            Assert.True(buckets[i].Value >= buckets[i - 1].Value, "histogram buckets are cumulative");
            Assert.True(ParseLe(buckets[i].Labels["le"]) > ParseLe(buckets[i - 1].Labels["le"]), "bucket bounds increase");
        }

        Assert.Equal(0, metrics.Value("vanus_append_duration_seconds_bucket", ("le", "0.0025")));
        Assert.Equal(2, metrics.Value("vanus_append_duration_seconds_bucket", ("le", "0.005")));
        Assert.Equal(2, metrics.Value("vanus_append_duration_seconds_bucket", ("le", "+Inf")));
        Assert.Equal(2, metrics.Value("vanus_append_duration_seconds_count"));
        Assert.Equal(0.006, metrics.Value("vanus_append_duration_seconds_sum"), 9);
    }

    [Fact]
    public async Task Metrics_leave_offsets_empty_while_not_ready_and_say_so()
    {
        await using var host = await GatewayHost.StartAsync();
        await host.CreateBusAsync("orders");
        host.Broker.IsReady = false;
        using var response = await host.Client.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var metrics = PrometheusParser.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(0, metrics.Value("vanus_ready"));
        Assert.DoesNotContain(metrics.Samples, s => s.Family == "vanus_eventlog_next_offset");
    }

    private static async Task<PrometheusParser> ScrapeAsync(GatewayHost host)
    {
        using var response = await host.Client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return PrometheusParser.Parse(await response.Content.ReadAsStringAsync());
    }

    private static double ParseLe(string le) => le == "+Inf" ? double.PositiveInfinity : double.Parse(le, System.Globalization.CultureInfo.InvariantCulture);
}
