using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Vanus.Runtime.Codecs;
using Vanus.Runtime.Events;

namespace Vanus.Client.Tests;

public sealed class VanusClientTests : FakeNodeTests
{
    private VanusClient _client = null!;

    protected override void Arrange(FakeNode node)
    {
        _client = new VanusClient(node.Endpoint);
    }

    public override async Task DisposeAsync()
    {
        _client.Dispose();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task Eventbuses_are_created_read_and_deleted()
    {
        var created = await _client.Eventbuses.CreateAsync("orders", eventlogs: 4);
        Assert.Equal("orders", created.Name);
        Assert.Equal(4, created.Eventlogs.Count);
        Assert.Equal("""{"name":"orders","eventlogs":4}""", Node.RequestsTo("POST", "/api/v1/namespaces/default/eventbuses").Single().BodyText);

        var read = await _client.Eventbuses.GetAsync("orders");
        Assert.Equal(new EventlogInfo(0, 0, 0), read.Eventlogs[0]);
        Assert.Equal("interval", read.Sync);
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 16, 0, 0, TimeSpan.Zero), read.CreatedAt);

        Assert.True(await _client.Eventbuses.DeleteAsync("orders"));
        Assert.False(await _client.Eventbuses.DeleteAsync("orders"));
    }

    [Fact]
    public async Task Creating_an_existing_eventbus_throws_the_conflict_problem()
    {
        await _client.Eventbuses.CreateAsync("orders");
        var e = await Assert.ThrowsAsync<VanusApiException>(() => _client.Eventbuses.CreateAsync("orders"));

        Assert.Equal(409, e.Status);
        Assert.Equal("already-exists", e.Kind);
        Assert.Equal("urn:vanus:problem:already-exists", e.Type);
        Assert.Equal("name", e.Field);
        Assert.Equal("eventbus 'orders' already exists in namespace 'default'", e.Detail);
        Assert.Equal("/api/v1/namespaces/default/eventbuses", e.Instance);
        Assert.Contains("409 already-exists: eventbus 'orders' already exists in namespace 'default'", e.Message);
    }

    [Fact]
    public async Task Eventbus_arguments_are_checked_before_any_request()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _client.Eventbuses.CreateAsync("b", eventlogs: 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _client.Eventbuses.CreateAsync("b", eventlogs: 65));
        await Assert.ThrowsAsync<ArgumentException>(() => _client.Eventbuses.GetAsync("a/b"));
        Assert.Empty(Node.Requests);
    }

    [Fact]
    public async Task Publishing_one_event_sends_it_structured_and_returns_its_placement()
    {
        await _client.Eventbuses.CreateAsync("orders");
        var e = new Event("e-1", "/shop", "order.created").WithTextData("""{"id":7}""", "application/json");

        var placement = await _client.Events.PublishAsync("orders", e);

        Assert.Equal(new EventPlacement("e-1", "0000000000000000", 0, 0, null), placement);
        var request = Node.RequestsTo("POST", "/namespaces/default/eventbus/orders/events").Single();
        Assert.StartsWith(JsonEventFormat.StructuredMediaType, request.ContentType);
        Assert.Equal(e, JsonEventFormat.Decode(request.Body));
    }

    [Fact]
    public async Task Publishing_several_events_sends_one_batch_and_returns_placements_in_order()
    {
        await _client.Eventbuses.CreateAsync("orders");
        var events = Enumerable.Range(0, 3).Select(i => new Event($"e-{i}", "/shop", "order.created")).ToList();

        var placements = await _client.Events.PublishAsync("orders", events);

        Assert.Equal([0L, 1L, 2L], placements.Select(p => p.Offset!.Value));
        Assert.Equal(["e-0", "e-1", "e-2"], placements.Select(p => p.Id));
        var request = Assert.Single(Node.RequestsTo("POST", "/events"));
        Assert.StartsWith(JsonEventFormat.BatchMediaType, request.ContentType);
        Assert.Equal(events, JsonEventFormat.DecodeBatch(request.Body));
    }

    [Fact]
    public async Task A_held_event_is_placed_by_its_delivery_time()
    {
        Node.Override = async ctx =>
        {
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync("""{"events":[{"id":"e-1","eventId":"00000000000000ff","deliverytime":"2026-11-27T17:00:00Z"}]}""");
            return true;
        };

        var placement = await _client.Events.PublishAsync("orders", new Event("e-1", "/s", "t"));

        Assert.Equal(new EventPlacement("e-1", "00000000000000ff", null, null, new DateTimeOffset(2026, 11, 27, 17, 0, 0, TimeSpan.Zero)), placement);
    }

    [Fact]
    public async Task An_invalid_event_problem_carries_attribute_rule_and_index()
    {
        Node.Override = async ctx =>
        {
            await FakeNode.ProblemOfKindAsync(ctx, 400, "invalid-event", "Attribute 'source' must be a URI-reference.", attribute: "source", rule: "must be a URI-reference", eventIndex: 1);
            return true;
        };

        var e = await Assert.ThrowsAsync<VanusApiException>(() => _client.Events.PublishAsync("orders", [new Event("a", "/s", "t"), new Event("b", "/s", "t")]));

        Assert.Equal(400, e.Status);
        Assert.Equal("invalid-event", e.Kind);
        Assert.Equal("source", e.Attribute);
        Assert.Equal("must be a URI-reference", e.Rule);
        Assert.Equal(1, e.EventIndex);
        Assert.False(e.IsTransient);
    }

    [Fact]
    public async Task Publishing_to_an_unknown_eventbus_is_a_not_found_problem()
    {
        var e = await Assert.ThrowsAsync<VanusApiException>(() => _client.Events.PublishAsync("nope", new Event("a", "/s", "t")));

        Assert.Equal(404, e.Status);
        Assert.Equal("not-found", e.Kind);
        Assert.Equal("eventbus", e.Field);
    }

    [Fact]
    public async Task Publishing_nothing_or_nulls_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _client.Events.PublishAsync("b", Array.Empty<Event>()));
        await Assert.ThrowsAsync<ArgumentException>(() => _client.Events.PublishAsync("b", [new Event("a", "/s", "t"), null!]));
        await Assert.ThrowsAsync<ArgumentNullException>(() => _client.Events.PublishAsync("b", (Event)null!));
        Assert.Empty(Node.Requests);
    }

    [Fact]
    public async Task Deploy_creates_the_subscription_with_the_pipeline_document()
    {
        Node.AddEventbus("orders");
        var pipeline = Pipeline.FromEventBus("orders", StartAt.Earliest).Where("type = 'x'").To(Sink.Http("http://127.0.0.1:9000/hook"));

        var status = await _client.Subscriptions.DeployAsync("hook", pipeline);

        var post = Assert.Single(Node.RequestsTo("POST", "/api/v1/namespaces/default/subscriptions"));
        Assert.Equal(pipeline.ToJson("hook"), post.BodyText);
        Assert.StartsWith("application/json", post.ContentType);
        Assert.Equal("hook", status.Name);
        Assert.Equal("orders", status.Eventbus);
        Assert.Equal("http://127.0.0.1:9000/hook", status.Sink);
        Assert.Equal(SubscriptionState.Running, status.State);
        Assert.Empty(Node.RequestsTo("PUT", "/subscriptions/hook"));
    }

    [Fact]
    public async Task Deploy_replaces_the_document_when_the_subscription_exists()
    {
        Node.AddEventbus("orders");
        await _client.Subscriptions.DeployAsync("hook", Pipeline.FromEventBus("orders").To(Sink.Http("http://127.0.0.1:9000/a")));
        var second = Pipeline.FromEventBus("orders").Where("true").To(Sink.Http("http://127.0.0.1:9000/b"));

        var status = await _client.Subscriptions.DeployAsync("hook", second);

        var put = Assert.Single(Node.RequestsTo("PUT", "/api/v1/namespaces/default/subscriptions/hook"));
        Assert.Equal(second.ToJson("hook"), put.BodyText);
        Assert.Equal("http://127.0.0.1:9000/b", status.Sink);
        Assert.Equal("http://127.0.0.1:9000/b", Node.Document("hook")["sink"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_refused_document_names_the_field_and_the_reason()
    {
        Node.Override = async ctx =>
        {
            if (ctx.Request.Method != "POST")
            {
                return false;
            }

            await FakeNode.ProblemOfKindAsync(ctx, 400, "invalid-request", "'delivery.backoff[1]' must be a duration: 'x' has no number.", field: "delivery.backoff[1]", reason: "must be a duration: 'x' has no number");
            return true;
        };

        var e = await Assert.ThrowsAsync<VanusApiException>(() => _client.Subscriptions.DeployAsync("s", Pipeline.FromEventBus("b").To(Sink.Http("http://h/"))));

        Assert.Equal(400, e.Status);
        Assert.Equal("invalid-request", e.Kind);
        Assert.Equal("delivery.backoff[1]", e.Field);
        Assert.Equal("must be a duration: 'x' has no number", e.Reason);
        Assert.Equal("'delivery.backoff[1]' must be a duration: 'x' has no number.", e.Detail);
        Assert.Empty(Node.RequestsTo("PUT", "/subscriptions/s"));
    }

    [Fact]
    public async Task Get_pause_resume_reset_and_delete_a_subscription()
    {
        Node.AddEventbus("orders");
        await _client.Subscriptions.DeployAsync("hook", Pipeline.FromEventBus("orders").To(Sink.Http("http://127.0.0.1:9000/a")));

        // A node may answer a reset without a body: the client then reads the status with a GET.
        Node.Override = ctx =>
        {
            var reset = ctx.Request.Path.Value!.EndsWith("/reset", StringComparison.Ordinal);
            if (reset)
            {
                ctx.Response.StatusCode = 204;
            }

            return Task.FromResult(reset);
        };

        Assert.Equal(SubscriptionState.Paused, (await _client.Subscriptions.PauseAsync("hook")).State);
        Assert.Equal(SubscriptionState.Paused, (await _client.Subscriptions.GetAsync("hook")).State);
        var reset = await _client.Subscriptions.ResetAsync("hook", new DateTimeOffset(2026, 11, 27, 17, 0, 0, TimeSpan.FromHours(1)));
        Assert.Equal("""{"time":"2026-11-27T16:00:00Z"}""", Node.RequestsTo("POST", "/subscriptions/hook/reset").Single().BodyText);
        Assert.Equal("hook", reset.Name); // answered with 204, so the status comes from a GET
        Assert.Equal(2, Node.RequestsTo("GET", "/subscriptions/hook").Count);
        Node.Override = null;
        Assert.Equal(SubscriptionState.Running, (await _client.Subscriptions.ResumeAsync("hook")).State);

        Assert.True(await _client.Subscriptions.DeleteAsync("hook"));
        Assert.False(await _client.Subscriptions.DeleteAsync("hook"));
        var e = await Assert.ThrowsAsync<VanusApiException>(() => _client.Subscriptions.GetAsync("hook"));
        Assert.Equal(404, e.Status);
        Assert.Equal("not-found", e.Kind);
    }

    [Fact]
    public async Task An_answer_that_is_not_a_problem_document_still_becomes_an_exception_with_its_status()
    {
        Node.Override = async ctx =>
        {
            ctx.Response.StatusCode = 502;
            ctx.Response.ContentType = "text/html";
            await ctx.Response.WriteAsync("<html>Bad Gateway</html>");
            return true;
        };

        var e = await Assert.ThrowsAsync<VanusApiException>(() => _client.Subscriptions.GetAsync("s"));

        Assert.Equal(502, e.Status);
        Assert.Null(e.Kind);
        Assert.Equal("<html>Bad Gateway</html>", e.Detail);
        Assert.True(e.IsTransient);
    }

    [Fact]
    public async Task Retry_after_is_read_from_an_overload_answer()
    {
        Node.Override = async ctx =>
        {
            ctx.Response.Headers.RetryAfter = "3";
            await FakeNode.ProblemOfKindAsync(ctx, 429, "overloaded", "Too many requests in flight.");
            return true;
        };

        var e = await Assert.ThrowsAsync<VanusApiException>(() => _client.Eventbuses.GetAsync("b"));

        Assert.Equal(429, e.Status);
        Assert.Equal("overloaded", e.Kind);
        Assert.Equal(TimeSpan.FromSeconds(3), e.RetryAfter);
        Assert.True(e.IsTransient);
    }

    [Fact]
    public async Task A_success_with_a_body_of_the_wrong_shape_says_what_is_wrong()
    {
        Node.Override = async ctx =>
        {
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync("""{"name":"s","eventbus":"b","eventlogs":[{"eventlog":0,"committed":"many"}]}""");
            return true;
        };

        var e = await Assert.ThrowsAsync<VanusApiException>(() => _client.Subscriptions.GetAsync("s"));

        Assert.Equal(200, e.Status);
        Assert.Contains("'eventlogs[0].committed' must be a whole number", e.Message);
    }

    [Fact]
    public async Task The_namespace_and_a_path_prefix_of_the_endpoint_are_kept_in_every_url()
    {
        Node.Override = async ctx =>
        {
            await FakeNode.ProblemOfKindAsync(ctx, 404, "not-found", "x");
            return true;
        };
        using var client = new VanusClient(new Uri(Node.Endpoint, "/vanus"), @namespace: "team-a");

        await Assert.ThrowsAsync<VanusApiException>(() => client.Eventbuses.GetAsync("orders"));
        await Assert.ThrowsAsync<VanusApiException>(() => client.Events.PublishAsync("orders", new Event("a", "/s", "t")));

        Assert.Contains(Node.Requests, r => r.Path == "/vanus/api/v1/namespaces/team-a/eventbuses/orders");
        Assert.Contains(Node.Requests, r => r.Path == "/vanus/namespaces/team-a/eventbus/orders/events");
    }

    [Fact]
    public void Client_arguments_are_checked()
    {
        Assert.Throws<ArgumentNullException>(() => new VanusClient((Uri)null!));
        Assert.Throws<ArgumentNullException>(() => new VanusClient((IReadOnlyList<Uri>)null!));
        Assert.Throws<ArgumentException>(() => new VanusClient(Array.Empty<Uri>()));
        Assert.Throws<ArgumentException>(() => new VanusClient([new Uri("http://a/"), new Uri("ftp://b/")]));
        Assert.Throws<ArgumentException>(() => new VanusClient(new Uri("ftp://h/")));
        Assert.Throws<ArgumentException>(() => new VanusClient(new Uri("http://h/?x=1")));
        Assert.Throws<ArgumentException>(() => new VanusClient(new Uri("http://h/"), @namespace: ""));
        Assert.Equal("http://h:8080/", new VanusClient(new Uri("http://h:8080")).Endpoint.ToString());
    }

    [Fact]
    public async Task A_disposed_client_refuses_calls_but_leaves_a_given_http_client_open()
    {
        using var http = new HttpClient();
        var client = new VanusClient(Node.Endpoint, http);
        client.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.Eventbuses.GetAsync("b"));
        using var response = await http.GetAsync(new Uri(Node.Endpoint, "/api/v1/namespaces/default/eventbuses/b"));
        Assert.Equal(404, (int)response.StatusCode);
    }

    [Fact]
    public async Task A_subscription_status_is_read_from_the_node_answer()
    {
        Node.Override = async ctx =>
        {
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync(new JsonObject
            {
                ["name"] = "s",
                ["eventbus"] = "b",
                ["sink"] = "http://h/",
                ["state"] = "paused",
                ["eventlogs"] = new JsonArray(
                    new JsonObject { ["eventlog"] = 0, ["committed"] = 10, ["next"] = 15, ["delivered"] = 10, ["failed"] = 2, ["pendingRetries"] = 1 },
                    new JsonObject { ["eventlog"] = 1, ["committed"] = 4, ["next"] = 4, ["deadLettered"] = 1, ["dropped"] = 3, ["lastError"] = new JsonObject { ["message"] = "503 from sink", ["time"] = "2026-11-27T16:01:00Z" } }),
            }.ToJsonString());
            return true;
        };

        var status = await _client.Subscriptions.GetAsync("s");

        Assert.Equal(SubscriptionState.Paused, status.State);
        Assert.Equal((10L, 2L, 1L, 3L), (status.Delivered, status.Failed, status.DeadLettered, status.Dropped));
        Assert.Equal(5, status.Lag);
        Assert.Equal(new EventlogProgress(0, 10, 15, 5, 10, 2, 0, 0, 1, null), status.Eventlogs[0]);
        Assert.Equal(new SinkError("503 from sink", new DateTimeOffset(2026, 11, 27, 16, 1, 0, TimeSpan.Zero)), status.LastError);
        Assert.Contains("\"pendingRetries\":1", status.Json);
    }
}
