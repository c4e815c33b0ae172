using Vanus.Client.Http;
using Vanus.Runtime.Broker;

namespace Vanus.Client;

/// <summary>Starts a delivery policy: attempts, backoff, timeout, ordering, concurrency, rate and dead-lettering.</summary>
public static class Delivery
{
    /// <summary>The node's defaults for everything (32 attempts, Vanus's backoff, 5 s timeout, dead letters on, unordered, 1024 in flight, no rate limit).</summary>
    public static DeliverySettings Default { get; } = new();

    /// <summary>At most <paramref name="maxAttempts"/> attempts per event, the first included (1..32).</summary>
    public static DeliverySettings Retry(int maxAttempts) => Default.MaxAttempts(maxAttempts);
}

/// <summary>
/// A subscription's delivery policy (the document's <c>delivery</c>). Immutable; each method returns a copy with one
/// setting changed, and settings left alone are not written, so the node's defaults apply to them.
/// </summary>
public sealed record DeliverySettings
{
    internal DeliverySettings()
    {
    }

    internal int? Attempts { get; private init; }

    internal IReadOnlyList<TimeSpan>? Waits { get; private init; }

    internal TimeSpan? AttemptTimeout { get; private init; }

    internal bool? DeadLetters { get; private init; }

    internal bool? InOrder { get; private init; }

    internal int? InflightLimit { get; private init; }

    internal double? EventsPerSecond { get; private init; }

    /// <summary>The policy these settings make, the node's defaults filling what was not set.</summary>
    internal DeliveryPolicy ToPolicy()
    {
        var policy = DeliveryPolicy.Default;
        return policy with
        {
            MaxAttempts = Attempts ?? policy.MaxAttempts,
            Backoff = Waits ?? policy.Backoff,
            Timeout = AttemptTimeout ?? policy.Timeout,
            DeadLetter = DeadLetters ?? policy.DeadLetter,
            Ordered = InOrder ?? policy.Ordered,
            Inflight = InflightLimit ?? policy.Inflight,
            RateLimit = EventsPerSecond ?? policy.RateLimit,
        };
    }

    /// <summary>True when no setting was changed, so the document needs no <c>delivery</c>.</summary>
    internal bool IsEmpty =>
        Attempts is null && Waits is null && AttemptTimeout is null && DeadLetters is null
        && InOrder is null && InflightLimit is null && EventsPerSecond is null;

    /// <summary>At most <paramref name="maxAttempts"/> attempts per event, the first included (1..32).</summary>
    public DeliverySettings MaxAttempts(int maxAttempts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxAttempts, DeliveryPolicy.MaxAllowedAttempts);
        return this with { Attempts = maxAttempts };
    }

    /// <summary>The waits before attempt 2, 3, …; the last one repeats (each a non-negative whole number of milliseconds).</summary>
    public DeliverySettings Backoff(params TimeSpan[] waits)
    {
        ArgumentNullException.ThrowIfNull(waits);
        if (waits.Length == 0)
        {
            throw new ArgumentException("Give at least one wait; the last one repeats.", nameof(waits));
        }

        for (var i = 0; i < waits.Length; i++)
        {
            _ = DurationText.Format(waits[i], $"{nameof(waits)}[{i}]");
        }

        return this with { Waits = [.. waits] };
    }

    /// <summary>How long one attempt may take before it counts as failed; for pull consumption, how long an event may stay un-acked before it is redelivered.</summary>
    public DeliverySettings Timeout(TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        _ = DurationText.Format(timeout, nameof(timeout));
        return this with { AttemptTimeout = timeout };
    }

    /// <summary>Sends events that exhaust their attempts to the dead-letter bus (true) or drops and counts them (false).</summary>
    public DeliverySettings DeadLetter(bool enabled = true) => this with { DeadLetters = enabled };

    /// <summary>Delivers events with the same <c>partitionkey</c> one at a time in offset order, retries included.</summary>
    public DeliverySettings Ordered(bool ordered = true) => this with { InOrder = ordered };

    /// <summary>At most <paramref name="inflight"/> attempts outstanding per eventlog (1..65536).</summary>
    public DeliverySettings Inflight(int inflight)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inflight, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(inflight, 65536);
        return this with { InflightLimit = inflight };
    }

    /// <summary>At most <paramref name="eventsPerSecond"/> attempts per second per eventlog; 0 lifts the limit.</summary>
    public DeliverySettings RateLimit(double eventsPerSecond)
    {
        if (double.IsNaN(eventsPerSecond) || double.IsInfinity(eventsPerSecond) || eventsPerSecond < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(eventsPerSecond), eventsPerSecond, "The rate limit must be a finite, non-negative number of events per second (0: unlimited).");
        }

        return this with { EventsPerSecond = eventsPerSecond };
    }

    /// <summary>Equal when every setting is equal, the backoff compared entry by entry.</summary>
    public bool Equals(DeliverySettings? other) =>
        other is not null && Attempts == other.Attempts && AttemptTimeout == other.AttemptTimeout && DeadLetters == other.DeadLetters
        && InOrder == other.InOrder && InflightLimit == other.InflightLimit && Nullable.Equals(EventsPerSecond, other.EventsPerSecond)
        && (ReferenceEquals(Waits, other.Waits) || (Waits is not null && other.Waits is not null && Waits.SequenceEqual(other.Waits)));

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Attempts, Waits?.Count, AttemptTimeout, DeadLetters, InOrder, InflightLimit, EventsPerSecond);

    /// <summary>The <c>delivery</c> object as JSON, with only the settings that were changed.</summary>
    public override string ToString() => DocumentWriter.Delivery(this);
}
