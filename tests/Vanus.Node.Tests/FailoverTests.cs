using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Vanus.Node.Tests;

/// <summary>Three real nodes share two cores: these tests run alone.</summary>
[CollectionDefinition(nameof(FailoverTests), DisableParallelization = true)]
public sealed class FailoverCollection;

/// <summary>
/// Replicated eventlogs under real failures (issue 14): three <c>vanus node</c> processes, a bus whose eventlogs have three
/// replicas synced always, producers that never stop, and the leader killed with SIGKILL again and again. A checker then
/// reads every replica of every eventlog and holds the run to what was acknowledged.
/// </summary>
[Collection(nameof(FailoverTests))]
public sealed class FailoverTests(ITestOutputHelper output) : IDisposable
{
    private const string Bus = "ha";
    private const int Producers = 8;
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    /// <summary>Kills of the leader per run: 5 in the suite, more in the chaos target (<c>VANUS_CHAOS_ROUNDS</c>).</summary>
    private static readonly int Rounds = int.TryParse(Environment.GetEnvironmentVariable("VANUS_CHAOS_ROUNDS"), out var rounds) && rounds > 0 ? rounds : 5;
    private readonly string _root = NodeDataTests.NewFolder();

    [Fact]
    public async Task Killing_the_leader_again_and_again_loses_no_acknowledged_event_and_another_replica_takes_over()
    {
        await RunAsync(null, async (cluster, producers) =>
        {
            var nodes = cluster.Nodes;

            var running = producers.StartAsync();
            var failovers = new List<(string Node, int Eventlog, TimeSpan Time)>();
            for (var round = 0; round < Rounds; round++)
            {
                var eventlog = round % 2;
                await producers.WaitForAcksAsync(20, Generous);
                var (leader, epoch) = await LeaderOfAsync(nodes.Values.First(), eventlog);

                producers.Endpoints = [.. nodes.Where(n => n.Key != leader).Select(n => n.Value.Endpoint)];
                var killedAt = await cluster.KillAsync(leader);

                // Failover: from the kill to the first acknowledgement on that eventlog.
                var failover = await producers.FirstAckAfterAsync(eventlog, killedAt, Generous);
                failovers.Add((leader, eventlog, failover));
                output.WriteLine($"round {round + 1}: killed {leader}, leader of eventlog {eventlog} in epoch {epoch}; acknowledged again after {failover.TotalMilliseconds:0} ms");

                await cluster.StartAsync(leader);
                producers.Endpoints = [.. nodes.Values.Select(n => n.Endpoint)];
            }

            await producers.StopAsync(running);
            output.WriteLine(producers.Summary());
            output.WriteLine($"failover: median {Median(failovers.Select(f => f.Time)).TotalMilliseconds:0} ms, max {failovers.Max(f => f.Time).TotalMilliseconds:0} ms");
            await CheckAsync(nodes, producers);
        });
    }

