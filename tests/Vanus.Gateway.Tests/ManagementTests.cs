using System.Net;
using System.Text.Json;

namespace Vanus.Gateway.Tests;

public sealed class ManagementTests
{
    private const string Buses = "/api/v1/namespaces/default/eventbuses";

    [Fact]
    public async Task Create_eventbus_with_every_field_answers_201_with_the_bus()
    {
        await using var host = await GatewayHost.StartAsync();
        using var response = await host.Client.PostAsync(Buses, GatewayHost.Json(
            """{"name":"orders","eventlogs":4,"replicas":1,"sync":"always","retention":{"age":"7d","bytes":"10GB"}}"""));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("/api/v1/namespaces/default/eventbuses/orders", response.Headers.Location?.OriginalString);
        var bus = await GatewayHost.ReadJsonAsync(response);
        Assert.Equal("orders", bus.GetProperty("name").GetString());
        Assert.Equal("default", bus.GetProperty("namespace").GetString());
        Assert.Equal(1, bus.GetProperty("replicas").GetInt32());
        Assert.Equal("always", bus.GetProperty("sync").GetString());
        Assert.Equal("7d", bus.GetProperty("retention").GetProperty("age").GetString());
        Assert.Equal("10GB", bus.GetProperty("retention").GetProperty("bytes").GetString());
        Assert.Equal("2026-11-27T16:00:00Z", bus.GetProperty("createdAt").GetString());
        Assert.Equal("__dl_orders", bus.GetProperty("deadLetterBus").GetString());
        var logs = bus.GetProperty("eventlogs").EnumerateArray().ToArray();
        Assert.Equal([0, 1, 2, 3], logs.Select(l => l.GetProperty("id").GetInt32()));
        Assert.All(logs, l => Assert.Equal((0L, 0L), (l.GetProperty("earliest").GetInt64(), l.GetProperty("next").GetInt64())));
    }

    [Fact]
    public async Task Cluster_lists_the_brokers_members_and_controller()
    {
        await using var host = await GatewayHost.StartAsync();
        using var response = await host.Client.GetAsync("/api/v1/cluster");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cluster = await GatewayHost.ReadJsonAsync(response);
        var node = Assert.Single(cluster.GetProperty("nodes").EnumerateArray().ToArray());
        Assert.Equal("memory", node.GetProperty("name").GetString());
        Assert.Equal("http://127.0.0.1:8080", node.GetProperty("http").GetString());
        Assert.Equal("127.0.0.1:0", node.GetProperty("cluster").GetString());
        Assert.Equal("up", node.GetProperty("status").GetString());
        Assert.Equal("memory", cluster.GetProperty("controller").GetString());
    }

    [Fact]
    public async Task Create_eventbus_with_only_a_name_takes_the_defaults()
    {
        await using var host = await GatewayHost.StartAsync();
        using var response = await host.Client.PostAsync(Buses, GatewayHost.Json("""{"name":"plain"}"""));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var bus = await GatewayHost.ReadJsonAsync(response);
        Assert.Single(bus.GetProperty("eventlogs").EnumerateArray());
        Assert.Equal(1, bus.GetProperty("replicas").GetInt32());
        Assert.Equal("interval", bus.GetProperty("sync").GetString());
        Assert.Empty(bus.GetProperty("retention").EnumerateObject());
    }

