namespace Vanus.Cluster.Controller;

/// <summary>Checks a catalog command against the catalog; each check returns the refusal to answer, or null when the command may go on.</summary>
internal static class CatalogRules
{
    public const int MaxEventlogs = 64;

    public static ControllerRefusal? CheckCreateNamespace(CatalogState state, CreateNamespace command)
    {
        if (EventbusNames.Check(command.Name) is { } problem)
        {
            return Invalid($"namespace name '{command.Name}' {problem}", "name");
        }

        return state.HasNamespace(command.Name)
            ? new ControllerRefusal(BrokerErrorKind.AlreadyExists, $"namespace '{command.Name}' already exists", "name")
            : null;
    }

    /// <summary>Null when the namespace may be deleted or does not exist (the caller answers "not found" for that).</summary>
    public static ControllerRefusal? CheckDeleteNamespace(CatalogState state, DeleteNamespace command)
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

    public static ControllerRefusal? CheckCreateEventbus(CatalogState state, CreateEventbus command, int clusterMembers)
    {
        if (!state.HasNamespace(command.Namespace))
        {
            return new ControllerRefusal(BrokerErrorKind.NotFound, $"namespace '{command.Namespace}' does not exist", "namespace");
        }

        if (EventbusNames.Check(command.Name) is { } problem)
        {
            return Invalid($"eventbus name '{command.Name}' {problem}", "name");
        }

        if (command.Eventlogs is < 1 or > MaxEventlogs)
        {
            return Invalid($"an eventbus has 1 to {MaxEventlogs} eventlogs, not {command.Eventlogs}", "eventlogs");
        }

        if (command.Replicas < 1)
        {
            return Invalid($"an eventbus has at least 1 replica, not {command.Replicas}", "replicas");
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
            ? new ControllerRefusal(BrokerErrorKind.AlreadyExists, $"eventbus '{command.Name}' already exists in namespace '{command.Namespace}'", "name")
            : null;
    }

    /// <summary>Null when the bus may be deleted or does not exist (the caller answers "not found" for that).</summary>
    public static ControllerRefusal? CheckDeleteEventbus(CatalogState state, DeleteEventbus command)
    {
        if (!state.HasNamespace(command.Namespace))
        {
            return new ControllerRefusal(BrokerErrorKind.NotFound, $"namespace '{command.Namespace}' does not exist", "namespace");
        }

        return state.Eventbus(command.Namespace, command.Name) is { DeadLetterOf: { } owner }
            ? Invalid($"eventbus '{command.Name}' is the dead-letter bus of '{owner}' and is deleted with it", "name")
            : null;
    }

    /// <summary>The catalog entries of a new bus and its dead-letter bus, each with an incarnation of its own.</summary>
    public static (EventbusEntry Bus, EventbusEntry DeadLetter) NewEventbus(CreateEventbus command, DateTimeOffset now)
    {
        var deadLetterName = EventbusNames.DeadLetterOf(command.Name);
        var bus = new EventbusEntry(
            command.Namespace, command.Name, NewIncarnation(), command.Eventlogs, command.Replicas, command.Sync, command.Retention,
            now, deadLetterName, null);
        var deadLetter = new EventbusEntry(
            command.Namespace, deadLetterName, NewIncarnation(), 1, command.Replicas, command.Sync, command.Retention,
            now, null, command.Name);
        return (bus, deadLetter);
    }

    private static string NewIncarnation() => Guid.NewGuid().ToString("N");

    private static ControllerRefusal Invalid(string message, string field) => new(BrokerErrorKind.Invalid, message, field);
}