    [Fact]
    public async Task A_leader_paused_for_10_s_loses_its_place_and_acknowledges_nothing_it_cannot_keep()
    {
        await RunAsync(null, async (cluster, producers) =>
        {
            var nodes = cluster.Nodes;
            var running = producers.StartAsync();
            await producers.WaitForAcksAsync(20, Generous);
            var (leader, epoch) = await LeaderOfAsync(nodes.Values.First(), 0);
            var paused = nodes[leader];
            var other = nodes.First(n => n.Key != leader).Value;

            // The producers keep sending to all three, the paused one too: its answers come after it wakes, and each one
            // must hold (the checker below), so it acknowledges nothing it could not commit.
            await paused.SignalAsync("STOP");
            var pausedAt = Stopwatch.GetTimestamp();
            var failover = await producers.FirstAckAfterAsync(0, pausedAt, Generous);
            output.WriteLine($"paused {leader}, leader of eventlog 0 in epoch {epoch}; acknowledged again after {failover.TotalMilliseconds:0} ms");
            var (newLeader, newEpoch) = await LeaderOfAsync(other, 0, (leader, epoch));
            Assert.NotEqual(leader, newLeader);
            Assert.True(newEpoch > epoch);

            // The fault lasts 10 s: a deliberate pause of the process under test, not a wait for the system.
            var rest = TimeSpan.FromSeconds(10) - Stopwatch.GetElapsedTime(pausedAt);
            if (rest > TimeSpan.Zero)
            {
                await Task.Delay(rest);
            }

            await paused.SignalAsync("CONT");
            producers.Endpoints = [.. nodes.Where(n => n.Key != leader).Select(n => n.Value.Endpoint)];

            // Awake, it hears the new epoch and steps down. Whether the split-brain resolver downed it first depends on
            // whether it noticed (about 3 s) and waited out its 5 s within the pause: if so, the node says so, exits with 4
            // and is started again; if not, it is a member again.
            var exited = paused.ExitedAsync();
            var back = WaitUntilUpAsync(other, leader);
            await Task.WhenAny(exited, back).WaitAsync(Generous);
            if (exited.IsCompleted)
            {
                Assert.Equal(4, await exited);
                Assert.Contains("was removed from the cluster", paused.Output, StringComparison.Ordinal);
                output.WriteLine($"{leader} was downed while paused: it exited with code 4 after it woke and is started again");
                nodes.Remove(leader);
                await paused.DisposeAsync();
                await cluster.StartAsync(leader);
            }
            else
            {
                await paused.WaitForLineAsync(l => l.Contains("no longer leads", StringComparison.Ordinal), Generous);
                output.WriteLine($"{leader} was not downed: it stepped down when it woke and is a member again");
            }

            producers.Endpoints = [.. nodes.Values.Select(n => n.Endpoint)];
            await producers.WaitForAcksAsync(20, Generous);

            await producers.StopAsync(running);
            output.WriteLine(producers.Summary());
            await CheckAsync(nodes, producers);
        });
    }

    [Fact]
    public async Task A_replica_whose_log_is_corrupt_repairs_itself_from_the_leader()
    {
        await RunAsync(null, async (cluster, producers) =>
        {
            var nodes = cluster.Nodes;
            var running = producers.StartAsync();
            await producers.WaitForAcksAsync(2000, Generous);
            await producers.StopAsync(running);
            var (leader, _) = await LeaderOfAsync(nodes.Values.First(), 0);
            var follower = ThreeNodes.Names.First(n => n != leader);
            using (var http = nodes[leader].Client())
            {
                await ConvergedCopiesAsync(http, 0);
            }

            // Stopped cleanly, so its checkpoint vouches for every record; then bytes in the middle of its fullest replica
            // go bad: an eventlog of one copy would open read-only and wait for an operator.
            var stopped = nodes[follower];
            Assert.Equal(0, await stopped.TerminateAsync());
            nodes.Remove(follower);
            await stopped.DisposeAsync();
            var segment = Directory.GetFiles(Path.Combine(stopped.DataDirectory, "eventlogs"), "*.seg", SearchOption.AllDirectories)
                .Where(p => File.Exists(Path.Combine(Path.GetDirectoryName(p)!, "raft.state")))
                .MaxBy(WrittenLength)!;
            var damageAt = WrittenLength(segment) / 2;
            using (var file = File.Open(segment, FileMode.Open, FileAccess.ReadWrite))
            {
                file.Position = damageAt;
                var bytes = new byte[3];
                file.ReadExactly(bytes);
                file.Position = damageAt;
                file.Write(bytes.Select(b => (byte)~b).ToArray());
            }

            var repaired = await cluster.StartAsync(follower);
            var line = repaired.Output.Split('\n').FirstOrDefault(l => l.Contains("repaired", StringComparison.Ordinal));
            output.WriteLine(line ?? "(no repair logged)");
            Assert.NotNull(line);
            Assert.Contains(segment, line, StringComparison.Ordinal);

            // It caught up from the leader: its copy is the others' again, and every acknowledged event is in it.
            await CheckAsync(nodes, producers);
        });
    }

    /// <summary>Where the records of a (preallocated) segment file end: its last byte that is not zero, plus one.</summary>
    private static long WrittenLength(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var end = bytes.Length;
        while (end > 0 && bytes[end - 1] == 0)
        {
            end--;
        }

        return end;
    }

