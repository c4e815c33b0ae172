namespace Vanus.Storage;

/// <summary>Where a segment's bytes live.</summary>
public enum SegmentTier
{
    /// <summary>The log's own directory (fast disk); the active segment is always here.</summary>
    Hot,

    /// <summary>The warm directory (large, slower disk).</summary>
    Warm,

    /// <summary>The object store, compressed.</summary>
    Cold,
}
