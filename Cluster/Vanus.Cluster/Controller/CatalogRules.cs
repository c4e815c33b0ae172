using Vanus.Cluster.Messaging;
using Vanus.Operators.Timing;
using Vanus.Runtime.Broker;

namespace Vanus.Cluster.Controller;

/// <summary>Checks a catalog command against the catalog; each check returns the refusal to answer, or null when the command may go on.</summary>
internal static class CatalogRules
{
    public const int MaxEventlogs = 64;

    public static Refusal? CheckCreateNamespace(CatalogState state, CreateNamespace command)
    {
        if (EventbusNames.Check(command.Name) is { } problem)
        {
            return Invalid($"namespace name '{command.Name}' {problem}", "name");
        }

        return state.HasNamespace(command.Name)
            ? new Refusal(BrokerErrorKind.AlreadyExists, $"namespace '{command.Name}' already exists", "name")
            : null;
    }

    /// <summary>Null when the namespace may be deleted or does not exist (the caller answers "not found" for that).</summary>
    public static Refusal? CheckDeleteNamespace(CatalogState state, DeleteNamespace command)
    {
        if (command.Name == EventbusNames.DefaultNamespace)
        {
            return Invalid("the default namespace always exists and cannot be deleted", "name");
        }

        var buses = state.EventbusesOf(command.Name).Where(b => b.DeadLetterOf is null).Select(b => b.Name).ToList();
        return buses.Count == 0
            ? null
            : Invalid($"namespace '{command.Name}' still holds eventbuses ({string.Join(", ", buses)}); delete them first", "name");
    }

    public static Refusal? CheckCreateEventbus(CatalogState state, CreateEventbus command, int clusterMembers)
    {
        if (!state.HasNamespace(command.Namespace))
        {
            return new Refusal(BrokerErrorKind.NotFound, $"namespace '{command.Namespace}' does not exist", "namespace");
        }

        if (EventbusNames.Check(command.Name) is { } problem)
        {
            return Invalid($"eventbus name '{command.Name}' {problem}", "name");
        }

        if (command.Eventlogs is < 1 or > MaxEventlogs)
        {
            return Invalid($"an eventbus has 1 to {MaxEventlogs} eventlogs, not {command.Eventlogs}", "eventlogs");
        }

        if (command.Replicas is not (1 or 3 or 5))
        {
            // An even count buys no extra failure tolerance over the odd one below it, and costs a copy.
            return Invalid($"an eventbus has 1, 3 or 5 replicas, not {command.Replicas}", "replicas");
        }

        if (command.Replicas > clusterMembers)
        {
            return Invalid(
                $"{command.Replicas} replicas need {command.Replicas} cluster members, but the cluster has {clusterMembers}",
                "replicas");
        }

        if (!Enum.IsDefined(command.Sync))
        {
            return Invalid($"sync policy {(int)command.Sync} is unknown; use always, interval or none", "sync");
        }

        if (command.Sync == SyncPolicy.None && command.Replicas == 1)
        {
            return Invalid("sync 'none' relies on replicas (acknowledged once a majority has it written), and this eventbus has 1: use interval or always, or 3 or 5 replicas", "sync");
        }

        if (command.Retention is null)
        {
            return Invalid("retention must be given (keep forever by default)", "retention");
        }

        if (command.Retention.MaxAge is { } age && age <= TimeSpan.Zero)
        {
            return Invalid($"retention age must be positive, not {age}", "retention.age");
        }

        if (command.Retention.MaxBytes is { } bytes && bytes <= 0)
        {
            return Invalid($"retention size must be positive, not {bytes}", "retention.bytes");
        }

        return state.Eventbus(command.Namespace, command.Name) is not null
            ? new Refusal(BrokerErrorKind.AlreadyExists, $"eventbus '{command.Name}' already exists in namespace '{command.Namespace}'", "name")
            : null;
    }

    /// <summary>Null when the bus may be deleted or does not exist (the caller answers "not found" for that).</summary>
    public static Refusal? CheckDeleteEventbus(CatalogState state, DeleteEventbus command)
    {
        if (!state.HasNamespace(command.Namespace))
        {
            return new Refusal(BrokerErrorKind.NotFound, $"namespace '{command.Namespace}' does not exist", "namespace");
        }

        if (state.Eventbus(command.Namespace, command.Name) is { DeadLetterOf: { } owner })
        {
            return Invalid($"eventbus '{command.Name}' is the dead-letter bus of '{owner}' and is deleted with it", "name");
        }

        // A subscription may read the dead-letter bus too, which goes with its bus.
        var subscriptions = state.SubscriptionsOf(command.Namespace, command.Name)
            .Concat(state.SubscriptionsOf(command.Namespace, EventbusNames.DeadLetterOf(command.Name)))
            .Select(s => s.Name)
            .ToList();
        if (subscriptions.Count > 0)
        {
            return Invalid($"eventbus '{command.Name}' still has subscriptions ({string.Join(", ", subscriptions)}); delete them first", "name");
        }

        var schedules = state.SchedulesOf(command.Namespace, command.Name).Select(s => s.Name).ToList();
        return schedules.Count == 0
            ? null
            : Invalid($"eventbus '{command.Name}' is the target of schedules ({string.Join(", ", schedules)}); delete them first", "name");
    }

