using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;

namespace Vanus.Cluster.Tests;

public sealed class BrokerCatalogTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private IEventbusBroker Broker => fixture.Broker;

    [Fact]
    public async Task Default_namespace_exists_and_cannot_be_deleted()
    {
        Assert.True(Broker.IsReady);
        Assert.NotNull(await Broker.GetNamespaceAsync("default"));
        Assert.Contains(await Broker.ListNamespacesAsync(), n => n.Name == "default");

        var ex = await Assert.ThrowsAsync<BrokerException>(() => Broker.DeleteNamespaceAsync("default"));
        Assert.Equal(BrokerErrorKind.Invalid, ex.Kind);
        Assert.Equal("name", ex.Field);
    }

    [Fact]
    public async Task Namespaces_are_created_listed_in_order_read_and_deleted()
    {
        var created = await Broker.CreateNamespaceAsync("ns-b");
        await Broker.CreateNamespaceAsync("ns-a");
        Assert.Equal("ns-b", created.Name);
        Assert.Equal(fixture.Time.GetUtcNow(), created.CreatedAt);

        var names = (await Broker.ListNamespacesAsync()).Select(n => n.Name).ToList();
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.Contains("ns-a", names);
        Assert.Equal(created, await Broker.GetNamespaceAsync("ns-b"));

        Assert.True(await Broker.DeleteNamespaceAsync("ns-b"));
        Assert.Null(await Broker.GetNamespaceAsync("ns-b"));
        Assert.False(await Broker.DeleteNamespaceAsync("ns-b"));
        Assert.True(await Broker.DeleteNamespaceAsync("ns-a"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("bad name")]
    [InlineData("__system")]
    [InlineData("-dash")]
    [InlineData("a/b")]
    public async Task Namespace_with_a_bad_name_is_refused(string name)
    {
        var ex = await Assert.ThrowsAsync<BrokerException>(() => Broker.CreateNamespaceAsync(name));
        Assert.Equal(BrokerErrorKind.Invalid, ex.Kind);
        Assert.Equal("name", ex.Field);
        Assert.Null(await Broker.GetNamespaceAsync(name));
    }

    [Fact]
    public async Task Namespace_that_exists_is_refused()
    {
        await Broker.CreateNamespaceAsync("twice");
        var ex = await Assert.ThrowsAsync<BrokerException>(() => Broker.CreateNamespaceAsync("twice"));
        Assert.Equal(BrokerErrorKind.AlreadyExists, ex.Kind);
        Assert.Equal("name", ex.Field);
    }

    [Fact]
    public async Task Namespace_holding_eventbuses_is_not_deleted()
    {
        await Broker.CreateNamespaceAsync("busy");
        await Broker.CreateEventbusAsync("busy", new EventbusSpec("inside"));

        var ex = await Assert.ThrowsAsync<BrokerException>(() => Broker.DeleteNamespaceAsync("busy"));
        Assert.Equal(BrokerErrorKind.Invalid, ex.Kind);
        Assert.Contains("inside", ex.Message);
        Assert.NotNull(await Broker.GetNamespaceAsync("busy"));

        Assert.True(await Broker.DeleteEventbusAsync("busy", "inside"));
        Assert.True(await Broker.DeleteNamespaceAsync("busy"));
    }

    [Fact]
    public async Task Eventbus_is_created_with_defaults_and_a_dead_letter_bus()
    {
        var bus = await Broker.CreateEventbusAsync("default", new EventbusSpec("plain"));
        Assert.Equal("default", bus.Namespace);
        Assert.Equal("plain", bus.Name);
        Assert.Equal(SyncPolicy.Interval, bus.Sync);
        Assert.Equal(1, bus.Replicas);
        Assert.Equal(RetentionOptions.Forever, bus.Retention);
        Assert.Equal(fixture.Time.GetUtcNow(), bus.CreatedAt);
        Assert.Equal("__dl_plain", bus.DeadLetterBus);
        Assert.Equal([new EventlogInfo(0, 0, 0)], bus.Eventlogs);

        var deadLetter = await Broker.GetEventbusAsync("default", "__dl_plain");
        Assert.NotNull(deadLetter);
        Assert.Null(deadLetter.DeadLetterBus);
        Assert.Single(deadLetter.Eventlogs);

        // Listed are the user's buses; a dead-letter bus is reached through its bus.
        var listed = await Broker.ListEventbusesAsync("default");
        Assert.Contains(listed, b => b.Name == "plain");
        Assert.DoesNotContain(listed, b => b.Name == "__dl_plain");
        Assert.Equal(bus, listed.Single(b => b.Name == "plain") with { Eventlogs = bus.Eventlogs });
        Assert.Equal(bus.Eventlogs, listed.Single(b => b.Name == "plain").Eventlogs);

        Assert.True(await Broker.DeleteEventbusAsync("default", "plain"));
        Assert.Null(await Broker.GetEventbusAsync("default", "plain"));
        Assert.Null(await Broker.GetEventbusAsync("default", "__dl_plain"));
        Assert.False(await Broker.DeleteEventbusAsync("default", "plain"));
    }

    [Fact]
    public async Task Eventbus_keeps_what_it_was_created_with()
    {
        await Broker.CreateNamespaceAsync("specs");
        var retention = new RetentionOptions { MaxAge = TimeSpan.FromDays(7), MaxBytes = 10_000_000_000 };
        await Broker.CreateEventbusAsync("specs", new EventbusSpec("zeta") { Eventlogs = 3, Sync = SyncPolicy.Always, Retention = retention });
        await Broker.CreateEventbusAsync("specs", new EventbusSpec("alpha") { Sync = SyncPolicy.Interval });

        // "none" relies on replicas: a bus of one copy is refused it.
        var none = await Assert.ThrowsAsync<BrokerException>(() => Broker.CreateEventbusAsync("specs", new EventbusSpec("unsynced") { Sync = SyncPolicy.None }));
        Assert.Equal("sync", none.Field);

        var listed = await Broker.ListEventbusesAsync("specs");
        Assert.Equal(["alpha", "zeta"], listed.Select(b => b.Name));
        var zeta = listed[1];
        Assert.Equal(SyncPolicy.Always, zeta.Sync);
        Assert.Equal(retention, zeta.Retention);
        Assert.Equal([0, 1, 2], zeta.Eventlogs.Select(e => e.Id));
        Assert.Equal(SyncPolicy.Interval, listed[0].Sync);
    }

    public static TheoryData<string, int, int, int?, string> RefusedSpecs() => new()
    {
        { "", 1, 1, null, "name" },
        { "bad name", 1, 1, null, "name" },
        { "__dl_sneaky", 1, 1, null, "name" },
        { "zero-logs", 0, 1, null, "eventlogs" },
        { "too-many-logs", 65, 1, null, "eventlogs" },
        { "no-replica", 1, 0, null, "replicas" },
        { "two-replicas", 1, 2, null, "replicas" },
        { "negative-age", 1, 1, -1, "retention.age" },
    };

    [Theory]
    [MemberData(nameof(RefusedSpecs))]
    public async Task Eventbus_spec_that_breaks_a_rule_is_refused_naming_the_field(string name, int eventlogs, int replicas, int? retentionDays, string field)
    {
        var spec = new EventbusSpec(name)
        {
            Eventlogs = eventlogs,
            Replicas = replicas,
            Retention = retentionDays is { } days ? new RetentionOptions { MaxAge = TimeSpan.FromDays(days) } : RetentionOptions.Forever,
        };
        var ex = await Assert.ThrowsAsync<BrokerException>(() => Broker.CreateEventbusAsync("default", spec));
        Assert.Equal(BrokerErrorKind.Invalid, ex.Kind);
        Assert.Equal(field, ex.Field);
        Assert.DoesNotContain(await Broker.ListEventbusesAsync("default"), b => b.Name == name);
    }

    [Fact]
    public async Task More_replicas_than_cluster_members_says_how_many_members_there_are()
    {
        var ex = await Assert.ThrowsAsync<BrokerException>(() => Broker.CreateEventbusAsync("default", new EventbusSpec("r3") { Replicas = 3 }));
        Assert.Contains("the cluster has 1", ex.Message);
    }

    [Fact]
    public async Task Unknown_sync_policy_is_refused()
    {
        var ex = await Assert.ThrowsAsync<BrokerException>(() => Broker.CreateEventbusAsync("default", new EventbusSpec("sync") { Sync = (SyncPolicy)9 }));
        Assert.Equal(BrokerErrorKind.Invalid, ex.Kind);
        Assert.Equal("sync", ex.Field);
    }

    [Fact]
    public async Task Eventbus_that_exists_is_refused()
    {
        await Broker.CreateEventbusAsync("default", new EventbusSpec("dup"));
        var ex = await Assert.ThrowsAsync<BrokerException>(() => Broker.CreateEventbusAsync("default", new EventbusSpec("dup") { Eventlogs = 2 }));
        Assert.Equal(BrokerErrorKind.AlreadyExists, ex.Kind);
        Assert.Equal("name", ex.Field);
        Assert.Single((await Broker.GetEventbusAsync("default", "dup"))!.Eventlogs);
    }

    [Fact]
    public async Task Unknown_namespace_is_not_found_for_every_eventbus_call()
    {
        async Task NotFound(Func<Task> call)
        {
            var ex = await Assert.ThrowsAsync<BrokerException>(call);
            Assert.Equal(BrokerErrorKind.NotFound, ex.Kind);
            Assert.Equal("namespace", ex.Field);
        }

        await NotFound(() => Broker.CreateEventbusAsync("nowhere", new EventbusSpec("x")));
        await NotFound(() => Broker.ListEventbusesAsync("nowhere"));
        await NotFound(() => Broker.GetEventbusAsync("nowhere", "x"));
        await NotFound(() => Broker.DeleteEventbusAsync("nowhere", "x"));
        await NotFound(async () => await Broker.AppendAsync("nowhere", "x", [new Event("1", "/s", "t")]));
    }

    [Fact]
    public async Task Unknown_eventbus_is_null_or_false_or_not_found()
    {
        Assert.Null(await Broker.GetEventbusAsync("default", "ghost"));
        Assert.False(await Broker.DeleteEventbusAsync("default", "ghost"));
        var ex = await Assert.ThrowsAsync<BrokerException>(async () => await Broker.AppendAsync("default", "ghost", [new Event("1", "/s", "t")]));
        Assert.Equal(BrokerErrorKind.NotFound, ex.Kind);
        Assert.Equal("eventbus", ex.Field);
        ex = await Assert.ThrowsAsync<BrokerException>(() => Broker.ReadAsync("default", "ghost", 0, 0, 1));
        Assert.Equal(BrokerErrorKind.NotFound, ex.Kind);
    }

    [Fact]
    public async Task Dead_letter_bus_goes_only_with_its_bus()
    {
        await Broker.CreateEventbusAsync("default", new EventbusSpec("owner"));
        var ex = await Assert.ThrowsAsync<BrokerException>(() => Broker.DeleteEventbusAsync("default", "__dl_owner"));
        Assert.Equal(BrokerErrorKind.Invalid, ex.Kind);
        Assert.Equal("name", ex.Field);
        Assert.Contains("owner", ex.Message);
        Assert.NotNull(await Broker.GetEventbusAsync("default", "__dl_owner"));
    }

    [Fact]
    public async Task Deleted_then_recreated_bus_is_empty_and_its_storage_is_gone()
    {
        var eventlogs = Path.Combine(fixture.DataDirectory, "eventlogs");
        var before = Directory.GetDirectories(eventlogs).Length;

        await Broker.CreateEventbusAsync("default", new EventbusSpec("phoenix") { Eventlogs = 2 });
        Assert.Equal(before + 2, Directory.GetDirectories(eventlogs).Length);
        await Broker.AppendAsync("default", "phoenix", [.. Enumerable.Range(0, 6).Select(i => new Event($"e{i}", "/s", "t"))]);
        await Broker.AppendAsync("default", "__dl_phoenix", [new Event("dead", "/s", "t")]);
        Assert.Equal(6, (await Broker.GetEventbusAsync("default", "phoenix"))!.Eventlogs.Sum(e => e.Next));

        Assert.True(await Broker.DeleteEventbusAsync("default", "phoenix"));
        Assert.Equal(before, Directory.GetDirectories(eventlogs).Length);

        var again = await Broker.CreateEventbusAsync("default", new EventbusSpec("phoenix") { Eventlogs = 2 });
        Assert.All(again.Eventlogs, e => Assert.Equal((0, 0), (e.Earliest, e.Next)));
        var fetched = await Broker.GetEventbusAsync("default", "phoenix");
        Assert.All(fetched!.Eventlogs, e => Assert.Equal(0, e.Next));
        Assert.Empty(await Broker.ReadAsync("default", "phoenix", 0, 0, 10));
        Assert.Empty(await Broker.ReadAsync("default", "phoenix", 1, 0, 10));
        Assert.Empty(await Broker.ReadAsync("default", "__dl_phoenix", 0, 0, 10));
    }
}
