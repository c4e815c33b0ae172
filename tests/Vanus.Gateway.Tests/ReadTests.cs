using System.Net;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Codecs;

namespace Vanus.Gateway.Tests;

public sealed class ReadTests
{
    private const string Bus = "/api/v1/namespaces/default/eventbuses/orders";

    [Fact]
    public async Task Read_by_offset_answers_a_batch_with_the_read_attributes()
    {
        await using var host = await StartWithEventsAsync(3);
        using var response = await host.Client.GetAsync(Bus + "/events?eventlog=0&offset=1&count=10");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/cloudevents-batch+json", response.Content.Headers.ContentType?.MediaType);
        var events = JsonEventFormat.DecodeBatch(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(["e-1", "e-2"], events.Select(e => e.Id));
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            Assert.Equal("""{"n":1}""", e.DataText);
            Assert.True(e.Extensions.TryGet("xvanusstime", out var stime));
            Assert.Equal($"2026-11-27T16:00:0{i + 1}.000000Z", stime.ToString());
            Assert.True(e.Extensions.TryGet("xvanuseventbus", out var bus));
            Assert.Equal("orders", bus.ToString());
            Assert.True(e.Extensions.TryGet("xvanuseventlog", out var log));
            Assert.Equal(0, log.AsInteger);
            Assert.True(e.Extensions.TryGet("xvanusoffset", out var offset));
            Assert.Equal(i + 1, offset.AsInteger);
        }
    }

