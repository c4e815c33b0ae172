using Vanus.Cluster.Broker;
using Vanus.Cluster.Controller;
using Vanus.Cluster.Eventlogs;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;

namespace Vanus.Cluster.Timers;

/// <summary>Where due timers go: appends to their target bus (admitted like any append) and the search for markers of appends in doubt.</summary>
internal sealed class TimerTargets(EventlogAppender appender)
{
    /// <summary>Appends due events to the bus a target names, if that incarnation of it still exists.</summary>
    public async Task<TimerAppendOutcome> AppendDueAsync(TimerTarget target, IReadOnlyList<Event> events, CancellationToken cancellationToken)
    {
        if (!appender.Catalog.IsLoaded)
        {
            return new TimerAppendOutcome(TimerAppendKind.Retry, "the node is still loading its catalog");
        }

        if (Bus(target) is not { } bus)
        {
            return new TimerAppendOutcome(TimerAppendKind.Gone, $"'{target}' names no eventbus of the catalog (version {appender.Catalog.Current.Version})");
        }

        AppendGate.Ticket admitted;
        try
        {
            admitted = appender.Gate.Admit(events);
        }
        catch (BrokerException ex)
        {
            // Refused before anything was sent: nothing is stored.
            return new TimerAppendOutcome(TimerAppendKind.Retry, ex.Message);
        }

        using (admitted)
        {
            try
            {
                await appender.AppendAsync(bus, events, cancellationToken).ConfigureAwait(false);
                return TimerAppendOutcome.Stored;
            }
            catch (BrokerException ex) when (ex.Kind == BrokerErrorKind.NotFound && ex.Stored.Count == 0)
            {
                return new TimerAppendOutcome(TimerAppendKind.Gone, ex.Message);
            }
            catch (BrokerException ex) when (ex.Kind == BrokerErrorKind.Overloaded && ex.Stored.Count == 0)
            {
                return new TimerAppendOutcome(TimerAppendKind.Retry, ex.Message);
            }
#pragma warning disable CA1031 // whatever else failed may have stored part of the batch: the caller looks before trying again
            catch (Exception ex)
#pragma warning restore CA1031
            {
                return new TimerAppendOutcome(TimerAppendKind.Unknown, ex.Message);
            }
        }
    }

    /// <summary>Which of <paramref name="markers"/> the target bus holds among the events stored since <paramref name="since"/>.</summary>
    public async Task<IReadOnlySet<string>> FindMarkersAsync(TimerTarget target, DateTimeOffset since, IReadOnlySet<string> markers, CancellationToken cancellationToken)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        if (Bus(target) is not { } bus)
        {
            return found;
        }

        for (var i = 0; i < bus.Eventlogs && found.Count < markers.Count; i++)
        {
            var id = bus.EntityId(i);
            var offset = (await appender.AskAsync<OffsetReply>(id, new FindOffset(id, since), cancellationToken).ConfigureAwait(false)).Offset;
            while (found.Count < markers.Count)
            {
                var reply = await appender.AskAsync<ReadReply>(id, new ReadEvents(id, offset, 1024), cancellationToken).ConfigureAwait(false);
                if (reply.Records.Count == 0)
                {
                    break;
                }

                foreach (var record in reply.Records)
                {
                    if (record.Event.Extensions.TryGet(TimerIds.MarkerAttribute, out var marker) && marker.AsText is { } text && markers.Contains(text))
                    {
                        found.Add(text);
                    }

                    offset = record.Offset + 1;
                }
            }
        }

        return found;
    }

    /// <summary>The bus a target names, if that incarnation of it still exists.</summary>
    private EventbusEntry? Bus(TimerTarget target) =>
        target.Namespace is not null && appender.Catalog.Current.Eventbus(target.Namespace, target.Eventbus) is { } bus && target.Names(bus) ? bus : null;
}
