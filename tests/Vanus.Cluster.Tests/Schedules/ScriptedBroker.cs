using System.Collections.Concurrent;
using Vanus.Cluster.Broker;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;

namespace Vanus.Cluster.Tests.Schedules;

/// <summary>What the scripted broker does with the next append.</summary>
internal enum Outcome
{
    /// <summary>Stores the event and answers.</summary>
    Store,

    /// <summary>Stores the event and never answers, as a node killed right after the eventlog stored it.</summary>
    StoreThenHang,

    /// <summary>Stores nothing and never answers, as a node killed before the append reached the eventlog.</summary>
    Hang,

    /// <summary>Stores the event and answers once <see cref="ScriptedBroker.Release"/> completes.</summary>
    Held,

    /// <summary>Fails as an eventlog that did not answer in time (it may or may not have stored).</summary>
    Unavailable,

    /// <summary>Fails as a node with full queues, before anything was sent.</summary>
    Overloaded,
}

/// <summary>
/// The node's path to a bus as a schedule actor sees it, over one in-memory eventlog of the bus <c>default/orders</c>: each append
/// follows <see cref="Script"/> (then <see cref="Next"/>), and the reads the in-doubt check makes are counted.
/// </summary>
internal sealed class ScriptedBroker(TimeProvider time) : IEventbusAppender
{
    private readonly Lock _gate = new();
    private readonly List<(DateTimeOffset StoreTime, Event Event)> _log = [];
    private int _appends;
    private int _checks;

    /// <summary>Outcomes for the next appends, in order; once empty, <see cref="Next"/> applies.</summary>
    public ConcurrentQueue<Outcome> Script { get; } = new();

    public Outcome Next { get; set; } = Outcome.Store;

    /// <summary>What a <see cref="Outcome.Held"/> append waits for.</summary>
    public Task Release { get; set; } = Task.CompletedTask;

    /// <summary>When set, the bus does not exist: appends and reads fail as not found.</summary>
    public bool Missing { get; set; }

    public int Appends => Volatile.Read(ref _appends);

    /// <summary>How many times the bus was searched by time (each in-doubt check does it once).</summary>
    public int Checks => Volatile.Read(ref _checks);

    public IReadOnlyList<Event> Stored
    {
        get
        {
            lock (_gate)
            {
                return [.. _log.Select(r => r.Event)];
            }
        }
    }

    public bool IsReady => true;

    public ValueTask<IReadOnlyList<AppendedEvent>> AppendAsync(string @namespace, string eventbus, IReadOnlyList<Event> events, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _appends);
        if (Missing)
        {
            return ValueTask.FromException<IReadOnlyList<AppendedEvent>>(Gone());
        }

        var outcome = Script.TryDequeue(out var scripted) ? scripted : Next;
        switch (outcome)
        {
            case Outcome.Store:
                return new(Store(events));
            case Outcome.StoreThenHang:
                Store(events);
                return new(new TaskCompletionSource<IReadOnlyList<AppendedEvent>>().Task);
            case Outcome.Hang:
                return new(new TaskCompletionSource<IReadOnlyList<AppendedEvent>>().Task);
            case Outcome.Held:
                IReadOnlyList<AppendedEvent> stored = Store(events);
                return new(Release.ContinueWith(_ => stored, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default));
            case Outcome.Unavailable:
                return ValueTask.FromException<IReadOnlyList<AppendedEvent>>(new BrokerException(BrokerErrorKind.Unavailable, "the eventlog did not answer within 30 s"));
            case Outcome.Overloaded:
                return ValueTask.FromException<IReadOnlyList<AppendedEvent>>(new BrokerException(BrokerErrorKind.Overloaded, "the node has too many appends in flight"));
            default:
                throw new ArgumentOutOfRangeException(nameof(events), outcome, "unknown outcome");
        }
    }

    public Task<IReadOnlyList<long>> OffsetsAtAsync(string @namespace, string eventbus, DateTimeOffset time, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _checks);
        if (Missing)
        {
            return Task.FromException<IReadOnlyList<long>>(Gone());
        }

        lock (_gate)
        {
            var index = _log.FindIndex(r => r.StoreTime >= time);
            IReadOnlyList<long> offsets = [index < 0 ? _log.Count : index];
            return Task.FromResult(offsets);
        }
    }

    public Task<IReadOnlyList<EventRecord>> ReadAsync(string @namespace, string eventbus, int eventlog, long offset, int count, CancellationToken cancellationToken = default)
    {
        if (Missing)
        {
            return Task.FromException<IReadOnlyList<EventRecord>>(Gone());
        }

        lock (_gate)
        {
            IReadOnlyList<EventRecord> records = [.. _log.Skip((int)offset).Take(count).Select((r, i) => new EventRecord(eventbus, 0, offset + i, r.StoreTime, r.Event))];
            return Task.FromResult(records);
        }
    }

    private List<AppendedEvent> Store(IReadOnlyList<Event> events)
    {
        lock (_gate)
        {
            var placed = new List<AppendedEvent>();
            foreach (var e in events)
            {
                placed.Add(new AppendedEvent(e.Id, new EventId(0, _log.Count), 0, _log.Count));
                _log.Add((time.GetUtcNow(), e));
            }

            return placed;
        }
    }

    private static BrokerException Gone() => new(BrokerErrorKind.NotFound, "eventbus 'orders' does not exist in namespace 'default'", "eventbus");
}
