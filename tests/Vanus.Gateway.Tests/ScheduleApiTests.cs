using System.Net;
using System.Text.Json;
using Vanus.Runtime.Broker;

namespace Vanus.Gateway.Tests;

/// <summary>The schedule document through the HTTP pipeline: create, list, get and delete, and every refusal by field.</summary>
public sealed class ScheduleApiTests
{
    private const string Schedules = "/api/v1/namespaces/default/schedules";
    private const string Template = """{"source":"/billing","type":"invoice.due","subject":"monthly","datacontenttype":"application/json","data":{"run":"invoices","amount":1.50},"team":"payments"}""";

    private static string Doc(string when, string template = Template, string name = "tick", string eventbus = "orders") =>
        $$"""{"name":"{{name}}","eventbus":"{{eventbus}}",{{when}},"event":{{template}}}""";

    [Fact]
    public async Task Create_a_cron_schedule_answers_201_with_the_document_and_its_status()
    {
        await using var host = await StartAsync();
        using var response = await host.Client.PostAsync(Schedules, GatewayHost.Json(Doc("\"cron\":\"*/5 * * * *\",\"timezone\":\"America/New_York\"")));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(Schedules + "/tick", response.Headers.Location?.OriginalString);
        var doc = await GatewayHost.ReadJsonAsync(response);
        Assert.Equal("tick", doc.GetProperty("name").GetString());
        Assert.Equal("default", doc.GetProperty("namespace").GetString());
        Assert.Equal("orders", doc.GetProperty("eventbus").GetString());
        Assert.Equal("*/5 * * * *", doc.GetProperty("cron").GetString());
        Assert.Equal("America/New_York", doc.GetProperty("timezone").GetString());
        Assert.Equal(JsonValueKind.Null, doc.GetProperty("interval").ValueKind);
        Assert.Equal("active", doc.GetProperty("state").GetString());
        Assert.Equal("2026-11-27T16:00:00Z", doc.GetProperty("createdAt").GetString());
        Assert.Equal(JsonValueKind.Null, doc.GetProperty("lastFired").ValueKind);
        Assert.Equal(0, doc.GetProperty("fired").GetInt64());
        Assert.Equal(0, doc.GetProperty("missed").GetInt64());
        Assert.Equal(JsonValueKind.Null, doc.GetProperty("lastError").ValueKind);

        // The template as written, without the id and time each occurrence sets.
        var e = doc.GetProperty("event");
        Assert.False(e.TryGetProperty("id", out _));
        Assert.False(e.TryGetProperty("time", out _));
        Assert.Equal("1.0", e.GetProperty("specversion").GetString());
        Assert.Equal("/billing", e.GetProperty("source").GetString());
        Assert.Equal("invoice.due", e.GetProperty("type").GetString());
        Assert.Equal("payments", e.GetProperty("team").GetString());
        Assert.Equal("""{"run":"invoices","amount":1.50}""", e.GetProperty("data").GetRawText());

        var spec = host.Schedules.Spec("default", "tick");
        Assert.Equal(("*/5 * * * *", "America/New_York", (TimeSpan?)null), (spec.Cron, spec.TimeZone, spec.Interval));
        Assert.Equal(("/billing", "invoice.due", "monthly"), (spec.Event.Source, spec.Event.Type, spec.Event.Subject));
        Assert.Equal("""{"run":"invoices","amount":1.50}""", spec.Event.DataText);
        Assert.True(spec.Event.Extensions.TryGet("team", out var team) && team.AsText == "payments");
    }

    [Fact]
    public async Task Create_an_interval_schedule_and_a_cron_one_without_a_zone_which_reads_in_UTC()
    {
        await using var host = await StartAsync();
        using (var response = await host.Client.PostAsync(Schedules, GatewayHost.Json(Doc("\"interval\":\"90s\"", name: "pulse"))))
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var doc = await GatewayHost.ReadJsonAsync(response);
            Assert.Equal("90s", doc.GetProperty("interval").GetString());
            Assert.Equal(JsonValueKind.Null, doc.GetProperty("cron").ValueKind);
            Assert.Equal(JsonValueKind.Null, doc.GetProperty("timezone").ValueKind);
            Assert.Equal("2026-11-27T16:01:30Z", doc.GetProperty("nextOccurrence").GetString());
        }

