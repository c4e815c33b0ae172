using System.Net;
using System.Text.Json;
using Vanus.Runtime.Broker;

namespace Vanus.Gateway.Tests;

/// <summary>The subscription document through the HTTP pipeline: create, list, get, replace and delete, and every refusal by field.</summary>
public sealed class SubscriptionApiTests
{
    internal const string Subs = "/api/v1/namespaces/default/subscriptions";

    private const string FullDocument = """
        { "name": "orders-hook", "eventbus": "orders",
          "filters": [ {"exact": {"type": "order.created"}}, {"sql": "amount > 100"} ],
          "transformer": { "define": {"id": "$.data.id"}, "template": "{\"order\":\"<id>\"}" },
          "delay": "90s",
          "sink": "https://127.0.0.1:9000/hook", "protocol": "http", "mode": "structured",
          "sinkHeaders": { "Authorization": "Bearer abc", "X-Team": "shop" },
          "delivery": { "maxAttempts": 5, "backoff": ["250ms", "2s"], "timeout": "1500ms", "deadLetter": false,
                        "ordered": true, "inflight": 16, "rateLimit": 2.5 },
          "from": "earliest" }
        """;

    [Fact]
    public async Task Sink_header_values_are_write_only_and_a_read_document_put_back_keeps_them()
    {
        await using var host = await StartAsync(eventlogs: 2);
        using (var created = await host.Client.PostAsync(Subs, GatewayHost.Json(FullDocument)))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        // Every read shows the mask, never the value.
        using (var read = await host.Client.GetAsync(Subs + "/orders-hook"))
        {
            var headers = (await GatewayHost.ReadJsonAsync(read)).GetProperty("sinkHeaders");
            Assert.Equal(["***", "***"], headers.EnumerateObject().Select(h => h.Value.GetString()));
        }

        // Put back with the mask for one header and a new value for the other: the masked one keeps its value.
        var edited = FullDocument.Replace("\"Authorization\": \"Bearer abc\"", "\"Authorization\": \"***\"", StringComparison.Ordinal).Replace("\"shop\" }", "\"ops\" }", StringComparison.Ordinal);
        using (var put = await host.Client.PutAsync(Subs + "/orders-hook", GatewayHost.Json(edited)))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var spec = host.Subscriptions.Spec("default", "orders-hook");
        Assert.Equal("Bearer abc", spec.SinkHeaders["Authorization"]);
        Assert.Equal("ops", spec.SinkHeaders["X-Team"]);

        // The mask for a header the subscription does not hold, or in a new document, is refused rather than sent as a value.
        var unknown = FullDocument.Replace("\"X-Team\": \"shop\"", "\"X-New\": \"***\"", StringComparison.Ordinal);
        using (var put = await host.Client.PutAsync(Subs + "/orders-hook", GatewayHost.Json(unknown)))
        {
            await ProblemAssert.IsFieldProblemAsync(put, HttpStatusCode.BadRequest, "invalid-document", Subs + "/orders-hook", "sinkHeaders.X-New", "no such header to keep");
        }

        // A new sink never receives the kept values: they are credentials for the old one.
        var moved = edited.Replace("https://127.0.0.1:9000/hook", "https://127.0.0.2:9000/hook", StringComparison.Ordinal);
        using (var put = await host.Client.PutAsync(Subs + "/orders-hook", GatewayHost.Json(moved)))
        {
            await ProblemAssert.IsFieldProblemAsync(put, HttpStatusCode.BadRequest, "invalid-document", Subs + "/orders-hook", "sinkHeaders.Authorization", "a new sink");
        }

        using (var create = await host.Client.PostAsync(Subs, GatewayHost.Json(unknown.Replace("orders-hook", "other-hook", StringComparison.Ordinal))))
        {
            await ProblemAssert.IsFieldProblemAsync(create, HttpStatusCode.BadRequest, "invalid-document", Subs, "sinkHeaders.X-New", "the mask reads show");
        }

        Assert.Equal("ops", host.Subscriptions.Spec("default", "orders-hook").SinkHeaders["X-Team"]);
    }

