using System.Diagnostics;
using Vanus.Cluster.Broker;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;
using Xunit.Abstractions;

namespace Vanus.Cluster.Tests.Replication;

/// <summary>Three nodes in one process, a bus whose eventlogs have three replicas each: appends through any node, and a leader's node that stops.</summary>
public sealed class ReplicatedEventlogTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_bus_of_three_replicas_takes_appends_through_any_node_and_goes_on_when_a_leaders_node_stops()
    {
        using var folderA = new TempFolder();
        using var folderB = new TempFolder();
        using var folderC = new TempFolder();

        // As in ClusterTests: Akka's own cluster events do not survive serialize-messages; messages between nodes are serialized anyway.
        var a = await TestNode.StartAsync(TestNode.Options(folderA.Path) with { SerializeMessages = false, Name = "a" });
        var b = await TestNode.StartAsync(TestNode.Options(folderB.Path) with { SerializeMessages = false, Name = "b", Seeds = [a.ClusterAddress] });
        var c = await TestNode.StartAsync(TestNode.Options(folderC.Path) with { SerializeMessages = false, Name = "c", Seeds = [a.ClusterAddress] });
        var nodes = new Dictionary<string, IVanusNode> { ["a"] = a, ["b"] = b, ["c"] = c };
        try
        {
            using var patience = new CancellationTokenSource(TestNode.Patience);
            await CreateWhenAllAreUpAsync(b, patience.Token);

            // Appends wait for a leader anyway; waiting here until each eventlog's first leader holds a majority keeps the
            // first batch out of the split votes of three replicas starting at once, on a machine busy with other tests.
            while (!await AllLedAsync(b, patience.Token))
            {
                await Task.Delay(50, patience.Token);
            }

            var first = Enumerable.Range(0, 20).Select(i => new Event($"e{i}", "/s", "t").WithTextData($"data {i}")).ToList();
            var appended = await b.Broker.AppendAsync("default", "replicated", first, patience.Token);
            Assert.Equal(20, appended.Count);

            // The other nodes learn of the bus from the catalog topic.
            var created = ((EventbusBroker)b.Broker).CatalogVersion;
            await ((EventbusBroker)a.Broker).CatalogReachedAsync(created, patience.Token);
            await ((EventbusBroker)c.Broker).CatalogReachedAsync(created, patience.Token);

            // Each eventlog shows its leader, epoch and the three nodes of its replicas.
            var info = (await c.Broker.GetEventbusAsync("default", "replicated", patience.Token))!;
            Assert.Equal(3, info.Replicas);
            foreach (var log in info.Eventlogs)
            {
                Assert.Equal(["a", "b", "c"], log.Replicas!.Order());
                Assert.Contains(log.Leader, log.Replicas!);
                Assert.True(log.Epoch >= 1);
            }

            Assert.Equal(20, info.Eventlogs.Sum(l => l.Next));
            foreach (var placed in appended)
            {
                Assert.Equal(placed.Id, (await a.Broker.GetAsync("default", "replicated", placed.EventId, patience.Token))!.Event.Id);
            }

            // The leader of eventlog 0 stops; another replica takes over and appends go on through the others.
            var leader = info.Eventlogs[0].Leader!;
            var stopWatch = Stopwatch.StartNew();
            await nodes[leader].StopAsync(patience.Token);
            nodes.Remove(leader);
            var survivor = nodes.Values.First();
            var second = Enumerable.Range(20, 10).Select(i => new Event($"e{i}", "/s", "t").WithTextData($"data {i}")).ToList();
            var more = await survivor.Broker.AppendAsync("default", "replicated", second, patience.Token);
            output.WriteLine($"leader {leader} of eventlog 0 stopped; the next append was acknowledged {stopWatch.ElapsedMilliseconds} ms later");
            Assert.Equal(10, more.Count);

            var after = (await survivor.Broker.GetEventbusAsync("default", "replicated", patience.Token))!;
            Assert.NotEqual(leader, after.Eventlogs[0].Leader);
            Assert.True(after.Eventlogs[0].Epoch > info.Eventlogs[0].Epoch);
            var ids = new List<string>();
            foreach (var log in after.Eventlogs)
            {
                var records = await survivor.Broker.ReadAsync("default", "replicated", log.Id, 0, 100, patience.Token);
                Assert.Equal(Enumerable.Range(0, (int)log.Next).Select(i => (long)i), records.Select(r => r.Offset));
                ids.AddRange(records.Select(r => r.Event.Id));
            }

            Assert.Equal(Enumerable.Range(0, 30).Select(i => $"e{i}").Order(), ids.Order());
        }
        finally
        {
            foreach (var node in nodes.Values.Reverse())
            {
                await node.DisposeAsync();
            }
        }
    }

    /// <summary>Creates the bus once all three nodes are members (until then the controller counts fewer and refuses three replicas).</summary>
    private static async Task<bool> AllLedAsync(IVanusNode node, CancellationToken cancellationToken)
    {
        try
        {
            return (await node.Broker.GetEventbusAsync("default", "replicated", cancellationToken))!.Eventlogs.All(l => l.Leader is not null);
        }
        catch (BrokerException e) when (e.Kind == BrokerErrorKind.Unavailable)
        {
            return false;
        }
    }

    private static async Task CreateWhenAllAreUpAsync(IVanusNode node, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await node.Broker.CreateEventbusAsync("default", new EventbusSpec("replicated") { Eventlogs = 2, Replicas = 3, Sync = SyncPolicy.Always }, cancellationToken);
                return;
            }
            catch (BrokerException e) when (e.Field == "replicas")
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }
}
