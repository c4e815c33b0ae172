using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Akka.Actor;
using Vanus.Cluster.Controller;
using Vanus.Cluster.Eventlogs;
using Vanus.Cluster.Messaging;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;

namespace Vanus.Cluster.Broker;

/// <summary>
/// The one path from the node to its eventlogs, shared by the broker, the timer actors and the schedule actors: it routes
/// each event to an eventlog (by <c>partitionkey</c> hash, else round-robin per bus), groups a request's events by
/// eventlog, asks each eventlog once and puts the placements back in request order; it also reads. It looks buses up in
/// the node's <see cref="CatalogCache"/>; admission is the caller's (<see cref="AppendGate"/>).
/// </summary>
internal sealed class EventlogAppender(IActorRef eventlogs, CatalogCache catalog, AppendGate gate, TimeSpan timeout) : IEventbusAppender
{
    private readonly ConcurrentDictionary<string, StrongBox<long>> _roundRobin = new(StringComparer.Ordinal);
    private long _prunedAt = -1;

    /// <summary>The node's copy of the catalog this appender routes with.</summary>
    public CatalogCache Catalog => catalog;

    /// <summary>The node's admission for appends.</summary>
    public AppendGate Gate => gate;

    /// <summary>How long an eventlog has to answer.</summary>
    public TimeSpan Timeout => timeout;

    public bool IsReady => catalog.IsLoaded && !gate.IsStopping;

    /// <summary>The bus <paramref name="name"/> of <paramref name="namespace"/> in the catalog now; throws <see cref="BrokerErrorKind.NotFound"/> naming what is missing.</summary>
    public static EventbusEntry FindEventbus(CatalogIndex catalog, string @namespace, string name) =>
        catalog.Eventbus(@namespace, name)
        ?? throw (catalog.Namespace(@namespace) is null
            ? NamespaceNotFound(@namespace)
            : new BrokerException(BrokerErrorKind.NotFound, $"eventbus '{name}' does not exist in namespace '{@namespace}'", "eventbus"));

    /// <summary>The failure for a namespace the catalog does not hold.</summary>
    public static BrokerException NamespaceNotFound(string @namespace) =>
        new(BrokerErrorKind.NotFound, $"namespace '{@namespace}' does not exist", "namespace");