    [Fact]
    public async Task Create_with_every_field_answers_201_with_the_document_and_its_status()
    {
        await using var host = await StartAsync(eventlogs: 2);
        using var response = await host.Client.PostAsync(Subs, GatewayHost.Json(FullDocument));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(Subs + "/orders-hook", response.Headers.Location?.OriginalString);
        var sub = await GatewayHost.ReadJsonAsync(response);
        Assert.Equal("orders-hook", sub.GetProperty("name").GetString());
        Assert.Equal("default", sub.GetProperty("namespace").GetString());
        Assert.Equal("orders", sub.GetProperty("eventbus").GetString());
        Assert.Equal(2, sub.GetProperty("filters").GetArrayLength());
        Assert.Equal("amount > 100", sub.GetProperty("filters")[1].GetProperty("sql").GetString());
        Assert.Equal("$.data.id", sub.GetProperty("transformer").GetProperty("define").GetProperty("id").GetString());
        Assert.Equal("90s", sub.GetProperty("delay").GetString());
        Assert.Equal("https://127.0.0.1:9000/hook", sub.GetProperty("sink").GetString());
        Assert.Equal("http", sub.GetProperty("protocol").GetString());
        Assert.Equal("structured", sub.GetProperty("mode").GetString());
        Assert.Equal("***", sub.GetProperty("sinkHeaders").GetProperty("Authorization").GetString());
        var delivery = sub.GetProperty("delivery");
        Assert.Equal(5, delivery.GetProperty("maxAttempts").GetInt32());
        Assert.Equal(["250ms", "2s"], delivery.GetProperty("backoff").EnumerateArray().Select(b => b.GetString()));
        Assert.Equal("1500ms", delivery.GetProperty("timeout").GetString());
        Assert.False(delivery.GetProperty("deadLetter").GetBoolean());
        Assert.True(delivery.GetProperty("ordered").GetBoolean());
        Assert.Equal(16, delivery.GetProperty("inflight").GetInt32());
        Assert.Equal(2.5, delivery.GetProperty("rateLimit").GetDouble());
        Assert.Equal("earliest", sub.GetProperty("from").GetString());
        Assert.Equal("running", sub.GetProperty("state").GetString());
        Assert.Equal("2026-11-27T16:00:00Z", sub.GetProperty("createdAt").GetString());
        foreach (var count in new[] { "delivered", "failed", "deadLettered", "dropped" })
        {
            Assert.Equal(0, sub.GetProperty(count).GetInt64());
        }

        Assert.Equal(JsonValueKind.Null, sub.GetProperty("lastError").ValueKind);
        Assert.Equal([0, 1], sub.GetProperty("eventlogs").EnumerateArray().Select(l => l.GetProperty("eventlog").GetInt32()));

        // What reached the broker: the same document, typed, with filters and transformer as the JSON the user wrote.
        var spec = host.Subscriptions.Spec("default", "orders-hook");
        using (var written = JsonDocument.Parse(FullDocument))
        {
            Assert.Equal(written.RootElement.GetProperty("filters").GetRawText(), spec.Filters);
            Assert.Equal(written.RootElement.GetProperty("transformer").GetRawText(), spec.Transformer);
        }

        Assert.Equal(TimeSpan.FromSeconds(90), spec.Delay);
        Assert.Equal(SinkMode.Structured, spec.Mode);
        Assert.Equal("Bearer abc", spec.SinkHeaders["authorization"]);
        Assert.Equal(SubscriptionStart.Earliest, spec.From);
        Assert.Equal(
            new DeliveryPolicy
            {
                MaxAttempts = 5,
                Backoff = [TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(2)],
                Timeout = TimeSpan.FromMilliseconds(1500),
                DeadLetter = false,
                Ordered = true,
                Inflight = 16,
                RateLimit = 2.5,
            },
            spec.Delivery);
    }

