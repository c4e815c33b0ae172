using System.Text;
using Microsoft.Extensions.Time.Testing;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;

namespace Vanus.Cluster.Tests.Timers;

/// <summary>The timer service in a node on a fake clock: held events are appended when the test moves time past their due time.</summary>
public sealed class TimerServiceTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 16, 0, 0, TimeSpan.Zero);
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(Start);
    private IVanusNode _node = null!;

    private IEventbusBroker Broker => _node.Broker;

    public async Task InitializeAsync() => _node = await StartAsync();

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _folder.Dispose();
    }

    private Task<IVanusNode> StartAsync() =>
        TestNode.StartAsync(TestNode.Options(_folder.Path) with { Time = _time, TimerHorizon = TimeSpan.FromMinutes(1) });

    private async Task RestartAsync()
    {
        await _node.DisposeAsync();
        _node = await StartAsync();
    }

    private static Event Make(string id, DateTimeOffset? due = null)
    {
        var e = new Event(id, "/tests", "timer.test") { DataContentType = "application/json", Data = Encoding.UTF8.GetBytes($$"""{"id":"{{id}}"}""") };
        return due is { } time ? e.WithExtension(DeliveryTimes.Attribute, AttributeValue.FromString(time.ToString("O"))) : e;
    }

    private async Task<List<EventRecord>> ReadAllAsync(string bus)
    {
        var info = (await Broker.GetEventbusAsync("default", bus))!;
        var all = new List<EventRecord>();
        foreach (var log in info.Eventlogs)
        {
            var offset = log.Earliest;
            while (offset < log.Next)
            {
                var records = await Broker.ReadAsync("default", bus, log.Id, offset, 1000);
                all.AddRange(records);
                offset = records[^1].Offset + 1;
            }
        }

        return all;
    }

    private async Task<List<EventRecord>> WaitForAsync(string bus, int count)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var all = await ReadAllAsync(bus);
            if (all.Count >= count)
            {
                return all;
            }

            await Task.Delay(20, patience.Token);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(20, patience.Token);
        }
    }

    [Fact]
    public async Task A_delayed_event_is_held_and_appended_when_due_never_before()
    {
        await Broker.CreateEventbusAsync("default", new EventbusSpec("later"));
        var now = _time.GetUtcNow();
        var appended = await Broker.AppendAsync("default", "later", [Make("a", now.AddSeconds(5)), Make("b", now.AddSeconds(10).AddMilliseconds(3))]);

        Assert.All(appended, a => Assert.True(a.IsHeld));
        Assert.Equal(now.AddSeconds(5), appended[0].DeliveryTime);
        Assert.Equal(-1, appended[0].Offset);
        Assert.Empty(await ReadAllAsync("later"));
        await WaitUntilAsync(() => _node.Timers.Stats is { Ready: true, InMemory: 2 });

        _time.Advance(TimeSpan.FromSeconds(5));
        var first = await WaitForAsync("later", 1);

        // The same actor fired "a" at +5 s: "b", due later, was not due then.
        Assert.Equal(["a"], first.Select(r => r.Event.Id));
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Single(await ReadAllAsync("later"));
        _time.Advance(TimeSpan.FromMilliseconds(3));
        var all = await WaitForAsync("later", 2);

        Assert.Equal(["a", "b"], all.Select(r => r.Event.Id));
        foreach (var record in all)
        {
            var due = DateTimeOffset.Parse(record.Event.Extensions.TryGet(DeliveryTimes.Attribute, out var v) ? v.ToString()! : throw new InvalidOperationException("no delivery time"), System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(record.StoreTime >= due, $"{record.Event.Id} stored at {record.StoreTime:O}, before its due time {due:O}");
            Assert.True(record.Event.Extensions.TryGet("xvanustimer", out _));
            Assert.False(record.Event.Extensions.TryGet("xvanustimertarget", out _));
        }

        await WaitUntilAsync(() => _node.Timers.Stats is { Pending: 0, Fired: 2 });
    }

    [Fact]
    public async Task A_past_delivery_time_is_appended_at_once_and_a_batch_may_mix_both()
    {
        await Broker.CreateEventbusAsync("default", new EventbusSpec("mixed") { Eventlogs = 2 });
        var now = _time.GetUtcNow();
        var appended = await Broker.AppendAsync("default", "mixed", [Make("past", now.AddSeconds(-1)), Make("held", now.AddMinutes(1)), Make("plain")]);

        Assert.False(appended[0].IsHeld);
        Assert.True(appended[1].IsHeld);
        Assert.False(appended[2].IsHeld);
        Assert.Equal(["held", "past", "plain"], appended.Select(a => a.Id).Order());
        Assert.Equal(["past", "plain"], (await ReadAllAsync("mixed")).Select(r => r.Event.Id).Order());

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(["held", "past", "plain"], (await WaitForAsync("mixed", 3)).Select(r => r.Event.Id).Order());
    }

    [Fact]
    public async Task A_delivery_time_that_is_not_a_timestamp_is_refused_and_nothing_is_stored()
    {
        await Broker.CreateEventbusAsync("default", new EventbusSpec("bad"));
        var bad = Make("x").WithExtension(DeliveryTimes.Attribute, AttributeValue.FromString("tomorrow"));

        var ex = await Assert.ThrowsAsync<BrokerException>(async () => await Broker.AppendAsync("default", "bad", [Make("ok"), bad]));

        Assert.Equal(BrokerErrorKind.Invalid, ex.Kind);
        Assert.Equal(DeliveryTimes.Attribute, ex.Field);
        Assert.Contains("event [1]", ex.Message, StringComparison.Ordinal);
        Assert.Contains("tomorrow", ex.Message, StringComparison.Ordinal);
        Assert.Empty(await ReadAllAsync("bad"));
        Assert.Equal(0, _node.Timers.Stats.Pending);
    }

    [Fact]
    public async Task Timers_pending_at_a_stop_fire_once_after_the_restart()
    {
        await Broker.CreateEventbusAsync("default", new EventbusSpec("restart") { Eventlogs = 2 });
        var now = _time.GetUtcNow();
        var random = new Random(7);
        var events = Enumerable.Range(0, 2000).Select(i => Make($"e{i}", now.AddMilliseconds(1 + random.Next(60_000)))).ToList();
        await Broker.AppendAsync("default", "restart", events);
        await WaitUntilAsync(() => _node.Timers.Stats is { Ready: true, Pending: 2000 });

        // Half fire before the stop.
        _time.Advance(TimeSpan.FromSeconds(30));
        await WaitUntilAsync(() => _node.Timers.Stats.Fired >= events.Count(e => Due(e) <= _time.GetUtcNow()));
        await RestartAsync();
        await WaitUntilAsync(() => _node.Timers.Stats.Ready);
        Assert.Equal(2000, _node.Timers.Stats.Pending + _node.Timers.Stats.Fired);

        _time.Advance(TimeSpan.FromSeconds(31));
        var all = await WaitForAsync("restart", 2000);
        await WaitUntilAsync(() => _node.Timers.Stats is { Pending: 0, Fired: 2000 });

        Assert.Equal(2000, (await ReadAllAsync("restart")).Count);
        Assert.Equal(2000, all.Select(r => r.Event.Id).Distinct().Count());
        Assert.All(all, r => Assert.True(r.StoreTime >= Due(r.Event)));
    }

    [Fact]
    public async Task Timers_beyond_the_horizon_stay_on_disk_until_their_window_comes_near()
    {
        await Broker.CreateEventbusAsync("default", new EventbusSpec("far"));
        var now = _time.GetUtcNow();
        await Broker.AppendAsync("default", "far", [Make("near", now.AddSeconds(30)), Make("far1", now.AddMinutes(10)), Make("far2", now.AddDays(3))]);
        await WaitUntilAsync(() => _node.Timers.Stats is { Pending: 3, InMemory: 1 });

        // Far timers survive a restart as counts on disk, not entries in memory.
        await RestartAsync();
        await WaitUntilAsync(() => _node.Timers.Stats is { Ready: true, Pending: 3, InMemory: 1 });

        _time.Advance(TimeSpan.FromMinutes(9.5));
        await WaitForAsync("far", 1);
        await WaitUntilAsync(() => _node.Timers.Stats is { Pending: 2, InMemory: 1 });
        _time.Advance(TimeSpan.FromMinutes(0.5));
        Assert.Equal(["far1", "near"], (await WaitForAsync("far", 2)).Select(r => r.Event.Id).Order());

        _time.Advance(TimeSpan.FromDays(3));
        await WaitUntilAsync(() => _node.Timers.Stats.InMemory == 1 || _node.Timers.Stats.Pending == 0);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(["far1", "far2", "near"], (await WaitForAsync("far", 3)).Select(r => r.Event.Id).Order());
    }

    [Fact]
    public async Task Timers_of_a_deleted_bus_are_dropped_and_counted()
    {
        await Broker.CreateEventbusAsync("default", new EventbusSpec("gone"));
        var now = _time.GetUtcNow();
        await Broker.AppendAsync("default", "gone", [Make("x", now.AddSeconds(5)), Make("y", now.AddSeconds(5))]);
        await Broker.DeleteEventbusAsync("default", "gone");

        // A new bus of the same name is another bus: the old one's timers do not go there.
        await Broker.CreateEventbusAsync("default", new EventbusSpec("gone"));
        _time.Advance(TimeSpan.FromSeconds(5));

        await WaitUntilAsync(() => _node.Timers.Stats is { Dropped: 2, Pending: 0 });
        Assert.Empty(await ReadAllAsync("gone"));
    }

    private static DateTimeOffset Due(Event e) =>
        DeliveryTimes.TryRead(e, out var due, out _) && due is { } time ? time : throw new InvalidOperationException($"{e.Id} has no delivery time");
}
