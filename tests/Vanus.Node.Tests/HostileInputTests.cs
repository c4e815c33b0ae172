using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Vanus.Node.Tests;

/// <summary>
/// Hostile input against the real executable, byte for byte as it goes on the wire: each case gets its 4xx problem
/// document naming what is wrong, and nothing of it is stored or created.
/// </summary>
public sealed class HostileInputTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private const string Namespace = "/api/v1/namespaces/default";

    /// <summary>One hostile request: <c>{bus}</c> in the path or body stands for the test's own eventbus.</summary>
    private sealed record Case(string Method, string Path, (string Name, byte[] Value)[] Headers, byte[]? Body, int Status, string? Attribute = null, string? Field = null, string? Detail = null);

    private static readonly (string, byte[])[] Binary =
    [
        ("ce-specversion", "1.0"u8.ToArray()), ("ce-id", "a"u8.ToArray()), ("ce-source", "/s"u8.ToArray()), ("ce-type", "t"u8.ToArray()),
    ];

    private static (string, byte[])[] BinaryWith(string name, byte[] value) =>
        [.. Binary.Where(h => h.Item1 != name), (name, value), .. name == "Content-Type" ? [] : ContentType("text/plain")];

    private static (string, byte[])[] ContentType(string value) => [("Content-Type", Encoding.ASCII.GetBytes(value))];

    private static byte[] Bytes(string ascii, params (string Marker, byte[] Raw)[] raws)
    {
        var bytes = Encoding.UTF8.GetBytes(ascii);
        foreach (var (marker, raw) in raws)
        {
            var at = bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(marker));
            bytes = [.. bytes[..at], .. raw, .. bytes[(at + marker.Length)..]];
        }

        return bytes;
    }

    private static byte[] Event(string members) => Bytes("""{"specversion":"1.0","id":"a","source":"/s","type":"t" """.TrimEnd() + members + "}");

    private static readonly byte[] Ff = [0xff];

    private static readonly Dictionary<string, Case> Cases = new()
    {
        // Binary mode: header values.
        ["binary id raw invalid UTF-8"] = new("POST", "/gateway/{bus}", BinaryWith("ce-id", [0xff, 0xfe]), "x"u8.ToArray(), 400, Attribute: "id", Detail: "UTF-8"),
        ["binary id %-encoded invalid UTF-8"] = new("POST", "/gateway/{bus}", BinaryWith("ce-id", "%FF%FE"u8.ToArray()), "x"u8.ToArray(), 400, Attribute: "id"),
        ["binary id %-encoded surrogate"] = new("POST", "/gateway/{bus}", BinaryWith("ce-id", "%ED%A0%80"u8.ToArray()), "x"u8.ToArray(), 400, Attribute: "id"),
        ["binary extension raw invalid UTF-8"] = new("POST", "/gateway/{bus}", BinaryWith("ce-foo", [0xc3, 0x28]), "x"u8.ToArray(), 400, Attribute: "foo"),
        ["binary extension %00"] = new("POST", "/gateway/{bus}", BinaryWith("ce-foo", "a%00b"u8.ToArray()), "x"u8.ToArray(), 400, Attribute: "foo", Detail: "control"),
        ["binary extension raw control character"] = new("POST", "/gateway/{bus}", BinaryWith("ce-foo", [(byte)'a', 0x01, (byte)'b']), "x"u8.ToArray(), 400, Attribute: "foo", Detail: "control"),
        ["binary charset latin1"] = new("POST", "/gateway/{bus}", [.. Binary, .. ContentType("text/plain; charset=latin1")], "x"u8.ToArray(), 400, Attribute: "datacontenttype", Detail: "latin1"),
        ["binary charset unknown"] = new("POST", "/gateway/{bus}", [.. Binary, .. ContentType("text/plain; charset=bogus")], "x"u8.ToArray(), 400, Attribute: "datacontenttype", Detail: "bogus"),
        ["binary JSON data with a lone surrogate"] = new("POST", "/gateway/{bus}", [.. Binary, .. ContentType("application/json")], Bytes("""{"a":["\ud800"]}"""), 400, Attribute: "data", Detail: "Unicode"),
        ["binary data without a Content-Type holding a lone surrogate"] = new("POST", "/gateway/{bus}", Binary, Bytes("""{"a":"\udc00"}"""), 400, Attribute: "data"),
        ["binary JSON data with invalid UTF-8"] = new("POST", "/gateway/{bus}", [.. Binary, .. ContentType("application/json")], Bytes("{\"a\":\"@\"}", ("@", Ff)), 400, Attribute: "data"),

        // Structured mode.
        ["structured id lone surrogate"] = new("POST", "/gateway/{bus}", ContentType("application/cloudevents+json"), Bytes("""{"specversion":"1.0","id":"\ud800","source":"/s","type":"t"}"""), 400, Attribute: "id", Detail: "Unicode"),
        ["structured id invalid UTF-8"] = new("POST", "/gateway/{bus}", ContentType("application/cloudevents+json"), Bytes("""{"specversion":"1.0","id":"@","source":"/s","type":"t"}""", ("@", Ff)), 400, Attribute: "id"),
        ["structured member name invalid UTF-8"] = new("POST", "/gateway/{bus}", ContentType("application/cloudevents+json"), Bytes("""{"specversion":"1.0","id":"a","source":"/s","type":"t","@":"x"}""", ("@", Ff)), 400, Detail: "member name"),
        ["structured member name lone surrogate"] = new("POST", "/gateway/{bus}", ContentType("application/cloudevents+json"), Event(""","\udc00":"x" """.TrimEnd()), 400, Detail: "member name"),
        ["structured extension lone surrogate"] = new("POST", "/gateway/{bus}", ContentType("application/cloudevents+json"), Event(""","foo":"\udc00" """.TrimEnd()), 400, Attribute: "foo"),
        ["structured extension \\u0000"] = new("POST", "/gateway/{bus}", ContentType("application/cloudevents+json"), Event(""","foo":"a\u0000b" """.TrimEnd()), 400, Attribute: "foo", Detail: "control"),
        ["structured string data lone surrogate"] = new("POST", "/gateway/{bus}", ContentType("application/cloudevents+json"), Event(""","data":"\ud800" """.TrimEnd()), 400, Attribute: "data"),
        ["structured string data invalid UTF-8"] = new("POST", "/gateway/{bus}", ContentType("application/cloudevents+json"), Bytes("""{"specversion":"1.0","id":"a","source":"/s","type":"t","data":"@"}""", ("@", Ff)), 400, Attribute: "data"),
        ["structured JSON data with a lone surrogate"] = new("POST", "/gateway/{bus}", ContentType("application/cloudevents+json"), Event(""","data":{"k":["\ud800"]}"""), 400, Attribute: "data"),
        ["structured charset latin1"] = new("POST", "/gateway/{bus}", ContentType("application/cloudevents+json; charset=latin1"), Event(""), 415, Detail: "charset 'latin1'"),

        // Batch mode: one bad event refuses the whole batch.
        ["batch with one lone surrogate"] = new("POST", "/gateway/{bus}", ContentType("application/cloudevents-batch+json"), Bytes("[" + """{"specversion":"1.0","id":"good","source":"/s","type":"t"},{"specversion":"1.0","id":"\ud800","source":"/s","type":"t"}""" + "]"), 400, Attribute: "id", Detail: "event [1]"),
        ["batch with invalid UTF-8"] = new("POST", "/gateway/{bus}", ContentType("application/cloudevents-batch+json"), Bytes("""[{"specversion":"1.0","id":"@","source":"/s","type":"t"}]""", ("@", Ff)), 400, Attribute: "id"),

        // Only the node writes dead letters.
        ["ingest into a dead-letter bus"] = new("POST", "/gateway/__dl_{bus}", BinaryWith("Content-Type", "text/plain"u8.ToArray()), "x"u8.ToArray(), 403, Field: "eventbus"),

        // Management documents.
        ["eventbus name lone surrogate"] = new("POST", Namespace + "/eventbuses", ContentType("application/json"), Bytes("""{"name":"\ud800"}"""), 400, Field: "name"),
        ["eventbus name invalid UTF-8"] = new("POST", Namespace + "/eventbuses", ContentType("application/json"), Bytes("""{"name":"@"}""", ("@", Ff)), 400, Field: "name"),
        ["subscription name lone surrogate"] = new("POST", Namespace + "/subscriptions", ContentType("application/json"), Bytes("""{"name":"\ud800","eventbus":"{bus}","sink":"http://127.0.0.1:9/"}"""), 400, Field: "name"),
        ["subscription filter value lone surrogate"] = new("POST", Namespace + "/subscriptions", ContentType("application/json"), Bytes("""{"name":"f-{bus}","eventbus":"{bus}","sink":"http://127.0.0.1:9/","filters":[{"exact":{"type":"\ud800"}}]}"""), 400, Field: "filters[0].exact.type"),
        ["subscription filter value invalid UTF-8"] = new("POST", Namespace + "/subscriptions", ContentType("application/json"), Bytes("""{"name":"f-{bus}","eventbus":"{bus}","sink":"http://127.0.0.1:9/","filters":[{"exact":{"type":"@"}}]}""", ("@", Ff)), 400, Field: "filters[0].exact.type"),
        ["subscription member name duplicated"] = new("POST", Namespace + "/subscriptions", ContentType("application/json"), Bytes("""{"name":"d-{bus}","eventbus":"{bus}","sink":"http://127.0.0.1:9/","sink":"http://127.0.0.1:10/"}"""), 400, Field: "sink"),
        ["subscription delay past ten years"] = new("POST", Namespace + "/subscriptions", ContentType("application/json"), Bytes("""{"name":"d-{bus}","eventbus":"{bus}","sink":"http://127.0.0.1:9/","delay":"3651d"}"""), 400, Field: "delay", Detail: "at most"),
        ["subscription delay that overflows"] = new("POST", Namespace + "/subscriptions", ContentType("application/json"), Bytes("""{"name":"d-{bus}","eventbus":"{bus}","sink":"http://127.0.0.1:9/","delay":"999999999d"}"""), 400, Field: "delay"),
        ["subscription timeout beyond the HTTP sink's"] = new("POST", Namespace + "/subscriptions", ContentType("application/json"), Bytes("""{"name":"t-{bus}","eventbus":"{bus}","sink":"http://127.0.0.1:9/","delivery":{"timeout":"25d"}}"""), 400, Field: "delivery.timeout"),
        ["validate with a lone surrogate"] = new("POST", Namespace + "/subscriptions/ok-{bus}/validate", ContentType("application/cloudevents+json"), Bytes("""{"specversion":"1.0","id":"\ud800","source":"/s","type":"t"}"""), 400, Attribute: "id"),
        ["validate with invalid UTF-8"] = new("POST", Namespace + "/subscriptions/ok-{bus}/validate", ContentType("application/cloudevents+json"), Bytes("""{"specversion":"1.0","id":"a","source":"/@","type":"t"}""", ("@", Ff)), 400, Attribute: "source"),
        ["schedule time zone naming a folder"] = new("POST", Namespace + "/schedules", ContentType("application/json"), Bytes("""{"name":"z-{bus}","eventbus":"{bus}","cron":"* * * * *","timezone":"America","event":{"source":"/s","type":"t"}}"""), 400, Field: "timezone"),
        ["schedule time zone climbing out"] = new("POST", Namespace + "/schedules", ContentType("application/json"), Bytes("""{"name":"z-{bus}","eventbus":"{bus}","cron":"* * * * *","timezone":"../../etc/passwd","event":{"source":"/s","type":"t"}}"""), 400, Field: "timezone"),
        ["schedule event template member duplicated"] = new("POST", Namespace + "/schedules", ContentType("application/json"), Bytes("""{"name":"m-{bus}","eventbus":"{bus}","interval":"30s","event":{"source":"/s","type":"t","type":"u"}}"""), 400, Field: "event.type"),
        ["schedule event template lone surrogate"] = new("POST", Namespace + "/schedules", ContentType("application/json"), Bytes("""{"name":"s-{bus}","eventbus":"{bus}","interval":"30s","event":{"source":"\ud800","type":"t"}}"""), 400, Field: "event.source"),
        ["schedule name invalid UTF-8"] = new("POST", Namespace + "/schedules", ContentType("application/json"), Bytes("""{"name":"@","eventbus":"{bus}","interval":"30s","event":{"source":"/s","type":"t"}}""", ("@", Ff)), 400, Field: "name"),

        // Routes.
        ["unknown route"] = new("GET", "/nope/{bus}", [], null, 404, Detail: "GET /nope"),
        ["wrong method"] = new("PUT", "/gateway/{bus}", BinaryWith("Content-Type", "text/plain"u8.ToArray()), "x"u8.ToArray(), 405, Detail: "POST"),
    };

    public static TheoryData<string> Names => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Is_refused_with_a_problem_naming_the_field_and_nothing_is_stored(string name)
    {
        var bus = await fixture.NewBusAsync();
        await SubscriptionApi.CreateAsync(fixture.Http, new JsonObject { ["name"] = "ok-" + bus, ["eventbus"] = bus, ["sink"] = "http://127.0.0.1:9/" });
        var before = await SnapshotAsync(bus);

        var c = Cases[name];
        byte[]? body = c.Body is null ? null : Replace(c.Body, bus);
        var (status, text) = await RawHttp.SendAsync(fixture.Node.Endpoint, c.Method, c.Path.Replace("{bus}", bus, StringComparison.Ordinal), c.Headers, body);

        Assert.True(status == c.Status, $"{name}: expected {c.Status}, got {status}: {text}");
        var problem = JsonNode.Parse(text)!.AsObject();
        Assert.Equal(c.Status, (int)problem["status"]!);
        Assert.StartsWith("urn:vanus:problem:", (string)problem["type"]!, StringComparison.Ordinal);
        Assert.Equal(c.Attribute, (string?)problem["attribute"]);
        Assert.Equal(c.Field, (string?)problem["field"]);
        if (c.Detail is not null)
        {
            Assert.Contains(c.Detail, (string)problem["detail"]!, StringComparison.Ordinal);
        }

        Assert.Equal(before, await SnapshotAsync(bus));
    }

    [Fact]
    public async Task Raw_UTF_8_header_values_are_taken_as_text_beside_percent_encoding()
    {
        var bus = await fixture.NewBusAsync();
        (string, byte[])[] headers = [.. BinaryWith("ce-subject", Encoding.UTF8.GetBytes("café ☕")), ("ce-comment", "caf%C3%A9"u8.ToArray())];
        var (status, text) = await RawHttp.SendAsync(fixture.Node.Endpoint, "POST", $"/gateway/{bus}", headers, "x"u8.ToArray());
        Assert.True(status == 200, $"{status}: {text}");

        var stored = Assert.Single(await Api.ReadAllAsync(fixture.Http, bus));
        Assert.Equal("café ☕", (string)stored["subject"]!);
        Assert.Equal("café", (string)stored["comment"]!);
    }

    [Fact]
    public async Task Text_data_that_is_not_UTF_8_is_kept_as_bytes()
    {
        // Binary-mode data is opaque: text that is not UTF-8 is stored as sent and read back as data_base64, never mangled.
        var bus = await fixture.NewBusAsync();
        var (status, text) = await RawHttp.SendAsync(fixture.Node.Endpoint, "POST", $"/gateway/{bus}", BinaryWith("Content-Type", "text/plain"u8.ToArray()), [0xff, 0xfe, 0x41]);
        Assert.True(status == 200, $"{status}: {text}");

        var stored = Assert.Single(await Api.ReadAllAsync(fixture.Http, bus));
        Assert.Equal(Convert.ToBase64String([0xff, 0xfe, 0x41]), (string)stored["data_base64"]!);
    }

    [Fact]
    public async Task A_delayed_event_is_answered_without_an_eventId_until_it_is_appended()
    {
        var bus = await fixture.NewBusAsync();
        var due = DateTimeOffset.UtcNow.AddSeconds(1);
        using var request = Api.Binary($"gateway/{bus}", "later", headers: ("ce-xvanusdeliverytime", due.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture)));
        using var response = await fixture.Http.SendAsync(request);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["events"]![0]!.AsObject();
        Assert.Equal(["id", "deliverytime"], answer.Select(p => p.Key));

        // Once due, the event is in the bus, and the eventId its read gives finds it.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        List<JsonNode> stored;
        while ((stored = await Api.ReadAllAsync(fixture.Http, bus)).Count == 0)
        {
            await Task.Delay(50, cts.Token);
        }

        var appended = Assert.Single(stored);
        var eventId = (((ulong)(long)appended["xvanuseventlog"]! << 56) | (ulong)(long)appended["xvanusoffset"]!).ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
        var found = await Api.GetJsonAsync(fixture.Http, $"{Api.Buses}/{bus}/events/{eventId}");
        Assert.Equal("later", (string)(found is JsonArray array ? array[0]! : found)["id"]!);
    }

    [Fact]
    public async Task The_longest_delay_is_accepted_and_its_trigger_keeps_running()
    {
        var bus = await fixture.NewBusAsync();
        var name = "far-" + bus;
        await SubscriptionApi.CreateAsync(fixture.Http, new JsonObject { ["name"] = name, ["eventbus"] = bus, ["sink"] = "http://127.0.0.1:9/", ["delay"] = "3650d" });
        using (var response = await fixture.Http.SendAsync(Api.Binary($"gateway/{bus}", "far")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // The trigger reads the event and holds it for ten years: no error, nothing delivered, the node still answers.
        var info = await SubscriptionApi.WaitForAsync(fixture.Http, name, s => (long)s["eventlogs"]![0]!["next"]! == 1);
        Assert.Null(info["lastError"]);
        Assert.Equal(0L, (long)info["delivered"]!);
        Assert.Equal("running", (string)info["state"]!);
    }

    [Fact]
    public async Task Stalled_uploads_hold_no_budget_and_are_ended_by_the_minimum_data_rate()
    {
        // Four uploads that declare 16 MiB each (the whole 64 MiB ingest budget) send a few bytes and stall.
        var bus = await fixture.NewBusAsync();
        var stalled = new List<System.Net.Sockets.TcpClient>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var client = new System.Net.Sockets.TcpClient();
                stalled.Add(client);
                await client.ConnectAsync(fixture.Node.Endpoint.Host, fixture.Node.Endpoint.Port);
                await client.GetStream().WriteAsync(RawHttp.Head("POST", $"/gateway/{bus}", BinaryWith("ce-id", Encoding.ASCII.GetBytes($"stalled-{i}")), 16L << 20));
                await client.GetStream().WriteAsync(new byte[1000]);
            }

            // Another producer is served at once: only the bytes received count against the budget.
            using (var response = await fixture.Http.SendAsync(Api.Binary($"gateway/{bus}", "prompt")))
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            // Kestrel's minimum data rate ends each stalled body (after its grace period) instead of letting it hold its request.
            var started = System.Diagnostics.Stopwatch.StartNew();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            foreach (var client in stalled)
            {
                try
                {
                    var (status, _) = await RawHttp.ReadAnswerAsync(client.GetStream(), cts.Token);
                    Assert.True(status is 408 or 400, $"a stalled upload was answered {status}");
                }
                catch (IOException)
                {
                    // A reset connection ends the upload as well.
                }
            }

            Console.WriteLine($"stalled uploads ended after {started.Elapsed.TotalSeconds:F1} s");
        }
        finally
        {
            stalled.ForEach(c => c.Dispose());
        }

        Assert.Equal(["prompt"], (await Api.ReadAllAsync(fixture.Http, bus)).Select(e => (string)e["id"]!));
    }

    private static byte[] Replace(byte[] body, string bus)
    {
        var marker = "{bus}"u8;
        var replacement = Encoding.ASCII.GetBytes(bus);
        var result = new List<byte>(body.Length + 16);
        var rest = body.AsSpan();
        while (rest.IndexOf(marker) is var at and >= 0)
        {
            result.AddRange(rest[..at]);
            result.AddRange(replacement);
            rest = rest[(at + marker.Length)..];
        }

        result.AddRange(rest);
        return [.. result];
    }

    /// <summary>What a refused request must leave alone: the bus's offsets and the names of every bus, subscription and schedule.</summary>
    private async Task<string> SnapshotAsync(string bus)
    {
        var offsets = string.Join(',', await Api.NextOffsetsAsync(fixture.Http, bus));
        var buses = await NamesAsync("eventbuses");
        var subscriptions = await NamesAsync("subscriptions");
        var schedules = await NamesAsync("schedules");
        return $"{offsets} | {buses} | {subscriptions} | {schedules}";
    }

    private async Task<string> NamesAsync(string collection) =>
        string.Join(',', (await Api.GetJsonAsync(fixture.Http, $"api/v1/namespaces/default/{collection}")).AsArray().Select(x => (string)x!["name"]!).Order(StringComparer.Ordinal));
}