    [Fact]
    public async Task Create_with_only_the_required_fields_takes_the_defaults()
    {
        await using var host = await StartAsync();
        using var response = await host.Client.PostAsync(Subs, GatewayHost.Json("""{"name":"hook","eventbus":"orders","sink":"http://127.0.0.1:9000/hook"}"""));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var sub = await GatewayHost.ReadJsonAsync(response);
        Assert.Equal(0, sub.GetProperty("filters").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, sub.GetProperty("transformer").ValueKind);
        Assert.Equal("0s", sub.GetProperty("delay").GetString());
        Assert.Equal("http", sub.GetProperty("protocol").GetString());
        Assert.Equal("binary", sub.GetProperty("mode").GetString());
        Assert.Empty(sub.GetProperty("sinkHeaders").EnumerateObject());
        Assert.Equal("latest", sub.GetProperty("from").GetString());
        var delivery = sub.GetProperty("delivery");
        Assert.Equal(32, delivery.GetProperty("maxAttempts").GetInt32());
        Assert.Equal(
            ["1s", "5s", "10s", "30s", "1m", "2m", "4m", "8m", "16m", "1h"],
            delivery.GetProperty("backoff").EnumerateArray().Select(b => b.GetString()));
        Assert.Equal("5s", delivery.GetProperty("timeout").GetString());
        Assert.True(delivery.GetProperty("deadLetter").GetBoolean());
        Assert.False(delivery.GetProperty("ordered").GetBoolean());
        Assert.Equal(1024, delivery.GetProperty("inflight").GetInt32());
        Assert.Equal(0, delivery.GetProperty("rateLimit").GetDouble());

        var spec = host.Subscriptions.Spec("default", "hook");
        Assert.Null(spec.Filters);
        Assert.Null(spec.Transformer);
        Assert.Equal(DeliveryPolicy.Default, spec.Delivery);
        Assert.Equal(SubscriptionStart.Latest, spec.From);
    }

    [Fact]
    public async Task Create_pull_subscription_needs_no_sink()
    {
        await using var host = await StartAsync();
        using var response = await host.Client.PostAsync(Subs, GatewayHost.Json("""{"name":"puller","eventbus":"orders","protocol":"pull","from":"2026-11-27T15:00:00.5Z"}"""));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var sub = await GatewayHost.ReadJsonAsync(response);
        Assert.Equal(JsonValueKind.Null, sub.GetProperty("sink").ValueKind);
        Assert.Equal("pull", sub.GetProperty("protocol").GetString());
        Assert.Equal("2026-11-27T15:00:00.5Z", sub.GetProperty("from").GetString());
        Assert.Equal(SinkProtocol.Pull, host.Subscriptions.Spec("default", "puller").Protocol);
    }

    [Fact]
    public async Task Create_on_a_dead_letter_bus_is_allowed()
    {
        await using var host = await StartAsync();
        using var response = await host.Client.PostAsync(Subs, GatewayHost.Json("""{"name":"dl-handler","eventbus":"__dl_orders","sink":"http://127.0.0.1:9000/dl"}"""));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("__dl_orders", host.Subscriptions.Spec("default", "dl-handler").Eventbus);
    }

    [Fact]
    public async Task Create_existing_subscription_is_409()
    {
        await using var host = await StartAsync();
        await CreateAsync(host, "hook");
        using var response = await host.Client.PostAsync(Subs, GatewayHost.Json("""{"name":"hook","eventbus":"orders","sink":"http://127.0.0.1:9/other"}"""));

        await ProblemAssert.IsFieldProblemAsync(response, HttpStatusCode.Conflict, "already-exists", Subs, "name");
        Assert.Equal("http://127.0.0.1:9000/hook", host.Subscriptions.Spec("default", "hook").Sink);
    }

    [Fact]
    public async Task Create_on_an_unknown_eventbus_is_404_naming_the_eventbus()
    {
        await using var host = await StartAsync();
        using var response = await host.Client.PostAsync(Subs, GatewayHost.Json("""{"name":"hook","eventbus":"payments","sink":"http://127.0.0.1:9000/hook"}"""));

        await ProblemAssert.IsFieldProblemAsync(response, HttpStatusCode.NotFound, "not-found", Subs, "eventbus");
        Assert.Equal(0, host.Subscriptions.Count);
    }

    [Fact]
    public async Task Create_in_an_unknown_namespace_is_404_naming_the_namespace()
    {
        await using var host = await StartAsync();
        const string path = "/api/v1/namespaces/nowhere/subscriptions";
        using var response = await host.Client.PostAsync(path, GatewayHost.Json("""{"name":"hook","eventbus":"orders","sink":"http://127.0.0.1:9000/hook"}"""));

        var problem = await ProblemAssert.IsFieldProblemAsync(response, HttpStatusCode.NotFound, "not-found", path, "namespace");
    }

