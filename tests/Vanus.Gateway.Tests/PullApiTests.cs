using System.Net;
using System.Text;
using Vanus.Runtime.Events;
using static Vanus.Gateway.Tests.SubscriptionApiTests;

namespace Vanus.Gateway.Tests;

/// <summary>Pull consumption over HTTP: long polls that answer events with tokens, and acks by token.</summary>
public sealed class PullApiTests
{
    private const string Pull = Subs + "/puller/pull";
    private const string Ack = Subs + "/puller/ack";

    [Fact]
    public async Task Pulled_events_carry_tokens_that_ack_acknowledges_once()
    {
        await using var host = await StartPullAsync();
        for (var i = 0; i < 3; i++)
        {
            host.Subscriptions.Offer("default", "puller", 0, 10 + i, Order($"e{i}"));
        }

        using var first = await host.Client.PostAsync(Pull + "?max=2&wait=0s", null);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var events = (await GatewayHost.ReadJsonAsync(first)).GetProperty("events").EnumerateArray().ToArray();
        Assert.Equal(2, events.Length);
        Assert.Equal([10L, 11L], events.Select(e => e.GetProperty("offset").GetInt64()));
        Assert.All(events, e => Assert.Equal(0, e.GetProperty("eventlog").GetInt32()));
        Assert.All(events, e => Assert.Equal(1, e.GetProperty("attempt").GetInt32()));
        Assert.Equal(["e0", "e1"], events.Select(e => e.GetProperty("event").GetProperty("id").GetString()));
        Assert.Equal(7, events[0].GetProperty("event").GetProperty("data").GetProperty("amount").GetInt32());

        using var second = await host.Client.PostAsync(Pull, null);
        var rest = Assert.Single((await GatewayHost.ReadJsonAsync(second)).GetProperty("events").EnumerateArray());
        var tokens = events.Append(rest).Select(e => e.GetProperty("token").GetString()!).ToArray();
        Assert.Equal(3, tokens.Distinct().Count());

        using var ack = await host.Client.PostAsync(Ack, GatewayHost.Json($$"""{"tokens":["{{string.Join("\",\"", tokens)}}"]}"""));
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        Assert.Equal(3, (await GatewayHost.ReadJsonAsync(ack)).GetProperty("acknowledged").GetInt32());

        using var again = await host.Client.PostAsync(Ack, GatewayHost.Json($$"""{"tokens":["{{tokens[0]}}","unknown"]}"""));
        Assert.Equal(0, (await GatewayHost.ReadJsonAsync(again)).GetProperty("acknowledged").GetInt32());
        using var get = await host.Client.GetAsync(Subs + "/puller");
        Assert.Equal(3, (await GatewayHost.ReadJsonAsync(get)).GetProperty("delivered").GetInt64());
    }

    [Fact]
    public async Task Pull_without_waiting_answers_no_events_when_none_are_ready()
    {
        await using var host = await StartPullAsync();
        using var response = await host.Client.PostAsync(Pull + "?wait=0s", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, (await GatewayHost.ReadJsonAsync(response)).GetProperty("events").GetArrayLength());
    }

    [Fact]
    public async Task A_waiting_pull_answers_when_an_event_arrives()
    {
        await using var host = await StartPullAsync();
        var pull = host.Client.PostAsync(Pull + "?wait=30s", null);
        await host.Subscriptions.PullWaiting.Task.WaitAsync(TimeSpan.FromSeconds(20));

        host.Subscriptions.Offer("default", "puller", 0, 0, Order("late"));

        using var response = await pull;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var e = Assert.Single((await GatewayHost.ReadJsonAsync(response)).GetProperty("events").EnumerateArray());
        Assert.Equal("late", e.GetProperty("event").GetProperty("id").GetString());
    }

