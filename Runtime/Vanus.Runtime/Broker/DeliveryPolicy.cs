namespace Vanus.Runtime.Broker;

/// <summary>How a subscription delivers: attempts, backoff, timeout, dead-lettering, ordering, concurrency and rate (DESIGN §6 defaults).</summary>
public sealed record DeliveryPolicy
{
    /// <summary>The most attempts a policy may allow (the first included).</summary>
    public const int MaxAllowedAttempts = 32;

    /// <summary>The default backoff schedule, Vanus's: 1 s, 5 s, 10 s, 30 s, 60 s, then doubling to 960 s, then 3600 s.</summary>
    public static readonly IReadOnlyList<TimeSpan> DefaultBackoff =
    [
        TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30),
        TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(240), TimeSpan.FromSeconds(480),
        TimeSpan.FromSeconds(960), TimeSpan.FromSeconds(3600),
    ];

    /// <summary>The longest attempt timeout: what an HTTP client's timer takes (2^31 - 1 ms, about 24.8 days), floored to whole days.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromDays(24);

    /// <summary>The longest wait between attempts a policy may ask for: a year, so a due time never leaves the calendar.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromDays(365);

    /// <summary>The policy with every default.</summary>
    public static DeliveryPolicy Default { get; } = new();

    /// <summary>Attempts in all, the first included: 1..32.</summary>
    public int MaxAttempts { get; init; } = MaxAllowedAttempts;

    /// <summary>The wait before attempt 2, 3, …; the last entry repeats. Non-empty, each entry non-negative.</summary>
    public IReadOnlyList<TimeSpan> Backoff { get; init; } = DefaultBackoff;

    /// <summary>How long one attempt may take before it counts as failed (and is retried); for pull, the ack deadline.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>True: an event that exhausts its attempts (or is refused with a 4xx) goes to the dead-letter bus; false: it is dropped and counted.</summary>
    public bool DeadLetter { get; init; } = true;

    /// <summary>True: events with the same <c>partitionkey</c> are delivered one at a time, in offset order, retries included.</summary>
    public bool Ordered { get; init; }

    /// <summary>How many attempts may be outstanding at once for one eventlog of the subscription: 1..65536.</summary>
    public int Inflight { get; init; } = 1024;

    /// <summary>Attempts per second allowed per eventlog of the subscription; 0 means unlimited.</summary>
    public double RateLimit { get; init; }

    /// <summary>The wait before attempt <paramref name="attempt"/> (2 or more): the backoff entry for it, the last entry once they run out.</summary>
    public TimeSpan BackoffBefore(int attempt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 2);
        return Backoff[Math.Min(attempt - 2, Backoff.Count - 1)];
    }

    /// <summary>The first problem with this policy as (field under <c>delivery</c>, reason), or null when it is valid.</summary>
    public (string Field, string Reason)? Check()
    {
        if (MaxAttempts is < 1 or > MaxAllowedAttempts)
        {
            return (SubscriptionFields.MaxAttempts, $"must be 1..{MaxAllowedAttempts} (it counts the first attempt), not {MaxAttempts}");
        }

        if (Backoff is null || Backoff.Count == 0)
        {
            return (SubscriptionFields.Backoff, "must list at least one duration");
        }

        for (var i = 0; i < Backoff.Count; i++)
        {
            if (Backoff[i] < TimeSpan.Zero)
            {
                return ($"backoff[{i}]", "must not be negative");
            }

            if (Backoff[i] > MaxBackoff)
            {
                return ($"backoff[{i}]", $"must be at most {Units.FormatDuration(MaxBackoff)} (got {Units.FormatDuration(Backoff[i])})");
            }
        }

        if (Timeout <= TimeSpan.Zero)
        {
            return (SubscriptionFields.Timeout, "must be more than 0");
        }

        if (Timeout > MaxTimeout)
        {
            return (SubscriptionFields.Timeout, $"must be at most {Units.FormatDuration(MaxTimeout)} (got {Units.FormatDuration(Timeout)})");
        }

        if (Inflight is < 1 or > 65536)
        {
            return (SubscriptionFields.Inflight, $"must be 1..65536, not {Inflight}");
        }

        if (double.IsNaN(RateLimit) || double.IsInfinity(RateLimit) || RateLimit < 0)
        {
            return (SubscriptionFields.RateLimit, "must be a non-negative number of events per second (0: unlimited)");
        }

        return null;
    }

    /// <inheritdoc/>
    public bool Equals(DeliveryPolicy? other) =>
        other is not null && MaxAttempts == other.MaxAttempts && Backoff.SequenceEqual(other.Backoff) && Timeout == other.Timeout
        && DeadLetter == other.DeadLetter && Ordered == other.Ordered && Inflight == other.Inflight && RateLimit.Equals(other.RateLimit);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(MaxAttempts, Backoff.Count, Timeout, DeadLetter, Ordered, Inflight, RateLimit);
}
