using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Vanus.Runtime.Events;

namespace Vanus.Cli.Tests;

public sealed class EventCommandsTests : FakeNodeTests
{

    protected override void Arrange(FakeNode node)
    {
        node.AddEventbus("orders");
    }

    private RecordedRequest SingleIngest() => Assert.Single(Node.RequestsTo("/namespaces/"));

    [Fact]
    public async Task Put_sends_every_attribute_in_binary_mode()
    {
        var run = await CliRunner.RunAsync(Node, "event", "put", "orders",
            "--id", "e-1", "--source", "/shop/eu", "--type", "order.created", "--subject", "order-7",
            "--datacontenttype", "application/json", "--dataschema", "https://example.com/order.json", "--time", "2026-01-02T03:04:05.5+01:00",
            "--attr", "region=eu", "--attr", "tier=gold", "--partition-key", "customer-9", "--data", """{"amount":120}""");

        Assert.Equal(0, run.ExitCode);
        var request = SingleIngest();
        Assert.Equal("POST", request.Method);
        Assert.Equal("/namespaces/default/eventbus/orders/events", request.Path);
        Assert.Equal("1.0", request.Header("ce-specversion"));
        Assert.Equal("e-1", request.Header("ce-id"));
        Assert.Equal("/shop/eu", request.Header("ce-source"));
        Assert.Equal("order.created", request.Header("ce-type"));
        Assert.Equal("order-7", request.Header("ce-subject"));
        Assert.Equal("https://example.com/order.json", request.Header("ce-dataschema"));
        Assert.Equal("2026-01-02T02:04:05.5Z", request.Header("ce-time"));
        Assert.Equal("eu", request.Header("ce-region"));
        Assert.Equal("gold", request.Header("ce-tier"));
        Assert.Equal("customer-9", request.Header("ce-partitionkey"));
        Assert.Equal("application/json", request.ContentType);
        Assert.Null(request.Header("ce-datacontenttype"));
        Assert.Equal("""{"amount":120}""", request.BodyText);
        Assert.Equal(["ID EVENTID EVENTLOG OFFSET", $"e-1 {FakeNode.EventId(0, 0)} 0 0"], run.OutLines.Select(Squeeze));
        var stored = Assert.Single(Node.Stored("orders"));
        Assert.Equal("order.created", stored.Type);
    }

    [Fact]
    public async Task Put_defaults_the_id_to_a_guid_and_the_source_to_vanus_cli_and_sends_no_data()
    {
        var run = await CliRunner.RunAsync(Node, "event", "put", "orders", "--type", "ping");

        Assert.Equal(0, run.ExitCode);
        var request = SingleIngest();
        Assert.True(Guid.TryParse(request.Header("ce-id"), out _));
        Assert.Equal("vanus-cli", request.Header("ce-source"));
        Assert.Empty(request.Body);
        Assert.Null(request.ContentType);
        Assert.False(Assert.Single(Node.Stored("orders")).HasData);
    }

    [Fact]
    public async Task Put_reads_the_data_from_stdin_byte_for_byte()
    {
        var data = new byte[] { 0, 1, 2, 0xFF, 0xFE, (byte)'\n', 0x80 };

        var run = await CliRunner.RunAsync(["event", "put", "orders", "--type", "blob", "--datacontenttype", "application/octet-stream", "--data-file", "-", "--endpoint", Node.Endpoint.AbsoluteUri], stdin: data);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(data, SingleIngest().Body);
        Assert.Equal("application/octet-stream", SingleIngest().ContentType);
    }

