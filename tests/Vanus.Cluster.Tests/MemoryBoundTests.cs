using System.Text;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;
using Vanus.Testing.Http;

namespace Vanus.Cluster.Tests;

/// <summary>Reads and a trigger's read-ahead are bounded in bytes, attributes included: events with big attributes cannot pile up.</summary>
public sealed class MemoryBoundTests : IAsyncLifetime
{
    // 300 events that each carry 100 KB in an attribute and almost no data: 30 MB in all.
    private const int Events = 300;
    private const int AttributeBytes = 100_000;
    private readonly TempFolder _folder = new();
    private IVanusNode _node = null!;

    public async Task InitializeAsync()
    {
        _node = await TestNode.StartAsync(TestNode.Options(_folder.Path) with { TriggerReadAheadBytes = 1 << 20, SegmentSize = 64L << 20 });
        await _node.Broker.CreateEventbusAsync("default", new EventbusSpec("heavy"));
        var big = new string('a', AttributeBytes);
        for (var i = 0; i < Events; i += 30)
        {
            await _node.Broker.AppendAsync("default", "heavy", [.. Enumerable.Range(i, 30).Select(n =>
                new Event($"e-{n}", "/tests", "heavy") { Data = Encoding.UTF8.GetBytes("{}") }.WithExtension("blob", AttributeValue.FromString(big)))]);
        }
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task A_read_returns_a_few_megabytes_of_events_whatever_count_is_asked()
    {
        var read = await _node.Broker.ReadAsync("default", "heavy", 0, 0, 1000);

        // The eventlog's read budget is 4 MiB counted with attributes: about 42 of these events, not all 300 (30 MB).
        Assert.InRange(read.Count, 1, 45);
        Assert.Equal(Enumerable.Range(0, read.Count).Select(i => $"e-{i}"), read.Select(r => r.Event.Id));
    }

    [Fact]
    public async Task A_trigger_holds_about_its_read_ahead_bytes_for_a_consumer_that_does_not_pull()
    {
        await _node.Subscriptions.CreateSubscriptionAsync("default", new SubscriptionSpec("idle", "heavy") { Protocol = SinkProtocol.Pull, From = SubscriptionStart.Earliest });

        // Wait until the trigger has read something, then take all it holds ready.
        using var cts = new CancellationTokenSource(TestNode.Patience);
        while ((await _node.Subscriptions.GetSubscriptionAsync("default", "idle", cts.Token))!.Eventlogs[0].Next == 0)
        {
            await Task.Delay(20, cts.Token);
        }

        var held = await _node.Subscriptions.PullAsync("default", "idle", 1000, TimeSpan.Zero, cts.Token);

        // 1 MiB of read-ahead plus the one read that crossed it (4 MiB at most): never the 256 events (25 MB) a count alone
        // allowed. (Pulled events leave the read-ahead, so the trigger reads on once they are handed out.)
        Assert.InRange(held.Count, 1, 60);
    }

    [Fact]
    public async Task Large_events_waiting_on_retries_do_not_stop_the_others_from_being_read()
    {
        // Thirty 200 KB events the sink keeps refusing with 503 (6 MB of retries, six times the 1 MiB read-ahead and more
        // than one 4 MiB read) come first.
        await using var receiver = await Receiver.StartAsync();
        receiver.Respond = r => r.Body.Length > 100_000 ? 503 : 200;
        await _node.Broker.CreateEventbusAsync("default", new EventbusSpec("mixed"));
        var big = Encoding.UTF8.GetBytes(new string('b', 200_000));
        await _node.Broker.AppendAsync("default", "mixed", [.. Enumerable.Range(0, 30).Select(i => new Event($"big-{i}", "/tests", "big") { DataContentType = "text/plain", Data = big })]);
        await _node.Broker.AppendAsync("default", "mixed", [.. Enumerable.Range(0, 50).Select(i => new Event($"small-{i}", "/tests", "small") { DataContentType = "text/plain", Data = "ok"u8.ToArray() })]);
        await _node.Subscriptions.CreateSubscriptionAsync("default", new SubscriptionSpec("mixed-hook", "mixed")
        {
            Sink = receiver.Url,
            From = SubscriptionStart.Earliest,
            Delivery = new DeliveryPolicy { MaxAttempts = 32, Backoff = [TimeSpan.FromSeconds(1)], Timeout = TimeSpan.FromSeconds(5) },
        });

        // The small ones behind them are read and delivered while the big ones still wait on their retries (32 attempts a
        // second apart): none of the big ones has been dead-lettered yet, so nothing but the byte budget held them back.
        // (A first attempt of a big event may reach the receiver after the last small one: deliveries run side by side, so
        // the wait is for both.)
        await receiver.WaitForAsync(d =>
            d.Count(r => r.Id?.StartsWith("small-", StringComparison.Ordinal) == true) == 50 &&
            d.Where(r => r.Id?.StartsWith("big-", StringComparison.Ordinal) == true).Select(r => r.Id).Distinct().Count() == 30, TestNode.Patience);
        var info = await _node.Subscriptions.GetSubscriptionAsync("default", "mixed-hook");
        Assert.Equal(0L, info!.DeadLettered);
    }
}
