using Microsoft.Extensions.Time.Testing;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;

namespace Vanus.Cluster.Tests.Schedules;

/// <summary>Schedules on a real node with a fake clock: occurrences fire when the clock reaches them, never before, once each.</summary>
public sealed class ScheduleTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 16, 0, 0, TimeSpan.Zero);
    private static readonly Event Template = new Event("ignored", "/scheduler", "cron.tick") { Subject = "billing" }
        .WithTextData("""{"job":"invoice"}""", "application/json")
        .WithExtension("team", AttributeValue.FromString("payments"));

    private readonly TempFolder _folder = new();
    private FakeTimeProvider _time = new(Start);
    private IVanusNode _node = null!;

    private IScheduleBroker Schedules => _node.Schedules;

    public async Task InitializeAsync() => await StartNodeAsync();

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task An_interval_schedule_fires_at_each_occurrence_and_not_before()
    {
        await _node.Broker.CreateEventbusAsync("default", new EventbusSpec("pulses"));
        var created = await Schedules.CreateScheduleAsync("default", new ScheduleSpec("pulse", "pulses", Template) { Interval = TimeSpan.FromSeconds(30) });
        Assert.Equal((Start, ScheduleState.Active, Start.AddSeconds(30), (DateTimeOffset?)null, 0L), (created.CreatedAt, created.State, created.NextOccurrence, created.LastFired, created.Fired));

        for (var i = 1; i <= 3; i++)
        {
            var due = Start.AddSeconds(30 * i);
            await MoveClockToAsync(due - TimeSpan.FromMilliseconds(1), "pulse");
            Assert.Equal(i - 1, (await ReadAllAsync("pulses")).Count);

            _time.SetUtcNow(due);
            var records = await WaitForEventsAsync("pulses", i);
            Assert.Equal(due, records[^1].Event.Time);
        }

        var all = await ReadAllAsync("pulses");
        AssertEmittedOnTime(all, "pulse");
        var first = all[0].Event;
        Assert.Equal("pulse-20261127T160030000Z", first.Id);
        Assert.Equal(("/scheduler", "cron.tick", "billing", """{"job":"invoice"}"""), (first.Source, first.Type, first.Subject, first.DataText));
        Assert.True(first.Extensions.TryGet("team", out var team) && team.AsText == "payments");

        var info = (await Schedules.GetScheduleAsync("default", "pulse"))!;
        Assert.Equal((3L, (DateTimeOffset?)Start.AddSeconds(90), (DateTimeOffset?)Start.AddSeconds(120), 0L), (info.Fired, info.LastFired, info.NextOccurrence, info.Missed));
        Assert.Null(info.LastError);
    }

    [Fact]
    public async Task A_cron_schedule_fires_on_its_minutes_and_a_six_field_one_on_its_seconds()
    {
        await _node.Broker.CreateEventbusAsync("default", new EventbusSpec("crons"));
        await Schedules.CreateScheduleAsync("default", new ScheduleSpec("every5m", "crons", Template) { Cron = "*/5 * * * *" });
        await Schedules.CreateScheduleAsync("default", new ScheduleSpec("every20s", "crons", Template) { Cron = "*/20 * * * * *" });

        // 16:00:00 itself is the creation time, not after it: the first occurrences are 16:00:20 and 16:05:00.
        for (var second = 20; second <= 300; second += 20)
        {
            var due = Start.AddSeconds(second);
            await MoveClockToAsync(due - TimeSpan.FromMilliseconds(1), "every20s");
            _time.SetUtcNow(due);
            await WaitForEventsAsync("crons", (second / 20) + (second == 300 ? 1 : 0));
        }

        var all = await ReadAllAsync("crons");
        AssertEmittedOnTime(all, "every20s");
        AssertEmittedOnTime(all, "every5m");
        Assert.Equal(Enumerable.Range(1, 15).Select(i => (DateTimeOffset?)Start.AddSeconds(20 * i)), Of(all, "every20s").Select(e => e.Time));
        Assert.Equal([(DateTimeOffset?)Start.AddMinutes(5)], Of(all, "every5m").Select(e => e.Time));
    }

    [Fact]
    public async Task A_cron_in_New_York_fires_at_the_right_instants_across_the_daylight_saving_change()
    {
        await RestartNodeAsync(new FakeTimeProvider(new DateTimeOffset(2027, 3, 13, 12, 0, 0, TimeSpan.Zero)), keepData: false);
        await _node.Broker.CreateEventbusAsync("default", new EventbusSpec("morning"));
        await Schedules.CreateScheduleAsync("default", new ScheduleSpec("nine", "morning", Template) { Cron = "0 9 * * *", TimeZone = "America/New_York" });
        await Schedules.CreateScheduleAsync("default", new ScheduleSpec("half-two", "morning", Template) { Cron = "30 2 * * *", TimeZone = "America/New_York" });

        // 09:00 EST is 14:00Z; from 2027-03-14 it is 09:00 EDT, 13:00Z. 02:30 does not exist on the 14th: it fires at 03:00 EDT.
        DateTimeOffset[] expected =
        [
            new(2027, 3, 13, 14, 0, 0, TimeSpan.Zero),
            new(2027, 3, 14, 7, 0, 0, TimeSpan.Zero),
            new(2027, 3, 14, 13, 0, 0, TimeSpan.Zero),
            new(2027, 3, 15, 6, 30, 0, TimeSpan.Zero),
            new(2027, 3, 15, 13, 0, 0, TimeSpan.Zero),
        ];
        for (var i = 0; i < expected.Length; i++)
        {
            await MoveClockToAsync(expected[i] - TimeSpan.FromMilliseconds(1), "nine");
            Assert.Equal(i, (await ReadAllAsync("morning")).Count);
            _time.SetUtcNow(expected[i]);
            await WaitForEventsAsync("morning", i + 1);
        }

        var all = await ReadAllAsync("morning");
        AssertEmittedOnTime(all, "nine");
        AssertEmittedOnTime(all, "half-two");
        Assert.Equal([expected[0], expected[2], expected[4]], Of(all, "nine").Select(e => e.Time!.Value));
        Assert.Equal([expected[1], expected[3]], Of(all, "half-two").Select(e => e.Time!.Value));
    }

    [Fact]
    public async Task A_restart_does_not_fire_an_occurrence_twice()
    {
        await _node.Broker.CreateEventbusAsync("default", new EventbusSpec("restarts"));
        await Schedules.CreateScheduleAsync("default", new ScheduleSpec("pulse", "restarts", Template) { Interval = TimeSpan.FromSeconds(10) });
        _time.Advance(TimeSpan.FromSeconds(10));
        await WaitForEventsAsync("restarts", 1);
        _time.Advance(TimeSpan.FromSeconds(10));
        await WaitForEventsAsync("restarts", 2);

        await RestartNodeAsync(_time, keepData: true);
        var info = (await Schedules.GetScheduleAsync("default", "pulse"))!;
        Assert.Equal((2L, (DateTimeOffset?)Start.AddSeconds(20), (DateTimeOffset?)Start.AddSeconds(30)), (info.Fired, info.LastFired, info.NextOccurrence));

        _time.Advance(TimeSpan.FromSeconds(10));
        await WaitForEventsAsync("restarts", 3);
        await MoveClockToAsync(Start.AddSeconds(39), "pulse");

        var all = await ReadAllAsync("restarts");
        Assert.Equal(3, all.Count);
        AssertEmittedOnTime(all, "pulse");
        Assert.All(all, r => Assert.False(r.Event.Extensions.TryGet(ScheduleAttributes.Missed, out _)));
    }

    [Fact]
    public async Task Occurrences_missed_while_the_node_was_down_fire_once_with_their_count()
    {
        await _node.Broker.CreateEventbusAsync("default", new EventbusSpec("downtime"));
        await Schedules.CreateScheduleAsync("default", new ScheduleSpec("pulse", "downtime", Template) { Interval = TimeSpan.FromSeconds(10) });
        _time.Advance(TimeSpan.FromSeconds(10));
        await WaitForEventsAsync("downtime", 1);

        // Down from 16:00:10 to 16:00:45: the occurrences at 20, 30 and 40 s pass.
        await _node.StopAsync();
        _time.Advance(TimeSpan.FromSeconds(35));
        await RestartNodeAsync(_time, keepData: true);
        var records = await WaitForEventsAsync("downtime", 2);
        var late = records[1].Event;
        Assert.Equal(Start.AddSeconds(40), late.Time);
        Assert.True(late.Extensions.TryGet(ScheduleAttributes.Missed, out var missed) && missed.AsInteger == 3);

        _time.Advance(TimeSpan.FromSeconds(5));
        records = await WaitForEventsAsync("downtime", 3);
        Assert.Equal(Start.AddSeconds(50), records[2].Event.Time);
        Assert.False(records[2].Event.Extensions.TryGet(ScheduleAttributes.Missed, out _));
        AssertEmittedOnTime(records, "pulse");

        var info = (await Schedules.GetScheduleAsync("default", "pulse"))!;
        Assert.Equal((3L, 3L), (info.Fired, info.Missed));
    }

    [Fact]
    public async Task A_deleted_schedule_stops_firing_and_its_bus_can_then_be_deleted()
    {
        await _node.Broker.CreateEventbusAsync("default", new EventbusSpec("deletes"));
        await _node.Broker.CreateEventbusAsync("default", new EventbusSpec("markers"));
        await Schedules.CreateScheduleAsync("default", new ScheduleSpec("doomed", "deletes", Template) { Interval = TimeSpan.FromSeconds(10) });
        await Schedules.CreateScheduleAsync("default", new ScheduleSpec("marker", "markers", Template) { Interval = TimeSpan.FromSeconds(10) });
        _time.Advance(TimeSpan.FromSeconds(10));
        await WaitForEventsAsync("deletes", 1);

        var refused = await Assert.ThrowsAsync<BrokerException>(() => _node.Broker.DeleteEventbusAsync("default", "deletes"));
        Assert.Equal((BrokerErrorKind.Invalid, "name"), (refused.Kind, refused.Field));
        Assert.Contains("schedules (doomed)", refused.Message, StringComparison.Ordinal);

        Assert.True(await Schedules.DeleteScheduleAsync("default", "doomed"));
        Assert.False(await Schedules.DeleteScheduleAsync("default", "doomed"));
        Assert.Null(await Schedules.GetScheduleAsync("default", "doomed"));
        Assert.Equal(["marker"], (await Schedules.ListSchedulesAsync("default")).Select(s => s.Spec.Name));

        // The marker, on the same clock, shows the node went through three more occurrences; the deleted one fired none.
        for (var i = 2; i <= 4; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(10));
            await WaitForEventsAsync("markers", i);
        }

        Assert.Single(await ReadAllAsync("deletes"));
        Assert.True(await _node.Broker.DeleteEventbusAsync("default", "deletes"));
    }

    [Fact]
    public async Task Bad_schedules_are_refused_by_field()
    {
        await _node.Broker.CreateEventbusAsync("default", new EventbusSpec("targets"));
        var good = new ScheduleSpec("ok", "targets", Template) { Cron = "*/5 * * * *" };
        async Task<BrokerException> Refused(ScheduleSpec spec, string ns = "default") =>
            await Assert.ThrowsAsync<BrokerException>(() => Schedules.CreateScheduleAsync(ns, spec));
        async Task Invalid(ScheduleSpec spec, string field, string text)
        {
            var e = await Refused(spec);
            Assert.Equal((BrokerErrorKind.Invalid, field), (e.Kind, e.Field));
            Assert.Contains(text, e.Message, StringComparison.Ordinal);
        }

        await Invalid(good with { Cron = "*/5 * * *" }, "cron", "expected 5 fields");
        await Invalid(good with { Cron = "*/5 * * * * * *" }, "cron", "got 7");
        await Invalid(good with { Cron = "*/5 25 * * *" }, "cron", "is not a valid cron expression");
        await Invalid(good with { TimeZone = "Atlantis/Capital" }, "timezone", "is not a time zone this node knows");
        await Invalid(good with { Interval = TimeSpan.FromMinutes(1) }, "interval", "cannot be given with cron");
        await Invalid(good with { Cron = null }, "cron", "or interval is required");
        await Invalid(good with { Cron = null, Interval = TimeSpan.FromMilliseconds(500) }, "interval", "from 1 second");
        await Invalid(good with { Name = "no spaces" }, "name", "only letters, digits");
        await Invalid(good with { Event = Template.WithExtension("xvanusdeliverytime", AttributeValue.FromString("2030-01-01T00:00:00Z")) }, "event.xvanusdeliverytime", "is reserved");
        await Invalid(good with { Eventbus = "__dl_targets" }, "eventbus", "reserved for system buses");

        var missingBus = await Refused(good with { Eventbus = "nowhere" });
        Assert.Equal((BrokerErrorKind.NotFound, "eventbus"), (missingBus.Kind, missingBus.Field));
        var missingNamespace = await Refused(good, "nowhere");
        Assert.Equal((BrokerErrorKind.NotFound, "namespace"), (missingNamespace.Kind, missingNamespace.Field));

        await Schedules.CreateScheduleAsync("default", good);
        var twice = await Refused(good with { Cron = "0 * * * *" });
        Assert.Equal((BrokerErrorKind.AlreadyExists, "name"), (twice.Kind, twice.Field));
        Assert.Equal(["ok"], (await Schedules.ListSchedulesAsync("default")).Select(s => s.Spec.Name));
        await Assert.ThrowsAsync<BrokerException>(() => Schedules.ListSchedulesAsync("nowhere"));
    }

    /// <summary>Moves the clock to <paramref name="time"/> and waits until the schedule has looked at it (its status answers after its timer's tick).</summary>
    private async Task MoveClockToAsync(DateTimeOffset time, string schedule)
    {
        _time.SetUtcNow(time);
        await Schedules.GetScheduleAsync("default", schedule);
    }

    private static IEnumerable<Event> Of(IEnumerable<EventRecord> records, string schedule) =>
        records.Select(r => r.Event).Where(e => e.Extensions.TryGet(ScheduleAttributes.Schedule, out var s) && s.AsText == schedule);

    /// <summary>Each occurrence of <paramref name="schedule"/> once, with its id and time, and stored no earlier than the occurrence.</summary>
    private static void AssertEmittedOnTime(IReadOnlyList<EventRecord> records, string schedule)
    {
        var mine = records.Where(r => r.Event.Extensions.TryGet(ScheduleAttributes.Schedule, out var s) && s.AsText == schedule).ToList();
        Assert.NotEmpty(mine);
        foreach (var record in mine)
        {
            Assert.True(record.Event.Extensions.TryGet(ScheduleAttributes.Time, out var at));
            Assert.Equal(record.Event.Time, at.AsTimestamp);
            Assert.Equal(ScheduleAttributes.EventId(schedule, at.AsTimestamp), record.Event.Id);
            Assert.True(record.StoreTime >= at.AsTimestamp, $"{record.Event.Id} was stored at {record.StoreTime:O}, before its occurrence");
        }

        Assert.Equal(mine.Count, mine.Select(r => r.Event.Time).Distinct().Count());
    }

    private async Task<IReadOnlyList<EventRecord>> ReadAllAsync(string bus) => await _node.Broker.ReadAsync("default", bus, 0, 0, 10_000);

    private async Task<IReadOnlyList<EventRecord>> WaitForEventsAsync(string bus, int count)
    {
        using var patience = new CancellationTokenSource(TestNode.Patience);
        while (true)
        {
            var records = await ReadAllAsync(bus);
            if (records.Count >= count)
            {
                Assert.Equal(count, records.Count);
                return records;
            }

            await Task.Delay(10, patience.Token);
        }
    }

    private async Task StartNodeAsync() => _node = await TestNode.StartAsync(TestNode.Options(_folder.Path) with { Time = _time });

    private async Task RestartNodeAsync(FakeTimeProvider time, bool keepData)
    {
        await _node.DisposeAsync();
        if (!keepData)
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries(_folder.Path))
            {
                if (Directory.Exists(entry))
                {
                    Directory.Delete(entry, recursive: true);
                }
                else
                {
                    File.Delete(entry);
                }
            }
        }

        _time = time;
        await StartNodeAsync();
    }
}
