using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;
using Vanus.Storage;

namespace Vanus.Cluster.Tests;

public sealed class NodeLifecycleTests
{
    private static Event Make(string id, string? key = null)
    {
        var e = new Event(id, "/tests", "test.event").WithTextData($"payload of {id}");
        return key is null ? e : e.WithExtension("partitionkey", AttributeValue.FromString(key));
    }

    [Fact]
    public async Task A_restarted_node_has_its_catalog_and_every_acknowledged_event()
    {
        using var folder = new TempFolder();
        var options = TestNode.Options(folder.Path);
        var acknowledged = new List<(Event Event, AppendedEvent Placed)>();
        var retention = new RetentionOptions { MaxAge = TimeSpan.FromDays(3) };

        await using (var node = await TestNode.StartAsync(options))
        {
            await node.Broker.CreateNamespaceAsync("tenant");
            await node.Broker.CreateEventbusAsync("tenant", new EventbusSpec("orders") { Eventlogs = 3, Sync = SyncPolicy.Always, Retention = retention });
            var first = Enumerable.Range(0, 10).Select(i => Make($"first-{i}", i % 3 == 0 ? $"key-{i}" : null)).ToList();
            acknowledged.AddRange(first.Zip(await node.Broker.AppendAsync("tenant", "orders", first)));

            // Appends in flight when the stop begins still finish, and are kept.
            var inflight = Enumerable.Range(0, 40)
                .Select(i => Make($"late-{i}", $"late-key-{i % 5}"))
                .Select(e => (Event: e, Task: node.Broker.AppendAsync("tenant", "orders", [e]).AsTask()))
                .ToList();
            await node.StopAsync();
            foreach (var (e, task) in inflight)
            {
                acknowledged.Add((e, (await task).Single()));
            }

            Assert.False(node.Broker.IsReady);
        }

        // The graceful stop closed every eventlog cleanly: the bus's, its dead-letter bus's and the node's two timer logs.
        var logs = Directory.GetDirectories(Path.Combine(folder.Path, "eventlogs")).SelectMany(Directory.GetDirectories).ToList();
        Assert.Equal(6, logs.Count);
        Assert.Equal(2, logs.Count(l => Path.GetFileName(Path.GetDirectoryName(l)) == "timers"));
        foreach (var dir in logs)
        {
            await using var log = await EventLog.OpenAsync(new EventLogOptions(dir) { SegmentSize = options.SegmentSize });
            Assert.True(log.Recovery.WasClean, $"{dir} was not closed cleanly");
        }

        await using (var node = await TestNode.StartAsync(options))
        {
            Assert.Equal(["default", "tenant"], (await node.Broker.ListNamespacesAsync()).Select(n => n.Name));
            var bus = await node.Broker.GetEventbusAsync("tenant", "orders");
            Assert.NotNull(bus);
            Assert.Equal(SyncPolicy.Always, bus.Sync);
            Assert.Equal(retention, bus.Retention);
            Assert.Equal("__dl_orders", bus.DeadLetterBus);
            Assert.NotNull(await node.Broker.GetEventbusAsync("tenant", "__dl_orders"));

            for (var log = 0; log < 3; log++)
            {
                var expected = acknowledged.Where(a => a.Placed.Eventlog == log).OrderBy(a => a.Placed.Offset).ToList();
                Assert.Equal(expected.Count, bus.Eventlogs[log].Next);
                var read = await node.Broker.ReadAsync("tenant", "orders", log, 0, 1000);
                Assert.Equal(expected.Select(a => a.Event), read.Select(r => r.Event));
                Assert.Equal(expected.Select(a => a.Placed.Offset), read.Select(r => r.Offset));
            }

            foreach (var (e, placed) in acknowledged)
            {
                Assert.Equal(e, (await node.Broker.GetAsync("tenant", "orders", placed.EventId))!.Event);
            }

            // Appends go on at the next offset of each eventlog.
            var after = await node.Broker.AppendAsync("tenant", "orders", [Make("after", "key-0")]);
            var log0 = EventRouting.EventlogFor("key-0", 3);
            Assert.Equal(bus.Eventlogs[log0].Next, after[0].Offset);
        }
    }

    [Fact]
    public async Task Appends_past_the_pending_bytes_bound_fail_at_once_as_overloaded()
    {
        using var folder = new TempFolder();
        await using var node = await TestNode.StartAsync(TestNode.Options(folder.Path) with { MaxPendingBytes = 64 });
        await node.Broker.CreateEventbusAsync("default", new EventbusSpec("tiny"));

        var big = new Event("big", "/tests", "test.event").WithTextData(new string('x', 1000));
        var ex = await Assert.ThrowsAsync<BrokerException>(async () => await node.Broker.AppendAsync("default", "tiny", [big]));
        Assert.Equal(BrokerErrorKind.Overloaded, ex.Kind);
        Assert.Contains("at most 64", ex.Message);
        Assert.Empty(ex.Stored);
        Assert.Equal(0, (await node.Broker.GetEventbusAsync("default", "tiny"))!.Eventlogs[0].Next);

        // Small enough appends still go through: the bound is on bytes in flight, not a ban.
        var small = await node.Broker.AppendAsync("default", "tiny", [new Event("s", "/t", "t")]);
        Assert.Equal(0, small[0].Offset);
    }