    [Fact]
    public async Task Put_reads_the_data_from_a_file()
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, "héllo from a file\n");

            var run = await CliRunner.RunAsync(Node, "event", "put", "orders", "--type", "t", "--datacontenttype", "text/plain; charset=utf-8", "--data-file", path);

            Assert.Equal(0, run.ExitCode);
            Assert.Equal("héllo from a file\n", SingleIngest().BodyText);
            Assert.Equal("text/plain; charset=utf-8", SingleIngest().ContentType);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Put_of_a_missing_file_is_a_usage_error_and_sends_nothing()
    {
        var path = Path.Combine(Path.GetTempPath(), $"vanus-cli-missing-{Guid.NewGuid():N}");

        await CliRunner.RunUsageErrorAsync(Node, $"--data-file: cannot read '{path}'", "event", "put", "orders", "--type", "t", "--data-file", path);
    }

    [Fact]
    public async Task Put_percent_encodes_header_values()
    {
        var run = await CliRunner.RunAsync(Node, "event", "put", "orders", "--type", "t", "--subject", "héllo wörld \"100%\"");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("h%C3%A9llo%20w%C3%B6rld%20%22100%25%22", SingleIngest().Header("ce-subject"));
        Assert.Equal("héllo wörld \"100%\"", Assert.Single(Node.Stored("orders")).Subject);
    }

    [Fact]
    public async Task Put_with_delay_holds_the_event_until_now_plus_the_delay_and_prints_its_delivery_time()
    {
        var clock = new FakeTimeProvider(Node.Clock.GetUtcNow());

        var run = await CliRunner.RunAsync(["event", "put", "orders", "--type", "t", "--id", "d-1", "--delay", "90s", "--endpoint", Node.Endpoint.AbsoluteUri], time: clock);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Error);
        Assert.Equal("2026-11-27T16:01:30Z", SingleIngest().Header("ce-xvanusdeliverytime"));
        Assert.Equal(["ID EVENTID DELIVERYTIME", $"d-1 {FakeNode.EventId(0, 0)} 2026-11-27T16:01:30Z"], run.OutLines.Select(Squeeze));
        var held = Assert.Single(Node.Held);
        Assert.Equal(("orders", "d-1"), (held.Eventbus, held.Event.Id));
        Assert.Empty(Node.Stored("orders"));
    }

    [Fact]
    public async Task Put_with_a_sub_second_delay_keeps_the_fraction()
    {
        var clock = new FakeTimeProvider(Node.Clock.GetUtcNow().AddMilliseconds(250));

        var run = await CliRunner.RunAsync(["event", "put", "orders", "--type", "t", "--delay", "1500ms", "--endpoint", Node.Endpoint.AbsoluteUri], time: clock);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("2026-11-27T16:00:01.75Z", SingleIngest().Header("ce-xvanusdeliverytime"));
    }

    [Fact]
    public async Task Put_with_a_delivery_time_sends_it_in_utc()
    {
        var run = await CliRunner.RunAsync(Node, "event", "put", "orders", "--type", "t", "--id", "x", "--delivery-time", "2026-12-24T18:00:00+02:00");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("2026-12-24T16:00:00Z", SingleIngest().Header("ce-xvanusdeliverytime"));
        Assert.Equal(["ID EVENTID DELIVERYTIME", $"x {FakeNode.EventId(0, 0)} 2026-12-24T16:00:00Z"], run.OutLines.Select(Squeeze));
    }

    [Fact]
    public async Task Put_of_a_held_event_with_json_output_prints_the_nodes_reply()
    {
        var run = await CliRunner.RunAsync(Node, "event", "put", "orders", "--type", "t", "--id", "x", "--delivery-time", "2026-12-24T16:00:00.5Z", "--output", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal($$"""{"events":[{"id":"x","eventId":"{{FakeNode.EventId(0, 0)}}","deliverytime":"2026-12-24T16:00:00.5Z"}]}""", run.Out.TrimEnd());
    }

    [Fact]
    public async Task Put_with_a_delivery_time_that_has_passed_is_stored_at_once_and_printed_with_its_offset()
    {
        var run = await CliRunner.RunAsync(Node, "event", "put", "orders", "--type", "t", "--id", "p", "--delivery-time", "2020-01-01T00:00:00Z");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["ID EVENTID EVENTLOG OFFSET", $"p {FakeNode.EventId(0, 0)} 0 0"], run.OutLines.Select(Squeeze));
        Assert.Empty(Node.Held);
        Assert.Single(Node.Stored("orders"));
    }

    [Fact]
    public async Task Put_with_json_output_prints_the_nodes_reply()
    {
        var run = await CliRunner.RunAsync(Node, "event", "put", "orders", "--type", "t", "--id", "x", "--output", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal($$"""{"events":[{"id":"x","eventId":"{{FakeNode.EventId(0, 0)}}","eventlog":0,"offset":0}]}""", run.Out.TrimEnd());
    }

    [Fact]
    public async Task Put_into_another_namespace_uses_its_ingest_path()
    {
        var run = await CliRunner.RunAsync(Node, "event", "put", "orders", "--type", "t", "--namespace", "shop");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("/namespaces/shop/eventbus/orders/events", SingleIngest().Path);
        Assert.Contains("eventbus 'orders' does not exist in namespace 'shop'", run.Error);
    }

    [Fact]
    public async Task Put_into_an_unknown_bus_exits_1()
    {
        var run = await CliRunner.RunAsync(Node, "event", "put", "nope", "--type", "t");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("error: Eventbus not found", run.Error);
    }

    [Fact]
    public async Task Put_lets_the_node_judge_reserved_extension_names()
    {
        var run = await CliRunner.RunAsync(Node, "event", "put", "orders", "--type", "t", "--attr", "xvanusoffset=3");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("3", SingleIngest().Header("ce-xvanusoffset"));
        Assert.Contains("attribute 'xvanusoffset' is reserved", run.Error);
    }

    [Theory]
    [InlineData("error: --attr 'region' must be NAME=VALUE", "--attr", "region")]
    [InlineData("error: --attr '=eu' must be NAME=VALUE", "--attr", "=eu")]
    [InlineData("the name 'Region' must consist of lower-case ASCII letters and digits only", "--attr", "Region=eu")]
    [InlineData("'id' is a core attribute; set it with its own flag (--id)", "--attr", "id=7")]
    [InlineData("--attr 'a' is given more than once", "--attr", "a=1", "--attr", "a=2")]
    [InlineData("repeats what another flag of this command sets", "--attr", "partitionkey=a", "--partition-key", "b")]
    [InlineData("repeats what another flag of this command sets", "--attr", "xvanusdeliverytime=2026-01-01T00:00:00Z", "--delay", "5s")]
    [InlineData("--delay: '5' has no unit", "--delay", "5")]
    [InlineData("--delay: '-5s' is not a duration", "--delay", "-5s")]
    [InlineData("--delivery-time must be an RFC 3339 timestamp", "--delivery-time", "tomorrow")]
    [InlineData("--delivery-time and --delay cannot be used together", "--delivery-time", "2026-01-01T00:00:00Z", "--delay", "5s")]
    [InlineData("--delivery-time must be an RFC 3339 timestamp such as 2026-11-27T16:00:00Z: '2026-11-28T12:00:00'", "--delivery-time", "2026-11-28T12:00:00")]
    [InlineData("--delay: 'soon' is not a duration", "--delay", "soon")]
    [InlineData("--time must be an RFC 3339 timestamp such as 2026-11-27T16:00:00Z: '2026-02-30T00:00:00Z' names a date or time that does not exist", "--time", "2026-02-30T00:00:00Z")]
    [InlineData("--data and --data-file cannot be used together", "--data", "x", "--data-file", "-")]
    [InlineData("--source 'has space' must be a URI-reference", "--source", "has space")]
    [InlineData("--dataschema 'relative/path' must be an absolute URI", "--dataschema", "relative/path")]
    [InlineData("--datacontenttype 'json' must be a media type", "--datacontenttype", "json")]
    [InlineData("--id must not be empty", "--id", "")]
    [InlineData("--partition-key must not be empty", "--partition-key", "")]
    public async Task Put_with_a_bad_flag_fails_with_exit_2_before_any_request(string message, params string[] flags)
    {
        await CliRunner.RunUsageErrorAsync(Node, message, ["event", "put", "orders", "--type", "t", .. flags]);
    }

    [Fact]
    public async Task Put_without_a_type_fails_with_exit_2()
    {
        await CliRunner.RunUsageErrorAsync(Node, "--type", "event", "put", "orders");
    }

    [Fact]
    public async Task Get_by_offset_prints_a_table_of_the_events()
    {
        for (var i = 0; i < 4; i++)
        {
            await CliRunner.RunAsync(Node, "event", "put", "orders", "--type", "order.created", "--id", $"e{i}", "--source", "/shop", "--datacontenttype", "text/plain", "--data", $"line {i}\nnext");
        }

        var run = await CliRunner.RunAsync(Node, "event", "get", "orders", "--eventlog", "0", "--offset", "1", "--count", "2");

        Assert.Equal(0, run.ExitCode);
        var read = Assert.Single(Node.RequestsTo("/api/v1/namespaces/default/eventbuses/orders/events"));
        Assert.Equal("?eventlog=0&offset=1&count=2", read.Query);
        Assert.Equal(
            [
                "EVENTLOG OFFSET STIME ID SOURCE TYPE DATA",
                "0 1 2026-11-27T16:00:00.000000Z e1 /shop order.created line 1 next",
                "0 2 2026-11-27T16:00:00.000000Z e2 /shop order.created line 2 next",
            ],
            run.OutLines.Select(Squeeze));
    }

    [Fact]
    public async Task Get_by_offset_sends_a_count_of_10_unless_told()
    {
        var run = await CliRunner.RunAsync(Node, "event", "get", "orders", "--eventlog", "0", "--offset", "5");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("?eventlog=0&offset=5&count=10", Assert.Single(Node.Requests).Query);
        Assert.Equal("no events in eventlog 0 from offset 5", run.Out.TrimEnd());
    }

    [Fact]
    public async Task Get_by_id_prints_every_attribute_and_the_data()
    {
        var put = await CliRunner.RunAsync(Node, "event", "put", "orders", "--type", "order.paid", "--id", "p-1", "--attr", "region=eu", "--data", """{"amount":5}""", "--output", "json");
        using var reply = JsonDocument.Parse(put.Out);
        var eventId = reply.RootElement.GetProperty("events")[0].GetProperty("eventId").GetString()!;

        var run = await CliRunner.RunAsync(Node, "event", "get", "orders", "--id", eventId);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal($"/api/v1/namespaces/default/eventbuses/orders/events/{eventId}", Node.Requests.Last().Path);
        var lines = run.OutLines.Select(Squeeze).ToArray();
        Assert.Contains("id: p-1", lines);
        Assert.Contains("type: order.paid", lines);
        Assert.Contains("region: eu", lines);
        Assert.Contains("xvanuseventbus: orders", lines);
        Assert.Contains("xvanusoffset: 0", lines);
        Assert.Equal("""data: {"amount":5}""", lines[^1]);
    }

    [Fact]
    public async Task Get_by_id_shows_binary_data_as_base64()
    {
        await CliRunner.RunAsync(["event", "put", "orders", "--type", "t", "--datacontenttype", "application/octet-stream", "--data-file", "-", "--endpoint", Node.Endpoint.AbsoluteUri], stdin: [1, 2, 3, 0xFF]);

        var run = await CliRunner.RunAsync(Node, "event", "get", "orders", "--id", FakeNode.EventId(0, 0));

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("data: (4 bytes) base64 AQID/w==", Squeeze(run.OutLines[^1]));
    }

    [Fact]
    public async Task Get_with_json_output_prints_the_nodes_batch()
    {
        await CliRunner.RunAsync(Node, "event", "put", "orders", "--type", "t", "--id", "a");
        await CliRunner.RunAsync(Node, "event", "put", "orders", "--type", "t", "--id", "b");

        var run = await CliRunner.RunAsync(Node, "event", "get", "orders", "--eventlog", "0", "--offset", "0", "-o", "json");

        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Out);
        Assert.Equal(["a", "b"], doc.RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetString()));
        Assert.Equal(1, doc.RootElement[1].GetProperty("xvanusoffset").GetInt32());
    }

    [Fact]
    public async Task Get_of_an_unknown_event_id_exits_1()
    {
        var run = await CliRunner.RunAsync(Node, "event", "get", "orders", "--id", FakeNode.EventId(0, 99));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("error: Event not found", run.Error);
    }

    [Theory]
    [InlineData("say which events to read")]
    [InlineData("say which events to read", "--eventlog", "0")]
    [InlineData("say which events to read", "--offset", "0")]
    [InlineData("--id reads one event by its eventId", "--id", "0000000000000001", "--offset", "0")]
    [InlineData("--id reads one event by its eventId", "--id", "0000000000000001", "--count", "3")]
    [InlineData("--count must be from 1 to 10000, not 0", "--eventlog", "0", "--offset", "0", "--count", "0")]
    [InlineData("--offset must be a whole number, not 'first'", "--eventlog", "0", "--offset", "first")]
    [InlineData("--offset must be from 0 to", "--eventlog", "0", "--offset", "-1")]
    [InlineData("--eventlog must be from 0 to", "--eventlog", "-1", "--offset", "0")]
    public async Task Get_with_bad_flags_fails_with_exit_2(string message, params string[] flags)
    {
        await CliRunner.RunUsageErrorAsync(Node, message, ["event", "get", "orders", .. flags]);
    }

    [Fact]
    public async Task Query_prints_the_first_offset_per_eventlog_at_or_after_the_time()
    {
        Node.AddEventbus("multi", eventlogs: 2);
        for (var i = 0; i < 4; i++)
        {
            await CliRunner.RunAsync(Node, "event", "put", "multi", "--type", "t");
        }

        Node.Clock.Advance(TimeSpan.FromMinutes(10));
        for (var i = 0; i < 3; i++)
        {
            await CliRunner.RunAsync(Node, "event", "put", "multi", "--type", "t");
        }

        var run = await CliRunner.RunAsync(Node, "event", "query", "multi", "--time", "2026-11-27T17:05:00+01:00");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("?time=2026-11-27T16%3A05%3A00Z", Node.Requests.Last().Query);
        Assert.Equal(["EVENTLOG OFFSET", "0 2", "1 2"], run.OutLines.Select(Squeeze));
    }

    [Fact]
    public async Task Query_with_json_output_prints_the_nodes_document()
    {
        var run = await CliRunner.RunAsync(Node, "event", "query", "orders", "--time", "2026-01-01T00:00:00Z", "--output", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("""{"offsets":[{"eventlog":0,"offset":0}]}""", run.Out.TrimEnd());
    }

    [Theory]
    [InlineData("--time")]
    [InlineData("must be an RFC 3339 timestamp", "--time", "2026-01-01")]
    public async Task Query_without_a_good_time_fails_with_exit_2(string message, params string[] flags)
    {
        await CliRunner.RunUsageErrorAsync(Node, message, ["event", "query", "orders", .. flags]);
    }

    [Fact]
    public async Task Put_and_get_round_trip_the_event()
    {
        await CliRunner.RunAsync(Node, "event", "put", "orders", "--type", "order.created", "--id", "rt", "--source", "urn:shop", "--subject", "s", "--time", "2026-03-04T05:06:07Z", "--attr", "tenant=acme", "--datacontenttype", "application/json", "--data", "[1,2]");

        var stored = Assert.Single(Node.Stored("orders"));

        var expected = new Event("rt", "urn:shop", "order.created")
        {
            Subject = "s",
            Time = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero),
            DataContentType = "application/json",
            Extensions = ExtensionAttributes.From([new("tenant", AttributeValue.FromString("acme"))]),
            Data = Encoding.UTF8.GetBytes("[1,2]"),
        };
        Assert.Equal(expected, stored);
    }

    private static string Squeeze(string line) => string.Join(' ', line.Split(' ', StringSplitOptions.RemoveEmptyEntries));
}
