namespace Vanus.Storage;

/// <summary>One segment of a log as seen now: its offsets <c>[BaseOffset, NextOffset)</c>, its stored size and its tier.</summary>
public sealed record SegmentInfo(long BaseOffset, long NextOffset, long StoredBytes, SegmentTier Tier, bool Sealed);
