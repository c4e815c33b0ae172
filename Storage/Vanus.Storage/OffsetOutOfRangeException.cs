namespace Vanus.Storage;

/// <summary>A read asked for an offset the log does not hold: deleted by retention or truncation, or not yet written.</summary>
public sealed class OffsetOutOfRangeException : ArgumentOutOfRangeException
{
    /// <summary>Creates the exception for <paramref name="offset"/> and the range the log holds.</summary>
    public OffsetOutOfRangeException(long offset, long earliest, long next)
        : base(nameof(offset), offset, $"offset {offset} is not in the log, which holds offsets {earliest} to {next - 1} (the next append gets {next})")
    {
        Earliest = earliest;
        Next = next;
    }

    /// <summary>The first offset the log holds.</summary>
    public long Earliest { get; }

    /// <summary>The offset the next append gets.</summary>
    public long Next { get; }
}
