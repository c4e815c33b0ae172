using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Vanus.Testing.Http;
using Xunit.Abstractions;

namespace Vanus.Node.Tests;

/// <summary>Delayed events against the real executable: held until due, never early, and appended once across kill -9.</summary>
public sealed class TimerTests(ITestOutputHelper output) : NodeDataTests
{
    private static string Due(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static async Task<double> MetricAsync(HttpClient http, string name)
    {
        var text = await http.GetStringAsync("metrics");
        var line = text.Split('\n').First(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return double.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
    }

    private static async Task<long> CountAsync(HttpClient http, string bus) => (await Api.NextOffsetsAsync(http, bus)).Sum();

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan patience, Func<Task<string>> explain)
    {
        using var cts = new CancellationTokenSource(patience);
        while (!await condition())
        {
            try
            {
                await Task.Delay(50, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException(await explain());
            }
        }
    }

    [Fact]
    public async Task Delayed_events_reach_a_subscriber_no_earlier_than_due()
    {
        await using var receiver = await Receiver.StartAsync();
        await using var node = await NodeProcess.StartAsync(Data);
        using var http = node.Client();
        await Api.CreateBusAsync(http, "later");
        await SubscriptionApi.CreateAsync(http, new JsonObject { ["name"] = "later-hook", ["eventbus"] = "later", ["sink"] = receiver.Url });

        var start = DateTimeOffset.UtcNow;
        var dues = new Dictionary<string, DateTimeOffset>();
        for (var i = 0; i < 20; i++)
        {
            // Due a second after it is sent (and later for each next one): on a loaded machine a due time fixed before
            // the loop could pass before its event is sent, and the event would be stored at once instead of held.
            var due = DateTimeOffset.UtcNow.AddMilliseconds(1000 + (i * 97));
            dues[$"d{i}"] = DateTimeOffset.Parse(Due(due), CultureInfo.InvariantCulture);
            using var response = await http.SendAsync(Api.Binary("gateway/later", $"d{i}", headers: ("ce-xvanusdeliverytime", Due(due))));
            var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(dues[$"d{i}"], DateTimeOffset.Parse((string)answer["events"]![0]!["deliverytime"]!, CultureInfo.InvariantCulture));
        }

        // One more due at once, for contrast: it is stored right away (an offset, no delivery time). Which offset depends on
        // how many of the others have fallen due meanwhile on a loaded machine, so it is not asserted.
        using (var now = await http.SendAsync(Api.Binary("gateway/later", "now", headers: ("ce-xvanusdeliverytime", Due(start.AddSeconds(-1))))))
        {
            var placed = JsonNode.Parse(await now.Content.ReadAsStringAsync())!["events"]![0]!;
            Assert.NotNull(placed["offset"]);
            Assert.Null(placed["deliverytime"]);
        }

        await receiver.WaitForAsync(d => d.Count >= 21, TimeSpan.FromSeconds(60));
        foreach (var delivery in receiver.Deliveries.Where(d => d.Id != "now"))
        {
            var due = dues[delivery.Id!];
            var stored = DateTimeOffset.Parse(delivery.Header("ce-xvanusstime")!, CultureInfo.InvariantCulture);
            Assert.True(stored >= due, $"{delivery.Id} was stored at {stored:O}, before its delivery time {due:O}");
            Assert.True(delivery.At >= due, $"{delivery.Id} arrived at {delivery.At:O}, before its delivery time {due:O}");
            Assert.Equal(due, DateTimeOffset.Parse(delivery.Header("ce-xvanusdeliverytime")!, CultureInfo.InvariantCulture));
            output.WriteLine($"{delivery.Id}: stored {(stored - due).TotalMilliseconds:0.0} ms after due");
        }

        Assert.Equal(21, receiver.Deliveries.Select(d => d.Id).Distinct().Count());
    }

    [Fact]
    public async Task Kill_9_with_timers_pending_then_restart_appends_every_timer_exactly_once()
    {
        const int Timers = 20_000;
        DateTimeOffset last;
        DateTimeOffset killed;
        await using (var node = await NodeProcess.StartAsync(Data))
        {
            using var http = node.Client();
            await Api.CreateBusAsync(http, "target", eventlogs: 2);
            last = DateTimeOffset.MinValue;
            for (var batch = 0; batch < Timers / 500; batch++)
            {
                // Due between 2 s and 10 s after its batch is sent, in no order: firing and the kill overlap, also on a loaded
                // machine where sending all of them takes longer than the window (a fixed start let them all fall due first).
                var sent = DateTimeOffset.UtcNow;
                var events = Enumerable.Range(0, 500).Select(i =>
                {
                    var n = (batch * 500) + i;
                    var due = sent.AddMilliseconds(2000 + ((n * 7919L) % 8000));
                    last = due > last ? due : last;
                    return Api.Event($"t{n}", extra: $",\"xvanusdeliverytime\":\"{Due(due)}\"");
                }).ToList();
                using var response = await http.SendAsync(Api.Json("gateway/target", "[" + string.Join(',', events) + "]", "application/cloudevents-batch+json"));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            await WaitUntilAsync(
                async () => await CountAsync(http, "target") >= Timers / 8,
                TimeSpan.FromSeconds(60),
                async () => $"only {await CountAsync(http, "target")} timers fired; the node printed:\n{node.Output}");
            await node.KillAsync();
            killed = DateTimeOffset.UtcNow;
        }

        await using (var node = await NodeProcess.StartAsync(Data))
        {
            using var http = node.Client();
            // Timers are never appended early (checked below), so one due after the kill had not fired before it. Counting the
            // bus after the restart would not tell: the restarted node may have fired the rest by then.
            var afterKill = await CountAsync(http, "target");
            Assert.True(killed < last, $"the kill ({killed:O}) came after the last timer was due ({last:O}); the test did not kill mid-firing");
            await WaitUntilAsync(
                async () => await MetricAsync(http, "vanus_timers_pending") == 0 && await CountAsync(http, "target") >= Timers,
                TimeSpan.FromSeconds(90),
                async () => $"{await CountAsync(http, "target")} of {Timers} in the bus, {await MetricAsync(http, "vanus_timers_pending")} pending, {await MetricAsync(http, "vanus_timers_fired_total")} fired; the node printed:\n{node.Output}");

            var all = (await Api.ReadAllAsync(http, "target", 0)).Concat(await Api.ReadAllAsync(http, "target", 1)).ToList();
            var ids = all.Select(e => (string)e["id"]!).ToList();
            Assert.Equal(Timers, ids.Distinct().Count());
            Assert.Equal(Timers, ids.Count);
            Assert.All(all, e => Assert.True(
                DateTimeOffset.Parse((string)e["xvanusstime"]!, CultureInfo.InvariantCulture) >= DateTimeOffset.Parse((string)e["xvanusdeliverytime"]!, CultureInfo.InvariantCulture),
                $"{e["id"]} was stored before it was due"));
            output.WriteLine($"{Timers} timers: {afterKill} in the bus just after the restart; all {Timers} once after the restart (last due {last:O})");
        }
    }

    [Fact]
    public async Task A_retry_waiting_survives_a_restart()
    {
        await using var receiver = await Receiver.StartAsync();
        receiver.Respond = r => r.Attempt == 1 ? 503 : 200;
        await using (var node = await NodeProcess.StartAsync(Data))
        {
            using var http = node.Client();
            await Api.CreateBusAsync(http, "retry");
            await SubscriptionApi.CreateAsync(http, new JsonObject
            {
                ["name"] = "retry-hook",
                ["eventbus"] = "retry",
                ["sink"] = receiver.Url,
                ["delivery"] = new JsonObject { ["backoff"] = new JsonArray("3s") },
            });
            using var response = await http.SendAsync(Api.Binary("gateway/retry", "r1"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await receiver.WaitForAsync(d => d.Count >= 1, TimeSpan.FromSeconds(30));

            // The retry is persisted with the trigger's progress (flushed within a fraction of a second), then the node dies.
            await SubscriptionApi.WaitForAsync(http, "retry-hook", s => (long)s["eventlogs"]![0]!["pendingRetries"]! == 1, TimeSpan.FromSeconds(30));
            await node.KillAsync();
        }

        Assert.Single(receiver.Deliveries);
        await using (var node = await NodeProcess.StartAsync(Data))
        {
            await receiver.WaitForAsync(d => d.Any(r => r.Attempt == 2), TimeSpan.FromSeconds(30));
            using var http = node.Client();
            await SubscriptionApi.WaitForAsync(http, "retry-hook", s => (long)s["delivered"]! == 1, TimeSpan.FromSeconds(30));
        }

        Assert.Equal(2, receiver.Deliveries.Count(d => d.Id == "r1"));
    }
}
