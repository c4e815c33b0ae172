namespace Vanus.Runtime.Broker;

/// <summary>How long a log keeps its sealed segments; whole segments are deleted, oldest first, from whichever tier holds them.</summary>
public sealed record RetentionOptions
{
    /// <summary>Keeps everything (the default).</summary>
    public static RetentionOptions Forever { get; } = new();

    /// <summary>Deletes a sealed segment once its newest event is older than this; null keeps segments regardless of age.</summary>
    public TimeSpan? MaxAge { get; init; }

    /// <summary>Deletes the oldest sealed segments while the log's stored bytes (every tier) exceed this; null sets no limit.</summary>
    public long? MaxBytes { get; init; }
}