    [SkippableFact]
    public async Task A_leader_cut_off_from_both_followers_acknowledges_nothing_and_after_healing_cuts_its_unacknowledged_suffix()
    {
        using var lab = NetworkLab.TryCreate(out var why);
        Skip.If(lab is null, why);
        await RunAsync(lab, async (cluster, producers) =>
        {
            var nodes = cluster.Nodes;
            var running = producers.StartAsync();
            await producers.WaitForAcksAsync(20, Generous);
            var (leader, epoch) = await LeaderOfAsync(nodes.Values.First(), 0);
            var isolated = nodes[leader];
            var other = nodes.First(n => n.Key != leader).Value;

            // The producers keep sending to all three: those on the cut-off leader are the minority's clients.
            lab!.Isolate(ThreeNodes.IndexOf(leader));
            var cutAt = Stopwatch.GetTimestamp();
            var failover = await producers.FirstAckAfterAsync(0, cutAt, Generous);
            var (newLeader, newEpoch) = await LeaderOfAsync(other, 0, (leader, epoch));
            output.WriteLine($"cut {leader} (leader of eventlog 0 in epoch {epoch}) off; {newLeader} leads epoch {newEpoch}; acknowledged again after {failover.TotalMilliseconds:0} ms (goal 5 s)");
            Assert.NotEqual(leader, newLeader);

            // The minority side acknowledges nothing sent after the cut. Cut off longer than the split-brain resolver
            // waits, it downs itself and exits (4).
            var exited = await isolated.ExitedAsync().WaitAsync(Generous);
            Assert.Equal(4, exited);
            var fromMinority = producers.Acknowledged.Where(a => a.Endpoint == isolated.Endpoint && a.SentAt > cutAt).ToList();
            Assert.True(fromMinority.Count == 0, $"the cut-off node acknowledged {fromMinority.Count} events sent after the cut, such as {fromMinority.FirstOrDefault()}");

            // Healed and started again, the old leader rejoins and cuts what it wrote but never committed.
            lab.Heal();
            nodes.Remove(leader);
            await isolated.DisposeAsync();
            await cluster.StartAsync(leader);
            producers.Endpoints = [.. nodes.Values.Select(n => n.Endpoint)];
            await producers.WaitForAcksAsync(20, Generous);
            await producers.StopAsync(running);
            output.WriteLine(producers.Summary());
            await CheckAsync(nodes, producers);
            var cut = nodes[leader].Output.Split('\n').FirstOrDefault(l => l.Contains("cut its log", StringComparison.Ordinal));
            output.WriteLine(cut ?? $"{leader} had nothing to cut");
            Assert.NotNull(cut);
        });
    }

    /// <summary>
    /// Starts three nodes (in <paramref name="lab"/>'s namespaces when given) and creates the bus, then runs
    /// <paramref name="scenario"/>; when it fails, prints what each node said about its replicas, the first place to look.
    /// </summary>
    private async Task RunAsync(NetworkLab? lab, Func<ThreeNodes, ProducerSet, Task> scenario)
    {
        var cluster = new ThreeNodes(_root, lab);
        try
        {
            await cluster.StartAllAsync();
            var producers = new ProducerSet { Endpoints = [.. cluster.Nodes.Values.Select(n => n.Endpoint)] };
            await CreateBusAsync(cluster.Nodes["n1"]);
            await scenario(cluster, producers);
        }
        catch
        {
            output.WriteLine(cluster.Diagnostics(l => l.Contains("Eventlog", StringComparison.Ordinal) || l.Contains("rror", StringComparison.Ordinal) || l.Contains("removed", StringComparison.Ordinal)));
            throw;
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A node that did not stop in time still holds a file: the OS cleans the temp folder.
        }
    }