    /// <summary>Appends to a bus by name, admitted by the gate (the schedule actors' path).</summary>
    public async ValueTask<IReadOnlyList<AppendedEvent>> AppendAsync(string @namespace, string eventbus, IReadOnlyList<Event> events, CancellationToken cancellationToken = default)
    {
        var bus = FindEventbus(Serving(), @namespace, eventbus);
        using var admitted = gate.Admit(events);
        return await AppendAsync(bus, events, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Appends events to the eventlogs of <paramref name="bus"/>, routed and grouped, and lists where each went in request
    /// order. A failure lists in <see cref="BrokerException.Stored"/> what the other eventlogs stored.
    /// </summary>
    public async Task<IReadOnlyList<AppendedEvent>> AppendAsync(EventbusEntry bus, IReadOnlyList<Event> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return [];
        }

        var groups = Group(bus, events, Route(bus, events));
        var asks = new Task<object>[groups.Count];
        for (var g = 0; g < groups.Count; g++)
        {
            asks[g] = eventlogs.Ask<object>(new AppendEvents(bus.EntityId(groups[g].Eventlog), groups[g].Events), timeout, cancellationToken);
        }

        // Each ask is looked at below: one failing must not hide what the others stored.
        await ((Task)Task.WhenAll(asks)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        var results = new AppendedEvent?[events.Count];
        string? problem = null;
        var notFound = false;
        var full = false;
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
                    ? $"eventlog {group.Eventlog} of eventbus '{bus.Name}' did not answer within {timeout.TotalSeconds:0.#} s"
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
                        full |= reply.Full;
                    }

                    break;
                case Refusal refusal:
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

        // A full disk is its own answer (507): the client should wait for space, not for the node to come back.
        throw new BrokerException(full ? BrokerErrorKind.InsufficientStorage : BrokerErrorKind.Unavailable,
            $"{stored.Count} of {events.Count} events were stored before a failure: {problem}", stored: stored);
    }

    /// <summary>Reads up to <paramref name="count"/> events of one eventlog of a bus by name (the schedule actors' path).</summary>
    public Task<IReadOnlyList<EventRecord>> ReadAsync(string @namespace, string eventbus, int eventlog, long offset, int count, CancellationToken cancellationToken = default) =>
        ReadAsync(FindEventbus(Serving(), @namespace, eventbus), eventlog, offset, count, cancellationToken);

    /// <summary>Reads up to <paramref name="count"/> events of eventlog <paramref name="eventlog"/> from <paramref name="offset"/> on, checking the range first.</summary>
    public async Task<IReadOnlyList<EventRecord>> ReadAsync(EventbusEntry bus, int eventlog, long offset, int count, CancellationToken cancellationToken, string? replica = null)
    {
        if (eventlog < 0 || eventlog >= bus.Eventlogs)
        {
            throw new BrokerException(BrokerErrorKind.Invalid, $"eventbus '{bus.Name}' has eventlogs 0 to {bus.Eventlogs - 1}, not {eventlog}", "eventlog");
        }

        if (offset < 0)
        {
            throw new BrokerException(BrokerErrorKind.Invalid, $"offset must not be negative, not {offset}", "offset");
        }

        if (count <= 0)
        {
            throw new BrokerException(BrokerErrorKind.Invalid, $"count must be positive, not {count}", "count");
        }

        var reply = await AskAsync<ReadReply>(bus.EntityId(eventlog), new ReadEvents(bus.EntityId(eventlog), offset, count, Replica: replica), cancellationToken).ConfigureAwait(false);
        return reply.Records.Select(r => Record(bus, eventlog, r)).ToList();
    }

    /// <summary>Per eventlog of a bus by name, the first offset stored at or after <paramref name="time"/> (the schedule actors' path).</summary>
    public Task<IReadOnlyList<long>> OffsetsAtAsync(string @namespace, string eventbus, DateTimeOffset time, CancellationToken cancellationToken = default) =>
        OffsetsAtAsync(FindEventbus(Serving(), @namespace, eventbus), time, cancellationToken);

    /// <summary>Per eventlog of <paramref name="bus"/>, the first offset stored at or after <paramref name="time"/>.</summary>
    public async Task<IReadOnlyList<long>> OffsetsAtAsync(EventbusEntry bus, DateTimeOffset time, CancellationToken cancellationToken)
    {
        var replies = await Task.WhenAll(Enumerable.Range(0, bus.Eventlogs).Select(i =>
            AskAsync<OffsetReply>(bus.EntityId(i), new FindOffset(bus.EntityId(i), time), cancellationToken))).ConfigureAwait(false);
        return replies.Select(r => r.Offset).ToList();
    }

    /// <summary>Each eventlog's earliest and next offsets.</summary>
    public async Task<IReadOnlyList<EventlogInfo>> InfoAsync(EventbusEntry bus, CancellationToken cancellationToken)
    {
        var replies = await Task.WhenAll(Enumerable.Range(0, bus.Eventlogs).Select(i => InfoAsync(bus, i, cancellationToken))).ConfigureAwait(false);
        return replies.Select((r, i) => new EventlogInfo(i, r.Earliest, r.Next) { Leader = r.Leader, Epoch = r.Epoch, Replicas = r.Replicas }).ToList();
    }

    /// <summary>One eventlog's earliest and next offsets.</summary>
    public Task<EventlogInfoReply> InfoAsync(EventbusEntry bus, int eventlog, CancellationToken cancellationToken) =>
        AskAsync<EventlogInfoReply>(bus.EntityId(eventlog), new GetEventlogInfo(bus.EntityId(eventlog)), cancellationToken);

    /// <summary>Asks one eventlog; a refusal becomes a <see cref="BrokerException"/> of its kind, no answer an unavailable one.</summary>
    public Task<T> AskAsync<T>(string entityId, IEventlogCommand command, CancellationToken cancellationToken) =>
        eventlogs.AskAsync<T>(command, $"eventlog {entityId}", timeout, cancellationToken);

    /// <summary>A stored record of a bus as callers see it.</summary>
    public static EventRecord Record(EventbusEntry bus, int eventlog, StoredRecord record) =>
        new(bus.Name, eventlog, record.Offset, new DateTimeOffset(record.StoreTicks, TimeSpan.Zero), record.Event);

    /// <summary>The catalog to serve a call with; throws <see cref="BrokerErrorKind.Unavailable"/> while the node starts or stops.</summary>
    public CatalogIndex Serving() => gate.IsStopping ? throw AppendGate.Stopping() : catalog.Serving();

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
            var counter = Counter(bus.Incarnation);
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

    /// <summary>The round-robin counter of a bus; counters of buses the catalog no longer lists are dropped when it changes.</summary>
    private StrongBox<long> Counter(string incarnation)
    {
        var current = catalog.Current;
        if (Interlocked.Exchange(ref _prunedAt, current.Version) != current.Version)
        {
            foreach (var known in _roundRobin.Keys)
            {
                if (!current.View.Eventbuses.Any(b => b.Incarnation == known))
                {
                    _roundRobin.TryRemove(known, out _);
                }
            }
        }

        return _roundRobin.GetOrAdd(incarnation, static _ => new StrongBox<long>());
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

    /// <summary>The events of one request that go to one eventlog, with their indexes in the request.</summary>
    private sealed record AppendGroup(int Eventlog, IReadOnlyList<Event> Events, int[] Indexes);
}

/// <summary>What a schedule actor needs of its node: append to a bus by name (admitted), and find an event in it again.</summary>
internal interface IEventbusAppender
{
    /// <summary>True once the node has its catalog and is not stopping.</summary>
    bool IsReady { get; }

    /// <summary>Appends to a bus by name; failures are <see cref="BrokerException"/>s (<see cref="BrokerErrorKind.Overloaded"/> when nothing was sent).</summary>
    ValueTask<IReadOnlyList<AppendedEvent>> AppendAsync(string @namespace, string eventbus, IReadOnlyList<Event> events, CancellationToken cancellationToken = default);

    /// <summary>Per eventlog, the first offset stored at or after <paramref name="time"/>.</summary>
    Task<IReadOnlyList<long>> OffsetsAtAsync(string @namespace, string eventbus, DateTimeOffset time, CancellationToken cancellationToken = default);

    /// <summary>Reads up to <paramref name="count"/> events of one eventlog from <paramref name="offset"/> on.</summary>
    Task<IReadOnlyList<EventRecord>> ReadAsync(string @namespace, string eventbus, int eventlog, long offset, int count, CancellationToken cancellationToken = default);
}
