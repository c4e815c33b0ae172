using System.Net;
using System.Text.Json;
using Vanus.Runtime.Events;
using static Vanus.Gateway.Tests.SubscriptionApiTests;

namespace Vanus.Gateway.Tests;

/// <summary>Pause, resume and reset, and the dry run of a stored subscription with one CloudEvent.</summary>
public sealed class SubscriptionLifecycleTests
{
    private const string Hook = Subs + "/hook";

    [Fact]
    public async Task Pause_and_resume_answer_the_subscription_in_its_new_state()
    {
        await using var host = await StartAsync();
        await CreateAsync(host, "hook");

        using (var paused = await host.Client.PostAsync(Hook + "/pause", null))
        {
            Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
            Assert.Equal("paused", (await GatewayHost.ReadJsonAsync(paused)).GetProperty("state").GetString());
        }

        using (var again = await host.Client.PostAsync(Hook + "/pause", null))
        {
            Assert.Equal("paused", (await GatewayHost.ReadJsonAsync(again)).GetProperty("state").GetString());
        }

        using var resumed = await host.Client.PostAsync(Hook + "/resume", null);
        Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        var sub = await GatewayHost.ReadJsonAsync(resumed);
        Assert.Equal("running", sub.GetProperty("state").GetString());
        Assert.Equal("hook", sub.GetProperty("name").GetString());
        Assert.Equal(["create default/hook", "pause default/hook", "pause default/hook", "resume default/hook"], host.Subscriptions.Calls);
    }

