using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Vanus.Runtime.Events;
using Xunit.Abstractions;

namespace Vanus.Node.Tests;

/// <summary>
/// A schedule firing every second survives SIGKILL: after the restart every occurrence is in the bus exactly once, either
/// as its own event or folded into the one event (marked <c>xvanusmissed</c>) that stands for those passed while the node was down.
/// </summary>
public sealed class ScheduleCrashTests(ITestOutputHelper output) : NodeDataTests
{
    private const string Schedules = "api/v1/namespaces/default/schedules";

    [Fact]
    public async Task Kill_9_then_restart_emits_every_occurrence_once_and_the_missed_ones_as_one_marked_event()
    {
        DateTimeOffset created;
        await using (var node = await NodeProcess.StartAsync(Data))
        {
            using var http = node.Client();
            await Api.CreateBusAsync(http, "ticks");
            var document = new JsonObject
            {
                ["name"] = "pulse",
                ["eventbus"] = "ticks",
                ["interval"] = "1s",
                ["event"] = new JsonObject { ["source"] = "/tests/scheduler", ["type"] = "pulse", ["datacontenttype"] = "application/json", ["data"] = new JsonObject { ["n"] = 1 } },
            };
            using (var response = await http.PostAsJsonAsync(Schedules, document))
            {
                Assert.True(response.StatusCode == HttpStatusCode.Created, $"create schedule: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                created = Rfc3339.Parse((string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["createdAt"]!);
            }

            await WaitForEventsAsync(http, 3, node);
            await node.KillAsync();
        }

        await using (var node = await NodeProcess.StartAsync(Data))
        {
            using var http = node.Client();
            var beforeKill = (await Api.ReadAllAsync(http, "ticks")).Count;

            // Restarting takes seconds, so occurrences pass while the node is down; a few more are emitted on time after.
            var events = await WaitForEventsAsync(http, beforeKill + 3, node);
            var info = await Api.GetJsonAsync(http, $"{Schedules}/pulse");

            var occurrences = new List<(long Index, long Missed, string Id)>();
            foreach (var e in events)
            {
                var at = Rfc3339.Parse((string)e["xvanusscheduletime"]!);
                Assert.Equal("pulse", (string)e["xvanusschedule"]!);
                Assert.Equal(at, Rfc3339.Parse((string)e["time"]!));
                var stored = Rfc3339.Parse((string)e["xvanusstime"]!);
                Assert.True(stored >= at - TimeSpan.FromMicroseconds(1), $"{e["id"]} was stored at {stored:O}, before its occurrence {at:O}");

                // Every occurrence is the creation time plus a whole number of seconds.
                var index = (at - created).Ticks / TimeSpan.TicksPerSecond;
                Assert.Equal(created.AddSeconds(index), at);
                var missed = e["xvanusmissed"] is { } m ? (long)m : 0;
                occurrences.Add((index, missed, (string)e["id"]!));
            }

            // Exactly once: no occurrence twice, and every one from the first to the last is accounted for, on its own or folded.
            Assert.Equal(occurrences.Count, occurrences.Select(o => o.Index).Distinct().Count());
            Assert.Equal(occurrences.Count, occurrences.Select(o => o.Id).Distinct().Count());
            var sorted = occurrences.OrderBy(o => o.Index).ToList();
            Assert.Equal(1, sorted[0].Index);
            for (var i = 1; i < sorted.Count; i++)
            {
                var covered = sorted[i].Missed > 0 ? sorted[i].Missed : 1;
                Assert.True(sorted[i].Index - sorted[i - 1].Index == covered, $"occurrence {sorted[i].Index} follows {sorted[i - 1].Index} but stands for {covered}: {string.Join(", ", sorted.Select(o => $"{o.Index}/{o.Missed}"))}");
            }

            var marked = sorted.Where(o => o.Missed > 0).ToList();
            Assert.NotEmpty(marked);
            Assert.Equal(sorted.Sum(o => Math.Max(1, o.Missed)), sorted[^1].Index);
            Assert.True((long)info["fired"]! >= sorted.Count, info.ToJsonString());
            Assert.True((long)info["missed"]! >= marked.Sum(o => o.Missed), info.ToJsonString());
            output.WriteLine($"{beforeKill} events before the kill, {sorted.Count} in all; missed while down: {string.Join(", ", marked.Select(o => $"{o.Missed} up to #{o.Index}"))}");
        }
    }

    private static async Task<List<JsonNode>> WaitForEventsAsync(HttpClient http, int count, NodeProcess node)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            while (true)
            {
                var events = await Api.ReadAllAsync(http, "ticks");
                if (events.Count >= count)
                {
                    return events;
                }

                await Task.Delay(50, patience.Token);
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"fewer than {count} events arrived; the node printed:\n{node.Output}");
        }
    }
}