    [Fact]
    public async Task A_stopped_node_is_not_ready_and_refuses_calls()
    {
        using var folder = new TempFolder();
        var node = await TestNode.StartAsync(TestNode.Options(folder.Path));
        Assert.True(node.Broker.IsReady);
        Assert.StartsWith("akka.tcp://vanus@127.0.0.1:", node.ClusterAddress, StringComparison.Ordinal);
        Assert.False(node.ClusterAddress.EndsWith(":0", StringComparison.Ordinal));

        // One folder, one node.
        var second = await Assert.ThrowsAsync<IOException>(() => VanusNode.StartAsync(TestNode.Options(folder.Path)));
        Assert.Contains("in use by another node", second.Message);
        Assert.True(node.Broker.IsReady);

        await node.StopAsync();
        await node.StopAsync();
        Assert.False(node.Broker.IsReady);
        var ex = await Assert.ThrowsAsync<BrokerException>(async () => await node.Broker.AppendAsync("default", "any", [new Event("1", "/s", "t")]));
        Assert.Equal(BrokerErrorKind.Unavailable, ex.Kind);
        ex = await Assert.ThrowsAsync<BrokerException>(() => node.Broker.CreateNamespaceAsync("late"));
        Assert.Equal(BrokerErrorKind.Unavailable, ex.Kind);
        await node.DisposeAsync();
    }

    public static TheoryData<string, Func<NodeOptions, NodeOptions>> BadOptions() => new()
    {
        { "DataDirectory", o => o with { DataDirectory = " " } },
        { "ClusterHost", o => o with { ClusterHost = "" } },
        { "ClusterPort", o => o with { ClusterPort = 70000 } },
        { "Seeds", o => o with { Seeds = ["not an address"] } },
        { "Seeds", o => o with { Seeds = ["akka.tcp://other@127.0.0.1:4053"] } },
        { "SegmentSize", o => o with { SegmentSize = 100 } },
        { "SyncInterval", o => o with { SyncInterval = TimeSpan.Zero } },
        { "MaxPendingBytes", o => o with { MaxPendingBytes = 0 } },
        { "RequestTimeout", o => o with { RequestTimeout = TimeSpan.Zero } },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public async Task Bad_options_are_refused_before_anything_starts(string field, Func<NodeOptions, NodeOptions> spoil)
    {
        using var folder = new TempFolder();
        var ex = await Assert.ThrowsAnyAsync<ArgumentException>(() => VanusNode.StartAsync(spoil(TestNode.Options(folder.Path))));
        Assert.Equal(field, ex.ParamName);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder.Path));
    }

    [Fact]
    public async Task A_failure_after_validation_stores_none_of_the_eventlogs_batch_and_says_why()
    {
        using var folder = new TempFolder();
        await using var node = await TestNode.StartAsync(TestNode.Options(folder.Path));
        await node.Broker.CreateEventbusAsync("default", new EventbusSpec("partial"));

        // The storage engine refuses an event larger than a segment (1 MiB here); the gateway's size limit keeps such
        // events out, so this stands in for any failure after validation.
        var huge = new Event("huge", "/tests", "test.event").WithTextData(new string('x', 2 << 20));
        var ex = await Assert.ThrowsAsync<BrokerException>(async () =>
            await node.Broker.AppendAsync("default", "partial", [Make("ok-0"), Make("ok-1"), huge, Make("never")]));
        Assert.Equal(BrokerErrorKind.Unavailable, ex.Kind);
        Assert.Contains("huge", ex.Message);

        // The events bound for one eventlog go to the log as one batch, placed whole or not at all.
        Assert.Empty(ex.Stored);
        Assert.Empty(await node.Broker.ReadAsync("default", "partial", 0, 0, 10));
        Assert.Equal(0, (await node.Broker.AppendAsync("default", "partial", [Make("after")]))[0].Offset);
    }

    [Fact]
    public async Task The_catalog_survives_a_restart_from_a_snapshot()
    {
        using var folder = new TempFolder();
        var options = TestNode.Options(folder.Path);
        await using (var node = await TestNode.StartAsync(options))
        {
            // 60 catalog events: past the controller's snapshot interval, so recovery starts from a snapshot.
            for (var i = 0; i < 40; i++)
            {
                await node.Broker.CreateNamespaceAsync($"ns-{i:00}");
            }

            for (var i = 0; i < 20; i++)
            {
                await node.Broker.DeleteNamespaceAsync($"ns-{i:00}");
            }

            await node.Broker.CreateEventbusAsync("ns-39", new EventbusSpec("kept") { Eventlogs = 2 });
        }

        await using (var node = await TestNode.StartAsync(options))
        {
            var names = (await node.Broker.ListNamespacesAsync()).Select(n => n.Name).ToList();
            Assert.Equal(["default", .. Enumerable.Range(20, 20).Select(i => $"ns-{i:00}")], names);
            Assert.Equal(2, (await node.Broker.GetEventbusAsync("ns-39", "kept"))!.Eventlogs.Count);
        }
    }
}
