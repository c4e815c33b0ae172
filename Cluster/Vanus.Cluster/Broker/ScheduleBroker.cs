using Akka.Actor;
using Vanus.Cluster.Controller;
using Vanus.Cluster.Messaging;
using Vanus.Cluster.Schedules;
using Vanus.Operators.Timing;
using Vanus.Runtime.Broker;

namespace Vanus.Cluster.Broker;

/// <summary>The node's <see cref="IScheduleBroker"/>: documents through the controller, progress from each schedule's actor.</summary>
internal sealed class ScheduleBroker(IActorRef controller, IActorRef schedules, EventlogAppender appender) : IScheduleBroker
{
    private readonly CatalogCache _catalog = appender.Catalog;
    private readonly EventlogAppender _appender = appender;

    /// <summary>The schedule shard region; set by the node once it is started (before the node serves anything).</summary>
    public IActorRef ScheduleRegion { get; set; } = ActorRefs.Nobody;

    public async Task<ScheduleInfo> CreateScheduleAsync(string @namespace, ScheduleSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        ArgumentNullException.ThrowIfNull(spec);
        if (ScheduleChecks.Check(spec) is { } problem)
        {
            throw new BrokerException(BrokerErrorKind.Invalid, $"'{problem.Field}' {problem.Reason}", problem.Field);
        }

        Serving();
        var changed = await AskControllerAsync<ScheduleChanged>(new CreateSchedule(ScheduleEntry.From(@namespace, spec)), cancellationToken).ConfigureAwait(false);
        _catalog.Apply(changed.Catalog);

        // The controller starts the actor too; asking here means the schedule is running when the call returns.
        var entry = changed.Schedule;
        await AskScheduleAsync<ScheduleAck>(new ConfigureSchedule(entry.EntityId, entry), cancellationToken).ConfigureAwait(false);
        return await ScheduleInfoAsync(entry, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ScheduleInfo>> ListSchedulesAsync(string @namespace, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        var catalog = Serving();
        FindNamespace(catalog, @namespace);
        var entries = catalog.View.ScheduleList
            .Where(s => s.Namespace == @namespace)
            .OrderBy(s => s.Name, StringComparer.Ordinal)
            .ToList();
        return await Task.WhenAll(entries.Select(e => ScheduleInfoAsync(e, cancellationToken))).ConfigureAwait(false);
    }

    public async Task<ScheduleInfo?> GetScheduleAsync(string @namespace, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        ArgumentNullException.ThrowIfNull(name);
        var catalog = Serving();
        FindNamespace(catalog, @namespace);
        return catalog.Schedule(@namespace, name) is { } entry ? await ScheduleInfoAsync(entry, cancellationToken).ConfigureAwait(false) : null;
    }

    public async Task<bool> DeleteScheduleAsync(string @namespace, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        ArgumentNullException.ThrowIfNull(name);
        Serving();
        var deleted = await AskControllerAsync<ScheduleDeleted>(new DeleteSchedule(@namespace, name), cancellationToken).ConfigureAwait(false);
        _catalog.Apply(deleted.Catalog);
        if (deleted.Removed is not { } removed)
        {
            return false;
        }

        // Answered once an emission in flight has finished: nothing of this schedule is appended after the call returns.
        await AskScheduleAsync<ScheduleAck>(new ForgetSchedule(removed.EntityId), cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task<ScheduleInfo> ScheduleInfoAsync(ScheduleEntry entry, CancellationToken cancellationToken)
    {
        var status = await AskScheduleAsync<ScheduleStatus>(new GetScheduleStatus(entry.EntityId), cancellationToken).ConfigureAwait(false);
        var next = status.Next;
        if (!status.Configured && !status.Halted)
        {
            // Not started yet on this run (the controller wakes it shortly): its next occurrence follows from its entry.
            try
            {
                next = ScheduleClock.Create(entry.Cron, entry.TimeZone, entry.IntervalTicks is { } t ? TimeSpan.FromTicks(t) : null, entry.CreatedAt)
                    .NextAfter(status.LastFired ?? entry.CreatedAt);
            }
            catch (FormatException)
            {
                // The actor reports why once it starts.
                next = null;
            }
        }

        var error = status.LastError is { } message ? new ScheduleError(message, status.LastErrorTime ?? default) : null;
        return new ScheduleInfo(
            entry.Namespace,
            entry.ToSpec(),
            entry.CreatedAt,
            status.Halted ? ScheduleState.Stopped : ScheduleState.Active,
            next,
            status.LastFired,
            status.Fired,
            status.Missed,
            error);
    }

    private Task<T> AskScheduleAsync<T>(IScheduleCommand command, CancellationToken cancellationToken) =>
        schedules.AskAsync<T>(command, $"schedule {command.EntityId}", _appender.Timeout, cancellationToken);

    private CatalogIndex Serving() => _appender.Serving();

    private static NamespaceEntry FindNamespace(CatalogIndex catalog, string @namespace) =>
        catalog.Namespace(@namespace) ?? throw EventlogAppender.NamespaceNotFound(@namespace);

    private Task<T> AskControllerAsync<T>(object command, CancellationToken cancellationToken) =>
        controller.AskAsync<T>(command, "the controller", _appender.Timeout, cancellationToken);
}
