using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;

namespace Vanus.Node.Tests;

/// <summary>
/// The official JavaScript CloudEvents SDK (npm <c>cloudevents</c>, pinned in eng/js-interop) sending to and receiving
/// from the real node. When it is not installed the tests fail with the command that installs it: they never skip.
/// </summary>
public sealed class JsInteropTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private static string Script
    {
        get
        {
            var root = AppContext.BaseDirectory;
            while (root is not null && !File.Exists(Path.Combine(root, "Vanus.sln")))
            {
                root = Path.GetDirectoryName(root);
            }

            var folder = Path.Combine(root ?? ".", "eng", "js-interop");
            Assert.True(
                Directory.Exists(Path.Combine(folder, "node_modules", "cloudevents")),
                $"the JavaScript CloudEvents SDK is not installed in {folder}: from the repository root run `npm ci --prefix eng/js-interop` (Node.js and the npm registry are needed)");
            return Path.Combine(folder, "interop.js");
        }
    }

    [Theory]
    [InlineData("binary", "sdk")]
    [InlineData("structured", "sdk")]
    [InlineData("binary", "request")]
    [InlineData("structured", "request")]
    public async Task Events_sent_by_the_SDK_are_stored_as_it_sent_them(string mode, string via)
    {
        var bus = await fixture.NewBusAsync();
        var answer = await SendAsync(bus, mode, $"js-{mode}-{via}", "order/42", via);
        Assert.True((int)answer["status"]! == 200, answer.ToJsonString());

        var stored = Assert.Single(await Api.ReadAllAsync(fixture.Http, bus));
        Assert.Equal($"js-{mode}-{via}", (string)stored["id"]!);
        Assert.Equal("/js-sdk", (string)stored["source"]!);
        Assert.Equal("order/42", (string)stored["subject"]!);
        Assert.Equal("js", (string)stored["data"]!["from"]!);
    }

    [Fact]
    public async Task Raw_UTF_8_in_binary_headers_is_taken_and_ISO_8859_1_is_refused_with_a_problem_naming_the_attribute()
    {
        var bus = await fixture.NewBusAsync();

        // The SDK's message sent with Node's http.request(...).end(body): the ce- headers go out as raw UTF-8 (Node.js
        // itself refuses header characters above U+00FF, whichever way it sends them).
        var utf8 = await SendAsync(bus, "binary", "js-utf8", "café", "request");
        Assert.True((int)utf8["status"]! == 200, utf8.ToJsonString());
        Assert.Equal("café", (string)Assert.Single(await Api.ReadAllAsync(fixture.Http, bus))["subject"]!);

        // The SDK's own httpTransport writes U+0080-U+00FF as single ISO-8859-1 bytes: not UTF-8, so the node answers a
        // problem naming the attribute (never an empty 400 or a closed connection), and nothing is stored.
        var latin1 = await SendAsync(bus, "binary", "js-latin1", "café", "sdk");
        Assert.True((int)latin1["status"]! == 400, latin1.ToJsonString());
        var problem = JsonNode.Parse((string)latin1["body"]!)!;
        Assert.Equal("subject", (string)problem["attribute"]!);
        Assert.Contains("UTF-8", (string)problem["detail"]!, StringComparison.Ordinal);

        // Structured mode carries any text in JSON, which is UTF-8, with either transport.
        var structured = await SendAsync(bus, "structured", "js-structured", "café ☕ 東京", "sdk");
        Assert.True((int)structured["status"]! == 200, structured.ToJsonString());
        Assert.Equal(["café", "café ☕ 東京"], (await Api.ReadAllAsync(fixture.Http, bus)).Select(e => (string)e["subject"]!));
    }

    [Fact]
    public async Task The_SDKs_receiver_reads_structured_deliveries_as_sent_and_binary_ones_still_percent_encoded()
    {
        var bus = await fixture.NewBusAsync();
        using var receiver = StartNode("receive");
        var listening = await receiver.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.StartsWith("listening ", listening, StringComparison.Ordinal);
        var url = $"http://127.0.0.1:{listening!["listening ".Length..]}/";
        try
        {
            await SubscriptionApi.CreateAsync(fixture.Http, new JsonObject { ["name"] = "js-structured-" + bus, ["eventbus"] = bus, ["sink"] = url, ["mode"] = "structured" });
            await SubscriptionApi.CreateAsync(fixture.Http, new JsonObject { ["name"] = "js-binary-" + bus, ["eventbus"] = bus, ["sink"] = url, ["mode"] = "binary" });
            using (var put = await fixture.Http.SendAsync(Api.Json($"gateway/{bus}", Api.Event("to-js", "x", extra: ",\"subject\":\"café ☕\""), "application/cloudevents+json")))
            {
                Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            }

            var received = new List<JsonNode>();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (received.Count < 2 && await receiver.StandardOutput.ReadLineAsync(cts.Token) is { } line)
            {
                received.Add(JsonNode.Parse(line)!);
            }

            Assert.All(received, r => Assert.Null(r["error"]));
            var structured = Assert.Single(received, r => ((string)r["contentType"]!).StartsWith("application/cloudevents+json", StringComparison.Ordinal));
            Assert.Equal("café ☕", (string)structured["subject"]!);

            // Binary mode percent-encodes as the CloudEvents HTTP binding says; this SDK does not decode it (README: give
            // such sinks mode: structured).
            var binary = Assert.Single(received, r => !((string)r["contentType"]!).StartsWith("application/cloudevents", StringComparison.Ordinal));
            Assert.Equal("to-js", (string)binary["id"]!);
            Assert.Equal("caf%C3%A9%20%E2%98%95", (string)binary["subject"]!);
        }
        finally
        {
            receiver.StandardInput.Close();
            await receiver.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    private async Task<JsonNode> SendAsync(string bus, string mode, string id, string subject, string via)
    {
        using var sender = StartNode("send", new Uri(fixture.Node.Endpoint, $"gateway/{bus}").ToString(), mode, id, subject, via);
        var output = await sender.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(60));
        await sender.WaitForExitAsync();
        return JsonNode.Parse(output)!;
    }

    private static Process StartNode(params string[] args)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        start.ArgumentList.Add(Script);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }
}
