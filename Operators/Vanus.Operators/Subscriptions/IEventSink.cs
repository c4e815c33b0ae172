using Vanus.Operators.Delivery;
using Vanus.Runtime.Events;

namespace Vanus.Operators.Subscriptions;

/// <summary>
/// The deliver stage's target: takes the events one item became (a transformer may make several) in order, and says how
/// the attempt went. An attempt fails at the first event that fails and is retried whole. Thread-safe: attempts of many
/// items run at once.
/// </summary>
public interface IEventSink
{
    /// <summary>Delivers <paramref name="events"/> in order; the outcome of the first that was not delivered, or delivered.</summary>
    ValueTask<DeliveryOutcome> DeliverAsync(IReadOnlyList<Event> events, CancellationToken cancellationToken);
}
