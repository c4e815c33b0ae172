using Akka.Actor;
using Vanus.Cluster.Controller;
using Vanus.Cluster.Messaging;
using Vanus.Cluster.Schedules;
using Vanus.Operators.Timing;
using Vanus.Runtime.Broker;

namespace Vanus.Cluster.Broker;

/// <summary>The node's <see cref="IScheduleBroker"/>: documents through the controller, progress from each schedule's actor.</summary>
internal sealed class ScheduleBroker(IActorRef controller, IActorRef schedules, EventlogAppender appender, int maxSchedules = int.MaxValue) : CatalogBroker(controller, appender), IScheduleBroker
{
    public async Task<ScheduleInfo> CreateScheduleAsync(string @namespace, ScheduleSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        ArgumentNullException.ThrowIfNull(spec);
        if (ScheduleChecks.Check(spec) is { } problem)
        {
            throw new BrokerException(BrokerErrorKind.Invalid, $"'{problem.Field}' {problem.Reason}", problem.Field);
        }

        CheckLimit(view => view.ScheduleList.Count, maxSchedules, "schedules", "--max-schedules");
        var changed = await ChangeCatalogAsync<ScheduleChanged>(new CreateSchedule(ScheduleEntry.From(@namespace, spec)), cancellationToken).ConfigureAwait(false);

        // The controller starts the actor too; asking here means the schedule is running when the call returns.
        var entry = changed.Schedule;
        await AskScheduleAsync<ScheduleAck>(new ConfigureSchedule(entry.EntityId, entry), cancellationToken).ConfigureAwait(false);
        return await ScheduleInfoAsync(entry, cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<ScheduleInfo>> ListSchedulesAsync(string @namespace, CancellationToken cancellationToken = default) =>
        ListAsync(@namespace, catalog => catalog.View.ScheduleList, ScheduleInfoAsync, cancellationToken);

    public Task<ScheduleInfo?> GetScheduleAsync(string @namespace, string name, CancellationToken cancellationToken = default) =>
        GetAsync(@namespace, name, catalog => catalog.Schedule(@namespace, name), ScheduleInfoAsync, cancellationToken);

    public async Task<bool> DeleteScheduleAsync(string @namespace, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        ArgumentNullException.ThrowIfNull(name);
        var deleted = await ChangeCatalogAsync<ScheduleDeleted>(new DeleteSchedule(@namespace, name), cancellationToken).ConfigureAwait(false);
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
        schedules.AskAsync<T>(command, $"schedule {command.EntityId}", Appender.Timeout, cancellationToken);
}
