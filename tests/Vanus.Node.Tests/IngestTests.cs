using System.Net;
using System.Text.Json.Nodes;

namespace Vanus.Node.Tests;

/// <summary>Ingest in every mode on both paths, every refusal with nothing stored, and reads — over HTTP against the real executable.</summary>
public sealed class IngestTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private HttpClient Http => fixture.Http;

    private static async Task<JsonObject> ReplyAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    [Fact]
    public async Task Every_mode_on_both_paths_is_stored_and_read_back_with_its_placement()
    {
        var bus = await fixture.NewBusAsync();
        var placed = new List<JsonNode>();
        using (var r = await Http.SendAsync(Api.Binary($"gateway/{bus}", "b1", "binary on the gateway path")))
        {
            placed.AddRange((await ReplyAsync(r, HttpStatusCode.OK))["events"]!.AsArray()!);
        }

        using (var r = await Http.SendAsync(Api.Binary($"namespaces/default/eventbus/{bus}/events", "b2", "binary on the namespace path")))
        {
            placed.AddRange((await ReplyAsync(r, HttpStatusCode.OK))["events"]!.AsArray()!);
        }

        using (var r = await Http.SendAsync(Api.Json($"gateway/{bus}", Api.Event("s1", "structured"), "application/cloudevents+json")))
        {
            placed.AddRange((await ReplyAsync(r, HttpStatusCode.OK))["events"]!.AsArray()!);
        }

        var batch = $"[{Api.Event("m1", "first")},{Api.Event("m2", "second")},{Api.Event("m3", "third")}]";
        using (var r = await Http.SendAsync(Api.Json($"namespaces/default/eventbus/{bus}/events", batch, "application/cloudevents-batch+json")))
        {
            placed.AddRange((await ReplyAsync(r, HttpStatusCode.OK))["events"]!.AsArray()!);
        }

        Assert.Equal(["b1", "b2", "s1", "m1", "m2", "m3"], placed.Select(p => (string)p!["id"]!));
        Assert.Equal(Enumerable.Range(0, 6).Select(i => (long)i), placed.Select(p => (long)p!["offset"]!));
        Assert.All(placed, p => Assert.Equal(0, (int)p!["eventlog"]!));

        var stored = await Api.ReadAllAsync(Http, bus);
        Assert.Equal(["b1", "b2", "s1", "m1", "m2", "m3"], stored.Select(e => (string)e["id"]!));
        Assert.Equal("binary on the gateway path", (string)stored[0]["data"]!);
        Assert.Equal("second", (string)stored[4]["data"]!);
        Assert.All(stored, e => Assert.Equal(bus, (string)e["xvanuseventbus"]!));
        Assert.Equal(Enumerable.Range(0, 6).Select(i => (long)i), stored.Select(e => (long)e["xvanusoffset"]!));

        // Read one by the server-assigned id the reply gave.
        var one = await Api.GetJsonAsync(Http, $"{Api.Buses}/{bus}/events/{(string)placed[3]!["eventId"]!}");
        var single = one is JsonArray array ? array[0]! : one;
        Assert.Equal("m1", (string)single["id"]!);
    }

    [Fact]
    public async Task A_bad_event_is_refused_with_a_problem_naming_the_attribute_and_nothing_is_stored()
    {
        var bus = await fixture.NewBusAsync();
        var request = Api.Binary($"gateway/{bus}", "x1");
        request.Headers.Remove("ce-type");
        using var response = await Http.SendAsync(request);
        var problem = await ReplyAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(400, (int)problem["status"]!);
        Assert.Equal("type", (string)problem["attribute"]!);
        Assert.Equal(new long[] { 0 }, await Api.NextOffsetsAsync(Http, bus));
    }

    [Fact]
    public async Task A_batch_with_one_bad_event_stores_none_and_names_its_index()
    {
        var bus = await fixture.NewBusAsync();
        var batch = $"[{Api.Event("ok1")},{Api.Event("ok2")},{{\"specversion\":\"1.0\",\"id\":\"bad\",\"source\":\"/tests\"}}]";
        using var response = await Http.SendAsync(Api.Json($"gateway/{bus}", batch, "application/cloudevents-batch+json"));
        var problem = await ReplyAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(2, (int)problem["eventIndex"]!);
        Assert.Equal("type", (string)problem["attribute"]!);
        Assert.Equal(new long[] { 0 }, await Api.NextOffsetsAsync(Http, bus));
    }

    [Fact]
    public async Task Reserved_attributes_are_refused_and_a_delivery_time_must_be_a_timestamp()
    {
        var bus = await fixture.NewBusAsync();
        using (var response = await Http.SendAsync(Api.Binary($"gateway/{bus}", "r1", headers: ("ce-xvanusoffset", "7"))))
        {
            var problem = await ReplyAsync(response, HttpStatusCode.BadRequest);
            Assert.Equal("xvanusoffset", (string)problem["attribute"]!);
        }

        using (var response = await Http.SendAsync(Api.Binary($"gateway/{bus}", "r2", headers: ("ce-xvanusdeliverytime", "tomorrow"))))
        {
            var problem = await ReplyAsync(response, HttpStatusCode.BadRequest);
            Assert.Equal("xvanusdeliverytime", (string)problem["attribute"]!);
            Assert.Contains("tomorrow", (string)problem["detail"]!, StringComparison.Ordinal);
        }

        Assert.Equal(new long[] { 0 }, await Api.NextOffsetsAsync(Http, bus));

        // A timestamp is held: the answer names its delivery time instead of an offset, and the bus stays empty until then.
        using (var response = await Http.SendAsync(Api.Binary($"gateway/{bus}", "r3", headers: ("ce-xvanusdeliverytime", "2030-01-01T00:00:00Z"))))
        {
            var answer = await ReplyAsync(response, HttpStatusCode.OK);
            var held = answer["events"]![0]!;
            Assert.Equal(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero), DateTimeOffset.Parse((string)held["deliverytime"]!, System.Globalization.CultureInfo.InvariantCulture));
            Assert.Null(held["offset"]);
        }

        Assert.Equal(new long[] { 0 }, await Api.NextOffsetsAsync(Http, bus));
    }

    [Fact]
    public async Task An_unknown_eventbus_is_404_with_a_problem_document()
    {
        using var response = await Http.SendAsync(Api.Binary("gateway/no-such-bus", "n1"));
        var problem = await ReplyAsync(response, HttpStatusCode.NotFound);
        Assert.Contains("no-such-bus", (string)problem["detail"]!);
    }

    [Fact]
    public async Task An_event_over_the_size_limit_is_413_and_not_stored()
    {
        var bus = await fixture.NewBusAsync();
        using var response = await Http.SendAsync(Api.Binary($"gateway/{bus}", "big", new string('x', (1 << 20) + 1)));
        var problem = await ReplyAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(413, (int)problem["status"]!);
        Assert.Equal(new long[] { 0 }, await Api.NextOffsetsAsync(Http, bus));
    }

    [Fact]
    public async Task Partition_keys_keep_an_order_on_one_eventlog_and_other_events_spread()
    {
        var bus = await fixture.NewBusAsync(eventlogs: 4);
        var keyed = new List<int>();
        for (var i = 0; i < 20; i++)
        {
            using var r = await Http.SendAsync(Api.Binary($"gateway/{bus}", $"k{i}", partitionKey: "customer-42"));
            keyed.Add((int)(await ReplyAsync(r, HttpStatusCode.OK))["events"]![0]!["eventlog"]!);
        }

        Assert.Single(keyed.Distinct());
        var spread = new HashSet<int>();
        for (var i = 0; i < 8; i++)
        {
            using var r = await Http.SendAsync(Api.Binary($"gateway/{bus}", $"u{i}"));
            spread.Add((int)(await ReplyAsync(r, HttpStatusCode.OK))["events"]![0]!["eventlog"]!);
        }

        Assert.Equal(4, spread.Count);
        var keyedLog = await Api.ReadAllAsync(Http, bus, keyed[0]);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"k{i}"), keyedLog.Select(e => (string)e["id"]!).Where(id => id.StartsWith('k')));
    }

    [Fact]
    public async Task Offsets_by_time_point_at_the_first_event_stored_at_or_after_it()
    {
        var bus = await fixture.NewBusAsync();
        using (var r = await Http.SendAsync(Api.Binary($"gateway/{bus}", "t0")))
        {
            await ReplyAsync(r, HttpStatusCode.OK);
        }

        var stored = await Api.ReadAllAsync(Http, bus);
        var firstTime = (string)stored[0]["xvanusstime"]!;
        var before = await Api.GetJsonAsync(Http, $"{Api.Buses}/{bus}/offsets?time=2000-01-01T00:00:00Z");
        Assert.Equal(0, (long)before["offsets"]![0]!["offset"]!);
        var atFirst = await Api.GetJsonAsync(Http, $"{Api.Buses}/{bus}/offsets?time={Uri.EscapeDataString(firstTime)}");
        Assert.Equal(0, (long)atFirst["offsets"]![0]!["offset"]!);
        var future = await Api.GetJsonAsync(Http, $"{Api.Buses}/{bus}/offsets?time=2100-01-01T00:00:00Z");
        Assert.Equal(1, (long)future["offsets"]![0]!["offset"]!);
    }

    [Fact]
    public async Task Health_readiness_and_metrics_answer()
    {
        var bus = await fixture.NewBusAsync();
        using (var r = await Http.SendAsync(Api.Binary($"gateway/{bus}", "m")))
        {
            await ReplyAsync(r, HttpStatusCode.OK);
        }

        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync("healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync("readyz")).StatusCode);
        var metrics = await Http.GetStringAsync("metrics");
        Assert.Contains($"vanus_ingest_events_total{{namespace=\"default\",eventbus=\"{bus}\"}} 1", metrics);
        Assert.Contains("# TYPE vanus_append_duration_seconds histogram", metrics);
        Assert.Contains($"vanus_eventlog_next_offset{{namespace=\"default\",eventbus=\"{bus}\",eventlog=\"0\"}} 1", metrics);
    }
}
