using Akka.Actor;
using Akka.Configuration;
using Microsoft.Extensions.Time.Testing;
using Vanus.Cluster.Controller;
using Vanus.Cluster.Schedules;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;

namespace Vanus.Cluster.Tests.Schedules;

/// <summary>
/// One schedule actor on an in-memory journal, appending through a scripted broker: the in-doubt check after a crash
/// between the append and its record, retries with backoff, a bus that is gone, and a delete during an emission.
/// </summary>
public sealed class ScheduleActorTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 16, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider _time = new(Start);
    private readonly ScriptedBroker _broker;
    private readonly ScheduleEntry _entry;
    private ActorSystem _system = null!;

    public ScheduleActorTests()
    {
        _broker = new ScriptedBroker(_time);
        _entry = new ScheduleEntry("default", "pulse", "44444444444444444444444444444444", "orders", null, "UTC", TimeSpan.FromSeconds(10).Ticks, new Event("x", "/cron", "pulse"), Start, 7);
    }

    private ScheduleSettings Settings => new(_broker, _time);

    public Task InitializeAsync()
    {
        _system = ActorSystem.Create("schedule-actor-tests", ConfigurationFactory.ParseString("""
            akka.loglevel = WARNING
            akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
            akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
            """));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _system.Terminate();

    [Fact]
    public async Task A_firing_whose_event_was_stored_before_the_crash_is_recorded_without_a_second_append()
    {
        _broker.Next = Outcome.StoreThenHang;
        var first = await StartAsync();
        _time.Advance(TimeSpan.FromSeconds(10));
        await WaitUntilAsync(() => _broker.Stored.Count == 1);
        await first.GracefulStop(Patience);

        _broker.Next = Outcome.Store;
        var second = await StartAsync();
        var status = await WaitForStatusAsync(second, s => s.Fired == 1);
        Assert.Equal(Start.AddSeconds(10), status.LastFired);
        Assert.Equal(1, _broker.Appends);
        Assert.Equal(0, status.Missed);

        // It goes on as usual from there.
        _time.Advance(TimeSpan.FromSeconds(10));
        await WaitUntilAsync(() => _broker.Stored.Count == 2);
        Assert.Equal([Start.AddSeconds(10), Start.AddSeconds(20)], _broker.Stored.Select(e => e.Time));
        Assert.Equal(["pulse-20261127T160010000Z", "pulse-20261127T160020000Z"], _broker.Stored.Select(e => e.Id));
        Assert.All(_broker.Stored, e => Assert.False(e.Extensions.TryGet(ScheduleAttributes.Missed, out _)));
    }

    [Fact]
    public async Task A_firing_whose_event_never_reached_the_bus_is_appended_once_after_the_crash()
    {
        _broker.Next = Outcome.Hang;
        var first = await StartAsync();
        _time.Advance(TimeSpan.FromSeconds(10));
        await WaitUntilAsync(() => _broker.Appends == 1);
        await first.GracefulStop(Patience);
        Assert.Empty(_broker.Stored);

        _broker.Next = Outcome.Store;
        var second = await StartAsync();
        var status = await WaitForStatusAsync(second, s => s.Fired == 1);
        var e = Assert.Single(_broker.Stored);
        Assert.Equal(Start.AddSeconds(10), e.Time);
        Assert.True(e.Extensions.TryGet(ScheduleAttributes.Schedule, out var name) && name.AsText == "pulse");
        Assert.True(e.Extensions.TryGet(ScheduleAttributes.Time, out var at) && at.AsTimestamp == Start.AddSeconds(10));
        Assert.Equal(Start.AddSeconds(10), status.LastFired);
    }

    [Fact]
    public async Task A_failed_append_is_checked_then_retried_after_a_backoff_and_an_overloaded_one_is_retried_at_once()
    {
        _broker.Script.Enqueue(Outcome.Unavailable);
        _broker.Script.Enqueue(Outcome.Overloaded);
        var actor = await StartAsync();
        _time.Advance(TimeSpan.FromSeconds(10));
        var failed = await WaitForStatusAsync(actor, s => s.LastError is not null);
        Assert.Equal(1, _broker.Appends);
        Assert.Contains("the eventlog did not answer", failed.LastError, StringComparison.Ordinal);
        Assert.Contains("retrying in 1 s", failed.LastError, StringComparison.Ordinal);
        Assert.Equal(0, failed.Fired);

        // After the first backoff it reads the bus (the event is not there), appends again and is refused as overloaded.
        _time.Advance(TimeSpan.FromSeconds(1));
        await WaitForStatusAsync(actor, s => s.LastError!.Contains("retrying in 2 s", StringComparison.Ordinal));
        Assert.Equal(2, _broker.Appends);
        var checks = _broker.Checks;
        Assert.Equal(1, checks);

        // An overloaded node stored nothing: the next try appends without reading the bus first.
        _time.Advance(TimeSpan.FromSeconds(2));
        var done = await WaitForStatusAsync(actor, s => s.Fired == 1);
        Assert.Equal(3, _broker.Appends);
        Assert.Equal(checks, _broker.Checks);
        Assert.Single(_broker.Stored);
        Assert.Equal(Start.AddSeconds(10), done.LastFired);
        Assert.Equal(Start.AddSeconds(20), done.Next);
    }

    [Fact]
    public async Task A_bus_that_is_gone_stops_the_schedule_with_the_reason_and_it_stays_stopped()
    {
        _broker.Missing = true;
        var actor = await StartAsync();
        _time.Advance(TimeSpan.FromSeconds(10));
        await WaitForStatusAsync(actor, s => s.LastError is not null);

        // Once could be a lagging catalog; the second time (the in-doubt read after the backoff) it stops.
        _time.Advance(TimeSpan.FromSeconds(1));
        var halted = await WaitForStatusAsync(actor, s => s.Halted);
        Assert.Contains("eventbus 'orders' no longer exists in namespace 'default'", halted.LastError, StringComparison.Ordinal);
        Assert.Null(halted.Next);
        await actor.GracefulStop(Patience);

        _broker.Missing = false;
        var again = await StartAsync();
        _time.Advance(TimeSpan.FromMinutes(5));
        var status = await StatusAsync(again);
        Assert.True(status.Halted);
        Assert.Empty(_broker.Stored);
    }

    [Fact]
    public async Task Occurrences_passed_while_it_was_down_are_emitted_as_one_event_with_their_count()
    {
        var first = await StartAsync();
        _time.Advance(TimeSpan.FromSeconds(10));
        await WaitUntilAsync(() => _broker.Stored.Count == 1);
        await first.GracefulStop(Patience);

        _time.Advance(TimeSpan.FromSeconds(35));
        var second = await StartAsync();
        var status = await WaitForStatusAsync(second, s => s.Fired == 2);
        Assert.Equal(3, status.Missed);
        var late = _broker.Stored[1];
        Assert.Equal(Start.AddSeconds(40), late.Time);
        Assert.True(late.Extensions.TryGet(ScheduleAttributes.Missed, out var missed) && missed.AsInteger == 3);
        Assert.Equal(Start.AddSeconds(50), status.Next);
    }

    [Fact]
    public async Task A_delete_during_an_emission_waits_for_it_and_nothing_fires_after()
    {
        var release = new TaskCompletionSource();
        _broker.Next = Outcome.Held;
        _broker.Release = release.Task;
        var actor = await StartAsync();
        _time.Advance(TimeSpan.FromSeconds(10));
        await WaitUntilAsync(() => _broker.Appends == 1);

        var forgotten = actor.Ask<ScheduleAck>(new ForgetSchedule(_entry.EntityId), Patience);
        Assert.False(forgotten.IsCompleted);
        release.SetResult();
        await forgotten;
        Assert.Single(_broker.Stored);

        // A new actor on the same id finds an empty journal: the schedule's progress is gone with it.
        var fresh = await StartAsync(configure: false);
        var status = await StatusAsync(fresh);
        Assert.Equal((false, 0L, (DateTimeOffset?)null), (status.Configured, status.Fired, status.LastFired));
    }

    private async Task<IActorRef> StartAsync(bool configure = true)
    {
        var actor = _system.ActorOf(ScheduleActor.Props(_entry.EntityId, Settings));
        if (configure)
        {
            await actor.Ask<ScheduleAck>(new ConfigureSchedule(_entry.EntityId, _entry), Patience);
        }

        return actor;
    }

    private static Task<ScheduleStatus> StatusAsync(IActorRef actor) => actor.Ask<ScheduleStatus>(new GetScheduleStatus("x"), Patience);

    private static async Task<ScheduleStatus> WaitForStatusAsync(IActorRef actor, Func<ScheduleStatus, bool> condition)
    {
        using var patience = new CancellationTokenSource(Patience);
        while (true)
        {
            var status = await StatusAsync(actor);
            if (condition(status))
            {
                return status;
            }

            await Task.Delay(10, patience.Token);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var patience = new CancellationTokenSource(Patience);
        while (!condition())
        {
            await Task.Delay(10, patience.Token);
        }
    }
}