    /// <summary>Creates the bus once the three nodes are members (until then three replicas are refused).</summary>
    private static async Task CreateBusAsync(NodeProcess node)
    {
        using var http = node.Client();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            using var response = await http.PostAsJsonAsync(Api.Buses, new { name = Bus, eventlogs = 2, replicas = 3, sync = "always" });
            if (response.StatusCode == HttpStatusCode.Created)
            {
                return;
            }

            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest && text.Contains("replicas", StringComparison.Ordinal) && deadline.Elapsed < Generous, $"create {Bus}: {(int)response.StatusCode} {text}");
            await Task.Delay(200);
        }
    }

    /// <summary>Completes once <paramref name="node"/> sees <paramref name="name"/> as an up, reachable member.</summary>
    private static async Task WaitUntilUpAsync(NodeProcess node, string name)
    {
        while (true)
        {
            var view = await ThreeNodes.ClusterAsync(node);
            if (view["nodes"]!.AsArray().Count(n => (string)n!["name"]! == name) == 1
                && view["nodes"]!.AsArray().Any(n => (string)n!["name"]! == name && (string)n["status"]! == "up"))
            {
                return;
            }

            await Task.Delay(200);
        }
    }

    /// <summary>The leader of an eventlog and its epoch, from the API, once it has one.</summary>
    private static async Task<(string Leader, long Epoch)> LeaderOfAsync(NodeProcess node, int eventlog, (string Leader, long Epoch)? not = null)
    {
        using var http = node.Client();
        var deadline = Stopwatch.StartNew();
        var last = "";
        while (true)
        {
            using var response = await http.GetAsync($"{Api.Buses}/{Bus}");
            last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            if (response.IsSuccessStatusCode)
            {
                var log = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["eventlogs"]![eventlog]!;
                if ((string?)log["leader"] is { } leader && (leader, (long)log["epoch"]!) != not)
                {
                    Assert.Equal(["n1", "n2", "n3"], log["replicas"]!.AsArray().Select(r => (string)r!).Order());
                    return (leader, (long)log["epoch"]!);
                }
            }

            Assert.True(deadline.Elapsed < Generous, $"eventlog {eventlog} has no leader after {Generous.TotalSeconds} s; {node.Endpoint} last answered {last}");
            await Task.Delay(200);
        }
    }

    /// <summary>Reads every replica of every eventlog and holds them to what the producers were told.</summary>
    private async Task CheckAsync(Dictionary<string, NodeProcess> nodes, ProducerSet producers)
    {
        using var http = nodes.Values.First().Client();
        var acked = producers.Acknowledged.ToList();
        var sent = producers.Sent.ToHashSet();
        for (var eventlog = 0; eventlog < 2; eventlog++)
        {
            // The replicas converge once the producers stop: each follower learns the last commit with the next heartbeat.
            var copies = await ConvergedCopiesAsync(http, eventlog);
            var log = copies.Values.First();
            Assert.Equal(Enumerable.Range(0, log.Count).Select(i => (long)i), log.Select(e => e.Offset));
            Assert.Equal(log.Count, log.Select(e => e.Id).Distinct().Count());
            Assert.All(log, e => Assert.Contains(e.Id, sent));

            var byOffset = log.ToDictionary(e => e.Offset, e => e.Id);
            foreach (var ack in acked.Where(a => a.Eventlog == eventlog))
            {
                Assert.True(byOffset.TryGetValue(ack.Offset, out var id) && id == ack.Id, $"{ack.Id} was acknowledged at eventlog {eventlog} offset {ack.Offset}, which holds {(id ?? "nothing")}");
            }

            output.WriteLine($"eventlog {eventlog}: {log.Count} events, identical on {string.Join(", ", copies.Keys)}");
        }

        // One writer per partition key: acknowledged order is offset order.
        foreach (var key in acked.GroupBy(a => a.Key))
        {
            var offsets = key.OrderBy(a => a.Sequence).Select(a => a.Offset).ToList();
            Assert.Equal(offsets.Order(), offsets);
        }
    }

    private static async Task<Dictionary<string, List<(long Offset, string Id)>>> ConvergedCopiesAsync(HttpClient http, int eventlog)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var copies = new Dictionary<string, List<(long Offset, string Id)>>();
            foreach (var replica in new[] { "n1", "n2", "n3" })
            {
                var events = new List<(long, string)>();
                while (true)
                {
                    var page = (await Api.GetJsonAsync(http, $"{Api.Buses}/{Bus}/events?eventlog={eventlog}&offset={events.Count}&count=1000&replica={replica}")).AsArray();
                    if (page.Count == 0)
                    {
                        break;
                    }

                    events.AddRange(page.Select(e => ((long)e!["xvanusoffset"]!, (string)e["id"]!)));
                }

                copies[replica] = events;
            }

            var first = copies.Values.First();
            if (copies.Values.All(c => c.SequenceEqual(first)))
            {
                return copies;
            }

            Assert.True(deadline.Elapsed < Generous, $"the replicas of eventlog {eventlog} differ after {Generous.TotalSeconds} s: {string.Join(", ", copies.Select(c => $"{c.Key} holds {c.Value.Count}"))}");
            await Task.Delay(200);
        }
    }

    private static TimeSpan Median(IEnumerable<TimeSpan> times)
    {
        var sorted = times.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    /// <summary>Producers on their own connections, each with a partition key of its own and ids never sent twice.</summary>
    private sealed class ProducerSet
    {
        private readonly CancellationTokenSource _stop = new();
        private long _sequence;

        public volatile Uri[] Endpoints = [];

        public ConcurrentQueue<Ack> Acknowledged { get; } = new();

        public ConcurrentQueue<string> Sent { get; } = new();

        public int Indeterminate;

        public int Refused;

        public Task StartAsync() => Task.WhenAll(Enumerable.Range(0, Producers).Select(ProduceAsync));

        public async Task StopAsync(Task running)
        {
            await _stop.CancelAsync();
            await running;
        }

        public async Task WaitForAcksAsync(int count, TimeSpan patience)
        {
            var target = Acknowledged.Count + count;
            var deadline = Stopwatch.StartNew();
            while (Acknowledged.Count < target)
            {
                Assert.True(deadline.Elapsed < patience, $"fewer than {count} acknowledgements in {patience.TotalSeconds} s ({Summary()})");
                await Task.Delay(50);
            }
        }

        public async Task<TimeSpan> FirstAckAfterAsync(int eventlog, long killedAt, TimeSpan patience)
        {
            while (true)
            {
                if (Acknowledged.Where(a => a.Eventlog == eventlog && a.SentAt > killedAt).Select(a => (long?)a.At).Min() is { } at)
                {
                    return Stopwatch.GetElapsedTime(killedAt, at);
                }

                Assert.True(Stopwatch.GetElapsedTime(killedAt) < patience, $"eventlog {eventlog} acknowledged nothing for {patience.TotalSeconds} s after its leader was killed ({Summary()})");
                await Task.Delay(20);
            }
        }

        public string Summary() => $"{Sent.Count} sent, {Acknowledged.Count} acknowledged, {Indeterminate} indeterminate, {Refused} refused";

        private async Task ProduceAsync(int producer)
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
            var attempt = producer;
            for (var n = 0; n < 100_000 && !_stop.IsCancellationRequested; n++)
            {
                var endpoints = Endpoints;
                var endpoint = endpoints[attempt % endpoints.Length];
                var id = $"p{producer}-{n}";
                var key = $"key-{producer}";
                Sent.Enqueue(id);
                var sentAt = Stopwatch.GetTimestamp();
                try
                {
                    using var request = Api.Binary(new Uri(endpoint, "gateway/" + Bus).ToString(), id, $"data {n}", key);
                    using var response = await http.SendAsync(request);
                    var text = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        var placed = JsonNode.Parse(text)!["events"]![0]!;
                        Acknowledged.Enqueue(new Ack(id, key, Interlocked.Increment(ref _sequence), (int)placed["eventlog"]!, (long)placed["offset"]!, sentAt, Stopwatch.GetTimestamp(), endpoint));
                        continue;
                    }

                    // 503 and the like: the event may or may not be stored; it is never sent again.
                    Interlocked.Increment(ref response.StatusCode == HttpStatusCode.BadRequest ? ref Refused : ref Indeterminate);
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    Interlocked.Increment(ref Indeterminate);
                }

                // The next try goes to another node (this one may be gone), after a short pause.
                attempt++;
                await Task.Delay(50);
            }
        }
    }

    private sealed record Ack(string Id, string Key, long Sequence, int Eventlog, long Offset, long SentAt, long At, Uri Endpoint);
}
