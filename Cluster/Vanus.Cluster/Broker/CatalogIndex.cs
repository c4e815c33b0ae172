using System.Collections.Frozen;
using Vanus.Cluster.Controller;

namespace Vanus.Cluster.Broker;

/// <summary>An immutable, indexed copy of one catalog version: what the hot path looks buses up in without asking anyone.</summary>
internal sealed class CatalogIndex
{
    public static readonly CatalogIndex Empty = new(new CatalogView(-1, [], []));

    private readonly FrozenDictionary<string, NamespaceEntry> _namespaces;
    private readonly FrozenDictionary<(string Namespace, string Name), EventbusEntry> _eventbuses;
    private readonly FrozenDictionary<(string Namespace, string Name), SubscriptionEntry> _subscriptions;
    private readonly FrozenDictionary<(string Namespace, string Name), ScheduleEntry> _schedules;
    private readonly FrozenDictionary<string, TokenEntry> _tokensByHash;
    private readonly FrozenDictionary<string, EventbusEntry> _byIncarnation;

    public CatalogIndex(CatalogView view)
    {
        View = view;
        _namespaces = view.Namespaces.ToFrozenDictionary(n => n.Name, StringComparer.Ordinal);
        _eventbuses = view.Eventbuses.ToFrozenDictionary(b => (b.Namespace, b.Name));
        _subscriptions = view.SubscriptionList.ToFrozenDictionary(s => (s.Namespace, s.Name));
        _schedules = view.ScheduleList.ToFrozenDictionary(s => (s.Namespace, s.Name));
        _tokensByHash = view.TokenList.ToFrozenDictionary(t => t.Hash, StringComparer.Ordinal);
        _byIncarnation = view.Eventbuses.ToFrozenDictionary(b => b.Incarnation, StringComparer.Ordinal);
    }

    public CatalogView View { get; }

    public long Version => View.Version;

    public NamespaceEntry? Namespace(string name) => _namespaces.GetValueOrDefault(name);

    public EventbusEntry? Eventbus(string @namespace, string name) => _eventbuses.GetValueOrDefault((@namespace, name));

    /// <summary>The bus whose eventlogs carry <paramref name="incarnation"/> in their ids, if the catalog still holds it.</summary>
    public EventbusEntry? EventbusByIncarnation(string incarnation) => _byIncarnation.GetValueOrDefault(incarnation);

    public SubscriptionEntry? Subscription(string @namespace, string name) => _subscriptions.GetValueOrDefault((@namespace, name));

    public ScheduleEntry? Schedule(string @namespace, string name) => _schedules.GetValueOrDefault((@namespace, name));

    public TokenEntry? TokenByHash(string hash) => _tokensByHash.GetValueOrDefault(hash);
}
