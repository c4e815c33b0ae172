using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Vanus.Node.Tests;

/// <summary>
/// Offers far more than the node can absorb for 30 seconds: it must refuse with 429 rather than queue without bound,
/// keep its resident memory under 1 GiB, and have stored every event it answered 200 for.
/// </summary>
public sealed class OverloadTests(Xunit.Abstractions.ITestOutputHelper output) : NodeDataTests
{
    private const int Connections = 96;
    private const int BatchSize = 500;
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Ten_times_the_absorbable_load_gets_429s_bounded_memory_and_no_lost_acknowledgement()
    {
        // The node's own bound on appends in flight is set low (4 MB) so that a load generator sharing this machine's two
        // cores can still offer ten times what it admits: 96 connections keep about 48 MB of batches in flight.
        await using var node = await NodeProcess.StartAsync(Data, "--max-pending-bytes", "4MB");
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Connections }) { BaseAddress = node.Endpoint, Timeout = TimeSpan.FromSeconds(60) };

        // Every append waits for fdatasync, so the disk, not the client, sets what the node can absorb.
        await Api.CreateBusAsync(http, "flood", eventlogs: 1, sync: "always");
        var data = new string('d', 1000);
        var acknowledged = new ConcurrentBag<(string Id, long Offset)>();
        var statuses = new ConcurrentDictionary<int, int>();
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, Connections).Select(w => Task.Run(async () =>
        {
            for (var r = 0; clock.Elapsed < Duration; r++)
            {
                var body = new StringBuilder("[");
                for (var k = 0; k < BatchSize; k++)
                {
                    body.Append(k == 0 ? "" : ",").Append(Api.Event($"w{w}-r{r}-e{k}", data));
                }

                using var response = await http.SendAsync(Api.Json("gateway/flood", body.Append(']').ToString(), "application/cloudevents-batch+json"));
                statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    foreach (var p in JsonNode.Parse(await response.Content.ReadAsStringAsync())!["events"]!.AsArray())
                    {
                        acknowledged.Add(((string)p!["id"]!, (long)p["offset"]!));
                    }
                }
            }
        })).ToList();
        await Task.WhenAll(workers);

        var peak = node.PeakResidentBytes();
        var summary = string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"));
        output.WriteLine($"answers {summary}; {acknowledged.Count} events acknowledged; peak resident memory {peak / (1 << 20)} MiB");
        Assert.True(statuses.ContainsKey(429), $"expected 429s under overload; answers were {summary}");
        Assert.True(statuses.Keys.All(s => s is 200 or 429), $"only 200 and 429 expected; answers were {summary}");
        Assert.True(peak < 1L << 30, $"the node's peak resident memory was {peak / (1 << 20)} MiB ({summary})");

        // Every acknowledged offset is distinct and below the log's end, and the log holds exactly the acknowledged events.
        var next = (await Api.NextOffsetsAsync(http, "flood"))[0];
        var offsets = acknowledged.Select(a => a.Offset).ToHashSet();
        Assert.Equal(acknowledged.Count, offsets.Count);
        Assert.Equal(next, offsets.Count);

        // Spot-check by content: events at acknowledged offsets carry the acknowledged ids.
        var random = new Random(5);
        var sample = acknowledged.OrderBy(_ => random.Next()).Take(200).ToList();
        foreach (var (id, offset) in sample)
        {
            var page = (await Api.GetJsonAsync(http, $"{Api.Buses}/flood/events?eventlog=0&offset={offset}&count=1")).AsArray();
            Assert.Equal(id, (string)page[0]!["id"]!);
        }
    }
}
