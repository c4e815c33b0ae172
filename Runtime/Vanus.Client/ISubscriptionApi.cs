using Vanus.Runtime.Events;

namespace Vanus.Client;

/// <summary>The subscriptions of the client's namespace: deploy pipelines, watch and steer them, and consume pull subscriptions in process.</summary>
public interface ISubscriptionApi
{
    /// <summary>Creates the subscription from the pipeline, or replaces its document if it exists (committed offsets are kept); returns its status.</summary>
    Task<SubscriptionStatus> DeployAsync(string name, SubscriptionPipeline pipeline, CancellationToken cancellationToken = default);

    /// <summary>One subscription's state, counts, per-eventlog progress and last sink error; throws <see cref="VanusApiException"/> (404) if unknown.</summary>
    Task<SubscriptionStatus> GetAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Every subscription of the namespace with its status.</summary>
    Task<IReadOnlyList<SubscriptionStatus>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes a subscription and its progress; false if there was none of that name.</summary>
    Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Pauses delivery (attempts in flight finish); idempotent.</summary>
    Task<SubscriptionStatus> PauseAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Resumes delivery from the committed offsets; idempotent.</summary>
    Task<SubscriptionStatus> ResumeAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Moves a paused subscription to the first events stored at or after <paramref name="time"/>.</summary>
    Task<SubscriptionStatus> ResetAsync(string name, DateTimeOffset time, CancellationToken cancellationToken = default);

    /// <summary>One long poll of a pull subscription: up to <paramref name="maxEvents"/> events, waiting up to <paramref name="wait"/> for the first; empty when none came.</summary>
    Task<IReadOnlyList<ReceivedEvent>> PullAsync(string name, int maxEvents, TimeSpan wait, CancellationToken cancellationToken = default);

    /// <summary>Acknowledges pulled events by token; returns how many were still outstanding (expired or unknown tokens are ignored by the node).</summary>
    Task<int> AckAsync(string name, IEnumerable<string> tokens, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deploys <paramref name="pipeline"/> (which must have no sink) as a pull subscription, then pulls and runs
    /// <paramref name="handler"/> per event until <paramref name="cancellationToken"/> is cancelled, acknowledging each event
    /// whose handler completed. An event whose handler throws stays un-acked and comes again (at least once). Transient
    /// failures of the node are retried; the task ends with <see cref="OperationCanceledException"/> once cancelled, after
    /// acknowledging the events already handled, or with the error that stopped it.
    /// </summary>
    Task ConsumeAsync(string name, SubscriptionPipeline pipeline, Func<Event, CancellationToken, ValueTask> handler, ConsumeOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deploys <paramref name="pipeline"/> (which must have no sink) as a pull subscription and yields its events as they are
    /// pulled; the caller acknowledges each with <see cref="ReceivedEvent.AckAsync"/>, or it comes again after the timeout.
    /// </summary>
    IAsyncEnumerable<ReceivedEvent> ReceiveAsync(string name, SubscriptionPipeline pipeline, ConsumeOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The pull subscription as an observable: each subscriber runs <see cref="ConsumeAsync"/> with <c>OnNext</c> as the
    /// handler (acknowledged once <c>OnNext</c> returns), and disposing the subscription stops it; failures end in <c>OnError</c>.
    /// </summary>
    IObservable<Event> Observe(string name, SubscriptionPipeline pipeline, ConsumeOptions? options = null);
}
