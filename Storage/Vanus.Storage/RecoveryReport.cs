namespace Vanus.Storage;

/// <summary>What opening a log found: whether it was closed cleanly and what torn tail, if any, was cut off.</summary>
public sealed record RecoveryReport
{
    /// <summary>True when the log had been closed cleanly, so nothing needed verifying.</summary>
    public bool WasClean { get; init; }

    /// <summary>The records verified from the last checkpoint to the end.</summary>
    public long RecordsVerified { get; init; }

    /// <summary>The segment file whose tail was cut, or null when nothing was.</summary>
    public string? TruncatedFile { get; init; }

    /// <summary>The file position where the valid records end and the cut began.</summary>
    public long TruncatedAt { get; init; }

    /// <summary>Why the tail was cut (a short record, a bad CRC, a misplaced offset or stray bytes past the end), or what is corrupt.</summary>
    public string? Reason { get; init; }

    /// <summary>
    /// True when records that were synced are damaged: corruption, not a torn tail. Nothing was cut; the log serves reads
    /// before <see cref="CorruptAt"/> and refuses appends until an operator acts.
    /// </summary>
    public bool ReadOnly { get; init; }

    /// <summary>The segment file holding the corrupt record, or null.</summary>
    public string? CorruptFile { get; init; }

    /// <summary>The file position of the first corrupt record.</summary>
    public long CorruptAt { get; init; }
}
