using System.Text;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;

namespace Vanus.Gateway.Tests;

/// <summary>
/// A faithful in-memory <see cref="IEventbusBroker"/>: a catalog of namespaces and eventbuses (each with its dead-letter
/// bus), one list per eventlog, routing by partitionkey hash or round-robin, events whose delivery time is in the future
/// held aside (as the node's timer bus holds them), and switches that make it not ready, overloaded or fail part way
/// through an append.
/// </summary>
internal sealed class InMemoryBroker(TimeProvider time) : IEventbusBroker
{
    public const int Nodes = 1;

    private readonly object _lock = new();
    private readonly SortedDictionary<string, NamespaceInfo> _namespaces = new(StringComparer.Ordinal)
    {
        ["default"] = new NamespaceInfo("default", time.GetUtcNow()),
    };

    private readonly Dictionary<(string Ns, string Name), Bus> _buses = [];
    private readonly List<(string Ns, string Bus, Event Event, DateTimeOffset Due)> _held = [];

    public bool IsReady { get; set; } = true;

    /// <summary>When set, the next append is refused as a whole with this kind of failure before anything is stored.</summary>
    public BrokerErrorKind? RefuseNextAppend { get; set; }

    /// <summary>When set, the next append stores this many events, then fails as <see cref="BrokerErrorKind.Unavailable"/>.</summary>
    public int? FailNextAppendAfter { get; set; }

    /// <summary>When set, appends wait for it (and signal <see cref="AppendEntered"/> first), so a test can hold requests in flight.</summary>
    public TaskCompletionSource? HoldAppends { get; set; }

    /// <summary>Completed when an append reaches the broker while <see cref="HoldAppends"/> is set.</summary>
    public TaskCompletionSource AppendEntered { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Run inside each append before anything is stored (a test advances a fake clock here).</summary>
    public Action? DuringAppend { get; set; }

    public int AppendCalls { get; private set; }

    /// <summary>Every event stored in every bus (dead-letter buses included) or held for later delivery.</summary>
    public int TotalStored
    {
        get
        {
            lock (_lock)
            {
                return _buses.Values.Sum(b => b.Logs.Sum(l => l.Count)) + _held.Count;
            }
        }
    }

    /// <summary>Events held for later delivery, in the order they were accepted; the index is their timer entry's offset.</summary>
    public IReadOnlyList<(string Ns, string Bus, Event Event, DateTimeOffset Due)> Held
    {
        get
        {
            lock (_lock)
            {
                return [.. _held];
            }
        }
    }

    public IReadOnlyList<(Event Event, DateTimeOffset StoreTime)> Stored(string ns, string bus, int eventlog)
    {
        lock (_lock)
        {
            return [.. _buses[(ns, bus)].Logs[eventlog]];
        }
    }

    /// <summary>Drops the first <paramref name="count"/> events of an eventlog, as retention would (earliest moves up).</summary>
    public void Trim(string ns, string bus, int eventlog, int count)
    {
        lock (_lock)
        {
            var b = _buses[(ns, bus)];
            b.Logs[eventlog].RemoveRange(0, count);
            b.Earliest[eventlog] += count;
        }
    }

    public void ResetAppendEntered() => AppendEntered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<NamespaceInfo> CreateNamespaceAsync(string name, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            EnsureReady();
            CheckName(name, "name");
            if (_namespaces.ContainsKey(name))
            {
                throw new BrokerException(BrokerErrorKind.AlreadyExists, $"Namespace '{name}' already exists.", "name");
            }

            var info = new NamespaceInfo(name, time.GetUtcNow());
            _namespaces.Add(name, info);
            return Task.FromResult(info);
        }
    }

