using System.Net;
using System.Text.Json.Nodes;
using Vanus.Testing.Http;
using Xunit.Abstractions;

namespace Vanus.Node.Tests;

/// <summary>A node killed with SIGKILL in the middle of delivering resumes from its committed offsets: nothing that passed the filter is skipped.</summary>
public sealed class DeliveryCrashTests(ITestOutputHelper output) : NodeDataTests
{
    private const int Events = 100_000;

    [Fact]
    public async Task Kill_9_mid_delivery_then_restart_delivers_every_event_at_least_once()
    {
        await using var receiver = await Receiver.StartAsync();
        var expected = new HashSet<string>(StringComparer.Ordinal);
        await using (var node = await NodeProcess.StartAsync(Data))
        {
            using var http = node.Client();
            await Api.CreateBusAsync(http, "crash", eventlogs: 2);
            for (var batch = 0; batch < Events / 500; batch++)
            {
                var ids = Enumerable.Range(0, 500).Select(i => $"e{batch * 500 + i}").ToList();
                var body = "[" + string.Join(',', ids.Select(id => Api.Event(id, "x", extra: $",\"partitionkey\":\"{id}\""))) + "]";
                using var response = await http.SendAsync(Api.Json("gateway/crash", body, "application/cloudevents-batch+json"));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                expected.UnionWith(ids);
            }

            await SubscriptionApi.CreateAsync(http, new JsonObject { ["name"] = "crash-hook", ["eventbus"] = "crash", ["sink"] = receiver.Url, ["from"] = "earliest" });

            // Killed once a good part, but not all, has arrived: deliveries are in flight and committed offsets lag behind.
            await receiver.WaitForAsync(d => d.Count >= Events / 3, TimeSpan.FromMinutes(3));
            await node.KillAsync();
        }

        var beforeRestart = receiver.AcceptedIds().Count;
        Assert.True(beforeRestart < Events, $"every event arrived before the kill ({beforeRestart}); the test did not kill mid-delivery");

        await using (var node = await NodeProcess.StartAsync(Data))
        {
            using var http = node.Client();
            try
            {
                await receiver.WaitForAsync(_ => receiver.AcceptedCount == Events, TimeSpan.FromMinutes(3));
            }
            catch (TimeoutException)
            {
                var state = await Api.GetJsonAsync(http, $"{SubscriptionApi.Subscriptions}/crash-hook");
                throw new TimeoutException($"{receiver.AcceptedCount} of {Events} arrived; the subscription says {state.ToJsonString()}; the node printed:\n{node.Output}");
            }

            var info = await SubscriptionApi.WaitForAsync(http, "crash-hook", s => s["eventlogs"]!.AsArray().Sum(e => (long)e!["lag"]!) == 0, TimeSpan.FromMinutes(1));
            Assert.Equal(0, (long)info["deadLettered"]!);
        }

        var received = receiver.Deliveries;
        var accepted = receiver.AcceptedIds();
        Assert.True(expected.SetEquals(accepted), $"missing {expected.Except(accepted).Count()} events, e.g. {string.Join(", ", expected.Except(accepted).Take(5))}");
        var duplicates = received.Count - accepted.Count;
        output.WriteLine($"{Events} events: {beforeRestart} distinct before the kill, {received.Count} deliveries in all, {duplicates} duplicates ({100.0 * duplicates / Events:0.##} %)");
    }
}
