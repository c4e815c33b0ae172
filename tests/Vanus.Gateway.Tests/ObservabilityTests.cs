using System.Net;
using System.Text;
using Vanus.Cluster;

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

    private static double ParseLe(string le) => le == "+Inf" ? double.PositiveInfinity : double.Parse(le, System.Globalization.CultureInfo.InvariantCulture);
}
