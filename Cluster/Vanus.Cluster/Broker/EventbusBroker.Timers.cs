using Vanus.Cluster.Controller;
using Vanus.Cluster.Eventlogs;
using Vanus.Cluster.Timers;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;

namespace Vanus.Cluster.Broker;

internal sealed partial class EventbusBroker
{
    private readonly TimeProvider _time;

    // The node's timer eventlogs, addressed like a bus so appends to them are routed and grouped as any bus's.
    private readonly EventbusEntry _timerBus;

    /// <summary>
    /// Appends a request's events: those whose delivery time lies in the future go to the timer eventlogs (with their
    /// target), the rest to the bus, both at once; the answer lists each in request order.
    /// </summary>
    private async Task<IReadOnlyList<AppendedEvent>> AppendSplitAsync(EventbusEntry bus, IReadOnlyList<Event> events, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        DateTimeOffset?[]? dues = null;
        var held = 0;
        for (var i = 0; i < events.Count; i++)
        {
            if (!DeliveryTimes.TryRead(events[i], out var due, out var error))
            {
                throw new BrokerException(BrokerErrorKind.Invalid, events.Count == 1 ? error! : $"event [{i}]: {error}", DeliveryTimes.Attribute);
            }

            if (due > now)
            {
                (dues ??= new DateTimeOffset?[events.Count])[i] = due;
                held++;
            }
        }

        if (dues is null)
        {
            return await AppendToAsync(bus, events, cancellationToken).ConfigureAwait(false);
        }

        var target = AttributeValue.FromString(Target(bus));
        var heldEvents = new Event[held];
        var heldIndexes = new int[held];
        var nowEvents = new Event[events.Count - held];
        var nowIndexes = new int[events.Count - held];
        for (int i = 0, h = 0, n = 0; i < events.Count; i++)
        {
            if (dues[i] is { } due)
            {
                heldEvents[h] = events[i].WithExtension(TimerIds.TargetAttribute, target).WithExtension(DeliveryTimes.Attribute, AttributeValue.FromTimestamp(due));
                heldIndexes[h++] = i;
            }
            else
            {
                nowEvents[n] = events[i];
                nowIndexes[n++] = i;
            }
        }

        var timerAppend = AppendToAsync(_timerBus, heldEvents, cancellationToken);
        var busAppend = nowEvents.Length > 0 ? AppendToAsync(bus, nowEvents, cancellationToken) : Task.FromResult<IReadOnlyList<AppendedEvent>>([]);
        await ((Task)Task.WhenAll(timerAppend, busAppend)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        var results = new AppendedEvent?[events.Count];
        var (heldStored, heldError) = Outcome(timerAppend);
        for (var k = 0; k < heldStored.Count; k++)
        {
            var stored = heldStored[k];
            var index = heldError is null ? heldIndexes[k] : heldIndexes[Array.FindIndex(heldIndexes, i => results[i] is null && events[i].Id == stored.Id)];
            results[index] = new AppendedEvent(stored.Id, stored.EventId, -1, -1, dues[index]);
        }

        var (busStored, busError) = Outcome(busAppend);
        for (var k = 0; k < busStored.Count; k++)
        {
            // A complete answer is in request order; a partial one lists stored events by id.
            var index = busError is null ? nowIndexes[k] : nowIndexes[Array.FindIndex(nowIndexes, i => results[i] is null && events[i].Id == busStored[k].Id)];
            results[index] = busStored[k];
        }

        if (heldError is null && busError is null)
        {
            return results!;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var storedAll = results.Where(r => r is not null).Select(r => r!).ToList();
        if (busError is { Kind: BrokerErrorKind.NotFound } && storedAll.Count == 0)
        {
            throw busError;
        }

        throw new BrokerException(
            BrokerErrorKind.Unavailable,
            $"{storedAll.Count} of {events.Count} events were stored before a failure: {(busError ?? heldError)!.Message}",
            stored: storedAll);
    }

    /// <summary>What an append stored (all of it in order, or the part a failure lists) and its failure, if any.</summary>
    private static (IReadOnlyList<AppendedEvent> Stored, BrokerException? Error) Outcome(Task<IReadOnlyList<AppendedEvent>> append)
    {
        if (append.IsCompletedSuccessfully)
        {
            return (append.Result, null);
        }

        return append.Exception?.InnerException is BrokerException broker
            ? (broker.Stored, broker)
            : ([], new BrokerException(BrokerErrorKind.Unavailable, append.Exception?.InnerException?.Message ?? "the append was cancelled"));
    }

    private static string Target(EventbusEntry bus) => $"{bus.Namespace}/{bus.Name}/{bus.Incarnation}";

    /// <summary>The bus a target names, if that incarnation of it still exists.</summary>
    private EventbusEntry? TargetBus(string target)
    {
        var parts = target.Split('/');
        return parts.Length == 3 && Volatile.Read(ref _catalog).Eventbus(parts[0], parts[1]) is { } bus && bus.Incarnation == parts[2] ? bus : null;
    }

    public string? TargetOf(string @namespace, string eventbus) =>
        Volatile.Read(ref _catalog).Eventbus(@namespace, eventbus) is { } bus ? Target(bus) : null;

    public async Task<TimerAppendOutcome> AppendDueAsync(string target, IReadOnlyList<Event> events, CancellationToken cancellationToken)
    {
        if (!_ready.Task.IsCompletedSuccessfully)
        {
            return new TimerAppendOutcome(TimerAppendKind.Retry, "the node is still loading its catalog");
        }

        if (TargetBus(target) is not { } bus)
        {
            return new TimerAppendOutcome(TimerAppendKind.Gone, $"'{target}' names no eventbus of the catalog (version {CatalogVersion})");
        }

        long bytes = 0;
        foreach (var e in events)
        {
            bytes += EventSize.Estimate(e);
        }

        if (!TryReserve(bytes))
        {
            return new TimerAppendOutcome(TimerAppendKind.Retry, $"the node has {PendingBytes} bytes of appends in flight");
        }

        if (!TryEnter())
        {
            Release(bytes);
            return new TimerAppendOutcome(TimerAppendKind.Retry, "the node is stopping");
        }

        try
        {
            await AppendToAsync(bus, events, cancellationToken).ConfigureAwait(false);
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
        finally
        {
            Release(bytes);
            Exit();
        }
    }

    public async Task<IReadOnlySet<string>> FindMarkersAsync(string target, DateTimeOffset since, IReadOnlySet<string> markers, CancellationToken cancellationToken)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        if (TargetBus(target) is not { } bus)
        {
            return found;
        }

        for (var i = 0; i < bus.Eventlogs && found.Count < markers.Count; i++)
        {
            var id = bus.EntityId(i);
            var offset = (await AskEventlogAsync<OffsetReply>(new FindOffset(id, since), id, cancellationToken).ConfigureAwait(false)).Offset;
            while (found.Count < markers.Count)
            {
                var reply = await AskEventlogAsync<ReadReply>(new ReadEvents(id, offset, 1024), id, cancellationToken).ConfigureAwait(false);
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
}
