using Vanus.Runtime.Events;

namespace Vanus.Client;

/// <summary>Publishing events into eventbuses of the client's namespace.</summary>
public interface IEventApi
{
    /// <summary>Publishes one event (structured mode) and returns where it was stored once it is durable.</summary>
    Task<EventPlacement> PublishAsync(string eventbus, Event @event, CancellationToken cancellationToken = default);

    /// <summary>Publishes events as one batch (all stored or none) and returns where each was stored, in order.</summary>
    Task<IReadOnlyList<EventPlacement>> PublishAsync(string eventbus, IEnumerable<Event> events, CancellationToken cancellationToken = default);
}