    public static TheoryData<string, string, string> BadDocuments() => new()
    {
        { Doc(""","filter":[]"""), "filter", "is not a field of this document" },
        { Doc(""","state":"paused" """), "state", "is not a field of this document" },
        { Doc(""","sink":"http://127.0.0.1:9/x" """), "sink", "appears twice" },
        { Doc(""","filters":[{"exact":{"type":"a"}},{"sql":"type = "}]"""), "filters[1].sql", "CESQL expression does not parse" },
        { Doc(""","filters":[{"regex":{"type":"a"}}]"""), "filters[0]", "unknown dialect 'regex'" },
        { Doc(""","filters":{"exact":{"type":"a"}}"""), "filters", "must be an array" },
        { Doc(""","transformer":{"pipeline":[{"command":["explode","$.data.a"]}]}"""), "transformer.pipeline[0]", "unknown action 'explode'" },
        { Doc(""","transformer":{"pipeline":[{"command":["create","$.data.a",1]},{"command":["math_add","$.data.a",1]}]}"""), "transformer.pipeline[1]", "takes at least 3 arguments" },
        { Doc(""","transformer":{"template":5}"""), "transformer.template", "must be a string" },
        { Doc(""","transformer":{"define":{"a":"$.data["}}"""), "transformer.define.a", "not a valid path" },
        { Doc(""","transformer":"upper" """), "transformer", "must be a JSON object" },
        { """{"name":"hook","eventbus":"orders","sink":"ftp://127.0.0.1/hook"}""", "sink", "must be an absolute http or https URL" },
        { """{"name":"hook","eventbus":"orders","sink":"/hook"}""", "sink", "must be an absolute http or https URL" },
        { """{"name":"hook","eventbus":"orders","sink":"not a url"}""", "sink", "must be an absolute http or https URL" },
        { """{"name":"hook","eventbus":"orders","sink":9000}""", "sink", "must be a JSON string (got a number)" },
        { """{"name":"hook","eventbus":"orders"}""", "sink", "is required" },
        { Doc(""","protocol":"pull" """), "sink", "is not taken by a pull subscription" },
        { """{"name":"hook","eventbus":"orders","protocol":"pull","sinkHeaders":{"X-A":"1"}}""", "sinkHeaders", "is not taken by a pull subscription" },
        { Doc(""","sinkHeaders":{"bad header":"x"}"""), "sinkHeaders.bad header", "is not a valid HTTP header name" },
        { Doc(""","sinkHeaders":{"X(A)":"x"}"""), "sinkHeaders.X(A)", "'(' is not allowed" },
        { Doc(""","sinkHeaders":{"ce-id":"x"}"""), "sinkHeaders.ce-id", "ce- headers carry the event's CloudEvents attributes" },
        { Doc(""","sinkHeaders":{"Content-Type":"text/plain"}"""), "sinkHeaders.Content-Type", "the node sets content-type" },
        { Doc(""","sinkHeaders":{"content-length":"5"}"""), "sinkHeaders.content-length", "the node sets content-length" },
        { Doc(""","sinkHeaders":{"X-A":5}"""), "sinkHeaders.X-A", "must be a JSON string" },
        { Doc(""","sinkHeaders":{"X-A":"a\nb"}"""), "sinkHeaders.X-A", "must not hold control characters" },
        { Doc(""","sinkHeaders":{"X-A":"a","x-a":"b"}"""), "sinkHeaders.x-a", "appears twice" },
        { Doc(""","sinkHeaders":["X-A"]"""), "sinkHeaders", "must be a JSON object" },
        { Doc(""","delivery":{"maxAttempts":0}"""), "delivery.maxAttempts", "must be 1..32" },
        { Doc(""","delivery":{"maxAttempts":33}"""), "delivery.maxAttempts", "must be 1..32" },
        { Doc(""","delivery":{"maxAttempts":2.5}"""), "delivery.maxAttempts", "must be a whole number" },
        { Doc(""","delivery":{"maxAttempts":"3"}"""), "delivery.maxAttempts", "must be a whole number (got a string)" },
        { Doc(""","delivery":{"backoff":["1s","-1s"]}"""), "delivery.backoff[1]", "must start with a whole, non-negative number" },
        { Doc(""","delivery":{"backoff":[]}"""), "delivery.backoff", "must list at least one duration" },
        { Doc(""","delivery":{"backoff":"1s"}"""), "delivery.backoff", "must be a JSON array of durations" },
        { Doc(""","delivery":{"timeout":"0s"}"""), "delivery.timeout", "must be more than 0" },
        { Doc(""","delivery":{"timeout":"5 seconds"}"""), "delivery.timeout", "must be a duration" },
        { Doc(""","delivery":{"inflight":0}"""), "delivery.inflight", "must be 1..65536" },
        { Doc(""","delivery":{"rateLimit":-1}"""), "delivery.rateLimit", "must be a non-negative number" },
        { Doc(""","delivery":{"deadLetter":"yes"}"""), "delivery.deadLetter", "must be true or false (got a string)" },
        { Doc(""","delivery":{"retries":3}"""), "delivery.retries", "is not a field of this document" },
        { Doc(""","delivery":5"""), "delivery", "must be a JSON object" },
        { Doc(""","from":"yesterday" """), "from", "must be 'earliest', 'latest' or an RFC 3339 time" },
        { Doc(""","from":"2026-13-01T00:00:00Z" """), "from", "must be 'earliest', 'latest' or an RFC 3339 time" },
        { Doc(""","delay":"5x" """), "delay", "a duration's unit must be ms, s, m, h or d" },
        { Doc(""","delay":"-5s" """), "delay", "must start with a whole, non-negative number" },
        { Doc(""","delay":5"""), "delay", "must be a JSON string" },
        { Doc(""","protocol":"grpc" """), "protocol", "must be 'http' or 'pull' (got 'grpc')" },
        { Doc(""","mode":"json" """), "mode", "must be 'binary' or 'structured' (got 'json')" },
        { """{"eventbus":"orders","sink":"http://127.0.0.1:9000/hook"}""", "name", "is required" },
        { """{"name":"hook","sink":"http://127.0.0.1:9000/hook"}""", "eventbus", "is required" },
        { """{"name":"bad name","eventbus":"orders","sink":"http://127.0.0.1:9000/hook"}""", "name", "only letters, digits, '.', '_' and '-' are allowed" },
        { """{"name":"hook","eventbus":"__x","sink":"http://127.0.0.1:9000/hook"}""", "eventbus", "must not start with '__'" },
    };

