using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Vanus.Testing.Http;

namespace Vanus.Node.Tests;

/// <summary>Subscriptions through the HTTP contract of a running node, delivering to a real receiver on loopback.</summary>
public sealed class SubscriptionTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private const string Subscriptions = SubscriptionApi.Subscriptions;

    private HttpClient Http => fixture.Http;

    [Fact]
    public async Task Filtered_and_transformed_events_arrive_in_binary_mode_with_the_read_attributes_and_sink_headers()
    {
        await using var receiver = await Receiver.StartAsync();
        var bus = await fixture.NewBusAsync();
        await SubscriptionApi.CreateAsync(Http, new JsonObject
        {
            ["name"] = "hook-" + bus,
            ["eventbus"] = bus,
            ["sink"] = receiver.Url,
            ["filters"] = JsonNode.Parse("""[{"exact":{"type":"order.created"}},{"sql":"amount > 100"}]"""),
            ["transformer"] = JsonNode.Parse("""{"define":{"amount":"$.data.amount"},"template":"{\"total\":<amount>}"}"""),
            ["sinkHeaders"] = new JsonObject { ["Authorization"] = "Bearer secret" },
        });

        foreach (var (id, type, amount) in new[] { ("small", "order.created", 50), ("big", "order.created", 500), ("other", "user.created", 900) })
        {
            var json = new JsonObject
            {
                ["specversion"] = "1.0", ["id"] = id, ["source"] = "/shop", ["type"] = type, ["amount"] = amount,
                ["datacontenttype"] = "application/json", ["data"] = new JsonObject { ["amount"] = amount },
            };
            using var response = await Http.SendAsync(Api.Json($"gateway/{bus}", json.ToJsonString(), "application/cloudevents+json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await receiver.WaitForAsync(d => d.Count >= 1);
        var delivery = Assert.Single(receiver.Deliveries);
        Assert.Equal("big", delivery.Id);
        Assert.Equal("order.created", delivery.Header("ce-type"));
        Assert.Equal("/shop", delivery.Header("ce-source"));
        Assert.Equal("1.0", delivery.Header("ce-specversion"));
        Assert.Equal(bus, delivery.Header("ce-xvanuseventbus"));
        Assert.Equal("0", delivery.Header("ce-xvanuseventlog"));
        Assert.Equal("1", delivery.Header("ce-xvanusoffset"));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$", delivery.Header("ce-xvanusstime")!);
        Assert.Equal("Bearer secret", delivery.Header("authorization"));
        Assert.Equal("""{"total":500}""", delivery.Text);

        var info = await SubscriptionApi.WaitForAsync(Http, "hook-" + bus, s => (long)s["delivered"]! == 1 && (long)s["eventlogs"]![0]!["committed"]! == 3);
        Assert.Equal("running", (string)info["state"]!);
        Assert.Equal(0, (long)info["eventlogs"]![0]!["lag"]!);
    }

    [Fact]
    public async Task A_failing_receiver_sees_the_retries_arrive_in_order_then_the_event_is_delivered()
    {
        await using var receiver = await Receiver.StartAsync();
        receiver.Respond = d => d.Attempt < 3 ? 503 : 200;
        var bus = await fixture.NewBusAsync();
        await SubscriptionApi.CreateAsync(Http, new JsonObject
        {
            ["name"] = "retry-" + bus,
            ["eventbus"] = bus,
            ["sink"] = receiver.Url,
            ["delivery"] = new JsonObject { ["backoff"] = new JsonArray("50ms", "100ms"), ["ordered"] = true },
        });

        using (var response = await Http.SendAsync(Api.Binary($"gateway/{bus}", "r1", partitionKey: "k")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using (var response = await Http.SendAsync(Api.Binary($"gateway/{bus}", "r2", partitionKey: "k")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await receiver.WaitForAsync(d => d.Count >= 6);
        Assert.Equal(["r1#1", "r1#2", "r1#3", "r2#1", "r2#2", "r2#3"], receiver.Deliveries.Select(d => $"{d.Id}#{d.Attempt}"));
        var info = await SubscriptionApi.WaitForAsync(Http, "retry-" + bus, s => (long)s["delivered"]! == 2);
        Assert.Equal(4, (long)info["failed"]!);
        Assert.Contains("503", (string)info["lastError"]!["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_receiver_that_answers_400_leads_to_dead_letters_that_are_listed_and_resent()
    {
        await using var receiver = await Receiver.StartAsync();
        var refuse = true;
        receiver.Respond = _ => refuse ? 400 : 204;
        var bus = await fixture.NewBusAsync();
        var name = "dl-" + bus;
        await SubscriptionApi.CreateAsync(Http, new JsonObject { ["name"] = name, ["eventbus"] = bus, ["sink"] = receiver.Url });
        foreach (var id in new[] { "d1", "d2" })
        {
            using var response = await Http.SendAsync(Api.Binary($"gateway/{bus}", id));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await SubscriptionApi.WaitForAsync(Http, name, s => (long)s["deadLettered"]! == 2);
        var letters = (await Api.GetJsonAsync(Http, $"{Subscriptions}/{name}/deadletters")).AsArray();
        Assert.Equal(["d1", "d2"], letters.Select(l => (string)l!["id"]!).Order());
        foreach (var letter in letters)
        {
            Assert.Equal(name, (string)letter!["xvanusdlsubscription"]!);
            Assert.Equal("SinkRefused", (string)letter["xvanusdlreason"]!);
            Assert.Contains("400", (string)letter["xvanusdlerror"]!, StringComparison.Ordinal);
            Assert.Equal(1, (int)letter["xvanusdlattempts"]!);
            Assert.NotNull(letter["xvanusdltime"]);
        }

        refuse = false;
        var d2 = letters.Single(l => (string)l!["id"]! == "d2")!;
        var offset = (long)d2["xvanusoffset"]!;
        using (var resend = await Http.PostAsJsonAsync($"{Subscriptions}/{name}/deadletters/resend", new { eventlog = 0, from = offset, to = offset }))
        {
            Assert.Equal(HttpStatusCode.OK, resend.StatusCode);
            Assert.Equal(1, (int)JsonNode.Parse(await resend.Content.ReadAsStringAsync())!["resent"]!);
        }

        await receiver.WaitForAsync(d => d.Count == 3);
        Assert.Equal("d2", receiver.Deliveries[2].Id);
        Assert.Null(receiver.Deliveries[2].Header("ce-xvanusdlreason"));
        await SubscriptionApi.WaitForAsync(Http, name, s => (long)s["delivered"]! == 1);
    }

    [Fact]
    public async Task Ordered_subscriptions_keep_per_key_order_with_a_receiver_that_fails_at_random()
    {
        await using var receiver = await Receiver.StartAsync();
        var random = new Random(1234);
        var gate = new Lock();
        receiver.Respond = _ =>
        {
            lock (gate)
            {
                return random.NextDouble() < 0.3 ? 503 : 204;
            }
        };
        var bus = await fixture.NewBusAsync(eventlogs: 2);
        var name = "ordered-" + bus;
        await SubscriptionApi.CreateAsync(Http, new JsonObject
        {
            ["name"] = name,
            ["eventbus"] = bus,
            ["sink"] = receiver.Url,
            ["delivery"] = new JsonObject { ["backoff"] = new JsonArray("10ms"), ["ordered"] = true },
        });

        var keys = Enumerable.Range(0, 10).Select(k => $"key{k}").ToList();
        var sent = keys.ToDictionary(k => k, _ => new List<string>());
        for (var round = 0; round < 10; round++)
        {
            var batch = new List<string>();
            foreach (var key in keys)
            {
                for (var i = 0; i < 5; i++)
                {
                    var id = $"{key}-{round * 5 + i}";
                    sent[key].Add(id);
                    batch.Add(Api.Event(id, "x", extra: $",\"partitionkey\":\"{key}\""));
                }
            }

            using var response = await Http.SendAsync(Api.Json($"gateway/{bus}", "[" + string.Join(',', batch) + "]", "application/cloudevents-batch+json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await receiver.WaitForAsync(_ => receiver.AcceptedCount == 500, TimeSpan.FromMinutes(2));
        var deliveries = receiver.Deliveries;
        var accepted = receiver.AcceptedIds();
        Assert.Contains(deliveries, d => d.Attempt > 1);
        foreach (var key in keys)
        {
            // Every request for the key is for the oldest event not yet accepted: retries hold the later ones.
            var next = 0;
            foreach (var d in deliveries.Where(d => d.Header("ce-partitionkey") == key))
            {
                Assert.Equal(sent[key][next], d.Id);
                if (accepted.Contains(d.Id!) && d.Attempt == deliveries.Where(x => x.Id == d.Id).Max(x => x.Attempt))
                {
                    next++;
                }
            }

            Assert.Equal(sent[key].Count, next);
        }
    }

    [Fact]
    public async Task Pause_resume_and_reset_through_the_api()
    {
        await using var receiver = await Receiver.StartAsync();
        var bus = await fixture.NewBusAsync();
        var name = "life-" + bus;
        await SubscriptionApi.CreateAsync(Http, new JsonObject { ["name"] = name, ["eventbus"] = bus, ["sink"] = receiver.Url, ["from"] = "earliest" });
        await SendAsync(bus, "one");
        await receiver.WaitForAsync(d => d.Count == 1);

        var paused = await PostAsync($"{Subscriptions}/{name}/pause", null);
        Assert.Equal("paused", (string)paused["state"]!);
        await SendAsync(bus, "two");
        await SubscriptionApi.WaitForAsync(Http, name, s => (long)s["eventlogs"]![0]!["lag"]! == 1);

        using (var running = await Http.PostAsJsonAsync($"{Subscriptions}/{name}/reset", new { time = "not a time" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, running.StatusCode);
        }

        await PostAsync($"{Subscriptions}/{name}/reset", new JsonObject { ["time"] = "2000-01-01T00:00:00Z" });
        var resumed = await PostAsync($"{Subscriptions}/{name}/resume", null);
        Assert.Equal("running", (string)resumed["state"]!);
        await receiver.WaitForAsync(d => d.Count == 3);
        Assert.Equal(["one", "one", "two"], receiver.Deliveries.Select(d => d.Id!).Order());

        using var whileRunning = await Http.PostAsJsonAsync($"{Subscriptions}/{name}/reset", new { time = "2000-01-01T00:00:00Z" });
        Assert.Equal(HttpStatusCode.BadRequest, whileRunning.StatusCode);
    }

    [Fact]
    public async Task Subscriptions_start_from_earliest_latest_or_a_time()
    {
        await using var receiver = await Receiver.StartAsync();
        var bus = await fixture.NewBusAsync();
        await SendAsync(bus, "old");
        await SubscriptionApi.CreateAsync(Http, new JsonObject { ["name"] = "earliest-" + bus, ["eventbus"] = bus, ["sink"] = receiver.Url + "/earliest", ["from"] = "earliest" });
        await SubscriptionApi.CreateAsync(Http, new JsonObject { ["name"] = "latest-" + bus, ["eventbus"] = bus, ["sink"] = receiver.Url + "/latest" });
        await SubscriptionApi.CreateAsync(Http, new JsonObject { ["name"] = "future-" + bus, ["eventbus"] = bus, ["sink"] = receiver.Url + "/future", ["from"] = "2999-01-01T00:00:00Z" });
        await SendAsync(bus, "new");

        await receiver.WaitForAsync(d => d.Count == 4);
        Assert.Equal(["new", "old"], receiver.Deliveries.Where(d => d.Path == "/hook/earliest").Select(d => d.Id!).Order());
        Assert.Equal(["new"], receiver.Deliveries.Where(d => d.Path == "/hook/latest").Select(d => d.Id!));

        // A start in the future is the end of the log when the subscription is created: it gets what comes after.
        Assert.Equal(["new"], receiver.Deliveries.Where(d => d.Path == "/hook/future").Select(d => d.Id!));
    }

    [Fact]
    public async Task Refused_documents_name_the_field_and_nothing_is_created()
    {
        var bus = await fixture.NewBusAsync();
        async Task Refused(JsonObject doc, string field)
        {
            using var response = await Http.PostAsJsonAsync(Subscriptions, doc);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{doc.ToJsonString()} → {(int)response.StatusCode} {text}");
            Assert.Equal(field, (string)JsonNode.Parse(text)!["field"]!);
        }

        await Refused(new JsonObject { ["name"] = "bad-" + bus, ["eventbus"] = bus, ["sink"] = "not a url" }, "sink");
        await Refused(new JsonObject { ["name"] = "bad-" + bus, ["eventbus"] = bus, ["sink"] = "http://127.0.0.1:9/", ["filters"] = JsonNode.Parse("""[{"sql":"amount >"}]""") }, "filters[0].sql");
        await Refused(new JsonObject { ["name"] = "bad-" + bus, ["eventbus"] = bus, ["sink"] = "http://127.0.0.1:9/", ["delivery"] = new JsonObject { ["maxAttempts"] = 33 } }, "delivery.maxAttempts");
        await Refused(new JsonObject { ["name"] = "bad-" + bus, ["eventbus"] = bus, ["sink"] = "http://127.0.0.1:9/", ["surprise"] = 1 }, "surprise");
        using var missing = await Http.GetAsync($"{Subscriptions}/bad-{bus}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    private async Task SendAsync(string bus, string id)
    {
        using var response = await Http.SendAsync(Api.Binary($"gateway/{bus}", id));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<JsonNode> PostAsync(string path, JsonObject? body)
    {
        using var response = body is null ? await Http.PostAsync(path, null) : await Http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }
}

/// <summary>Helpers over the subscriptions part of the HTTP contract.</summary>
public static class SubscriptionApi
{
    public const string Subscriptions = "api/v1/namespaces/default/subscriptions";

    public static async Task CreateAsync(HttpClient http, JsonObject document)
    {
        using var response = await http.PostAsJsonAsync(Subscriptions, document);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"create subscription: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Reads a subscription until <paramref name="condition"/> holds (its counts are persisted and reported asynchronously).</summary>
    public static async Task<JsonNode> WaitForAsync(HttpClient http, string name, Func<JsonNode, bool> condition, TimeSpan? patience = null)
    {
        using var cts = new CancellationTokenSource(patience ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var info = await Api.GetJsonAsync(http, $"{Subscriptions}/{name}");
            if (condition(info))
            {
                return info;
            }

            await Task.Delay(25, cts.Token);
        }
    }
}
