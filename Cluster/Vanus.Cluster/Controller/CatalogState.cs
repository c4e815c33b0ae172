using Vanus.Runtime.Broker;

namespace Vanus.Cluster.Controller;

/// <summary>The controller's state, changed only by applying persisted events (during recovery and after each persist).</summary>
internal sealed class CatalogState
{
    private readonly SortedDictionary<string, NamespaceEntry> _namespaces = new(StringComparer.Ordinal);
    private readonly SortedDictionary<(string Namespace, string Name), EventbusEntry> _eventbuses = new();
    private readonly SortedDictionary<string, PendingRelease> _releases = new(StringComparer.Ordinal);
    private readonly SortedDictionary<(string Namespace, string Name), SubscriptionEntry> _subscriptions = new();
    private readonly SortedDictionary<(string Namespace, string Name), ScheduleEntry> _schedules = new();
    private readonly SortedDictionary<string, TokenEntry> _tokens = new(StringComparer.Ordinal);

    public IReadOnlyCollection<PendingRelease> Releases => _releases.Values;

    public bool HasNamespace(string name) => _namespaces.ContainsKey(name);

    public EventbusEntry? Eventbus(string @namespace, string name) => _eventbuses.GetValueOrDefault((@namespace, name));

    public IEnumerable<EventbusEntry> EventbusesOf(string @namespace) => _eventbuses.Values.Where(b => b.Namespace == @namespace);

    public SubscriptionEntry? Subscription(string @namespace, string name) => _subscriptions.GetValueOrDefault((@namespace, name));

    public IEnumerable<SubscriptionEntry> Subscriptions => _subscriptions.Values;

    public IEnumerable<SubscriptionEntry> SubscriptionsOf(string @namespace, string eventbus) =>
        _subscriptions.Values.Where(s => s.Namespace == @namespace && s.Eventbus == eventbus);

    public ScheduleEntry? Schedule(string @namespace, string name) => _schedules.GetValueOrDefault((@namespace, name));

    public IEnumerable<ScheduleEntry> Schedules => _schedules.Values;

    public IEnumerable<ScheduleEntry> SchedulesOf(string @namespace, string eventbus) =>
        _schedules.Values.Where(s => s.Namespace == @namespace && s.Eventbus == eventbus);

    public TokenEntry? Token(string name) => _tokens.GetValueOrDefault(name);

    public void Apply(object evt)
    {
        switch (evt)
        {
            case NamespaceAdded added:
                _namespaces[added.Namespace.Name] = added.Namespace;
                break;
            case NamespaceRemoved removed:
                _namespaces.Remove(removed.Name);
                break;
            case EventbusAdded added:
                _eventbuses[(added.Eventbus.Namespace, added.Eventbus.Name)] = added.Eventbus;
                _eventbuses[(added.DeadLetter.Namespace, added.DeadLetter.Name)] = added.DeadLetter;
                break;
            case EventbusRemoved removed:
                _eventbuses.Remove((removed.Namespace, removed.Name));
                _eventbuses.Remove((removed.Namespace, EventbusNames.DeadLetterOf(removed.Name)));
                foreach (var release in removed.Releases)
                {
                    _releases[release.Incarnation] = release;
                }

                break;
            case SubscriptionAdded added:
                _subscriptions[(added.Subscription.Namespace, added.Subscription.Name)] = added.Subscription;
                break;
            case SubscriptionUpdated updated:
                _subscriptions[(updated.Subscription.Namespace, updated.Subscription.Name)] = updated.Subscription;
                break;
            case SubscriptionRemoved removed:
                _subscriptions.Remove((removed.Namespace, removed.Name));
                break;
            case ScheduleAdded added:
                _schedules[(added.Schedule.Namespace, added.Schedule.Name)] = added.Schedule;
                break;
            case ScheduleRemoved removed:
                _schedules.Remove((removed.Namespace, removed.Name));
                break;
            case TokenAdded added:
                _tokens[added.Token.Name] = added.Token;
                break;
            case TokenRemoved removed:
                _tokens.Remove(removed.Name);
                break;
            case StorageReleased released:
                _releases.Remove(released.Incarnation);
                break;
            default:
                throw new ArgumentException($"{evt.GetType().Name} is not a catalog event", nameof(evt));
        }
    }

    public CatalogView View(long version) => new(version, [.. _namespaces.Values], [.. _eventbuses.Values], [.. _subscriptions.Values], [.. _schedules.Values], [.. _tokens.Values]);

    public CatalogSnapshot Snapshot() => new([.. _namespaces.Values], [.. _eventbuses.Values], [.. _releases.Values], [.. _subscriptions.Values], [.. _schedules.Values], [.. _tokens.Values]);

    public void Restore(CatalogSnapshot snapshot)
    {
        _namespaces.Clear();
        _eventbuses.Clear();
        _releases.Clear();
        _subscriptions.Clear();
        _schedules.Clear();
        _tokens.Clear();
        foreach (var token in snapshot.Tokens ?? [])
        {
            _tokens[token.Name] = token;
        }

        foreach (var schedule in snapshot.Schedules ?? [])
        {
            _schedules[(schedule.Namespace, schedule.Name)] = schedule;
        }

        foreach (var subscription in snapshot.Subscriptions ?? [])
        {
            _subscriptions[(subscription.Namespace, subscription.Name)] = subscription;
        }

        foreach (var ns in snapshot.Namespaces)
        {
            _namespaces[ns.Name] = ns;
        }

        foreach (var bus in snapshot.Eventbuses)
        {
            _eventbuses[(bus.Namespace, bus.Name)] = bus;
        }

        foreach (var release in snapshot.Releases)
        {
            _releases[release.Incarnation] = release;
        }
    }
}
