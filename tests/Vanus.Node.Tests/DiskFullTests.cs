using System.Net;
using System.Text.Json.Nodes;
using System.Net.Http.Json;
using Vanus.Testing.Disk;

namespace Vanus.Node.Tests;

/// <summary>
/// The real node on a small tmpfs the test mounts: filled under load, it answers 507 with Retry-After and what it stored,
/// keeps serving reads, refuses a bus that cannot fit, and stores again once space is freed; every acknowledged event is
/// there (also after a restart) and no refused one is.
/// </summary>
public sealed class DiskFullTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private const int Producers = 4;
    private const int BatchSize = 10;
    private static readonly string Payload = new('p', 2000);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly (TmpfsMount? Mount, string Why) _disk = (TmpfsMount.TryMount(64L << 20, out var why), why);

    public void Dispose() => _disk.Mount?.Dispose();

    [SkippableFact]
    public async Task A_full_disk_answers_507_serves_reads_and_resumes_once_space_is_freed_losing_nothing_acknowledged()
    {
        Skip.If(_disk.Mount is null, _disk.Why);
        var mount = _disk.Mount!;
        var data = Path.Combine(mount.Path, "data");
        var acknowledged = new Dictionary<string, (int Eventlog, long Offset)>();
        var refused = new HashSet<string>();
        await using (var node = await NodeProcess.StartAsync(data, "--segment-size", "1MB"))
        {
            using var http = node.Client();
            await Api.CreateBusAsync(http, "orders", eventlogs: 2);

            // Leave about 6 MB: the load fills it within a few thousand events.
            var filler = mount.Fill("filler", mount.FreeBytes - (6L << 20));
            var fullAnswers = await LoadUntilFullAsync(http, acknowledged, refused);
            Assert.True(fullAnswers > 0, "the disk never filled");

            // While full: reads go on, and every acknowledged event (and no refused one) is there.
            await AssertStoredAsync(http, acknowledged, refused);

            // A bus whose first segments cannot fit is refused, naming the eventlogs.
            using (var create = await http.PostAsJsonAsync(Api.Buses, new { name = "big", eventlogs = 16 }))
            {
                var text = await create.Content.ReadAsStringAsync();
                Assert.True(create.StatusCode == HttpStatusCode.InsufficientStorage, $"{(int)create.StatusCode} {text}");
                Assert.Equal("eventlogs", (string?)JsonNode.Parse(text)!["field"]);
            }

            // Space returns: within the Retry-After the node stores again, without a restart.
            File.Delete(filler);
            var resumedAfter = await SendUntilStoredAsync(http, "after-0", acknowledged);
            Assert.True(resumedAfter < Patience, $"appends did not resume within {Patience}");
            output.WriteLine($"{acknowledged.Count} events acknowledged and {refused.Count} refused in {fullAnswers} answers 507; stored again {resumedAfter.TotalMilliseconds:0} ms after the filler was deleted");
            for (var i = 1; i < 20; i++)
            {
                using var put = await http.SendAsync(Api.Binary("gateway/orders", $"after-{i}", Payload));
                Assert.Equal(HttpStatusCode.OK, put.StatusCode);
                Record(JsonNode.Parse(await put.Content.ReadAsStringAsync())!["events"]!.AsArray(), acknowledged);
            }

            await AssertStoredAsync(http, acknowledged, refused);
            Assert.DoesNotContain("accepts no more appends", node.Output, StringComparison.Ordinal);
            Assert.Contains("its disk is full", node.Output, StringComparison.Ordinal);
            Assert.Contains("has room again", node.Output, StringComparison.Ordinal);
        }

        // And after a restart: the eventlogs recover cleanly with all of it.
        await using (var node = await NodeProcess.StartAsync(data, "--segment-size", "1MB"))
        {
            using var http = node.Client();
            await AssertStoredAsync(http, acknowledged, refused);
        }
    }

    /// <summary>Producers send batches until each has been refused for space a few times; returns the 507 answers seen.</summary>
    private static async Task<int> LoadUntilFullAsync(HttpClient http, Dictionary<string, (int, long)> acknowledged, HashSet<string> refused)
    {
        var full = 0;
        var gate = new object();
        var deadline = DateTime.UtcNow + Patience;
        await Task.WhenAll(Enumerable.Range(0, Producers).Select(p => Task.Run(async () =>
        {
            var refusals = 0;
            for (var batch = 0; batch < 2000 && refusals < 3 && DateTime.UtcNow < deadline; batch++)
            {
                var ids = Enumerable.Range(0, BatchSize).Select(i => $"p{p}-{batch}-{i}").ToList();
                var json = "[" + string.Join(",", ids.Select(id => Api.Event(id, Payload))) + "]";
                using var response = await http.SendAsync(Api.Json("gateway/orders", json, "application/cloudevents-batch+json"));
                var text = await response.Content.ReadAsStringAsync();
                var body = JsonNode.Parse(text)!;
                lock (gate)
                {
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        Record(body["events"]!.AsArray(), acknowledged);
                        continue;
                    }

                    // Only a full disk may refuse: 507, when to come back, and the part of the batch that was stored.
                    Assert.True(response.StatusCode == HttpStatusCode.InsufficientStorage, $"{(int)response.StatusCode} {text}");
                    Assert.Equal("urn:vanus:problem:insufficient-storage", (string?)body["type"]);
                    Assert.NotNull(response.Headers.RetryAfter);
                    var stored = body["stored"]!.AsArray();
                    Record(stored, acknowledged);
                    refused.UnionWith(ids.Except(stored.Select(s => (string)s!["id"]!)));
                    full++;
                    refusals++;
                }
            }
        })));

        return full;
    }

    /// <summary>Sends one event until it is stored, waiting briefly between refusals; returns how long that took.</summary>
    private static async Task<TimeSpan> SendUntilStoredAsync(HttpClient http, string id, Dictionary<string, (int, long)> acknowledged)
    {
        var started = DateTime.UtcNow;
        while (DateTime.UtcNow - started < Patience)
        {
            using var put = await http.SendAsync(Api.Binary("gateway/orders", id, Payload));
            var text = await put.Content.ReadAsStringAsync();
            if (put.StatusCode == HttpStatusCode.OK)
            {
                Record(JsonNode.Parse(text)!["events"]!.AsArray(), acknowledged);
                return DateTime.UtcNow - started;
            }

            Assert.True(put.StatusCode == HttpStatusCode.InsufficientStorage, $"{(int)put.StatusCode} {text}");

            // A condition poll, as a client honouring Retry-After would: the node tries the disk again once a second.
            await Task.Delay(100);
        }

        return Patience;
    }

    private static void Record(JsonArray events, Dictionary<string, (int, long)> acknowledged)
    {
        foreach (var e in events)
        {
            acknowledged.Add((string)e!["id"]!, ((int)e["eventlog"]!, (long)e["offset"]!));
        }
    }

    /// <summary>Reads both eventlogs whole: exactly the acknowledged events, each where its answer put it, none refused.</summary>
    private static async Task AssertStoredAsync(HttpClient http, Dictionary<string, (int Eventlog, long Offset)> acknowledged, HashSet<string> refused)
    {
        var found = new Dictionary<string, (int, long)>();
        for (var eventlog = 0; eventlog < 2; eventlog++)
        {
            var all = await Api.ReadAllAsync(http, "orders", eventlog);
            for (var i = 0; i < all.Count; i++)
            {
                Assert.Equal(i, (long)all[i]["xvanusoffset"]!);
                found.Add((string)all[i]["id"]!, (eventlog, i));
            }
        }

        Assert.Equal(acknowledged.Count, found.Count);
        foreach (var (id, place) in acknowledged)
        {
            Assert.Equal(place, found[id]);
        }

        Assert.DoesNotContain(found.Keys, refused.Contains);
    }
}