    [Theory]
    [InlineData("/pause")]
    [InlineData("/resume")]
    public async Task Pause_or_resume_of_an_unknown_subscription_is_404(string verb)
    {
        await using var host = await StartAsync();
        using var response = await host.Client.PostAsync(Subs + "/ghost" + verb, null);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound, "not-found", Subs + "/ghost" + verb);
    }

    [Fact]
    public async Task Reset_of_a_paused_subscription_moves_its_committed_offsets_to_the_time()
    {
        await using var host = await StartAsync();
        await CreateAsync(host, "hook", ""","from":"earliest" """);
        await host.Broker.AppendAsync("default", "orders", [new Event("a", "/t", "t"), new Event("b", "/t", "t")]);
        host.Time.Advance(TimeSpan.FromMinutes(1));
        await host.Broker.AppendAsync("default", "orders", [new Event("c", "/t", "t")]);
        (await host.Client.PostAsync(Hook + "/pause", null)).Dispose();

        using var response = await host.Client.PostAsync(Hook + "/reset", GatewayHost.Json("""{"time":"2026-11-27T16:00:30Z"}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sub = await GatewayHost.ReadJsonAsync(response);
        Assert.Equal("paused", sub.GetProperty("state").GetString());
        Assert.Equal(2, sub.GetProperty("eventlogs")[0].GetProperty("committed").GetInt64());
        Assert.Contains("reset default/hook", host.Subscriptions.Calls);
    }

    [Fact]
    public async Task Reset_while_running_is_refused_by_the_broker_with_400()
    {
        await using var host = await StartAsync();
        await CreateAsync(host, "hook");
        using var response = await host.Client.PostAsync(Hook + "/reset", GatewayHost.Json("""{"time":"2026-11-27T16:00:00Z"}"""));

        var problem = await ProblemAssert.IsFieldProblemAsync(response, HttpStatusCode.BadRequest, "invalid-request", Hook + "/reset", "state");
        Assert.Contains("pause it", ProblemAssert.Text(problem, "detail"));
    }

    [Theory]
    [InlineData("{}", "time", "is required")]
    [InlineData("""{"time":"tomorrow"}""", "time", "must be an RFC 3339 time")]
    [InlineData("""{"time":1700000000}""", "time", "must be a JSON string")]
    [InlineData("""{"at":"2026-11-27T16:00:00Z"}""", "at", "is not a field of this document")]
    public async Task Reset_without_a_valid_time_is_400_naming_the_field(string body, string field, string reason)
    {
        await using var host = await StartAsync();
        await CreateAsync(host, "hook");
        (await host.Client.PostAsync(Hook + "/pause", null)).Dispose();
        using var response = await host.Client.PostAsync(Hook + "/reset", GatewayHost.Json(body));

        await ProblemAssert.IsFieldProblemAsync(response, HttpStatusCode.BadRequest, "invalid-document", Hook + "/reset", field, reason);
        Assert.DoesNotContain("reset default/hook", host.Subscriptions.Calls);
    }

    [Fact]
    public async Task Reset_with_an_empty_body_is_400()
    {
        await using var host = await StartAsync();
        await CreateAsync(host, "hook");
        using var response = await host.Client.PostAsync(Hook + "/reset", null);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "invalid-document", Hook + "/reset");
        Assert.Contains("is empty", ProblemAssert.Text(problem, "reason"));
    }

    [Fact]
    public async Task Validate_transforms_an_event_that_passes_the_filters()
    {
        await using var host = await StartAsync();
        await CreateAsync(host, "hook", """
            ,"filters":[{"exact":{"type":"order.created"}}],
            "transformer":{"define":{"id":"$.data.id"},"template":"{\"order\":\"<id>\"}"}
            """);

        using var response = await host.Client.PostAsync(Hook + "/validate", GatewayHost.Structured(
            """{"specversion":"1.0","id":"e1","source":"/shop","type":"order.created","datacontenttype":"application/json","data":{"id":"o-42"}}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await GatewayHost.ReadJsonAsync(response);
        Assert.True(result.GetProperty("filterPassed").GetBoolean());
        Assert.True(result.GetProperty("delivered").GetBoolean());
        Assert.Equal(JsonValueKind.Null, result.GetProperty("error").ValueKind);
        var e = Assert.Single(result.GetProperty("events").EnumerateArray());
        Assert.Equal("e1", e.GetProperty("id").GetString());
        Assert.Equal("1.0", e.GetProperty("specversion").GetString());
        Assert.Equal("o-42", e.GetProperty("data").GetProperty("order").GetString());
    }

    [Fact]
    public async Task Validate_with_an_event_the_filters_reject_delivers_nothing()
    {
        await using var host = await StartAsync();
        await CreateAsync(host, "hook", ""","filters":[{"sql":"type = 'order.created'"}]""");

        using var response = await host.Client.PostAsync(Hook + "/validate", GatewayHost.Structured(GatewayHost.EventJson("e1")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await GatewayHost.ReadJsonAsync(response);
        Assert.False(result.GetProperty("filterPassed").GetBoolean());
        Assert.False(result.GetProperty("delivered").GetBoolean());
        Assert.Equal(0, result.GetProperty("events").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, result.GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task Validate_reports_a_transform_error_with_its_action_and_index()
    {
        await using var host = await StartAsync();
        await CreateAsync(host, "hook", """
            ,"transformer":{"pipeline":[{"command":["create","$.data.x",1]},{"command":["math_div","$.data.c","$.data.a","$.data.b"]}]}
            """);

        using var response = await host.Client.PostAsync(Hook + "/validate", GatewayHost.Structured(
            """{"specversion":"1.0","id":"e1","source":"/shop","type":"order.created","datacontenttype":"application/json","data":{"a":1,"b":0}}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await GatewayHost.ReadJsonAsync(response);
        Assert.True(result.GetProperty("filterPassed").GetBoolean());
        Assert.False(result.GetProperty("delivered").GetBoolean());
        Assert.Equal(0, result.GetProperty("events").GetArrayLength());
        var error = result.GetProperty("error");
        Assert.Equal("MATH_DIV", error.GetProperty("action").GetString());
        Assert.Equal(1, error.GetProperty("pipelineIndex").GetInt32());
        Assert.Contains("division by zero", error.GetProperty("reason").GetString());
        Assert.Contains("pipeline[1]", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Validate_takes_a_binary_mode_event_and_without_filters_passes_it_unchanged()
    {
        await using var host = await StartAsync();
        await CreateAsync(host, "hook");

        using var response = await host.Client.PostAsync(Hook + "/validate", GatewayHost.Binary("b1", "hello", ("ce-subject", "s-1")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await GatewayHost.ReadJsonAsync(response);
        Assert.True(result.GetProperty("delivered").GetBoolean());
        var e = Assert.Single(result.GetProperty("events").EnumerateArray());
        Assert.Equal("b1", e.GetProperty("id").GetString());
        Assert.Equal("s-1", e.GetProperty("subject").GetString());
        Assert.Equal("hello", e.GetProperty("data").GetString());
    }

    [Fact]
    public async Task Validate_with_an_invalid_event_is_400_naming_the_attribute()
    {
        await using var host = await StartAsync();
        await CreateAsync(host, "hook");
        using var response = await host.Client.PostAsync(Hook + "/validate", GatewayHost.Structured("""{"specversion":"1.0","source":"/t","type":"t"}"""));

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "invalid-event", Hook + "/validate");
        Assert.Equal("id", ProblemAssert.Text(problem, "attribute"));
    }

    [Fact]
    public async Task Validate_with_a_batch_is_415()
    {
        await using var host = await StartAsync();
        await CreateAsync(host, "hook");
        using var response = await host.Client.PostAsync(Hook + "/validate", GatewayHost.Batch("[" + GatewayHost.EventJson("e1") + "]"));

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported-media-type", Hook + "/validate");
        Assert.Contains("not a batch", ProblemAssert.Text(problem, "detail"));
    }

    [Fact]
    public async Task Validate_of_an_unknown_subscription_is_404()
    {
        await using var host = await StartAsync();
        using var response = await host.Client.PostAsync(Subs + "/ghost/validate", GatewayHost.Structured(GatewayHost.EventJson("e1")));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound, "not-found", Subs + "/ghost/validate");
    }
}
