using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;

namespace Vanus.Node.Tests;

/// <summary>A node killed with SIGKILL mid-ingest, or stopped with SIGTERM, restarts on its folder with every acknowledged event and every eventbus.</summary>
public sealed class RestartTests : NodeDataTests
{
    [Fact]
    public async Task Kill_9_during_ingest_then_restart_keeps_every_acknowledged_event_and_every_bus()
    {
        var acknowledged = new ConcurrentDictionary<string, (string Bus, int Eventlog, long Offset)>();
        await using (var node = await NodeProcess.StartAsync(Data))
        {
            using var http = node.Client();
            await Api.CreateBusAsync(http, "durable", eventlogs: 2, sync: "always");
            await Api.CreateBusAsync(http, "fast", eventlogs: 3, sync: "interval");
            var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var stop = new CancellationTokenSource();
            var loops = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
            {
                var bus = w % 2 == 0 ? "durable" : "fast";
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var ids = Enumerable.Range(0, 10).Select(k => $"w{w}-r{i}-e{k}").ToList();
                    var body = "[" + string.Join(',', ids.Select(id => Api.Event(id, "x"))) + "]";
                    try
                    {
                        using var response = await http.SendAsync(Api.Json($"gateway/{bus}", body, "application/cloudevents-batch+json"), stop.Token);
                        if (response.StatusCode != HttpStatusCode.OK)
                        {
                            continue;
                        }

                        var placed = JsonNode.Parse(await response.Content.ReadAsStringAsync(stop.Token))!["events"]!.AsArray();
                        foreach (var p in placed)
                        {
                            acknowledged[(string)p!["id"]!] = (bus, (int)p["eventlog"]!, (long)p["offset"]!);
                        }

                        if (acknowledged.Count >= 3000)
                        {
                            enough.TrySetResult();
                        }
                    }
                    catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
                    {
                        // The node died under the request: it was never acknowledged, so nothing is promised.
                        return;
                    }
                }
            })).ToList();

            await enough.Task.WaitAsync(TimeSpan.FromSeconds(120));
            await node.KillAsync();
            stop.Cancel();
            await Task.WhenAll(loops);
        }

        Assert.True(acknowledged.Count >= 3000);
        await using (var node = await NodeProcess.StartAsync(Data))
        {
            using var http = node.Client();
            var buses = (await Api.GetJsonAsync(http, Api.Buses)).AsArray().Select(b => (string)b!["name"]!).ToList();
            Assert.Contains("durable", buses);
            Assert.Contains("fast", buses);

            foreach (var (bus, eventlogs) in new[] { ("durable", 2), ("fast", 3) })
            {
                for (var log = 0; log < eventlogs; log++)
                {
                    var stored = await Api.ReadAllAsync(http, bus, log);
                    Assert.Equal(Enumerable.Range(0, stored.Count).Select(i => (long)i), stored.Select(e => (long)e["xvanusoffset"]!));
                    var byOffset = stored.ToDictionary(e => (long)e["xvanusoffset"]!, e => (string)e["id"]!);
                    foreach (var (id, place) in acknowledged.Where(a => a.Value.Bus == bus && a.Value.Eventlog == log))
                    {
                        Assert.True(byOffset.TryGetValue(place.Offset, out var storedId), $"acknowledged event {id} at {bus}/{log}@{place.Offset} is missing after the restart");
                        Assert.Equal(id, storedId);
                    }
                }
            }

            // Appends continue after the recovered end.
            var before = await Api.NextOffsetsAsync(http, "durable");
            using var response = await http.SendAsync(Api.Binary("gateway/durable", "after-restart", partitionKey: "p"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var placed = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["events"]![0]!;
            Assert.Equal(before[(int)placed["eventlog"]!], (long)placed["offset"]!);
        }
    }

    [Fact]
    public async Task Sigterm_stops_gracefully_with_exit_code_0_and_the_restart_has_everything()
    {
        await using (var node = await NodeProcess.StartAsync(Data))
        {
            using var http = node.Client();
            await Api.CreateBusAsync(http, "kept", sync: "interval");
            for (var i = 0; i < 50; i++)
            {
                using var response = await http.SendAsync(Api.Binary("gateway/kept", $"e{i}", $"data {i}"));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            Assert.Equal(0, await node.TerminateAsync());
            Assert.Contains("vanus node stopped", node.Output);
        }

        await using (var node = await NodeProcess.StartAsync(Data))
        {
            using var http = node.Client();
            var stored = await Api.ReadAllAsync(http, "kept");
            Assert.Equal(Enumerable.Range(0, 50).Select(i => $"e{i}"), stored.Select(e => (string)e["id"]!));
            Assert.Equal("data 49", (string)stored[49]["data"]!);
        }
    }
}