    public static Refusal? CheckCreateSchedule(CatalogState state, ScheduleEntry entry)
    {
        if (!state.HasNamespace(entry.Namespace))
        {
            return new Refusal(BrokerErrorKind.NotFound, $"namespace '{entry.Namespace}' does not exist", "namespace");
        }

        // The broker checked the document; the controller, which stores it, checks it again.
        if (ScheduleChecks.Check(entry.ToSpec()) is { } problem)
        {
            return Invalid($"'{problem.Field}' {problem.Reason}", problem.Field);
        }

        if (state.Eventbus(entry.Namespace, entry.Eventbus) is not { } bus)
        {
            return new Refusal(BrokerErrorKind.NotFound, $"eventbus '{entry.Eventbus}' does not exist in namespace '{entry.Namespace}'", "eventbus");
        }

        if (bus.DeadLetterOf is { } owner)
        {
            return Invalid($"eventbus '{entry.Eventbus}' is the dead-letter bus of '{owner}'; a schedule emits into a bus of its own", "eventbus");
        }

        return state.Schedule(entry.Namespace, entry.Name) is not null
            ? new Refusal(BrokerErrorKind.AlreadyExists, $"schedule '{entry.Name}' already exists in namespace '{entry.Namespace}'", "name")
            : null;
    }

    public static Refusal? CheckCreateSubscription(CatalogState state, SubscriptionEntry entry)
    {
        if (!state.HasNamespace(entry.Namespace))
        {
            return new Refusal(BrokerErrorKind.NotFound, $"namespace '{entry.Namespace}' does not exist", "namespace");
        }

        if (EventbusNames.Check(entry.Name) is { } problem)
        {
            return Invalid($"subscription name '{entry.Name}' {problem}", "name");
        }

        if (CheckEventbus(state, entry) is { } refusal)
        {
            return refusal;
        }

        return state.Subscription(entry.Namespace, entry.Name) is not null
            ? new Refusal(BrokerErrorKind.AlreadyExists, $"subscription '{entry.Name}' already exists in namespace '{entry.Namespace}'", "name")
            : null;
    }

    public static Refusal? CheckUpdateSubscription(CatalogState state, SubscriptionEntry entry)
    {
        if (FindSubscription(state, entry.Namespace, entry.Name) is { } missing)
        {
            return missing;
        }

        var current = state.Subscription(entry.Namespace, entry.Name)!;
        return current.Eventbus != entry.Eventbus
            ? Invalid($"subscription '{entry.Name}' reads eventbus '{current.Eventbus}'; its eventbus cannot change (create another subscription)", "eventbus")
            : CheckEventbus(state, entry);
    }

    /// <summary>A refusal when the namespace or subscription does not exist.</summary>
    public static Refusal? FindSubscription(CatalogState state, string @namespace, string name)
    {
        if (!state.HasNamespace(@namespace))
        {
            return new Refusal(BrokerErrorKind.NotFound, $"namespace '{@namespace}' does not exist", "namespace");
        }

        return state.Subscription(@namespace, name) is null
            ? new Refusal(BrokerErrorKind.NotFound, $"subscription '{name}' does not exist in namespace '{@namespace}'", "name")
            : null;
    }

    private static Refusal? CheckEventbus(CatalogState state, SubscriptionEntry entry) =>
        state.Eventbus(entry.Namespace, entry.Eventbus) switch
        {
            null => new Refusal(BrokerErrorKind.NotFound, $"eventbus '{entry.Eventbus}' does not exist in namespace '{entry.Namespace}'", "eventbus"),
            _ => null,
        };


    /// <summary>The catalog entries of a new bus and its dead-letter bus, each with an incarnation of its own.</summary>
    public static (EventbusEntry Bus, EventbusEntry DeadLetter) NewEventbus(CreateEventbus command, DateTimeOffset now, IReadOnlyList<string> nodes, int first)
    {
        var deadLetterName = EventbusNames.DeadLetterOf(command.Name);
        var bus = new EventbusEntry(
            command.Namespace, command.Name, NewIncarnation(), command.Eventlogs, command.Replicas, command.Sync, command.Retention,
            now, deadLetterName, null, Place(command.Eventlogs, command.Replicas, nodes, first));
        var deadLetter = new EventbusEntry(
            command.Namespace, deadLetterName, NewIncarnation(), 1, command.Replicas, command.Sync, command.Retention,
            now, null, command.Name, Place(1, command.Replicas, nodes, first + command.Eventlogs));
        return (bus, deadLetter);
    }

    /// <summary>
    /// The nodes of each eventlog's replicas: <paramref name="replicas"/> consecutive nodes of the sorted list, each
    /// eventlog starting one further on, so replicas (and the leaders, which start on the first) spread evenly. Null
    /// for a bus kept in one copy.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>>? Place(int eventlogs, int replicas, IReadOnlyList<string> nodes, int first)
    {
        if (replicas <= 1)
        {
            return null;
        }

        var sorted = nodes.Order(StringComparer.Ordinal).ToList();
        return Enumerable.Range(0, eventlogs)
            .Select(i => (IReadOnlyList<string>)Enumerable.Range(0, replicas).Select(r => sorted[(first + i + r) % sorted.Count]).ToList())
            .ToList();
    }

    public static string NewIncarnation() => Guid.NewGuid().ToString("N");

    private static Refusal Invalid(string message, string field) => new(BrokerErrorKind.Invalid, message, field);
}
