using System.Globalization;
using Akka.Actor;
using Akka.Event;
using Vanus.Cluster.Broker;
using Vanus.Cluster.Controller;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;

namespace Vanus.Cluster.Schedules;

internal sealed partial class ScheduleActor
{
    private ITimer? _timer;
    private long _generation;

    /// <summary>The event an occurrence emits: the template with the occurrence's id and time and the schedule's attributes.</summary>
    internal static Event Emitted(ScheduleEntry entry, ScheduleFiring firing)
    {
        var extensions = entry.Template.Extensions
            .With(ScheduleAttributes.Schedule, AttributeValue.FromString(entry.Name))
            .With(ScheduleAttributes.Time, AttributeValue.FromTimestamp(firing.Occurrence));
        if (firing.Missed > 0)
        {
            // A CloudEvents Integer is 32-bit; a larger count (years of every-second occurrences) is written as its decimal string.
            extensions = extensions.With(
                ScheduleAttributes.Missed,
                firing.Missed <= int.MaxValue ? AttributeValue.FromInteger((int)firing.Missed) : AttributeValue.FromString(firing.Missed.ToString(CultureInfo.InvariantCulture)));
        }

        return entry.Template with
        {
            Id = ScheduleAttributes.EventId(entry.Name, firing.Occurrence),
            Time = firing.Occurrence,
            Extensions = extensions,
        };
    }

    /// <summary>True when <paramref name="e"/> is the event schedule <paramref name="name"/> emitted for <paramref name="occurrence"/>.</summary>
    internal static bool IsEmission(Event e, string name, DateTimeOffset occurrence)
    {
        if (!e.Extensions.TryGet(ScheduleAttributes.Schedule, out var schedule) || schedule.AsText != name
            || !e.Extensions.TryGet(ScheduleAttributes.Time, out var time))
        {
            return false;
        }

        return time.Kind == AttributeKind.Timestamp
            ? time.AsTimestamp == occurrence
            : time.AsText is { } text && Rfc3339.TryParse(text, out var parsed, out _) && parsed == occurrence;
    }

    private void Append(ScheduleFiring firing)
    {
        var entry = _entry!;
        _busy = true;

        // Until this append is known to have failed cleanly, a retry must first look for the event in the bus.
        _appendSafe = false;
        Task appended;
        try
        {
            appended = _settings.Bus.AppendAsync(entry.Namespace, entry.Eventbus, [Emitted(entry, firing)]).AsTask();
        }
#pragma warning disable CA1031 // whatever the append throws is a failure, retried like the others
        catch (Exception e)
#pragma warning restore CA1031
        {
            appended = Task.FromException(e);
        }

        var occurrence = firing.Occurrence;
        appended.PipeTo(Self, success: () => new AppendDone(occurrence, null), failure: e => new AppendDone(occurrence, Unwrap(e)));
    }

    private void AppendDone(AppendDone done)
    {
        if (_pending is not { } firing || firing.Occurrence != done.Occurrence)
        {
            return;
        }

        _busy = false;
        if (done.Error is null)
        {
            RecordFired(firing);
            return;
        }

        // The node refused it before sending it anywhere: nothing was stored, so the retry may append at once.
        _appendSafe = done.Error is BrokerException { Kind: BrokerErrorKind.Overloaded };
        Failed(firing, $"appending the event of occurrence {Rfc3339.Format(firing.Occurrence)} failed", done.Error);
    }

    /// <summary>Reads the target bus from the firing's time on for the occurrence's event, then records or appends it.</summary>
    private void Check(ScheduleFiring firing)
    {
        var entry = _entry!;
        _busy = true;
        var occurrence = firing.Occurrence;
        IsStoredAsync(_settings.Bus, entry, firing, _stopping.Token).PipeTo(
            Self,
            success: found => new CheckDone(occurrence, found, null),
            failure: e => new CheckDone(occurrence, false, Unwrap(e)));
    }

