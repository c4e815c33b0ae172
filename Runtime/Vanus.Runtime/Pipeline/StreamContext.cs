namespace Vanus.Runtime.Pipeline;

/// <summary>What every stage of one materialized run shares: its cancellation and its settings.</summary>
public sealed class StreamContext
{
    internal StreamContext(StreamSettings settings, CancellationToken cancellationToken)
    {
        Settings = settings;
        CancellationToken = cancellationToken;
    }

    /// <summary>Cancelled when the run is cancelled or has failed; every stage stops on it.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The run's settings.</summary>
    public StreamSettings Settings { get; }

    /// <summary>The run's clock.</summary>
    public TimeProvider TimeProvider => Settings.TimeProvider;
}
