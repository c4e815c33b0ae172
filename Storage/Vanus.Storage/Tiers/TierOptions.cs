namespace Vanus.Storage.Tiers;

/// <summary>
/// Where sealed segments go as they age: from the log's own directory (hot) to a warm directory, then compressed into an
/// object store (cold). Either later tier may be left out; a tier's limits say when its oldest segments move on.
/// </summary>
public sealed record TierOptions
{
    /// <summary>The warm tier's directory (a larger, slower disk), or null to skip the warm tier.</summary>
    public string? WarmDirectory { get; init; }

    /// <summary>The cold tier's object store, or null for no cold tier.</summary>
    public IObjectStore? ColdStore { get; init; }

    /// <summary>Prepended to every cold object key (one log's objects share it), for example <c>orders/0/</c>.</summary>
    public string ColdPrefix { get; init; } = "";

    /// <summary>Sealed segments whose newest event is older than this leave the hot tier.</summary>
    public TimeSpan? HotMaxAge { get; init; }

    /// <summary>While the hot tier holds more bytes than this, its oldest sealed segments leave it.</summary>
    public long? HotMaxBytes { get; init; }

    /// <summary>Warm segments whose newest event is older than this move to the cold tier.</summary>
    public TimeSpan? WarmMaxAge { get; init; }

    /// <summary>While the warm tier holds more bytes than this, its oldest segments move to the cold tier.</summary>
    public long? WarmMaxBytes { get; init; }

    /// <summary>The local directory that caches chunks fetched from the cold tier; defaults to <c>cold-cache</c> in the log's directory.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>The most bytes the cold cache keeps; the least recently used chunks go first.</summary>
    public long CacheMaxBytes { get; init; } = 256L << 20;

    /// <summary>Cold segments are compressed in chunks of this many bytes, each fetched with one ranged read.</summary>
    public int ColdChunkSize { get; init; } = 1 << 20;

    /// <summary>The zstd compression level of the cold tier.</summary>
    public int CompressionLevel { get; init; } = 3;

    internal void Validate()
    {
        if (ColdChunkSize < 4096)
        {
            throw new ArgumentOutOfRangeException(nameof(ColdChunkSize), ColdChunkSize, "cold chunks must be at least 4096 bytes");
        }

        if (CacheMaxBytes < ColdChunkSize)
        {
            throw new ArgumentOutOfRangeException(nameof(CacheMaxBytes), CacheMaxBytes, "the cold cache must hold at least one chunk");
        }

        if ((HotMaxAge is not null || HotMaxBytes is not null) && WarmDirectory is null && ColdStore is null)
        {
            throw new ArgumentException("hot tier limits are set but there is neither a warm directory nor a cold store to move segments to", nameof(HotMaxAge));
        }

        if ((WarmMaxAge is not null || WarmMaxBytes is not null) && (WarmDirectory is null || ColdStore is null))
        {
            throw new ArgumentException("warm tier limits need both a warm directory and a cold store", nameof(WarmMaxAge));
        }

        if (HotMaxAge <= TimeSpan.Zero || WarmMaxAge <= TimeSpan.Zero || HotMaxBytes < 0 || WarmMaxBytes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(HotMaxAge), "tier limits must be positive");
        }
    }
}