    [Fact]
    public async Task Read_by_offset_honours_count_and_defaults()
    {
        await using var host = await StartWithEventsAsync(12);
        using (var limited = await host.Client.GetAsync(Bus + "/events?offset=3&count=2"))
        {
            Assert.Equal(["e-3", "e-4"], JsonEventFormat.DecodeBatch(await limited.Content.ReadAsByteArrayAsync()).Select(e => e.Id));
        }

        using (var defaults = await host.Client.GetAsync(Bus + "/events"))
        {
            Assert.Equal(10, JsonEventFormat.DecodeBatch(await defaults.Content.ReadAsByteArrayAsync()).Count);
        }

        using var past = await host.Client.GetAsync(Bus + "/events?offset=100");
        Assert.Equal(HttpStatusCode.OK, past.StatusCode);
        Assert.Equal("[]", await past.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Read_of_many_large_events_streams_them_all()
    {
        await using var host = await GatewayHost.StartAsync();
        await host.CreateBusAsync("orders");
        var data = new string('d', 20_000);
        var batch = "[" + string.Join(',', Enumerable.Range(0, 20).Select(i =>
            $$"""{"specversion":"1.0","id":"big-{{i}}","source":"/s","type":"t","datacontenttype":"text/plain","data":"{{data}}"}""")) + "]";
        using (var ingest = await host.Client.PostAsync("/gateway/orders", GatewayHost.Batch(batch)))
        {
            Assert.Equal(HttpStatusCode.OK, ingest.StatusCode);
        }

        using var response = await host.Client.GetAsync(Bus + "/events?count=20");
        var events = JsonEventFormat.DecodeBatch(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(20, events.Count);
        Assert.All(events, e => Assert.Equal(data, e.DataText));
    }

    [Theory]
    [InlineData("eventlog=-1", "eventlog", "must be between 0 and 63 (got -1)")]
    [InlineData("eventlog=x", "eventlog", "must be a whole number (got 'x')")]
    [InlineData("offset=-5", "offset", "must be at least 0 (got -5)")]
    [InlineData("offset=1.5", "offset", "must be a whole number (got '1.5')")]
    [InlineData("count=0", "count", "must be between 1 and 1000 (got 0)")]
    [InlineData("count=1001", "count", "must be between 1 and 1000 (got 1001)")]
    [InlineData("count=1&count=2", "count", "is given 2 times")]
    public async Task Read_by_offset_refuses_bad_parameters_by_name(string query, string field, string reason)
    {
        await using var host = await StartWithEventsAsync(1);
        using var response = await host.Client.GetAsync(Bus + "/events?" + query);

        var problem = await ProblemAssert.IsFieldProblemAsync(response, HttpStatusCode.BadRequest, "invalid-parameter", Bus + "/events", field, reason);
    }

    [Fact]
    public async Task Read_of_an_eventlog_the_bus_lacks_is_400_from_the_broker()
    {
        await using var host = await StartWithEventsAsync(1);
        using var response = await host.Client.GetAsync(Bus + "/events?eventlog=5");

        await ProblemAssert.IsFieldProblemAsync(response, HttpStatusCode.BadRequest, "invalid-request", Bus + "/events", "eventlog");
    }

    [Fact]
    public async Task Read_of_unknown_eventbus_is_404()
    {
        await using var host = await GatewayHost.StartAsync();
        using var response = await host.Client.GetAsync("/api/v1/namespaces/default/eventbuses/nope/events");

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound, "not-found", "/api/v1/namespaces/default/eventbuses/nope/events");
    }

    [Fact]
    public async Task Get_by_event_id_answers_the_event_ingest_placed_there()
    {
        await using var host = await GatewayHost.StartAsync();
        await host.CreateBusAsync("orders", eventlogs: 3);
        var batch = $"[{GatewayHost.EventJson("a")},{GatewayHost.EventJson("b")},{GatewayHost.EventJson("c")},{GatewayHost.EventJson("d")}]";
        using var ingest = await host.Client.PostAsync("/gateway/orders", GatewayHost.Batch(batch));
        var placed = (await GatewayHost.ReadJsonAsync(ingest)).GetProperty("events").EnumerateArray().ToArray();

        foreach (var p in placed)
        {
            using var response = await host.Client.GetAsync($"{Bus}/events/{p.GetProperty("eventId").GetString()}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/cloudevents+json", response.Content.Headers.ContentType?.MediaType);
            var e = JsonEventFormat.Decode(await response.Content.ReadAsByteArrayAsync());
            Assert.Equal(p.GetProperty("id").GetString(), e.Id);
            Assert.True(e.Extensions.TryGet("xvanuseventlog", out var log));
            Assert.Equal(p.GetProperty("eventlog").GetInt32(), log.AsInteger);
            Assert.True(e.Extensions.TryGet("xvanusoffset", out var offset));
            Assert.Equal(p.GetProperty("offset").GetInt64(), offset.AsInteger);
        }
    }

    [Theory]
    [InlineData("xyz")]
    [InlineData("00000000000000000")]
    [InlineData("000000000000000g")]
    public async Task Get_by_malformed_event_id_is_400(string id)
    {
        await using var host = await StartWithEventsAsync(1);
        using var response = await host.Client.GetAsync($"{Bus}/events/{id}");

        var problem = await ProblemAssert.IsFieldProblemAsync(response, HttpStatusCode.BadRequest, "invalid-parameter", $"{Bus}/events/{id}", "eventId", id);
    }

    [Fact]
    public async Task Get_by_unknown_event_id_is_404()
    {
        await using var host = await StartWithEventsAsync(1);
        var id = new EventId(0, 99).ToString();
        using var response = await host.Client.GetAsync($"{Bus}/events/{id}");

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound, "not-found", $"{Bus}/events/{id}");
        Assert.Contains(id, ProblemAssert.Text(problem, "detail"));
    }

    [Fact]
    public async Task Offsets_by_time_answer_the_first_offset_at_or_after_it_per_eventlog()
    {
        await using var host = await StartWithEventsAsync(4);
        using var response = await host.Client.GetAsync(Bus + "/offsets?time=2026-11-27T16:00:02Z");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var doc = await GatewayHost.ReadJsonAsync(response);
        Assert.Equal("2026-11-27T16:00:02Z", doc.GetProperty("time").GetString());
        var offsets = doc.GetProperty("offsets").EnumerateArray().Select(o => (o.GetProperty("eventlog").GetInt32(), o.GetProperty("offset").GetInt64()));
        Assert.Equal([(0, 2L)], offsets);

        using var later = await host.Client.GetAsync(Bus + "/offsets?time=2027-01-01T00:00:00%2B01:00");
        Assert.Equal(4, (await GatewayHost.ReadJsonAsync(later)).GetProperty("offsets")[0].GetProperty("offset").GetInt64());
    }

    [Theory]
    [InlineData("", "is required")]
    [InlineData("?time=yesterday", "must be an RFC 3339 time")]
    [InlineData("?time=2026-13-01T00:00:00Z", "does not exist")]
    public async Task Offsets_by_time_refuse_a_missing_or_bad_time(string query, string reason)
    {
        await using var host = await StartWithEventsAsync(1);
        using var response = await host.Client.GetAsync(Bus + "/offsets" + query);

        await ProblemAssert.IsFieldProblemAsync(response, HttpStatusCode.BadRequest, "invalid-parameter", Bus + "/offsets", "time", reason);
    }

    /// <summary>A bus "orders" with one eventlog holding e-0..e-(n-1), stored one second apart from 16:00:00.</summary>
    private static async Task<GatewayHost> StartWithEventsAsync(int count)
    {
        var host = await GatewayHost.StartAsync();
        await host.CreateBusAsync("orders");
        for (var i = 0; i < count; i++)
        {
            using var response = await host.Client.PostAsync("/gateway/orders", GatewayHost.Structured(GatewayHost.EventJson($"e-{i}")));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            host.Time.Advance(TimeSpan.FromSeconds(1));
        }

        return host;
    }
}
