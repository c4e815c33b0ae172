namespace Vanus.Runtime.Broker;

/// <summary>
/// Subscriptions: their documents and lifecycle, their dead letters and pull consumption. Failures the caller should map
/// to a status code are <see cref="BrokerException"/>s (a refused document is <see cref="BrokerErrorKind.Invalid"/> with the field).
/// </summary>
public interface ISubscriptionBroker
{
    /// <summary>Creates a subscription and starts its triggers; fails with <see cref="BrokerErrorKind.AlreadyExists"/> if the name is taken.</summary>
    Task<SubscriptionInfo> CreateSubscriptionAsync(string @namespace, SubscriptionSpec spec, CancellationToken cancellationToken = default);

    /// <summary>Replaces a subscription's document (its eventbus cannot change); committed offsets and pending retries are kept.</summary>
    Task<SubscriptionInfo> UpdateSubscriptionAsync(string @namespace, SubscriptionSpec spec, CancellationToken cancellationToken = default);

    /// <summary>Every subscription of a namespace with its progress, ordered by name.</summary>
    Task<IReadOnlyList<SubscriptionInfo>> ListSubscriptionsAsync(string @namespace, CancellationToken cancellationToken = default);

    /// <summary>One subscription with its progress, or null if there is none of that name.</summary>
    Task<SubscriptionInfo?> GetSubscriptionAsync(string @namespace, string name, CancellationToken cancellationToken = default);

    /// <summary>Deletes a subscription and its triggers' state; false if there is none of that name.</summary>
    Task<bool> DeleteSubscriptionAsync(string @namespace, string name, CancellationToken cancellationToken = default);

    /// <summary>Pauses delivery: attempts in flight finish, nothing new starts; idempotent.</summary>
    Task<SubscriptionInfo> PauseSubscriptionAsync(string @namespace, string name, CancellationToken cancellationToken = default);

    /// <summary>Resumes delivery from the committed offsets; idempotent.</summary>
    Task<SubscriptionInfo> ResumeSubscriptionAsync(string @namespace, string name, CancellationToken cancellationToken = default);

    /// <summary>Moves a paused subscription's committed offsets to the first events stored at or after <paramref name="time"/> and drops its pending retries; refused (<see cref="BrokerErrorKind.Invalid"/>) while running.</summary>
    Task<SubscriptionInfo> ResetSubscriptionAsync(string @namespace, string name, DateTimeOffset time, CancellationToken cancellationToken = default);

    /// <summary>Reads up to <paramref name="count"/> of the subscription's dead letters from one dead-letter eventlog, from <paramref name="offset"/> on.</summary>
    Task<IReadOnlyList<DeadLetterRecord>> ReadDeadLettersAsync(string @namespace, string name, int eventlog, long offset, int count, CancellationToken cancellationToken = default);

    /// <summary>Delivers the selected dead letters again (their <c>xvanusdl*</c> attributes removed) as new attempts; returns how many were resent.</summary>
    Task<int> ResendDeadLettersAsync(string @namespace, string name, DeadLetterSelection selection, CancellationToken cancellationToken = default);

    /// <summary>Takes up to <paramref name="max"/> events of a pull subscription, waiting up to <paramref name="wait"/> for the first; an empty list when none came.</summary>
    Task<IReadOnlyList<PulledEvent>> PullAsync(string @namespace, string name, int max, TimeSpan wait, CancellationToken cancellationToken = default);

    /// <summary>Acknowledges pulled events by token (delivered); returns how many tokens were still outstanding. Unknown or expired tokens are ignored.</summary>
    Task<int> AckAsync(string @namespace, string name, IReadOnlyList<string> tokens, CancellationToken cancellationToken = default);
}
