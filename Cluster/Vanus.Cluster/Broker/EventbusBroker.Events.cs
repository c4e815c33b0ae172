using System.Runtime.CompilerServices;
using Akka.Actor;
using Vanus.Cluster.Controller;
using Vanus.Cluster.Eventlogs;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;

namespace Vanus.Cluster.Broker;

internal sealed partial class EventbusBroker
{
    public ValueTask<IReadOnlyList<AppendedEvent>> AppendAsync(string @namespace, string eventbus, IReadOnlyList<Event> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        ArgumentNullException.ThrowIfNull(eventbus);
        ArgumentNullException.ThrowIfNull(events);
        EventbusEntry bus;
        try
        {
            bus = FindEventbus(Serving(), @namespace, eventbus);
        }
        catch (BrokerException ex)
        {
            return ValueTask.FromException<IReadOnlyList<AppendedEvent>>(ex);
        }

        if (events.Count == 0)
        {
            return new ValueTask<IReadOnlyList<AppendedEvent>>([]);
        }

        long bytes = 0;
        for (var i = 0; i < events.Count; i++)
        {
            bytes += EventSize.Estimate(events[i] ?? throw new ArgumentException($"event {i} is null", nameof(events)));
        }

        if (!TryReserve(bytes))
        {
            return ValueTask.FromException<IReadOnlyList<AppendedEvent>>(new BrokerException(
                BrokerErrorKind.Overloaded,
                $"the node already has {PendingBytes} bytes of appends in flight and takes at most {_maxPendingBytes}; this request adds {bytes}. Retry later"));
        }

        if (!TryEnter())
        {
            Release(bytes);
            return ValueTask.FromException<IReadOnlyList<AppendedEvent>>(new BrokerException(BrokerErrorKind.Unavailable, "the node is stopping"));
        }

        return AppendCoreAsync(bus, events, bytes, cancellationToken);
    }