    public Task<IReadOnlyList<NamespaceInfo>> ListNamespacesAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            EnsureReady();
            return Task.FromResult<IReadOnlyList<NamespaceInfo>>([.. _namespaces.Values]);
        }
    }

    public Task<NamespaceInfo?> GetNamespaceAsync(string name, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            EnsureReady();
            return Task.FromResult(_namespaces.GetValueOrDefault(name));
        }
    }

    public Task<bool> DeleteNamespaceAsync(string name, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            EnsureReady();
            if (name == "default")
            {
                throw new BrokerException(BrokerErrorKind.Invalid, "Namespace 'default' always exists and cannot be deleted.", "namespace");
            }

            if (!_namespaces.ContainsKey(name))
            {
                return Task.FromResult(false);
            }

            if (_buses.Keys.Any(k => k.Ns == name))
            {
                throw new BrokerException(BrokerErrorKind.Invalid, $"Namespace '{name}' still holds eventbuses; delete them first.", "namespace");
            }

            _namespaces.Remove(name);
            return Task.FromResult(true);
        }
    }

    public Task<EventbusInfo> CreateEventbusAsync(string @namespace, EventbusSpec spec, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            EnsureReady();
            EnsureNamespace(@namespace);
            CheckName(spec.Name, "name");
            if (spec.Eventlogs is < 1 or > 64)
            {
                throw new BrokerException(BrokerErrorKind.Invalid, $"An eventbus has 1 to 64 eventlogs (asked for {spec.Eventlogs}).", "eventlogs");
            }

            if (spec.Replicas < 1 || spec.Replicas > Nodes)
            {
                throw new BrokerException(BrokerErrorKind.Invalid, $"The cluster has {Nodes} node(s), so an eventlog can have at most {Nodes} replica(s) (asked for {spec.Replicas}).", "replicas");
            }

            if (_buses.ContainsKey((@namespace, spec.Name)))
            {
                throw new BrokerException(BrokerErrorKind.AlreadyExists, $"Eventbus '{spec.Name}' already exists in namespace '{@namespace}'.", "name");
            }

            var deadLetter = "__dl_" + spec.Name;
            var created = time.GetUtcNow();
            var bus = new Bus(@namespace, spec.Name, spec, created, deadLetter);
            _buses.Add((@namespace, spec.Name), bus);
            _buses.Add((@namespace, deadLetter), new Bus(@namespace, deadLetter, new EventbusSpec(deadLetter) { Sync = spec.Sync, Retention = spec.Retention }, created, null));
            return Task.FromResult(bus.Info());
        }
    }

    public Task<IReadOnlyList<EventbusInfo>> ListEventbusesAsync(string @namespace, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            EnsureReady();
            EnsureNamespace(@namespace);
            return Task.FromResult<IReadOnlyList<EventbusInfo>>([.. _buses.Values.Where(b => b.Namespace == @namespace).OrderBy(b => b.Name, StringComparer.Ordinal).Select(b => b.Info())]);
        }
    }

    public Task<EventbusInfo?> GetEventbusAsync(string @namespace, string name, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            EnsureReady();
            EnsureNamespace(@namespace);
            return Task.FromResult(_buses.GetValueOrDefault((@namespace, name))?.Info());
        }
    }

    public Task<bool> DeleteEventbusAsync(string @namespace, string name, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            EnsureReady();
            EnsureNamespace(@namespace);
            if (!_buses.TryGetValue((@namespace, name), out var bus))
            {
                return Task.FromResult(false);
            }

            _buses.Remove((@namespace, name));
            if (bus.DeadLetterBus is { } deadLetter)
            {
                _buses.Remove((@namespace, deadLetter));
            }

            return Task.FromResult(true);
        }
    }

    public async ValueTask<IReadOnlyList<AppendedEvent>> AppendAsync(string @namespace, string eventbus, IReadOnlyList<Event> events, CancellationToken cancellationToken = default)
    {
        if (HoldAppends is { } hold)
        {
            AppendEntered.TrySetResult();
            await hold.Task;
        }

        lock (_lock)
        {
            AppendCalls++;
            EnsureReady();
            EnsureNamespace(@namespace);
            var bus = _buses.GetValueOrDefault((@namespace, eventbus))
                ?? throw new BrokerException(BrokerErrorKind.NotFound, $"Namespace '{@namespace}' has no eventbus '{eventbus}'.", "eventbus");
            if (RefuseNextAppend is { } refusal)
            {
                RefuseNextAppend = null;
                throw new BrokerException(refusal, refusal == BrokerErrorKind.Overloaded ? "The eventlog's queue is full." : $"Refused ({refusal}).");
            }

            DuringAppend?.Invoke();
            var failAfter = FailNextAppendAfter;
            FailNextAppendAfter = null;
            var appended = new List<AppendedEvent>(events.Count);
            var now = time.GetUtcNow();
            foreach (var e in events)
            {
                if (appended.Count == failAfter)
                {
                    throw new BrokerException(BrokerErrorKind.Unavailable, "The disk is full; the rest of the request was not stored.", stored: appended);
                }

                if (!DeliveryTimes.TryRead(e, out var due, out var error))
                {
                    throw new InvalidOperationException($"The gateway let through an event with a bad delivery time: {error}");
                }

                if (due > now)
                {
                    appended.Add(new AppendedEvent(e.Id, new EventId(0, _held.Count), -1, -1, due));
                    _held.Add((@namespace, eventbus, e, due.Value));
                    continue;
                }

                var log = bus.Route(e);
                var offset = bus.Earliest[log] + bus.Logs[log].Count;
                bus.Logs[log].Add((e, now));
                appended.Add(new AppendedEvent(e.Id, new EventId(log, offset), log, offset));
            }

            return appended;
        }
    }

    public Task<IReadOnlyList<EventRecord>> ReadAsync(string @namespace, string eventbus, int eventlog, long offset, int count, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var bus = EnsureBus(@namespace, eventbus);
            if (eventlog < 0 || eventlog >= bus.Logs.Length)
            {
                throw new BrokerException(BrokerErrorKind.Invalid, $"Eventbus '{eventbus}' has eventlogs 0 to {bus.Logs.Length - 1}; there is no eventlog {eventlog}.", "eventlog");
            }

            var log = bus.Logs[eventlog];
            var first = Math.Max(offset, bus.Earliest[eventlog]);
            var records = new List<EventRecord>();
            for (var o = first; o < bus.Earliest[eventlog] + log.Count && records.Count < count; o++)
            {
                var (e, stored) = log[(int)(o - bus.Earliest[eventlog])];
                records.Add(new EventRecord(eventbus, eventlog, o, stored, e));
            }

            return Task.FromResult<IReadOnlyList<EventRecord>>(records);
        }
    }

    public Task<EventRecord?> GetAsync(string @namespace, string eventbus, EventId eventId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var bus = EnsureBus(@namespace, eventbus);
            if (eventId.Eventlog >= bus.Logs.Length)
            {
                return Task.FromResult<EventRecord?>(null);
            }

            var index = eventId.Offset - bus.Earliest[eventId.Eventlog];
            var log = bus.Logs[eventId.Eventlog];
            if (index < 0 || index >= log.Count)
            {
                return Task.FromResult<EventRecord?>(null);
            }

            var (e, stored) = log[(int)index];
            return Task.FromResult<EventRecord?>(new EventRecord(eventbus, eventId.Eventlog, eventId.Offset, stored, e));
        }
    }

    public Task<ClusterInfo> DescribeClusterAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(new ClusterInfo([new ClusterMemberInfo("memory", "http://127.0.0.1:8080", "127.0.0.1:0", "up")], "memory"));

    public Task<IReadOnlyList<long>> OffsetsAtAsync(string @namespace, string eventbus, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var bus = EnsureBus(@namespace, eventbus);
            var offsets = new long[bus.Logs.Length];
            for (var i = 0; i < bus.Logs.Length; i++)
            {
                var index = bus.Logs[i].FindIndex(r => r.StoreTime >= at);
                offsets[i] = bus.Earliest[i] + (index < 0 ? bus.Logs[i].Count : index);
            }

            return Task.FromResult<IReadOnlyList<long>>(offsets);
        }
    }

    private void EnsureReady()
    {
        if (!IsReady)
        {
            throw new BrokerException(BrokerErrorKind.Unavailable, "The node is not ready.");
        }
    }

    private void EnsureNamespace(string name)
    {
        if (!_namespaces.ContainsKey(name))
        {
            throw new BrokerException(BrokerErrorKind.NotFound, $"There is no namespace '{name}'.", "namespace");
        }
    }

    private Bus EnsureBus(string ns, string name)
    {
        EnsureReady();
        EnsureNamespace(ns);
        return _buses.GetValueOrDefault((ns, name)) ?? throw new BrokerException(BrokerErrorKind.NotFound, $"Namespace '{ns}' has no eventbus '{name}'.", "eventbus");
    }

    private static void CheckName(string name, string field)
    {
        if (name.Length is 0 or > 128 || !char.IsAsciiLetterOrDigit(name[0]) || name.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.')))
        {
            throw new BrokerException(BrokerErrorKind.Invalid, $"'{name}' is not a valid name.", field);
        }
    }

    private sealed class Bus(string ns, string name, EventbusSpec spec, DateTimeOffset createdAt, string? deadLetterBus)
    {
        private int _roundRobin;

        public string Namespace { get; } = ns;

        public string Name { get; } = name;

        public string? DeadLetterBus { get; } = deadLetterBus;

        public List<(Event Event, DateTimeOffset StoreTime)>[] Logs { get; } = [.. Enumerable.Range(0, spec.Eventlogs).Select(_ => new List<(Event, DateTimeOffset)>())];

        public long[] Earliest { get; } = new long[spec.Eventlogs];

        public int Route(Event e)
        {
            if (e.Extensions.TryGet("partitionkey", out var key))
            {
                // FNV-1a over the key's UTF-8 bytes: stable across runs, unlike string.GetHashCode.
                var hash = 2166136261u;
                foreach (var b in Encoding.UTF8.GetBytes(key.ToString()))
                {
                    hash = (hash ^ b) * 16777619u;
                }

                return (int)(hash % (uint)Logs.Length);
            }

            return _roundRobin++ % Logs.Length;
        }

        public EventbusInfo Info() => new(
            Namespace,
            Name,
            spec.Sync,
            spec.Replicas,
            spec.Retention,
            createdAt,
            DeadLetterBus,
            [.. Logs.Select((l, i) => new EventlogInfo(i, Earliest[i], Earliest[i] + l.Count))]);
    }
}