    [Theory]
    [MemberData(nameof(BadDocuments))]
    public async Task Create_refuses_a_bad_document_naming_the_field_and_reason(string body, string field, string reason)
    {
        await using var host = await StartAsync();
        using var response = await host.Client.PostAsync(Subs, GatewayHost.Json(body));

        var problem = await ProblemAssert.IsFieldProblemAsync(response, HttpStatusCode.BadRequest, "invalid-document", Subs, field, reason);
        Assert.Contains(field, ProblemAssert.Text(problem, "detail"));
        Assert.Equal(0, host.Subscriptions.Count);
        Assert.DoesNotContain(host.Subscriptions.Calls, c => c.StartsWith("create", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"name\":")]
    [InlineData("[]")]
    [InlineData("{\"name\":\"hook\",\"eventbus\":\"orders\",\"sink\":\"http://127.0.0.1:9000/hook\"} {}")]
    public async Task Create_refuses_a_body_that_is_not_one_json_object(string body)
    {
        await using var host = await StartAsync();
        using var response = await host.Client.PostAsync(Subs, GatewayHost.Json(body));

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "invalid-document", Subs);
        Assert.False(string.IsNullOrEmpty(ProblemAssert.Text(problem, "reason")));
        Assert.Equal(0, host.Subscriptions.Count);
    }

    [Fact]
    public async Task List_answers_the_namespace_s_subscriptions_ordered_by_name()
    {
        await using var host = await StartAsync();
        using (var empty = await host.Client.GetAsync(Subs))
        {
            Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
            Assert.Equal(0, (await GatewayHost.ReadJsonAsync(empty)).GetArrayLength());
        }

        await CreateAsync(host, "zeta");
        await CreateAsync(host, "alpha");
        using var response = await host.Client.GetAsync(Subs);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var list = await GatewayHost.ReadJsonAsync(response);
        Assert.Equal(["alpha", "zeta"], list.EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        Assert.All(list.EnumerateArray(), s => Assert.Equal("running", s.GetProperty("state").GetString()));
    }

    [Fact]
    public async Task List_in_an_unknown_namespace_is_404()
    {
        await using var host = await StartAsync();
        const string path = "/api/v1/namespaces/nowhere/subscriptions";
        using var response = await host.Client.GetAsync(path);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound, "not-found", path);
    }