    private void CheckDone(CheckDone done)
    {
        if (_pending is not { } firing || firing.Occurrence != done.Occurrence)
        {
            return;
        }

        _busy = false;
        if (done.Error is { } error)
        {
            Failed(firing, $"checking whether the event of occurrence {Rfc3339.Format(firing.Occurrence)} was stored failed", error);
            return;
        }

        if (done.Found)
        {
            Log.Info("{0}: the event of occurrence {1:O} was already stored before the restart; not appending it again", Describe, firing.Occurrence);
            RecordFired(firing);
            return;
        }

        if (Settle())
        {
            return;
        }

        _appendSafe = true;
        Append(firing);
    }

    /// <summary>An append or check failed: a bus that is gone (twice in a row) stops the schedule; anything else is retried after a backoff.</summary>
    private void Failed(ScheduleFiring firing, string what, Exception error)
    {
        if (Settle())
        {
            return;
        }

        var entry = _entry!;
        if (error is BrokerException { Kind: BrokerErrorKind.NotFound })
        {
            // Once may be a node whose copy of the catalog lags behind; twice in a row, the bus (or its namespace) is gone.
            if (++_notFound >= 2)
            {
                Halt($"eventbus '{entry.Eventbus}' no longer exists in namespace '{entry.Namespace}' ({error.Message})");
                return;
            }
        }
        else
        {
            _notFound = 0;
        }

        var wait = _settings.Backoff[Math.Min(_failures, _settings.Backoff.Count - 1)];
        _failures++;
        var message = $"{what}: {error.Message}; retrying in {wait.TotalSeconds:0.###} s";
        NoteError(message);
        Log.Warning("{0}: {1}", Describe, message);
        Arm(_settings.Time.GetUtcNow() + wait);
    }

    /// <summary>Sets the one timer to tick at <paramref name="due"/> (in steps of at most <see cref="ScheduleSettings.MaxWait"/>); null: never.</summary>
    private void Arm(DateTimeOffset? due)
    {
        Disarm();
        if (due is not { } at)
        {
            return;
        }

        var generation = ++_generation;
        var self = Self;
        var wait = at - _settings.Time.GetUtcNow();
        if (wait <= TimeSpan.Zero)
        {
            self.Tell(new ScheduleTick(generation));
            return;
        }

        if (wait > _settings.MaxWait)
        {
            wait = _settings.MaxWait;
        }

        _timer = _settings.Time.CreateTimer(
            static state =>
            {
                var (target, g) = ((IActorRef, long))state!;
                target.Tell(new ScheduleTick(g));
            },
            (self, generation),
            wait,
            Timeout.InfiniteTimeSpan);
    }

    private void Disarm()
    {
        _generation++;
        _timer?.Dispose();
        _timer = null;
    }

    private async Task<bool> IsStoredAsync(IEventbusAppender broker, ScheduleEntry entry, ScheduleFiring firing, CancellationToken cancellationToken)
    {
        var starts = await broker.OffsetsAtAsync(entry.Namespace, entry.Eventbus, firing.At - _settings.CheckMargin, cancellationToken).ConfigureAwait(false);
        for (var eventlog = 0; eventlog < starts.Count; eventlog++)
        {
            var offset = starts[eventlog];
            while (true)
            {
                var records = await broker.ReadAsync(entry.Namespace, entry.Eventbus, eventlog, offset, _settings.CheckBatch, cancellationToken).ConfigureAwait(false);
                if (records.Count == 0)
                {
                    break;
                }

                foreach (var record in records)
                {
                    if (IsEmission(record.Event, entry.Name, firing.Occurrence))
                    {
                        return true;
                    }
                }

                offset = records[^1].Offset + 1;
            }
        }

        return false;
    }

    private static Exception Unwrap(Exception e) => e is AggregateException { InnerExceptions: [var inner] } ? inner : e;
}
