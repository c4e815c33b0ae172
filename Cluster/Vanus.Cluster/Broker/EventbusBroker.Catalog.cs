using Vanus.Cluster.Controller;
using Vanus.Cluster.Eventlogs;
using Vanus.Runtime.Broker;

namespace Vanus.Cluster.Broker;

internal sealed partial class EventbusBroker
{
    public async Task<NamespaceInfo> CreateNamespaceAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        Serving();
        var created = await AskControllerAsync<NamespaceCreated>(new CreateNamespace(name), cancellationToken).ConfigureAwait(false);
        Apply(created.Catalog);
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
        Serving();
        var deleted = await AskControllerAsync<CatalogDeleted>(new DeleteNamespace(name), cancellationToken).ConfigureAwait(false);
        Apply(deleted.Catalog);
        return deleted.Found;
    }

    public async Task<EventbusInfo> CreateEventbusAsync(string @namespace, EventbusSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        ArgumentNullException.ThrowIfNull(spec);
        Serving();
        var command = new CreateEventbus(@namespace, spec.Name, spec.Eventlogs, spec.Replicas, spec.Sync, spec.Retention);
        var created = await AskControllerAsync<EventbusCreated>(command, cancellationToken).ConfigureAwait(false);
        Apply(created.Catalog);

        // A new bus is empty: every eventlog starts at offset 0.
        var eventlogs = Enumerable.Range(0, created.Eventbus.Eventlogs).Select(i => new EventlogInfo(i, 0, 0)).ToList();
        return Info(created.Eventbus, eventlogs);
    }

    public async Task<IReadOnlyList<EventbusInfo>> ListEventbusesAsync(string @namespace, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        var catalog = Serving();
        FindNamespace(catalog, @namespace);
        var buses = catalog.View.Eventbuses
            .Where(b => b.Namespace == @namespace && b.DeadLetterOf is null)
            .OrderBy(b => b.Name, StringComparer.Ordinal)
            .ToList();
        var infos = await Task.WhenAll(buses.Select(b => InfoAsync(b, cancellationToken))).ConfigureAwait(false);
        return infos;
    }

    public async Task<EventbusInfo?> GetEventbusAsync(string @namespace, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        ArgumentNullException.ThrowIfNull(name);
        var catalog = Serving();
        FindNamespace(catalog, @namespace);
        return catalog.Eventbus(@namespace, name) is { } bus ? await InfoAsync(bus, cancellationToken).ConfigureAwait(false) : null;
    }

    public async Task<bool> DeleteEventbusAsync(string @namespace, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        ArgumentNullException.ThrowIfNull(name);
        Serving();
        var deleted = await AskControllerAsync<CatalogDeleted>(new DeleteEventbus(@namespace, name), cancellationToken).ConfigureAwait(false);
        Apply(deleted.Catalog);
        return deleted.Found;
    }

    private async Task<EventbusInfo> InfoAsync(EventbusEntry bus, CancellationToken cancellationToken)
    {
        var replies = await Task.WhenAll(Enumerable.Range(0, bus.Eventlogs).Select(i =>
        {
            var id = bus.EntityId(i);
            return AskEventlogAsync<EventlogInfoReply>(new GetEventlogInfo(id), id, cancellationToken);
        })).ConfigureAwait(false);
        return Info(bus, replies.Select((r, i) => new EventlogInfo(i, r.Earliest, r.Next)).ToList());
    }

    private static EventbusInfo Info(EventbusEntry bus, IReadOnlyList<EventlogInfo> eventlogs) =>
        new(bus.Namespace, bus.Name, bus.Sync, bus.Replicas, bus.Retention, bus.CreatedAt, bus.DeadLetterBus, eventlogs);

    private Task<T> AskControllerAsync<T>(object command, CancellationToken cancellationToken) =>
        AskAsync<T>(_controller, command, "the controller", _timeout, cancellationToken);
}