    [Fact]
    public async Task Get_one_shows_counts_per_eventlog_lag_and_the_newest_sink_error()
    {
        await using var host = await StartAsync(eventlogs: 2);
        await CreateAsync(host, "hook");
        var older = new SinkError("connection refused", new DateTimeOffset(2026, 11, 27, 16, 1, 0, TimeSpan.Zero));
        var newer = new SinkError("sink answered 503", new DateTimeOffset(2026, 11, 27, 16, 2, 30, TimeSpan.Zero));
        host.Subscriptions.SetProgress(
            "default",
            "hook",
            new TriggerInfo(0, Committed: 5, Next: 12, Delivered: 5, Failed: 2, DeadLettered: 1, Dropped: 0, PendingRetries: 1, LastError: older),
            new TriggerInfo(1, Committed: 3, Next: 3, Delivered: 3, Failed: 0, DeadLettered: 0, Dropped: 1, PendingRetries: 0, LastError: newer));

        using var response = await host.Client.GetAsync(Subs + "/hook");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sub = await GatewayHost.ReadJsonAsync(response);
        Assert.Equal((8L, 2L, 1L, 1L), (sub.GetProperty("delivered").GetInt64(), sub.GetProperty("failed").GetInt64(), sub.GetProperty("deadLettered").GetInt64(), sub.GetProperty("dropped").GetInt64()));
        Assert.Equal("sink answered 503", sub.GetProperty("lastError").GetProperty("message").GetString());
        Assert.Equal("2026-11-27T16:02:30Z", sub.GetProperty("lastError").GetProperty("time").GetString());
        var first = sub.GetProperty("eventlogs")[0];
        Assert.Equal(0, first.GetProperty("eventlog").GetInt32());
        Assert.Equal(5, first.GetProperty("committed").GetInt64());
        Assert.Equal(12, first.GetProperty("next").GetInt64());
        Assert.Equal(7, first.GetProperty("lag").GetInt64());
        Assert.Equal(5, first.GetProperty("delivered").GetInt64());
        Assert.Equal(2, first.GetProperty("failed").GetInt64());
        Assert.Equal(1, first.GetProperty("deadLettered").GetInt64());
        Assert.Equal(0, first.GetProperty("dropped").GetInt64());
        Assert.Equal(1, first.GetProperty("pendingRetries").GetInt32());
        Assert.Equal("connection refused", first.GetProperty("lastError").GetProperty("message").GetString());
        var second = sub.GetProperty("eventlogs")[1];
        Assert.Equal(0, second.GetProperty("lag").GetInt64());
        Assert.Equal(1, second.GetProperty("dropped").GetInt64());
    }

    [Fact]
    public async Task Get_unknown_subscription_is_404()
    {
        await using var host = await StartAsync();
        using var response = await host.Client.GetAsync(Subs + "/ghost");

        await ProblemAssert.IsFieldProblemAsync(response, HttpStatusCode.NotFound, "not-found", Subs + "/ghost", "subscription");
    }

