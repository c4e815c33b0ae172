using Akka.Actor;
using Vanus.Cluster.Controller;
using Vanus.Cluster.Messaging;

namespace Vanus.Cluster.Broker;

/// <summary>
/// What the eventbus, subscription and schedule brokers share: catalog changes go through the controller singleton and
/// the catalog its answer carries is taken at once; reads of the catalog come from this node's copy, refused while the
/// node is not serving.
/// </summary>
internal abstract class CatalogBroker(IActorRef controller, EventlogAppender appender)
{
    /// <summary>Refuses a create once the catalog holds <paramref name="max"/> of its kind (counted in this node's copy).</summary>
    protected void CheckLimit(Func<CatalogView, int> count, int max, string what, string setting)
    {
        var held = count(Serving().View);
        if (held >= max)
        {
            throw new Runtime.Broker.BrokerException(
                Runtime.Broker.BrokerErrorKind.Invalid,
                $"the cluster holds {held} {what}, the most this node takes ({setting} {max}): delete some, or raise {setting}",
                "name");
        }
    }

    /// <summary>The node's copy of the catalog.</summary>
    protected CatalogCache Catalog { get; } = appender.Catalog;

    /// <summary>Routes, groups and asks the eventlogs.</summary>
    protected EventlogAppender Appender { get; } = appender;

    /// <summary>The catalog to serve a call with; refused while the node is starting or stopping.</summary>
    protected CatalogIndex Serving() => Appender.Serving();

    /// <summary>Asks the controller to change the catalog and takes the catalog its answer carries, so this node serves the change at once.</summary>
    protected async Task<T> ChangeCatalogAsync<T>(object command, CancellationToken cancellationToken)
        where T : ICatalogAnswer
    {
        Serving();
        var answer = await controller.AskAsync<T>(command, "the controller", Appender.Timeout, cancellationToken).ConfigureAwait(false);
        Catalog.Apply(answer.Catalog);
        return answer;
    }

    /// <summary>The entries of one namespace by name, each described by <paramref name="describe"/>; refused when the namespace does not exist.</summary>
    protected async Task<IReadOnlyList<TInfo>> ListAsync<TEntry, TInfo>(
        string @namespace,
        Func<CatalogIndex, IEnumerable<TEntry>> entries,
        Func<TEntry, CancellationToken, Task<TInfo>> describe,
        CancellationToken cancellationToken)
        where TEntry : ICatalogEntry
    {
        var catalog = ServingNamespace(@namespace);
        var found = entries(catalog)
            .Where(e => e.Namespace == @namespace)
            .OrderBy(e => e.Name, StringComparer.Ordinal)
            .ToList();
        return await Task.WhenAll(found.Select(e => describe(e, cancellationToken))).ConfigureAwait(false);
    }

    /// <summary>One entry of a namespace described, or null when it has none of that name; refused when the namespace does not exist.</summary>
    protected async Task<TInfo?> GetAsync<TEntry, TInfo>(
        string @namespace,
        string name,
        Func<CatalogIndex, TEntry?> find,
        Func<TEntry, CancellationToken, Task<TInfo>> describe,
        CancellationToken cancellationToken)
        where TEntry : class, ICatalogEntry
        where TInfo : class
    {
        ArgumentNullException.ThrowIfNull(name);
        return find(ServingNamespace(@namespace)) is { } entry ? await describe(entry, cancellationToken).ConfigureAwait(false) : null;
    }

    /// <summary>The serving catalog, once it is known to hold namespace <paramref name="namespace"/>.</summary>
    protected CatalogIndex ServingNamespace(string @namespace)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        var catalog = Serving();
        RequireNamespace(catalog, @namespace);
        return catalog;
    }

    /// <summary>Refuses a call about a namespace the catalog does not hold.</summary>
    protected static void RequireNamespace(CatalogIndex catalog, string @namespace) =>
        _ = catalog.Namespace(@namespace) ?? throw EventlogAppender.NamespaceNotFound(@namespace);
}
