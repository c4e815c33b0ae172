using System.Net;
using System.Text.Json;
using Vanus.Runtime.Events;
using static Vanus.Gateway.Tests.SubscriptionApiTests;

namespace Vanus.Gateway.Tests;

/// <summary>Listing a subscription's dead letters page by page, and resending all of them or an offset range.</summary>
public sealed class DeadLetterApiTests
{
    private const string DeadLetters = Subs + "/hook/deadletters";
    private const string Resend = DeadLetters + "/resend";

    [Fact]
    public async Task Dead_letters_page_by_offset_with_their_attributes_and_where_they_sit()
    {
        await using var host = await StartWithDeadLettersAsync(5);

        using var first = await host.Client.GetAsync(DeadLetters + "?eventlog=0&offset=0&count=2");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("application/cloudevents-batch+json", first.Content.Headers.ContentType?.MediaType);
        var page = (await GatewayHost.ReadJsonAsync(first)).EnumerateArray().ToArray();
        Assert.Equal(["d0", "d1"], page.Select(e => e.GetProperty("id").GetString()));
        Assert.Equal([0, 1], page.Select(e => e.GetProperty("xvanusoffset").GetInt32()));
        var e0 = page[0];
        Assert.Equal(0, e0.GetProperty("xvanuseventlog").GetInt32());
        Assert.Equal("__dl_orders", e0.GetProperty("xvanuseventbus").GetString());
        Assert.Equal("2026-11-27T16:00:00.000000Z", e0.GetProperty("xvanusstime").GetString());
        Assert.Equal("hook", e0.GetProperty("xvanusdlsubscription").GetString());
        Assert.Equal("sink answered 400", e0.GetProperty("xvanusdlreason").GetString());
        Assert.Equal(3, e0.GetProperty("xvanusdlattempts").GetInt32());
        Assert.False(string.IsNullOrEmpty(e0.GetProperty("xvanusdlerror").GetString()));
        Assert.False(string.IsNullOrEmpty(e0.GetProperty("xvanusdltime").GetString()));

        using var second = await host.Client.GetAsync(DeadLetters + "?eventlog=0&offset=2&count=2");
        Assert.Equal([2, 3], (await GatewayHost.ReadJsonAsync(second)).EnumerateArray().Select(e => e.GetProperty("xvanusoffset").GetInt32()));
        using var last = await host.Client.GetAsync(DeadLetters + "?offset=4&count=2");
        Assert.Equal(["d4"], (await GatewayHost.ReadJsonAsync(last)).EnumerateArray().Select(e => e.GetProperty("id").GetString()));
        using var past = await host.Client.GetAsync(DeadLetters + "?offset=5");
        Assert.Equal(0, (await GatewayHost.ReadJsonAsync(past)).GetArrayLength());
    }

    [Fact]
    public async Task Dead_letters_default_to_a_page_of_100()
    {
        await using var host = await StartWithDeadLettersAsync(101);
        using var response = await host.Client.GetAsync(DeadLetters);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(100, (await GatewayHost.ReadJsonAsync(response)).GetArrayLength());
    }

    [Fact]
    public async Task Dead_letters_of_another_subscription_of_the_bus_are_not_listed()
    {
        await using var host = await StartWithDeadLettersAsync(2);
        await CreateAsync(host, "other");
        await host.Subscriptions.DeadLetterAsync("default", "other", new Event("o1", "/t", "t"), "sink answered 404", 1);

        using var mine = await host.Client.GetAsync(DeadLetters);
        Assert.Equal(["d0", "d1"], (await GatewayHost.ReadJsonAsync(mine)).EnumerateArray().Select(e => e.GetProperty("id").GetString()));
        using var theirs = await host.Client.GetAsync(Subs + "/other/deadletters");
        var other = Assert.Single((await GatewayHost.ReadJsonAsync(theirs)).EnumerateArray());
        Assert.Equal(2, other.GetProperty("xvanusoffset").GetInt32());
    }

    [Theory]
    [InlineData("?count=1001", "count", "must be between 1 and 1000 (got 1001)")]
    [InlineData("?count=0", "count", "must be between 1 and 1000 (got 0)")]
    [InlineData("?offset=-1", "offset", "must be at least 0 (got -1)")]
    [InlineData("?eventlog=x", "eventlog", "must be a whole number (got 'x')")]
    [InlineData("?count=1&count=2", "count", "is given 2 times")]
    public async Task Dead_letters_refuse_bad_parameters_by_name(string query, string field, string reason)
    {
        await using var host = await StartWithDeadLettersAsync(1);
        using var response = await host.Client.GetAsync(DeadLetters + query);

        var problem = await ProblemAssert.IsFieldProblemAsync(response, HttpStatusCode.BadRequest, "invalid-parameter", DeadLetters, field, reason);
    }