    [Fact]
    public async Task Put_replaces_the_document_and_keeps_state_and_creation_time()
    {
        await using var host = await StartAsync();
        await CreateAsync(host, "hook");
        host.Time.Advance(TimeSpan.FromMinutes(5));

        using var response = await host.Client.PutAsync(Subs + "/hook", GatewayHost.Json(
            """{"eventbus":"orders","sink":"http://127.0.0.1:9001/v2","filters":[{"prefix":{"type":"order."}}],"delivery":{"maxAttempts":3}}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sub = await GatewayHost.ReadJsonAsync(response);
        Assert.Equal("hook", sub.GetProperty("name").GetString());
        Assert.Equal("http://127.0.0.1:9001/v2", sub.GetProperty("sink").GetString());
        Assert.Equal(3, sub.GetProperty("delivery").GetProperty("maxAttempts").GetInt32());
        Assert.Equal("2026-11-27T16:00:00Z", sub.GetProperty("createdAt").GetString());
        var spec = host.Subscriptions.Spec("default", "hook");
        Assert.Equal("""[{"prefix":{"type":"order."}}]""", spec.Filters);
        Assert.Equal(3, spec.Delivery.MaxAttempts);
    }

    [Fact]
    public async Task Put_with_the_same_name_in_the_body_is_accepted()
    {
        await using var host = await StartAsync();
        await CreateAsync(host, "hook");
        using var response = await host.Client.PutAsync(Subs + "/hook", GatewayHost.Json("""{"name":"hook","eventbus":"orders","sink":"http://127.0.0.1:9001/v2"}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("http://127.0.0.1:9001/v2", host.Subscriptions.Spec("default", "hook").Sink);
    }

    [Fact]
    public async Task Put_with_another_name_in_the_body_is_400_and_changes_nothing()
    {
        await using var host = await StartAsync();
        await CreateAsync(host, "hook");
        using var response = await host.Client.PutAsync(Subs + "/hook", GatewayHost.Json("""{"name":"other","eventbus":"orders","sink":"http://127.0.0.1:9001/v2"}"""));

        await ProblemAssert.IsFieldProblemAsync(response, HttpStatusCode.BadRequest, "invalid-document", Subs + "/hook", "name", "cannot be renamed");
        Assert.Equal("http://127.0.0.1:9000/hook", host.Subscriptions.Spec("default", "hook").Sink);
        Assert.DoesNotContain(host.Subscriptions.Calls, c => c.StartsWith("update", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Put_with_a_bad_document_is_400_naming_the_field()
    {
        await using var host = await StartAsync();
        await CreateAsync(host, "hook");
        using var response = await host.Client.PutAsync(Subs + "/hook", GatewayHost.Json("""{"eventbus":"orders","sink":"http://127.0.0.1:9001/v2","filters":[{"sql":"a = "}]}"""));

        await ProblemAssert.IsFieldProblemAsync(response, HttpStatusCode.BadRequest, "invalid-document", Subs + "/hook", "filters[0].sql");
        Assert.Null(host.Subscriptions.Spec("default", "hook").Filters);
    }

    [Fact]
    public async Task Put_to_an_unknown_subscription_is_404()
    {
        await using var host = await StartAsync();
        using var response = await host.Client.PutAsync(Subs + "/ghost", GatewayHost.Json("""{"eventbus":"orders","sink":"http://127.0.0.1:9001/v2"}"""));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound, "not-found", Subs + "/ghost");
    }

    [Fact]
    public async Task Put_that_changes_the_eventbus_is_refused_by_the_broker_with_400()
    {
        await using var host = await StartAsync();
        await host.CreateBusAsync("payments");
        await CreateAsync(host, "hook");
        using var response = await host.Client.PutAsync(Subs + "/hook", GatewayHost.Json("""{"eventbus":"payments","sink":"http://127.0.0.1:9000/hook"}"""));

        await ProblemAssert.IsFieldProblemAsync(response, HttpStatusCode.BadRequest, "invalid-request", Subs + "/hook", "eventbus");
        Assert.Equal("orders", host.Subscriptions.Spec("default", "hook").Eventbus);
    }

    [Fact]
    public async Task Delete_answers_204_then_the_subscription_is_gone()
    {
        await using var host = await StartAsync();
        await CreateAsync(host, "hook");

        using (var deleted = await host.Client.DeleteAsync(Subs + "/hook"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        Assert.Equal(0, host.Subscriptions.Count);
        using var again = await host.Client.DeleteAsync(Subs + "/hook");
        await ProblemAssert.IsProblemAsync(again, HttpStatusCode.NotFound, "not-found", Subs + "/hook");
        using var get = await host.Client.GetAsync(Subs + "/hook");
        await ProblemAssert.IsProblemAsync(get, HttpStatusCode.NotFound, "not-found", Subs + "/hook");
    }

    [Fact]
    public async Task Subscription_calls_answer_503_while_the_node_is_not_ready()
    {
        await using var host = await StartAsync();
        host.Broker.IsReady = false;
        using var response = await host.Client.GetAsync(Subs);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.ServiceUnavailable, "not-ready", Subs);
        Assert.Empty(host.Subscriptions.Calls);
    }

    internal static async Task<GatewayHost> StartAsync(int eventlogs = 1)
    {
        var host = await GatewayHost.StartAsync();
        await host.CreateBusAsync("orders", eventlogs);
        return host;
    }

    internal static async Task CreateAsync(GatewayHost host, string name, string extra = "")
    {
        using var response = await host.Client.PostAsync(Subs, GatewayHost.Json($$"""{"name":"{{name}}","eventbus":"orders","sink":"http://127.0.0.1:9000/hook"{{extra}}}"""));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    internal static async Task CreatePullAsync(GatewayHost host, string name)
    {
        using var response = await host.Client.PostAsync(Subs, GatewayHost.Json($$"""{"name":"{{name}}","eventbus":"orders","protocol":"pull"}"""));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private static string Doc(string extra) => $$"""{"name":"hook","eventbus":"orders","sink":"http://127.0.0.1:9000/hook"{{extra}}}""";
}
