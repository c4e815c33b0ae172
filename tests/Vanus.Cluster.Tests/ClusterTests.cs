using Vanus.Cluster.Broker;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;

namespace Vanus.Cluster.Tests;

public sealed class ClusterTests
{
    [Fact]
    public async Task Two_nodes_form_one_cluster_and_share_the_catalog()
    {
        using var folderA = new TempFolder();
        using var folderB = new TempFolder();

        // Unlike every other test here, these nodes run without serialize-messages: Akka.NET's own cluster events do not
        // survive that local round trip (members lose their up-number, so the nodes disagree on which is oldest and the
        // singletons never settle). The messages between the two nodes cross a real connection, serialized all the same.
        await using var a = await TestNode.StartAsync(TestNode.Options(folderA.Path) with { SerializeMessages = false });
        await using var b = await TestNode.StartAsync(TestNode.Options(folderB.Path) with { SerializeMessages = false, Seeds = [a.ClusterAddress] });

        // B's catalog comes from the controller singleton on A, over the wire.
        var bus = await b.Broker.CreateEventbusAsync("default", new EventbusSpec("shared") { Eventlogs = 4 });
        Assert.Equal(1, bus.Replicas);

        // Replicas come in odd counts (an even one tolerates no more failures than the odd one below it), at most one per node.
        var even = await Assert.ThrowsAsync<BrokerException>(() => b.Broker.CreateEventbusAsync("default", new EventbusSpec("r2") { Replicas = 2 }));
        Assert.Equal("replicas", even.Field);
        Assert.Contains("1, 3 or 5", even.Message);
        var refused = await Assert.ThrowsAsync<BrokerException>(() => b.Broker.CreateEventbusAsync("default", new EventbusSpec("r3") { Replicas = 3 }));
        Assert.Equal("replicas", refused.Field);
        Assert.Contains("the cluster has 2", refused.Message);

        var events = Enumerable.Range(0, 12).Select(i => new Event($"e{i}", "/s", "t").WithTextData($"data {i}")).ToList();
        var appended = await b.Broker.AppendAsync("default", "shared", events);

        // A learns of the bus from the catalog topic, without asking.
        using var patience = new CancellationTokenSource(TestNode.Patience);
        await ((EventbusBroker)a.Broker).CatalogReachedAsync(((EventbusBroker)b.Broker).CatalogVersion, patience.Token);
        var seen = await a.Broker.GetEventbusAsync("default", "shared");
        Assert.NotNull(seen);
        Assert.Equal(12, seen.Eventlogs.Sum(e => e.Next));
        foreach (var placed in appended)
        {
            Assert.Equal(placed.Id, (await a.Broker.GetAsync("default", "shared", placed.EventId))!.Event.Id);
        }

        await b.StopAsync();
        await a.StopAsync();
    }
}