        Assert.Equal((TimeSpan?)TimeSpan.FromSeconds(90), host.Schedules.Spec("default", "pulse").Interval);
        using (var response = await host.Client.PostAsync(Schedules, GatewayHost.Json(Doc("\"cron\":\"0 9 * * 1-5\",\"timezone\":null"))))
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            Assert.Equal("UTC", (await GatewayHost.ReadJsonAsync(response)).GetProperty("timezone").GetString());
        }
    }

    [Fact]
    public async Task Get_list_and_delete_and_their_not_found_answers()
    {
        await using var host = await StartAsync();
        foreach (var name in new[] { "zeta", "alpha" })
        {
            using var created = await host.Client.PostAsync(Schedules, GatewayHost.Json(Doc("\"interval\":\"1m\"", name: name)));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using (var list = await host.Client.GetAsync(Schedules))
        {
            Assert.Equal(HttpStatusCode.OK, list.StatusCode);
            Assert.Equal(["alpha", "zeta"], (await GatewayHost.ReadJsonAsync(list)).EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        }

        var fired = new DateTimeOffset(2026, 11, 27, 16, 1, 0, TimeSpan.Zero);
        host.Schedules.SetProgress("default", "alpha", s => s with
        {
            State = ScheduleState.Stopped,
            LastFired = fired,
            Fired = 4,
            Missed = 2,
            NextOccurrence = null,
            LastError = new ScheduleError("eventbus 'orders' no longer exists in namespace 'default'", fired),
        });
        using (var get = await host.Client.GetAsync(Schedules + "/alpha"))
        {
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            var doc = await GatewayHost.ReadJsonAsync(get);
            Assert.Equal("stopped", doc.GetProperty("state").GetString());
            Assert.Equal("2026-11-27T16:01:00Z", doc.GetProperty("lastFired").GetString());
            Assert.Equal((4, 2), (doc.GetProperty("fired").GetInt64(), doc.GetProperty("missed").GetInt64()));
            Assert.Equal(JsonValueKind.Null, doc.GetProperty("nextOccurrence").ValueKind);
            Assert.Equal("eventbus 'orders' no longer exists in namespace 'default'", doc.GetProperty("lastError").GetProperty("message").GetString());
            Assert.Equal("2026-11-27T16:01:00Z", doc.GetProperty("lastError").GetProperty("time").GetString());
        }

        using (var missing = await host.Client.GetAsync(Schedules + "/nope"))
        {
            var problem = await ProblemAssert.IsFieldProblemAsync(missing, HttpStatusCode.NotFound, "not-found", Schedules + "/nope", "schedule");
        }

        using (var deleted = await host.Client.DeleteAsync(Schedules + "/alpha"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using (var again = await host.Client.DeleteAsync(Schedules + "/alpha"))
        {
            await ProblemAssert.IsProblemAsync(again, HttpStatusCode.NotFound, "not-found", Schedules + "/alpha");
        }

        using (var noNamespace = await host.Client.GetAsync("/api/v1/namespaces/nowhere/schedules"))
        {
            await ProblemAssert.IsFieldProblemAsync(noNamespace, HttpStatusCode.NotFound, "not-found", "/api/v1/namespaces/nowhere/schedules", "namespace");
        }
    }

    [Fact]
    public async Task A_second_schedule_of_the_same_name_is_409_and_a_missing_bus_404()
    {
        await using var host = await StartAsync();
        using (var first = await host.Client.PostAsync(Schedules, GatewayHost.Json(Doc("\"interval\":\"1m\""))))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        }

        using (var second = await host.Client.PostAsync(Schedules, GatewayHost.Json(Doc("\"cron\":\"* * * * *\""))))
        {
            var problem = await ProblemAssert.IsFieldProblemAsync(second, HttpStatusCode.Conflict, "already-exists", Schedules, "name");
        }

        using (var noBus = await host.Client.PostAsync(Schedules, GatewayHost.Json(Doc("\"interval\":\"1m\"", name: "other", eventbus: "nowhere"))))
        {
            await ProblemAssert.IsFieldProblemAsync(noBus, HttpStatusCode.NotFound, "not-found", Schedules, "eventbus");
        }
    }

    public static TheoryData<string, string, string> BadDocuments() => new()
    {
        { Doc("\"interval\":\"1m\",\"every\":\"day\""), "every", "is not a field of this document" },
        { Doc("\"interval\":\"1m\",\"name\":\"again\""), "name", "appears twice" },
        { """{"eventbus":"orders","interval":"1m","event":{"source":"/a","type":"b"}}""", "name", "is required" },
        { """{"name":"tick","interval":"1m","event":{"source":"/a","type":"b"}}""", "eventbus", "is required" },
        { """{"name":"tick","eventbus":"orders","interval":"1m"}""", "event", "is required" },
        { Doc("\"timezone\":\"UTC\""), "cron", "or interval is required" },
        { Doc("\"cron\":\"* * * * *\",\"interval\":\"1m\""), "interval", "cannot be given with cron" },
        { Doc("\"cron\":\"*/5 * * *\""), "cron", "expected 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), got 4" },
        { Doc("\"cron\":\"0 0 0 * * * *\""), "cron", "got 7" },
        { Doc("\"cron\":\"*/5 * * * FUNDAY\""), "cron", "is not a valid cron expression" },
        { Doc("\"cron\":\"0 0 31 2 *\""), "cron", "never fire" },
        { Doc("\"cron\":\" \""), "cron", "must not be empty" },
        { Doc("\"cron\":5"), "cron", "must be a JSON string (got a number)" },
        { Doc("\"cron\":\"* * * * *\",\"timezone\":\"Moon/Tranquility\""), "timezone", "is not a time zone this node knows" },
        { Doc("\"interval\":\"1m\",\"timezone\":\"UTC\""), "timezone", "applies to cron only" },
        { Doc("\"interval\":\"soon\""), "interval", "must be a duration" },
        { Doc("\"interval\":\"500ms\""), "interval", "must be at least 1s (got '500ms')" },
        { Doc("\"interval\":\"400d\""), "interval", "must be at most 366d" },
        { Doc("\"interval\":\"1m\"", name: "bad name"), "name", "only letters, digits" },
        { Doc("\"interval\":\"1m\"", eventbus: "__dl_orders"), "eventbus", "reserved for system buses" },
        { Doc("\"interval\":\"1m\"", template: "\"tick\""), "event", "must be a CloudEvent as a JSON object" },
        { Doc("\"interval\":\"1m\"", template: """{"id":"x","source":"/a","type":"b"}"""), "event.id", "is set for each occurrence" },
        { Doc("\"interval\":\"1m\"", template: """{"source":"/a","type":"b","time":"2026-11-27T16:00:00Z"}"""), "event.time", "is set to each occurrence's time" },
        { Doc("\"interval\":\"1m\"", template: """{"source":"/a"}"""), "event.type", "required" },
        { Doc("\"interval\":\"1m\"", template: """{"specversion":"0.3","source":"/a","type":"b"}"""), "event.specversion", "1.0" },
        { Doc("\"interval\":\"1m\"", template: """{"source":"/a","type":"b","xvanusdeliverytime":"2030-01-01T00:00:00Z"}"""), "event.xvanusdeliverytime", "is reserved" },
        { Doc("\"interval\":\"1m\"", template: """{"source":"/a","type":"b","data":1,"data_base64":"AQ=="}"""), "event", "data" },
    };

    [Theory]
    [MemberData(nameof(BadDocuments))]
    public async Task Create_refuses_a_bad_document_naming_the_field_and_reason(string body, string field, string reason)
    {
        await using var host = await StartAsync();
        using var response = await host.Client.PostAsync(Schedules, GatewayHost.Json(body));

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "invalid-document", Schedules);
        Assert.StartsWith(field, ProblemAssert.Text(problem, "field"), StringComparison.Ordinal);
        Assert.Contains(reason, ProblemAssert.Text(problem, "reason"), StringComparison.Ordinal);
        Assert.DoesNotContain(host.Schedules.Calls, c => c.StartsWith("create", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"name\":")]
    [InlineData("[]")]
    [InlineData("{\"name\":\"tick\",\"eventbus\":\"orders\",\"interval\":\"1m\",\"event\":{\"source\":\"/a\",\"type\":\"b\"}} {}")]
    public async Task Create_refuses_a_body_that_is_not_one_json_object(string body)
    {
        await using var host = await StartAsync();
        using var response = await host.Client.PostAsync(Schedules, GatewayHost.Json(body));

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "invalid-document", Schedules);
        Assert.False(string.IsNullOrEmpty(ProblemAssert.Text(problem, "reason")));
        Assert.Empty(host.Schedules.Calls);
    }

    [Fact]
    public async Task A_template_over_the_event_size_limit_is_refused()
    {
        await using var host = await StartAsync(new GatewayOptions { MaxEventBytes = 1024, MaxRequestBytes = 4096 });
        var big = $$"""{"source":"/a","type":"b","data":"{{new string('x', 2000)}}"}""";
        using var response = await host.Client.PostAsync(Schedules, GatewayHost.Json(Doc("\"interval\":\"1m\"", template: big)));

        var problem = await ProblemAssert.IsFieldProblemAsync(response, HttpStatusCode.BadRequest, "invalid-document", Schedules, "event");
        Assert.Contains("over the limit of 1024 bytes", ProblemAssert.Text(problem, "reason"), StringComparison.Ordinal);
    }

    private static async Task<GatewayHost> StartAsync(GatewayOptions? options = null)
    {
        var host = await GatewayHost.StartAsync(options);
        await host.CreateBusAsync("orders");
        return host;
    }
}