    [Fact]
    public async Task Dead_letters_of_an_eventlog_the_dead_letter_bus_lacks_are_refused_by_the_broker()
    {
        await using var host = await StartWithDeadLettersAsync(1);
        using var response = await host.Client.GetAsync(DeadLetters + "?eventlog=1");

        await ProblemAssert.IsFieldProblemAsync(response, HttpStatusCode.BadRequest, "invalid-request", DeadLetters, "eventlog");
    }

    [Fact]
    public async Task Dead_letters_of_an_unknown_subscription_is_404()
    {
        await using var host = await StartAsync();
        using var response = await host.Client.GetAsync(Subs + "/ghost/deadletters");

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound, "not-found", Subs + "/ghost/deadletters");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("{}")]
    public async Task Resend_with_an_empty_selection_resends_every_dead_letter_without_its_dead_letter_attributes(string? body)
    {
        await using var host = await StartWithDeadLettersAsync(3);
        using var response = await host.Client.PostAsync(Resend, body is null ? null : GatewayHost.Json(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, (await GatewayHost.ReadJsonAsync(response)).GetProperty("resent").GetInt32());
        var resent = host.Subscriptions.Resent("default", "hook");
        Assert.Equal(["d0", "d1", "d2"], resent.Select(e => e.Id));
        Assert.All(resent, e => Assert.DoesNotContain(e.Extensions, a => a.Key.StartsWith("xvanusdl", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Resend_of_an_offset_range_resends_only_that_range()
    {
        await using var host = await StartWithDeadLettersAsync(5);
        using var response = await host.Client.PostAsync(Resend, GatewayHost.Json("""{"eventlog":0,"from":1,"to":3}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, (await GatewayHost.ReadJsonAsync(response)).GetProperty("resent").GetInt32());
        Assert.Equal(["d1", "d2", "d3"], host.Subscriptions.Resent("default", "hook").Select(e => e.Id));
    }

    [Theory]
    [InlineData("""{"from":1}""", "from", "eventlog is required with it")]
    [InlineData("""{"to":3}""", "to", "eventlog is required with it")]
    [InlineData("""{"eventlog":0,"from":3,"to":1}""", "to", "must not be below from")]
    [InlineData("""{"eventlog":-1}""", "eventlog", "must be between 0 and 63 (got -1)")]
    [InlineData("""{"eventlog":0,"from":-2}""", "from", "must be at least 0 (got -2)")]
    [InlineData("""{"eventlog":0,"from":"1"}""", "from", "must be a whole number (got a string)")]
    [InlineData("""{"all":true}""", "all", "is not a field of this document")]
    [InlineData("[]", null, "must be a JSON object")]
    public async Task Resend_refuses_a_bad_selection_naming_the_field(string body, string? field, string reason)
    {
        await using var host = await StartWithDeadLettersAsync(2);
        using var response = await host.Client.PostAsync(Resend, GatewayHost.Json(body));

        await ProblemAssert.IsFieldProblemAsync(response, HttpStatusCode.BadRequest, "invalid-document", Resend, field, reason);
        Assert.Empty(host.Subscriptions.Resent("default", "hook"));
    }

    [Fact]
    public async Task Resend_of_an_unknown_subscription_is_404()
    {
        await using var host = await StartAsync();
        using var response = await host.Client.PostAsync(Subs + "/ghost/deadletters/resend", null);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound, "not-found", Subs + "/ghost/deadletters/resend");
    }

    private static async Task<GatewayHost> StartWithDeadLettersAsync(int count)
    {
        var host = await StartAsync();
        await CreateAsync(host, "hook");
        for (var i = 0; i < count; i++)
        {
            var e = new Event($"d{i}", "/shop", "order.created") { DataContentType = "application/json", Data = JsonSerializer.SerializeToUtf8Bytes(new { n = i }) };
            await host.Subscriptions.DeadLetterAsync("default", "hook", e, "sink answered 400", 3);
        }

        return host;
    }
}
