namespace Vanus.Runtime.Broker;

/// <summary>Scheduled events, each occurrence emitted once into an eventbus; failures are <see cref="BrokerException"/>s (a refused document is <see cref="BrokerErrorKind.Invalid"/> with its field).</summary>
public interface IScheduleBroker
{
    /// <summary>Creates a schedule and starts it (its first occurrence is the first one after now); fails with <see cref="BrokerErrorKind.AlreadyExists"/> if the name is taken.</summary>
    Task<ScheduleInfo> CreateScheduleAsync(string @namespace, ScheduleSpec spec, CancellationToken cancellationToken = default);

    /// <summary>Every schedule of a namespace with its progress, ordered by name.</summary>
    Task<IReadOnlyList<ScheduleInfo>> ListSchedulesAsync(string @namespace, CancellationToken cancellationToken = default);

    /// <summary>One schedule with its progress, or null if there is none of that name.</summary>
    Task<ScheduleInfo?> GetScheduleAsync(string @namespace, string name, CancellationToken cancellationToken = default);

    /// <summary>Deletes a schedule once any occurrence it is emitting has finished; nothing fires after it returns; false if there is none of that name.</summary>
    Task<bool> DeleteScheduleAsync(string @namespace, string name, CancellationToken cancellationToken = default);
}
