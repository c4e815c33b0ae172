using System.Collections.Concurrent;
using System.Text;
using Vanus.Client;
using Vanus.Runtime.Events;
using Vanus.Testing.Http;

namespace Vanus.Node.Tests;

/// <summary>The .NET client against a running node: a declarative pipeline deployed and delivering, and an in-process consumer pulling at least once.</summary>
public sealed class ClientTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private static Event Make(string id, string type, int amount) =>
        new Event(id, "/client", type) { DataContentType = "application/json", Data = Encoding.UTF8.GetBytes($$"""{"id":"{{id}}"}""") }
            .WithExtension("amount", AttributeValue.FromInteger(amount));

    [Fact]
    public async Task A_deployed_pipeline_filters_transforms_and_delivers()
    {
        await using var receiver = await Receiver.StartAsync();
        using var client = new VanusClient(fixture.Node.Endpoint);
        var bus = await fixture.NewBusAsync();
        var pipeline = Pipeline
            .FromEventBus(bus, StartAt.Earliest)
            .Where("type LIKE 'order.%' AND amount > 100")
            .Transform(t => t.Define("id", "$.data.id").Template("{\"order\":\"<id>\"}"))
            .To(Sink.Http(receiver.Url), Delivery.Retry(maxAttempts: 5).DeadLetter());
        await client.Subscriptions.DeployAsync("client-" + bus, pipeline);

        await client.Events.PublishAsync(bus, [Make("o1", "order.created", 50), Make("o2", "order.created", 500), Make("u1", "user.created", 900)]);
        await receiver.WaitForAsync(d => d.Count >= 1);
        var delivery = Assert.Single(receiver.Deliveries);
        Assert.Equal("o2", delivery.Id);
        Assert.Equal("""{"order":"o2"}""", delivery.Text);

        // Deploying again replaces the document: now only amounts over 1000 pass.
        await client.Subscriptions.DeployAsync("client-" + bus, Pipeline.FromEventBus(bus).Where("amount > 1000").To(Sink.Http(receiver.Url)));
        await client.Events.PublishAsync(bus, [Make("o3", "order.created", 600), Make("o4", "order.created", 5000)]);
        await receiver.WaitForAsync(d => d.Count >= 2);
        Assert.Equal(["o2", "o4"], receiver.Deliveries.Select(d => d.Id));

        var status = await client.Subscriptions.GetAsync("client-" + bus);
        Assert.Equal(SubscriptionState.Running, status.State);
        Assert.True(await client.Subscriptions.DeleteAsync("client-" + bus));
    }

    [Fact]
    public async Task An_in_process_consumer_gets_every_event_and_a_failed_handler_sees_it_again()
    {
        using var client = new VanusClient(fixture.Node.Endpoint);
        var bus = await fixture.NewBusAsync();
        await client.Events.PublishAsync(bus, [.. Enumerable.Range(0, 20).Select(i => Make($"p{i}", "order.created", i))]);
        var pipeline = Pipeline.FromEventBus(bus, StartAt.Earliest).WithDelivery(Delivery.Default.Timeout(TimeSpan.FromMilliseconds(500)));

        var handled = new ConcurrentDictionary<string, int>();
        var failedOnce = 0;
        using var done = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var consuming = client.Subscriptions.ConsumeAsync("pull-" + bus, pipeline, (e, _) =>
        {
            if (e.Id == "p7" && Interlocked.Exchange(ref failedOnce, 1) == 0)
            {
                throw new InvalidOperationException("first time fails");
            }

            handled.AddOrUpdate(e.Id, 1, (_, n) => n + 1);
            if (handled.Count == 20)
            {
                done.Cancel();
            }

            return ValueTask.CompletedTask;
        }, cancellationToken: done.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => consuming);
        Assert.Equal(20, handled.Count);
        Assert.Equal(1, failedOnce);
    }
}
