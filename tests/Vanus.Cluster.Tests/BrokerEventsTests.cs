using System.Text;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;

namespace Vanus.Cluster.Tests;

public sealed class BrokerEventsTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private IEventbusBroker Broker => fixture.Broker;

    private static Event Make(string id, string? key = null, string data = "{}")
    {
        var e = new Event(id, "/tests", "test.event") { DataContentType = "application/json", Data = Encoding.UTF8.GetBytes(data) };
        return key is null ? e : e.WithExtension("partitionkey", AttributeValue.FromString(key));
    }

    [Fact]
    public async Task Appended_events_read_back_in_order_with_their_offsets()
    {
        await Broker.CreateEventbusAsync("default", new EventbusSpec("readback"));
        var events = Enumerable.Range(0, 5).Select(i => Make($"e{i}", data: $"{{\"n\":{i}}}")).ToList();
        var appended = await Broker.AppendAsync("default", "readback", events);

        Assert.Equal(events.Select(e => e.Id), appended.Select(a => a.Id));
        Assert.Equal([0L, 1, 2, 3, 4], appended.Select(a => a.Offset));
        Assert.All(appended, a => Assert.Equal(new EventId(0, a.Offset), a.EventId));

        var read = await Broker.ReadAsync("default", "readback", 0, 0, 100);
        Assert.Equal(events, read.Select(r => r.Event));
        Assert.Equal([0L, 1, 2, 3, 4], read.Select(r => r.Offset));
        Assert.All(read, r => Assert.Equal(("readback", 0, fixture.Time.GetUtcNow()), (r.Eventbus, r.Eventlog, r.StoreTime)));

        var window = await Broker.ReadAsync("default", "readback", 0, 2, 2);
        Assert.Equal(["e2", "e3"], window.Select(r => r.Event.Id));

        var more = await Broker.AppendAsync("default", "readback", [Make("e5")]);
        Assert.Equal(5, more[0].Offset);
        Assert.Equal([new EventlogInfo(0, 0, 6)], (await Broker.GetEventbusAsync("default", "readback"))!.Eventlogs);
    }

    [Fact]
    public async Task An_event_is_found_by_its_event_id()
    {
        await Broker.CreateEventbusAsync("default", new EventbusSpec("byid") { Eventlogs = 3 });
        var appended = await Broker.AppendAsync("default", "byid", [Make("a", "k1"), Make("b", "k2"), Make("c", "k3")]);

        foreach (var (placed, i) in appended.Select((a, i) => (a, i)))
        {
            Assert.True(EventId.TryParse(placed.EventId.ToString(), out var parsed));
            var record = await Broker.GetAsync("default", "byid", parsed);
            Assert.NotNull(record);
            Assert.Equal(placed.Id, record.Event.Id);
            Assert.Equal((placed.Eventlog, placed.Offset), (record.Eventlog, record.Offset));
        }

        Assert.Null(await Broker.GetAsync("default", "byid", new EventId(0, 1000)));
        Assert.Null(await Broker.GetAsync("default", "byid", new EventId(7, 0)));
    }

    [Fact]
    public async Task Reads_refuse_a_bad_eventlog_offset_or_count()
    {
        await Broker.CreateEventbusAsync("default", new EventbusSpec("badreads") { Eventlogs = 2 });
        async Task Refused(Func<Task> read, string field)
        {
            var ex = await Assert.ThrowsAsync<BrokerException>(read);
            Assert.Equal(BrokerErrorKind.Invalid, ex.Kind);
            Assert.Equal(field, ex.Field);
        }

        await Refused(() => Broker.ReadAsync("default", "badreads", 2, 0, 1), "eventlog");
        await Refused(() => Broker.ReadAsync("default", "badreads", -1, 0, 1), "eventlog");
        await Refused(() => Broker.ReadAsync("default", "badreads", 0, -1, 1), "offset");
        await Refused(() => Broker.ReadAsync("default", "badreads", 0, 0, 0), "count");

        // Past the end is not an error: nothing is there yet.
        Assert.Empty(await Broker.ReadAsync("default", "badreads", 0, 10, 5));
    }

    [Fact]
    public async Task Offsets_at_a_time_point_at_the_first_event_stored_then_or_later()
    {
        await Broker.CreateEventbusAsync("default", new EventbusSpec("times") { Eventlogs = 2 });
        var log = EventRouting.EventlogFor("clock", 2);
        var start = fixture.Time.GetUtcNow();
        await Broker.AppendAsync("default", "times", [Make("t0", "clock")]);
        fixture.Time.Advance(TimeSpan.FromMinutes(1));
        var second = fixture.Time.GetUtcNow();
        await Broker.AppendAsync("default", "times", [Make("t1", "clock"), Make("t2", "clock")]);
        fixture.Time.Advance(TimeSpan.FromMinutes(1));

        var expected = new long[2];
        Assert.Equal(expected, await Broker.OffsetsAtAsync("default", "times", start.AddHours(-1)));
        expected[log] = 1;
        Assert.Equal(expected, await Broker.OffsetsAtAsync("default", "times", second));
        Assert.Equal(expected, await Broker.OffsetsAtAsync("default", "times", start.AddSeconds(1)));
        expected[log] = 3;
        Assert.Equal(expected, await Broker.OffsetsAtAsync("default", "times", fixture.Time.GetUtcNow()));

        var stored = await Broker.ReadAsync("default", "times", log, 0, 3);
        Assert.Equal([start, second, second], stored.Select(r => r.StoreTime));
    }

    [Fact]
    public async Task Partition_keys_pick_the_documented_eventlog_every_time()
    {
        await Broker.CreateEventbusAsync("default", new EventbusSpec("keyed") { Eventlogs = 4 });
        var first = await Broker.AppendAsync("default", "keyed", [Make("1", "order-42"), Make("2", "customer-7"), Make("3", "order-42")]);
        var second = await Broker.AppendAsync("default", "keyed", [Make("4", "customer-7"), Make("5", "order-42")]);

        // Pinned in EventRoutingTests: "order-42" → 0 and "customer-7" → 1 of 4 eventlogs.
        Assert.Equal([0, 1, 0], first.Select(a => a.Eventlog));
        Assert.Equal([1, 0], second.Select(a => a.Eventlog));
        Assert.Equal([0L, 0, 1], first.Select(a => a.Offset));
        Assert.Equal([1L, 2], second.Select(a => a.Offset));

        var log0 = await Broker.ReadAsync("default", "keyed", 0, 0, 10);
        Assert.Equal(["1", "3", "5"], log0.Select(r => r.Event.Id));
    }

    [Fact]
    public async Task Events_without_a_key_are_spread_round_robin()
    {
        await Broker.CreateEventbusAsync("default", new EventbusSpec("spread") { Eventlogs = 4 });
        var batch = await Broker.AppendAsync("default", "spread", [.. Enumerable.Range(0, 8).Select(i => Make($"b{i}"))]);
        Assert.Equal(8, batch.Count);
        Assert.All(batch.GroupBy(a => a.Eventlog), g => Assert.Equal(2, g.Count()));

        for (var i = 0; i < 4; i++)
        {
            await Broker.AppendAsync("default", "spread", [Make($"s{i}")]);
        }

        var bus = await Broker.GetEventbusAsync("default", "spread");
        Assert.All(bus!.Eventlogs, e => Assert.Equal(3, e.Next));
    }

    [Fact]
    public async Task A_mixed_batch_answers_in_request_order()
    {
        await Broker.CreateEventbusAsync("default", new EventbusSpec("mixed") { Eventlogs = 3 });
        var events = new[] { Make("m0"), Make("m1", "order-42"), Make("m2"), Make("m3", "customer-7"), Make("m4") };
        var appended = await Broker.AppendAsync("default", "mixed", events);
        Assert.Equal(events.Select(e => e.Id), appended.Select(a => a.Id));
        Assert.Equal(EventRouting.EventlogFor("order-42", 3), appended[1].Eventlog);
        Assert.Equal(EventRouting.EventlogFor("customer-7", 3), appended[3].Eventlog);
        foreach (var placed in appended)
        {
            var record = await Broker.GetAsync("default", "mixed", placed.EventId);
            Assert.Equal(placed.Id, record!.Event.Id);
        }
    }

    [Fact]
    public async Task An_empty_append_stores_nothing()
    {
        await Broker.CreateEventbusAsync("default", new EventbusSpec("empty"));
        Assert.Empty(await Broker.AppendAsync("default", "empty", []));
        Assert.Equal(0, (await Broker.GetEventbusAsync("default", "empty"))!.Eventlogs[0].Next);
    }

    [Fact]
    public async Task The_dead_letter_bus_takes_appends_and_reads()
    {
        await Broker.CreateEventbusAsync("default", new EventbusSpec("withdl") { Eventlogs = 2 });
        var appended = await Broker.AppendAsync("default", "__dl_withdl", [Make("dead-1", "order-42"), Make("dead-2")]);
        Assert.All(appended, a => Assert.Equal(0, a.Eventlog));
        Assert.Equal(["dead-1", "dead-2"], (await Broker.ReadAsync("default", "__dl_withdl", 0, 0, 10)).Select(r => r.Event.Id));
        Assert.All((await Broker.GetEventbusAsync("default", "withdl"))!.Eventlogs, e => Assert.Equal(0, e.Next));
    }

    [Fact]
    public async Task A_record_read_back_carries_the_read_attributes()
    {
        await Broker.CreateEventbusAsync("default", new EventbusSpec("attrs") { Eventlogs = 2 });
        var placed = (await Broker.AppendAsync("default", "attrs", [Make("x", "customer-7")]))[0];
        var record = await Broker.GetAsync("default", "attrs", placed.EventId);
        var delivered = record!.WithReadAttributes();

        Assert.True(delivered.Extensions.TryGet(ReadAttributes.Eventbus, out var bus));
        Assert.Equal("attrs", bus.AsText);
        Assert.True(delivered.Extensions.TryGet(ReadAttributes.Eventlog, out var log));
        Assert.Equal(placed.Eventlog, log.AsInteger);
        Assert.True(delivered.Extensions.TryGet(ReadAttributes.Offset, out var offset));
        Assert.Equal(placed.Offset, offset.AsInteger);
        Assert.True(delivered.Extensions.TryGet(ReadAttributes.StoreTime, out var stime));
        Assert.Equal(Rfc3339.FormatMicroseconds(fixture.Time.GetUtcNow()), stime.AsText);
    }
}
