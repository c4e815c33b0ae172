using Vanus.Cluster.Broker;
using Vanus.Cluster.Controller;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;

namespace Vanus.Cluster.Timers;

/// <summary>
/// Where a request's delayed events go when they are accepted: an event whose delivery time lies in the future is stored in
/// one of the node's timer eventlogs with its target bus (the timer actors append it when due); the rest go to their bus.
/// </summary>
internal sealed class TimerIntake(EventlogAppender appender, int timerEventlogs, TimeProvider time)
{
    // The node's timer eventlogs, addressed like a bus so appends to them are routed and grouped as any bus's.
    private readonly EventbusEntry _timerBus = TimerIds.Bus(timerEventlogs);

    /// <summary>
    /// Appends a request's events: those whose delivery time lies in the future go to the timer eventlogs (with their
    /// target), the rest to the bus, both at once; the answer lists each in request order.
    /// </summary>
    public async Task<IReadOnlyList<AppendedEvent>> AppendAsync(EventbusEntry bus, IReadOnlyList<Event> events, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
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
            return await appender.AppendAsync(bus, events, cancellationToken).ConfigureAwait(false);
        }

        var target = AttributeValue.FromString(TimerTarget.Of(bus).ToString());
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

        var timerAppend = appender.AppendAsync(_timerBus, heldEvents, cancellationToken);
        var busAppend = nowEvents.Length > 0 ? appender.AppendAsync(bus, nowEvents, cancellationToken) : Task.FromResult<IReadOnlyList<AppendedEvent>>([]);
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

        var first = (busError ?? heldError)!;
        throw new BrokerException(
            busError?.Kind == BrokerErrorKind.InsufficientStorage || heldError?.Kind == BrokerErrorKind.InsufficientStorage ? BrokerErrorKind.InsufficientStorage : BrokerErrorKind.Unavailable,
            $"{storedAll.Count} of {events.Count} events were stored before a failure: {first.Message}",
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
}
