using System.Globalization;
using System.Text;
using Vanus.Client;
using Vanus.Runtime.Events;
using Vanus.Testing.Http;

namespace Vanus.Node.Tests;

/// <summary>
/// The pipeline of DESIGN §3, run both ways against a running node: deployed (the node's trigger runs the graph), and with a
/// C# stage in this process (the same graph, compiled by Operators, fed by a pull subscription). The delay is shortened
/// from 5 minutes to 2 seconds.
/// </summary>
public sealed class DesignExampleTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(2);

    private static Event Order(string id, string type, int amount) =>
        new Event(id, "/shop", type) { DataContentType = "application/json", Data = Encoding.UTF8.GetBytes($$"""{"id":"{{id}}"}""") }
            .WithExtension("amount", AttributeValue.FromInteger(amount));

    // What DESIGN §3 calls Enrich: a C# function only this process can run.
    private static Event Enrich(Event e) => e.WithExtension("enriched", AttributeValue.FromString("by-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture)));

    private static SubscriptionPipeline Example(string bus, string hook) => Pipeline
        .FromEventBus(bus, StartAt.Earliest)
        .Where("type LIKE 'order.%' AND amount > 100")
        .Transform(t => t.Define("id", "$.data.id").Template("{\"order\":\"<id>\"}"))
        .Delay(Delay)
        .To(Sink.Http(hook), Delivery.Retry(maxAttempts: 10).DeadLetter());

    [Fact]
    public async Task The_design_example_runs_deployed_and_in_process_with_a_lambda()
    {
        await using var deployedHook = await Receiver.StartAsync();
        await using var localHook = await Receiver.StartAsync();
        using var client = new VanusClient(fixture.Node.Endpoint);
        var bus = await fixture.NewBusAsync();
        var pipeline = Example(bus, deployedHook.Url);

        // Declarative: runs in the cluster.
        await client.Subscriptions.DeployAsync("orders-hook-" + bus, pipeline);

        // With lambdas: the same pipeline plus a C# stage, run in this process, delivering to its own hook.
        using var stop = new CancellationTokenSource();
        var local = Example(bus, localHook.Url).Select(e => Enrich(e)).RunAsync(client, "orders-local-" + bus, cancellationToken: stop.Token);

        var placed = await client.Events.PublishAsync(bus, [Order("o1", "order.created", 50), Order("o2", "order.created", 500), Order("u1", "user.created", 900), Order("o3", "order.paid", 101)]);
        await deployedHook.WaitForAsync(d => d.Count >= 2, TimeSpan.FromSeconds(60));
        await localHook.WaitForAsync(d => d.Count >= 2, TimeSpan.FromSeconds(60));

        foreach (var (hook, enriched) in new[] { (deployedHook, false), (localHook, true) })
        {
            Assert.Equal(["o2", "o3"], hook.Deliveries.Select(d => d.Id).Order());
            foreach (var delivery in hook.Deliveries)
            {
                Assert.Equal($$"""{"order":"{{delivery.Id}}"}""", delivery.Text);
                var stored = DateTimeOffset.Parse(delivery.Header("ce-xvanusstime")!, CultureInfo.InvariantCulture);
                Assert.True(delivery.At >= stored + Delay, $"{delivery.Id} arrived {(delivery.At - stored).TotalMilliseconds:0} ms after it was stored, before its {Delay.TotalSeconds} s delay");
                Assert.Equal(enriched, delivery.Header("ce-enriched") is not null);
            }
        }

        // The in-process run acknowledged what it delivered: the node's pull subscription holds nothing back.
        await SubscriptionApi.WaitForAsync(fixture.Http, "orders-local-" + bus, s => (long)s["eventlogs"]![0]!["lag"]! == 0);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => local);
        Assert.Equal(4, placed.Count);

        // A pipeline with a C# stage cannot be deployed: the node could not run it.
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => client.Subscriptions.DeployAsync("nope-" + bus, pipeline.Select(e => e)));
        Assert.Contains("RunAsync", refused.Message, StringComparison.Ordinal);
    }
}
