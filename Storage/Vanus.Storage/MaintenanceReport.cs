namespace Vanus.Storage;

/// <summary>What one maintenance pass did: base offsets of the segments moved to each tier and of those deleted.</summary>
public sealed record MaintenanceReport(IReadOnlyList<long> MovedToWarm, IReadOnlyList<long> MovedToCold, IReadOnlyList<long> Deleted);