    private async ValueTask<IReadOnlyList<AppendedEvent>> AppendCoreAsync(EventbusEntry bus, IReadOnlyList<Event> events, long bytes, CancellationToken cancellationToken)
    {
        try
        {
            return await AppendSplitAsync(bus, events, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Release(bytes);
            Exit();
        }
    }

    /// <summary>Appends events to the eventlogs of <paramref name="bus"/>, routed and grouped, and lists where each went.</summary>
    private async Task<IReadOnlyList<AppendedEvent>> AppendToAsync(EventbusEntry bus, IReadOnlyList<Event> events, CancellationToken cancellationToken)
    {
        {
            var targets = Route(bus, events);
            var groups = Group(bus, events, targets);
            var asks = new Task<object>[groups.Count];
            for (var g = 0; g < groups.Count; g++)
            {
                asks[g] = _eventlogs.Ask<object>(new AppendEvents(bus.EntityId(groups[g].Eventlog), groups[g].Events), _timeout, cancellationToken);
            }

            // Each ask is looked at below: one failing must not hide what the others stored.
            await ((Task)Task.WhenAll(asks)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

            var results = new AppendedEvent?[events.Count];
            string? problem = null;
            var notFound = false;
            for (var g = 0; g < groups.Count; g++)
            {
                var group = groups[g];
                var ask = asks[g];
                if (!ask.IsCompletedSuccessfully)
                {
                    if (ask.IsCanceled || ask.Exception?.InnerException is OperationCanceledException)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                    }

                    problem ??= ask.Exception?.InnerException is AskTimeoutException
                        ? $"eventlog {group.Eventlog} of eventbus '{bus.Name}' did not answer within {_timeout.TotalSeconds:0.#} s"
                        : $"eventlog {group.Eventlog} of eventbus '{bus.Name}' failed: {ask.Exception?.InnerException?.Message}";
                    continue;
                }

                switch (ask.Result)
                {
                    case AppendReply reply:
                        for (var k = 0; k < group.Indexes.Length; k++)
                        {
                            var offset = reply.Offsets[k];
                            if (offset >= 0)
                            {
                                var index = group.Indexes[k];
                                results[index] = new AppendedEvent(events[index].Id, new EventId(group.Eventlog, offset), group.Eventlog, offset);
                            }
                        }

                        if (reply.Error is { } error)
                        {
                            problem ??= $"eventlog {group.Eventlog} of eventbus '{bus.Name}': {error}";
                        }

                        break;
                    case EventlogRefusal refusal:
                        notFound |= refusal.Kind == BrokerErrorKind.NotFound;
                        problem ??= refusal.Message;
                        break;
                    default:
                        problem ??= $"unexpected reply {ask.Result.GetType().Name} from eventlog {group.Eventlog}";
                        break;
                }
            }

            if (problem is null)
            {
                return results!;
            }

            var stored = results.Where(r => r is not null).Select(r => r!).ToList();
            if (notFound && stored.Count == 0)
            {
                throw new BrokerException(BrokerErrorKind.NotFound, $"eventbus '{bus.Name}' no longer exists: {problem}", "eventbus");
            }

            throw new BrokerException(
                BrokerErrorKind.Unavailable,
                $"{stored.Count} of {events.Count} events were stored before a failure: {problem}",
                stored: stored);
        }
    }

    /// <summary>The eventlog of each event: by <c>partitionkey</c> hash, else the bus's next round-robin slots.</summary>
    private int[] Route(EventbusEntry bus, IReadOnlyList<Event> events)
    {
        var n = bus.Eventlogs;
        var targets = new int[events.Count];
        if (n == 1)
        {
            return targets;
        }

        var unkeyed = 0;
        for (var i = 0; i < events.Count; i++)
        {
            if (EventRouting.PartitionKeyOf(events[i]) is { } key)
            {
                targets[i] = EventRouting.EventlogFor(key, n);
            }
            else
            {
                targets[i] = -1;
                unkeyed++;
            }
        }

        if (unkeyed > 0)
        {
            // One atomic step reserves a run of slots for the whole request.
            var counter = _roundRobin.GetOrAdd(bus.Incarnation, static _ => new StrongBox<long>());
            var next = Interlocked.Add(ref counter.Value, unkeyed) - unkeyed;
            for (var i = 0; i < targets.Length; i++)
            {
                if (targets[i] < 0)
                {
                    targets[i] = (int)((ulong)next++ % (ulong)n);
                }
            }
        }

        return targets;
    }

    private static List<AppendGroup> Group(EventbusEntry bus, IReadOnlyList<Event> events, int[] targets)
    {
        var first = targets[0];
        if (targets.All(t => t == first))
        {
            return [new AppendGroup(first, events, Enumerable.Range(0, events.Count).ToArray())];
        }

        var counts = new int[bus.Eventlogs];
        foreach (var t in targets)
        {
            counts[t]++;
        }

        var groups = new List<AppendGroup>();
        var byLog = new AppendGroup?[bus.Eventlogs];
        var filled = new int[bus.Eventlogs];
        for (var i = 0; i < targets.Length; i++)
        {
            var t = targets[i];
            if (byLog[t] is not { } group)
            {
                group = byLog[t] = new AppendGroup(t, new Event[counts[t]], new int[counts[t]]);
                groups.Add(group);
            }

            ((Event[])group.Events)[filled[t]] = events[i];
            group.Indexes[filled[t]++] = i;
        }

        return groups;
    }

    public async Task<IReadOnlyList<EventRecord>> ReadAsync(string @namespace, string eventbus, int eventlog, long offset, int count, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        ArgumentNullException.ThrowIfNull(eventbus);
        var bus = FindEventbus(Serving(), @namespace, eventbus);
        if (eventlog < 0 || eventlog >= bus.Eventlogs)
        {
            throw new BrokerException(BrokerErrorKind.Invalid, $"eventbus '{eventbus}' has eventlogs 0 to {bus.Eventlogs - 1}, not {eventlog}", "eventlog");
        }

        if (offset < 0)
        {
            throw new BrokerException(BrokerErrorKind.Invalid, $"offset must not be negative, not {offset}", "offset");
        }

        if (count <= 0)
        {
            throw new BrokerException(BrokerErrorKind.Invalid, $"count must be positive, not {count}", "count");
        }

        var id = bus.EntityId(eventlog);
        var reply = await AskEventlogAsync<ReadReply>(new ReadEvents(id, offset, count), id, cancellationToken).ConfigureAwait(false);
        return reply.Records.Select(r => Record(bus, eventlog, r)).ToList();
    }

    public async Task<EventRecord?> GetAsync(string @namespace, string eventbus, EventId eventId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        ArgumentNullException.ThrowIfNull(eventbus);
        var bus = FindEventbus(Serving(), @namespace, eventbus);
        if (eventId.Eventlog < 0 || eventId.Eventlog >= bus.Eventlogs || eventId.Offset < 0)
        {
            return null;
        }

        var id = bus.EntityId(eventId.Eventlog);
        ReadReply reply;
        try
        {
            reply = await AskEventlogAsync<ReadReply>(new ReadEvents(id, eventId.Offset, 1), id, cancellationToken).ConfigureAwait(false);
        }
        catch (BrokerException ex) when (ex.Kind == BrokerErrorKind.Invalid)
        {
            // Below the earliest offset: retention deleted it.
            return null;
        }

        return reply.Records is [var record, ..] && record.Offset == eventId.Offset ? Record(bus, eventId.Eventlog, record) : null;
    }

    public async Task<IReadOnlyList<long>> OffsetsAtAsync(string @namespace, string eventbus, DateTimeOffset time, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        ArgumentNullException.ThrowIfNull(eventbus);
        var bus = FindEventbus(Serving(), @namespace, eventbus);
        var replies = await Task.WhenAll(Enumerable.Range(0, bus.Eventlogs).Select(i =>
        {
            var id = bus.EntityId(i);
            return AskEventlogAsync<OffsetReply>(new FindOffset(id, time), id, cancellationToken);
        })).ConfigureAwait(false);
        return replies.Select(r => r.Offset).ToList();
    }

    private static EventRecord Record(EventbusEntry bus, int eventlog, StoredRecord record) =>
        new(bus.Name, eventlog, record.Offset, new DateTimeOffset(record.StoreTicks, TimeSpan.Zero), record.Event);

    /// <summary>The events of one request that go to one eventlog, with their indexes in the request.</summary>
    private sealed record AppendGroup(int Eventlog, IReadOnlyList<Event> Events, int[] Indexes);
}
