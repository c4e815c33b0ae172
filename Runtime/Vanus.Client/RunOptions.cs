using Vanus.Operators.Subscriptions;

namespace Vanus.Client;

/// <summary>How an in-process run of a pipeline (<see cref="SubscriptionPipeline.RunAsync"/>) pulls, acknowledges and gives up.</summary>
public sealed record RunOptions
{
    /// <summary>The options with every default.</summary>
    public static RunOptions Default { get; } = new();

    /// <summary>The most events one pull takes (default 100).</summary>
    public int MaxEvents { get; init; } = 100;

    /// <summary>How long one pull waits for the first event before answering empty (default 5 s, whole milliseconds).</summary>
    public TimeSpan Wait { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the node waits for this process to acknowledge an event before handing it out again (default 1 h): long
    /// enough for the pipeline's own retries, so an event is redelivered only when this process stopped.
    /// </summary>
    public TimeSpan AckTimeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The pause after a pull or ack fails with a network error, 429 or 5xx, before trying again (default 1 s).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Where an event goes that the run gives up on while dead-lettering is on; without it the event is dropped.</summary>
    public Func<DeadLetter, CancellationToken, ValueTask>? OnDeadLetter { get; init; }

    /// <summary>Called when a pull or ack fails in a way worth retrying, before the run waits and tries again.</summary>
    public Action<Exception>? OnTransientFailure { get; init; }

    /// <summary>The HTTP client the run delivers to an HTTP sink with; null: one of its own for the run.</summary>
    public HttpClient? SinkClient { get; init; }

    internal ConsumeOptions ToConsumeOptions() => new()
    {
        MaxEvents = MaxEvents,
        Wait = Wait,
        RetryDelay = RetryDelay,
        OnTransientFailure = OnTransientFailure,
    };

    /// <summary>Throws naming the first option out of range.</summary>
    internal void Validate()
    {
        ToConsumeOptions().Validate();
        if (AckTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(AckTimeout), AckTimeout, "The acknowledgement timeout must be positive.");
        }

        _ = Http.DurationText.Format(AckTimeout, nameof(AckTimeout));
    }
}