    [Fact]
    public async Task Waiting_pulls_beyond_the_node_limit_answer_429_and_pulls_that_do_not_wait_still_run()
    {
        await using var host = await GatewayHost.StartAsync(new GatewayOptions { MaxLongPolls = 1 });
        await host.CreateBusAsync("orders");
        await CreatePullAsync(host, "puller");
        var waiting = host.Client.PostAsync(Pull + "?wait=30s", null);
        await host.Subscriptions.PullWaiting.Task.WaitAsync(TimeSpan.FromSeconds(20));

        using (var refused = await host.Client.PostAsync(Pull + "?wait=5s", null))
        {
            var problem = await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.TooManyRequests, "overloaded", Pull);
            Assert.Contains("--max-long-polls", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        using (var now = await host.Client.PostAsync(Pull + "?wait=0s", null))
        {
            Assert.Equal(HttpStatusCode.OK, now.StatusCode);
        }

        // Once the waiting pull ends, its place is free again.
        host.Subscriptions.Offer("default", "puller", 0, 0, Order("late"));
        using (var answered = await waiting)
        {
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        }

        host.Subscriptions.ResetPullWaiting();
        var again = host.Client.PostAsync(Pull + "?wait=30s", null);
        await host.Subscriptions.PullWaiting.Task.WaitAsync(TimeSpan.FromSeconds(20));
        host.Subscriptions.Offer("default", "puller", 0, 1, Order("later"));
        using var last = await again;
        Assert.Equal(HttpStatusCode.OK, last.StatusCode);
    }

    [Fact]
    public async Task A_waiting_pull_ends_when_its_wait_passes()
    {
        await using var host = await StartPullAsync();
        var pull = host.Client.PostAsync(Pull + "?wait=2s", null);
        await host.Subscriptions.PullWaiting.Task.WaitAsync(TimeSpan.FromSeconds(20));

        host.Time.Advance(TimeSpan.FromSeconds(2));

        using var response = await pull;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, (await GatewayHost.ReadJsonAsync(response)).GetProperty("events").GetArrayLength());
    }

    [Fact]
    public async Task A_client_that_leaves_cancels_its_waiting_pull()
    {
        await using var host = await StartPullAsync();
        using var leave = new CancellationTokenSource();
        var pull = host.Client.PostAsync(Pull + "?wait=30s", null, leave.Token);
        await host.Subscriptions.PullWaiting.Task.WaitAsync(TimeSpan.FromSeconds(20));

        await leave.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pull);
        await host.Subscriptions.PullCancelled.Task.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Theory]
    [InlineData("?wait=31s", "wait", "must be at most 30s (got '31s')")]
    [InlineData("?wait=1m", "wait", "must be at most 30s")]
    [InlineData("?wait=soon", "wait", "must be a duration")]
    [InlineData("?max=0", "max", "must be between 1 and 1000 (got 0)")]
    [InlineData("?max=1001", "max", "must be between 1 and 1000 (got 1001)")]
    [InlineData("?max=ten", "max", "must be a whole number (got 'ten')")]
    [InlineData("?wait=1s&wait=2s", "wait", "is given 2 times")]
    public async Task Pull_refuses_bad_parameters_by_name(string query, string field, string reason)
    {
        await using var host = await StartPullAsync();
        using var response = await host.Client.PostAsync(Pull + query, null);

        await ProblemAssert.IsFieldProblemAsync(response, HttpStatusCode.BadRequest, "invalid-parameter", Pull, field, reason);
        Assert.DoesNotContain("pull default/puller", host.Subscriptions.Calls);
    }

    [Fact]
    public async Task Pull_from_a_subscription_with_a_sink_is_refused_by_the_broker()
    {
        await using var host = await StartPullAsync();
        await CreateAsync(host, "hook");
        using var response = await host.Client.PostAsync(Subs + "/hook/pull?wait=0s", null);

        await ProblemAssert.IsFieldProblemAsync(response, HttpStatusCode.BadRequest, "invalid-request", Subs + "/hook/pull", "protocol");
    }

    [Fact]
    public async Task Pull_from_an_unknown_subscription_is_404()
    {
        await using var host = await StartPullAsync();
        using var response = await host.Client.PostAsync(Subs + "/ghost/pull?wait=0s", null);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound, "not-found", Subs + "/ghost/pull");
    }

    [Theory]
    [InlineData("{}", "tokens", "is required")]
    [InlineData("""{"tokens":"t1"}""", "tokens", "must be a JSON array")]
    [InlineData("""{"tokens":["t1",5]}""", "tokens[1]", "must be a JSON string (got a number)")]
    [InlineData("""{"tokens":[""]}""", "tokens[0]", "must not be empty")]
    [InlineData("""{"tokens":[],"all":true}""", "all", "is not a field of this document")]
    public async Task Ack_refuses_a_bad_document_naming_the_field(string body, string field, string reason)
    {
        await using var host = await StartPullAsync();
        using var response = await host.Client.PostAsync(Ack, GatewayHost.Json(body));

        await ProblemAssert.IsFieldProblemAsync(response, HttpStatusCode.BadRequest, "invalid-document", Ack, field, reason);
        Assert.DoesNotContain("ack default/puller", host.Subscriptions.Calls);
    }

    private static async Task<GatewayHost> StartPullAsync()
    {
        var host = await StartAsync();
        await CreatePullAsync(host, "puller");
        return host;
    }

    private static Event Order(string id) =>
        new(id, "/shop", "order.created") { DataContentType = "application/json", Data = Encoding.UTF8.GetBytes("""{"amount":7}""") };
}
