using Akka.Actor;
using Vanus.Cluster.Controller;
using Vanus.Cluster.Hosting;
using Vanus.Cluster.Timers;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;

namespace Vanus.Cluster.Broker;

/// <summary>
/// The node's <see cref="IEventbusBroker"/>. Management calls go to the controller singleton (and the catalog each answer
/// carries is taken at once); appends and reads go straight to the eventlogs through the <see cref="EventlogAppender"/>,
/// delayed events through the <see cref="TimerIntake"/>.
/// </summary>
internal sealed class EventbusBroker(IActorRef controller, EventlogAppender appender, TimerIntake intake, ClusterView view, int maxEventbuses = int.MaxValue, DiskSpace? space = null) : CatalogBroker(controller, appender), IEventbusBroker
{
    public bool IsReady => Appender.IsReady;

    /// <summary>The version of the catalog copy this node routes with.</summary>
    internal long CatalogVersion => Catalog.Current.Version;

    /// <summary>Completes once this node holds catalog <paramref name="version"/> or a newer one.</summary>
    internal Task CatalogReachedAsync(long version, CancellationToken cancellationToken) => Catalog.ReachedAsync(version, cancellationToken);

    public async Task<NamespaceInfo> CreateNamespaceAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var created = await ChangeCatalogAsync<NamespaceCreated>(new CreateNamespace(name), cancellationToken).ConfigureAwait(false);
        return new NamespaceInfo(created.Namespace.Name, created.Namespace.CreatedAt);
    }

    public Task<IReadOnlyList<NamespaceInfo>> ListNamespacesAsync(CancellationToken cancellationToken = default)
    {
        CatalogIndex catalog;
        try
        {
            catalog = Serving();
        }
        catch (BrokerException ex)
        {
            return Task.FromException<IReadOnlyList<NamespaceInfo>>(ex);
        }

        IReadOnlyList<NamespaceInfo> list = catalog.View.Namespaces
            .OrderBy(n => n.Name, StringComparer.Ordinal)
            .Select(n => new NamespaceInfo(n.Name, n.CreatedAt))
            .ToList();
        return Task.FromResult(list);
    }

    public Task<NamespaceInfo?> GetNamespaceAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        CatalogIndex catalog;
        try
        {
            catalog = Serving();
        }
        catch (BrokerException ex)
        {
            return Task.FromException<NamespaceInfo?>(ex);
        }

        var entry = catalog.Namespace(name);
        return Task.FromResult(entry is null ? null : new NamespaceInfo(entry.Name, entry.CreatedAt));
    }

    public async Task<bool> DeleteNamespaceAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var deleted = await ChangeCatalogAsync<CatalogDeleted>(new DeleteNamespace(name), cancellationToken).ConfigureAwait(false);
        return deleted.Found;
    }

    public async Task<EventbusInfo> CreateEventbusAsync(string @namespace, EventbusSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        ArgumentNullException.ThrowIfNull(spec);
        CheckLimit(view => view.Eventbuses.Count(b => b.DeadLetterOf is null), maxEventbuses, "eventbuses", "--max-eventbuses");
        if (spec.Eventlogs is >= 1 and <= CatalogRules.MaxEventlogs)
        {
            // Out of range, the count is the controller's to refuse (400), not a question of space.
            space?.CheckRoomFor(spec.Name, spec.Eventlogs);
        }

        var command = new CreateEventbus(@namespace, spec.Name, spec.Eventlogs, spec.Replicas, spec.Sync, spec.Retention);
        var created = await ChangeCatalogAsync<EventbusCreated>(command, cancellationToken).ConfigureAwait(false);

        // A new bus is empty: every eventlog starts at offset 0.
        var eventlogs = Enumerable.Range(0, created.Eventbus.Eventlogs).Select(i => new EventlogInfo(i, 0, 0)).ToList();
        return Info(created.Eventbus, eventlogs);
    }

    public Task<IReadOnlyList<EventbusInfo>> ListEventbusesAsync(string @namespace, CancellationToken cancellationToken = default) =>
        ListAsync(@namespace, catalog => catalog.View.Eventbuses.Where(b => b.DeadLetterOf is null), InfoAsync, cancellationToken);

    public Task<EventbusInfo?> GetEventbusAsync(string @namespace, string name, CancellationToken cancellationToken = default) =>
        GetAsync(@namespace, name, catalog => catalog.Eventbus(@namespace, name), InfoAsync, cancellationToken);

    public async Task<bool> DeleteEventbusAsync(string @namespace, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        ArgumentNullException.ThrowIfNull(name);
        var deleted = await ChangeCatalogAsync<CatalogDeleted>(new DeleteEventbus(@namespace, name), cancellationToken).ConfigureAwait(false);
        return deleted.Found;
    }

    private async Task<EventbusInfo> InfoAsync(EventbusEntry bus, CancellationToken cancellationToken) =>
        Info(bus, await Appender.InfoAsync(bus, cancellationToken).ConfigureAwait(false));

    private static EventbusInfo Info(EventbusEntry bus, IReadOnlyList<EventlogInfo> eventlogs) =>
        new(bus.Namespace, bus.Name, bus.Sync, bus.Replicas, bus.Retention, bus.CreatedAt, bus.DeadLetterBus, eventlogs);

    public ValueTask<IReadOnlyList<AppendedEvent>> AppendAsync(string @namespace, string eventbus, IReadOnlyList<Event> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        ArgumentNullException.ThrowIfNull(eventbus);
        ArgumentNullException.ThrowIfNull(events);
        EventbusEntry bus;
        AppendGate.Ticket admitted;
        try
        {
            bus = FindEventbus(Serving(), @namespace, eventbus);
            if (events.Count == 0)
            {
                return new ValueTask<IReadOnlyList<AppendedEvent>>([]);
            }

            admitted = Appender.Gate.Admit(events);
        }
        catch (BrokerException ex)
        {
            return ValueTask.FromException<IReadOnlyList<AppendedEvent>>(ex);
        }

        return AppendAdmittedAsync(bus, events, admitted, cancellationToken);
    }

    public Task<IReadOnlyList<EventRecord>> ReadAsync(string @namespace, string eventbus, int eventlog, long offset, int count, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        ArgumentNullException.ThrowIfNull(eventbus);
        return Appender.ReadAsync(FindEventbus(Serving(), @namespace, eventbus), eventlog, offset, count, cancellationToken);
    }

    public Task<IReadOnlyList<EventRecord>> ReadReplicaAsync(string @namespace, string eventbus, int eventlog, string replica, long offset, int count, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(replica);
        var bus = FindEventbus(Serving(), @namespace, eventbus);
        if (eventlog >= 0 && eventlog < bus.Eventlogs && bus.ReplicasOf(eventlog) is null)
        {
            throw new BrokerException(BrokerErrorKind.Invalid, $"eventbus '{eventbus}' keeps one copy of each eventlog: 'replica' names a node of a replicated eventbus", "replica");
        }

        return Appender.ReadAsync(bus, eventlog, offset, count, cancellationToken, replica);
    }

    public Task<ClusterInfo> DescribeClusterAsync(CancellationToken cancellationToken = default) => Task.FromResult(view.Describe());

    public async Task<EventRecord?> GetAsync(string @namespace, string eventbus, EventId eventId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        ArgumentNullException.ThrowIfNull(eventbus);
        var bus = FindEventbus(Serving(), @namespace, eventbus);
        if (eventId.Eventlog < 0 || eventId.Eventlog >= bus.Eventlogs || eventId.Offset < 0)
        {
            return null;
        }

        IReadOnlyList<EventRecord> records;
        try
        {
            records = await Appender.ReadAsync(bus, eventId.Eventlog, eventId.Offset, 1, cancellationToken).ConfigureAwait(false);
        }
        catch (BrokerException ex) when (ex.Kind == BrokerErrorKind.Invalid)
        {
            // Below the earliest offset: retention deleted it.
            return null;
        }

        return records is [var record, ..] && record.Offset == eventId.Offset ? record : null;
    }

    public Task<IReadOnlyList<long>> OffsetsAtAsync(string @namespace, string eventbus, DateTimeOffset time, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        ArgumentNullException.ThrowIfNull(eventbus);
        return Appender.OffsetsAtAsync(FindEventbus(Serving(), @namespace, eventbus), time, cancellationToken);
    }

    private async ValueTask<IReadOnlyList<AppendedEvent>> AppendAdmittedAsync(EventbusEntry bus, IReadOnlyList<Event> events, AppendGate.Ticket admitted, CancellationToken cancellationToken)
    {
        using (admitted)
        {
            return await intake.AppendAsync(bus, events, cancellationToken).ConfigureAwait(false);
        }
    }

    private static EventbusEntry FindEventbus(CatalogIndex catalog, string @namespace, string name) => EventlogAppender.FindEventbus(catalog, @namespace, name);
}