    [Fact]
    public async Task Create_existing_eventbus_is_409()
    {
        await using var host = await GatewayHost.StartAsync();
        await host.CreateBusAsync("orders");
        using var response = await host.Client.PostAsync(Buses, GatewayHost.Json("""{"name":"orders","eventlogs":2}"""));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Conflict, "already-exists", Buses);
        using var get = await host.Client.GetAsync(Buses + "/orders");
        Assert.Single((await GatewayHost.ReadJsonAsync(get)).GetProperty("eventlogs").EnumerateArray());
    }

    [Theory]
    [InlineData("""{"name":"o","sync":"sometimes"}""", "sync", "must be 'always', 'interval' or 'none' (got 'sometimes')")]
    [InlineData("""{"name":"o","retention":{"age":"7x"}}""", "retention.age", "unit must be ms, s, m, h or d")]
    [InlineData("""{"name":"o","retention":{"age":"0s"}}""", "retention.age", "must be longer than 0")]
    [InlineData("""{"name":"o","retention":{"bytes":"10XB"}}""", "retention.bytes", "unit must be B, KB, MB, GB or TB")]
    [InlineData("""{"name":"o","retention":{"bytes":"lots"}}""", "retention.bytes", "must start with a whole, non-negative number")]
    [InlineData("""{"name":"o","retention":{"age":"7d","keep":true}}""", "retention.keep", "is not a field of this document")]
    [InlineData("""{"name":"o","retention":"7d"}""", "retention", "must be a JSON object")]
    [InlineData("""{"name":"o","eventlogs":-1}""", "eventlogs", "must be between 1 and 64 (got -1)")]
    [InlineData("""{"name":"o","eventlogs":0}""", "eventlogs", "must be between 1 and 64 (got 0)")]
    [InlineData("""{"name":"o","eventlogs":65}""", "eventlogs", "must be between 1 and 64 (got 65)")]
    [InlineData("""{"name":"o","eventlogs":2.5}""", "eventlogs", "must be a whole number")]
    [InlineData("""{"name":"o","eventlogs":"4"}""", "eventlogs", "must be a whole number (got a string)")]
    [InlineData("""{"name":"o","replicas":0}""", "replicas", "must be at least 1 (got 0)")]
    [InlineData("""{"name":"o","partitions":4}""", "partitions", "is not a field of this document")]
    [InlineData("""{"name":"o","name":"p"}""", "name", "appears twice")]
    [InlineData("""{"eventlogs":4}""", "name", "is required")]
    [InlineData("""{"name":42}""", "name", "must be a JSON string (got a number)")]
    [InlineData("""{"name":"bad name"}""", "name", "only letters, digits, '.', '_' and '-' are allowed")]
    [InlineData("""{"name":"__dl_x"}""", "name", "reserved for system buses")]
    public async Task Create_eventbus_refuses_a_bad_document_naming_the_field_and_reason(string body, string field, string reason)
    {
        await using var host = await GatewayHost.StartAsync();
        using var response = await host.Client.PostAsync(Buses, GatewayHost.Json(body));

        var problem = await ProblemAssert.IsFieldProblemAsync(response, HttpStatusCode.BadRequest, "invalid-document", Buses, field, reason);
        Assert.Contains(field, ProblemAssert.Text(problem, "detail"));
        await AssertNoBusesAsync(host);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"name\":")]
    [InlineData("[]")]
    [InlineData("{\"name\":\"o\"} {}")]
    public async Task Create_eventbus_refuses_a_body_that_is_not_one_json_object(string body)
    {
        await using var host = await GatewayHost.StartAsync();
        using var response = await host.Client.PostAsync(Buses, GatewayHost.Json(body));

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "invalid-document", Buses);
        Assert.False(string.IsNullOrEmpty(ProblemAssert.Text(problem, "reason")));
        await AssertNoBusesAsync(host);
    }

    [Fact]
    public async Task Create_eventbus_with_more_replicas_than_nodes_is_400_from_the_broker()
    {
        await using var host = await GatewayHost.StartAsync();
        using var response = await host.Client.PostAsync(Buses, GatewayHost.Json("""{"name":"o","replicas":3}"""));

        await ProblemAssert.IsFieldProblemAsync(response, HttpStatusCode.BadRequest, "invalid-request", Buses, "replicas");
        await AssertNoBusesAsync(host);
    }

    [Fact]
    public async Task Create_eventbus_in_unknown_namespace_is_404()
    {
        await using var host = await GatewayHost.StartAsync();
        using var response = await host.Client.PostAsync("/api/v1/namespaces/nope/eventbuses", GatewayHost.Json("""{"name":"o"}"""));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound, "not-found", "/api/v1/namespaces/nope/eventbuses");
    }

    [Fact]
    public async Task Create_document_over_the_limit_is_413()
    {
        await using var host = await GatewayHost.StartAsync(new GatewayOptions { MaxDocumentBytes = 100 });
        using var response = await host.Client.PostAsync(Buses, GatewayHost.Json($$"""{"name":"{{new string('o', 120)}}"}"""));

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "request-too-large", Buses);
        Assert.Equal("The document is over the limit of 100 bytes per document.", ProblemAssert.Text(problem, "detail"));
        await AssertNoBusesAsync(host);
    }

    [Fact]
    public async Task List_and_get_show_each_eventlogs_earliest_and_next_offsets()
    {
        await using var host = await GatewayHost.StartAsync();
        await host.CreateBusAsync("orders", eventlogs: 2);
        await host.CreateBusAsync("audit");
        var batch = $"[{GatewayHost.EventJson("a")},{GatewayHost.EventJson("b")},{GatewayHost.EventJson("c")}]";
        using (var ingest = await host.Client.PostAsync("/gateway/orders", GatewayHost.Batch(batch)))
        {
            Assert.Equal(HttpStatusCode.OK, ingest.StatusCode);
        }

        host.Broker.Trim("default", "orders", 0, 1);

        using var one = await host.Client.GetAsync(Buses + "/orders");
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        var logs = (await GatewayHost.ReadJsonAsync(one)).GetProperty("eventlogs").EnumerateArray()
            .Select(l => (l.GetProperty("id").GetInt32(), l.GetProperty("earliest").GetInt64(), l.GetProperty("next").GetInt64()));
        Assert.Equal([(0, 1L, 2L), (1, 0L, 1L)], logs);

        using var list = await host.Client.GetAsync(Buses);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        var names = (await GatewayHost.ReadJsonAsync(list)).EnumerateArray().Select(b => b.GetProperty("name").GetString());
        Assert.Equal(["__dl_audit", "__dl_orders", "audit", "orders"], names);
    }

    [Fact]
    public async Task Get_unknown_eventbus_is_404()
    {
        await using var host = await GatewayHost.StartAsync();
        using var response = await host.Client.GetAsync(Buses + "/nope");

        await ProblemAssert.IsFieldProblemAsync(response, HttpStatusCode.NotFound, "not-found", Buses + "/nope", "eventbus");
    }

    [Fact]
    public async Task List_in_unknown_namespace_is_404()
    {
        await using var host = await GatewayHost.StartAsync();
        using var response = await host.Client.GetAsync("/api/v1/namespaces/nope/eventbuses");

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound, "not-found", "/api/v1/namespaces/nope/eventbuses");
    }

    [Fact]
    public async Task Delete_eventbus_is_204_then_404()
    {
        await using var host = await GatewayHost.StartAsync();
        await host.CreateBusAsync("orders");

        using (var deleted = await host.Client.DeleteAsync(Buses + "/orders"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
            Assert.Empty(await deleted.Content.ReadAsByteArrayAsync());
        }

        using (var again = await host.Client.DeleteAsync(Buses + "/orders"))
        {
            await ProblemAssert.IsProblemAsync(again, HttpStatusCode.NotFound, "not-found", Buses + "/orders");
        }

        using var get = await host.Client.GetAsync(Buses + "/orders");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        await AssertNoBusesAsync(host);
    }

    [Fact]
    public async Task Namespaces_are_created_listed_read_and_deleted()
    {
        await using var host = await GatewayHost.StartAsync();
        using (var created = await host.Client.PostAsync("/api/v1/namespaces", GatewayHost.Json("""{"name":"team"}""")))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.Equal("/api/v1/namespaces/team", created.Headers.Location?.OriginalString);
            Assert.Equal("team", (await GatewayHost.ReadJsonAsync(created)).GetProperty("name").GetString());
        }

        using (var list = await host.Client.GetAsync("/api/v1/namespaces"))
        {
            var names = (await GatewayHost.ReadJsonAsync(list)).EnumerateArray().Select(n => n.GetProperty("name").GetString());
            Assert.Equal(["default", "team"], names);
        }

        using (var one = await host.Client.GetAsync("/api/v1/namespaces/team"))
        {
            var ns = await GatewayHost.ReadJsonAsync(one);
            Assert.Equal("team", ns.GetProperty("name").GetString());
            Assert.Equal("2026-11-27T16:00:00Z", ns.GetProperty("createdAt").GetString());
        }

        using (var deleted = await host.Client.DeleteAsync("/api/v1/namespaces/team"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using var gone = await host.Client.GetAsync("/api/v1/namespaces/team");
        await ProblemAssert.IsProblemAsync(gone, HttpStatusCode.NotFound, "not-found", "/api/v1/namespaces/team");
    }

    [Fact]
    public async Task Namespace_refusals_name_the_reason()
    {
        await using var host = await GatewayHost.StartAsync();
        using (var duplicate = await host.Client.PostAsync("/api/v1/namespaces", GatewayHost.Json("""{"name":"default"}""")))
        {
            await ProblemAssert.IsProblemAsync(duplicate, HttpStatusCode.Conflict, "already-exists", "/api/v1/namespaces");
        }

        using (var badName = await host.Client.PostAsync("/api/v1/namespaces", GatewayHost.Json("""{"name":"a/b"}""")))
        {
            var problem = await ProblemAssert.IsFieldProblemAsync(badName, HttpStatusCode.BadRequest, "invalid-document", "/api/v1/namespaces", "name");
        }

        using (var unknownField = await host.Client.PostAsync("/api/v1/namespaces", GatewayHost.Json("""{"name":"x","owner":"me"}""")))
        {
            await ProblemAssert.IsFieldProblemAsync(unknownField, HttpStatusCode.BadRequest, "invalid-document", "/api/v1/namespaces", "owner");
        }

        using (var deleteUnknown = await host.Client.DeleteAsync("/api/v1/namespaces/nope"))
        {
            await ProblemAssert.IsProblemAsync(deleteUnknown, HttpStatusCode.NotFound, "not-found", "/api/v1/namespaces/nope");
        }

        using (var deleteDefault = await host.Client.DeleteAsync("/api/v1/namespaces/default"))
        {
            await ProblemAssert.IsProblemAsync(deleteDefault, HttpStatusCode.BadRequest, "invalid-request", "/api/v1/namespaces/default");
        }

        using var list = await host.Client.GetAsync("/api/v1/namespaces");
        Assert.Equal(["default"], (await GatewayHost.ReadJsonAsync(list)).EnumerateArray().Select(n => n.GetProperty("name").GetString()));
    }

    [Theory]
    [InlineData("POST", "/api/v1/namespaces")]
    [InlineData("GET", "/api/v1/namespaces")]
    [InlineData("GET", Buses)]
    [InlineData("POST", Buses)]
    [InlineData("DELETE", Buses + "/orders")]
    [InlineData("GET", Buses + "/orders/events")]
    public async Task Management_calls_are_503_while_not_ready(string method, string path)
    {
        await using var host = await GatewayHost.StartAsync();
        await host.CreateBusAsync("orders");
        host.Broker.IsReady = false;
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? GatewayHost.Json("""{"name":"x"}""") : null };
        using var response = await host.Client.SendAsync(request);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.ServiceUnavailable, "not-ready", path);
        host.Broker.IsReady = true;
        using var list = await host.Client.GetAsync(Buses);
        Assert.Equal(["__dl_orders", "orders"], (await GatewayHost.ReadJsonAsync(list)).EnumerateArray().Select(b => b.GetProperty("name").GetString()));
    }

    private static async Task AssertNoBusesAsync(GatewayHost host)
    {
        using var list = await host.Client.GetAsync(Buses);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(JsonValueKind.Array, (await GatewayHost.ReadJsonAsync(list)).ValueKind);
        Assert.Empty((await GatewayHost.ReadJsonAsync(list)).EnumerateArray());
    }
}
