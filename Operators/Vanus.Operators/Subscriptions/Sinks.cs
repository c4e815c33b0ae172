using Vanus.Operators.Delivery;
using Vanus.Runtime.Codecs;
using Vanus.Runtime.Events;

namespace Vanus.Operators.Subscriptions;

/// <summary>Makes the sinks a subscription delivers to.</summary>
public static class Sinks
{
    /// <summary>
    /// The HTTP client every HTTP sink of a process shares: a connection per attempt in flight, no proxy, no cookies, and
    /// no client-wide timeout (each attempt has the subscription's own).
    /// </summary>
    public static HttpClient CreateHttpClient(Outbound.OutboundPolicy? policy = null) => HttpDelivery.CreateClient(policy);

    /// <summary>
    /// POSTs each event to <paramref name="url"/> in CloudEvents <paramref name="mode"/> with <paramref name="headers"/>:
    /// 2xx delivered; 429, 5xx, timeouts and connection errors retried; any other status refused.
    /// </summary>
    public static IEventSink Http(HttpClient client, Uri url, ContentMode mode, IReadOnlyDictionary<string, string> headers, TimeSpan timeout) =>
        new HttpSink(new HttpDelivery(client, url, mode, headers, timeout));

    /// <summary>Calls <paramref name="handler"/> for each event in this process: returning delivers, throwing is retried by the policy.</summary>
    public static IEventSink Delegate(Func<Event, CancellationToken, ValueTask> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return new DelegateSink(handler);
    }

    private sealed class HttpSink(HttpDelivery delivery) : IEventSink
    {
        public async ValueTask<DeliveryOutcome> DeliverAsync(IReadOnlyList<Event> events, CancellationToken cancellationToken)
        {
            foreach (var e in events)
            {
                var outcome = await delivery.DeliverAsync(e, cancellationToken).ConfigureAwait(false);
                if (outcome.Kind != DeliveryOutcomeKind.Delivered)
                {
                    return outcome;
                }
            }

            return DeliveryOutcome.Delivered;
        }
    }

    private sealed class DelegateSink(Func<Event, CancellationToken, ValueTask> handler) : IEventSink
    {
        public async ValueTask<DeliveryOutcome> DeliverAsync(IReadOnlyList<Event> events, CancellationToken cancellationToken)
        {
            foreach (var e in events)
            {
                try
                {
                    await handler(e, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
#pragma warning disable CA1031 // a handler's failure is the attempt's outcome, retried by the policy
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    return DeliveryOutcome.Retry($"the handler threw {ex.GetType().Name}: {ex.Message}");
                }
            }

            return DeliveryOutcome.Delivered;
        }
    }
}
