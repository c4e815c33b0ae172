using System.Net;
using System.Text.Json.Nodes;

namespace Vanus.Node.Tests;

/// <summary>
/// The real node bounds reads and a trigger's read-ahead in bytes, attributes included: 300 events that each carry
/// 100 KB in an attribute and almost no data (30 MB) are never handed out in one go.
/// </summary>
public sealed class MemoryBoundTests(Xunit.Abstractions.ITestOutputHelper output) : NodeDataTests
{
    private const int Events = 300;

    [Fact]
    public async Task Reads_and_a_pull_consumers_read_ahead_stay_within_their_byte_bounds_with_attribute_heavy_events()
    {
        await using var node = await NodeProcess.StartAsync(Data);
        using var http = node.Client();
        await Api.CreateBusAsync(http, "heavy");
        var blob = new string('a', 100_000);
        for (var i = 0; i < Events; i += 10)
        {
            var json = "[" + string.Join(",", Enumerable.Range(i, 10).Select(n => Api.Event($"e-{n}", "{}", $",\"blob\":\"{blob}\""))) + "]";
            using var put = await http.SendAsync(Api.Json("gateway/heavy", json, "application/cloudevents-batch+json"));
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        // A read asked for 1000 returns what fits the eventlog's 4 MiB read budget counted with attributes: about 42.
        var read = (await Api.GetJsonAsync(http, $"{Api.Buses}/heavy/events?eventlog=0&offset=0&count=1000")).AsArray();
        Assert.InRange(read.Count, 1, 45);
        Assert.Equal(Enumerable.Range(0, read.Count).Select(i => $"e-{i}"), read.Select(e => (string)e!["id"]!));

        // A pull subscription: whatever its trigger has read ahead when the pull comes is at most its 16 MiB of bodies
        // (plus the read that crossed it), about 210 of these events, never the 256 a count bound allowed. (The status
        // shows no read-ahead, so this cannot wait for it to fill; the in-process MemoryBoundTests pin the bound exactly.)
        await SubscriptionApi.CreateAsync(http, new JsonObject { ["name"] = "idle", ["eventbus"] = "heavy", ["protocol"] = "pull", ["from"] = "earliest" });
        using var pull = await http.PostAsync($"{SubscriptionApi.Subscriptions}/idle/pull?max=1000&wait=10s", null);
        var text = await pull.Content.ReadAsStringAsync();
        Assert.True(pull.StatusCode == HttpStatusCode.OK, $"{(int)pull.StatusCode} {text}");
        var held = JsonNode.Parse(text)!["events"]!.AsArray();
        output.WriteLine($"a read of 1000 returned {read.Count}; the pull trigger handed out {held.Count} of {Events}");
        Assert.InRange(held.Count, 1, 215);
    }
}
