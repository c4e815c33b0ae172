using Vanus.Runtime.Events;

namespace Vanus.Client;

/// <summary>How an in-process consumer pulls, runs its handler and recovers from transient failures.</summary>
public sealed record ConsumeOptions
{
    /// <summary>The options with every default.</summary>
    public static ConsumeOptions Default { get; } = new();

    /// <summary>The most events one pull takes (default 100); they are acknowledged together once handled, so the batch must be handled within the subscription's timeout.</summary>
    public int MaxEvents { get; init; } = 100;

    /// <summary>How long one pull waits for the first event before answering empty (default 5 s; whole milliseconds; keep it under the HTTP client's timeout, 100 s by default).</summary>
    public TimeSpan Wait { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How many handlers run at once (default 1, which keeps the order events were pulled in).</summary>
    public int Parallelism { get; init; } = 1;

    /// <summary>The pause after a pull or ack fails with a network error, 429 or 5xx, before trying again (default 1 s; the node's Retry-After wins when longer).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Called when a handler throws; the event is left un-acked and the node redelivers it after the subscription's timeout.</summary>
    public Action<Event, Exception>? OnHandlerError { get; init; }

    /// <summary>Called when a pull or ack fails in a way worth retrying (network error, 429, 5xx, HTTP timeout), before the consumer waits and tries again.</summary>
    public Action<Exception>? OnTransientFailure { get; init; }

    /// <summary>Throws naming the first option out of range.</summary>
    internal void Validate()
    {
        if (MaxEvents < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxEvents), MaxEvents, "A pull takes at least one event.");
        }

        if (Parallelism < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Parallelism), Parallelism, "At least one handler must run at a time.");
        }

        _ = Http.DurationText.Format(Wait, nameof(Wait));
        if (RetryDelay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RetryDelay), RetryDelay, "The retry delay must not be negative.");
        }
    }
}
