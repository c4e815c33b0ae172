namespace Vanus.Cluster.Triggers;

/// <summary>
/// Where a trigger reads its eventlog next and whether a read is out. A reset moves it and starts a new
/// <see cref="Generation"/>: reads, fetches and attempts started before it are ignored when they come back.
/// </summary>
internal sealed class ReadCursor
{
    /// <summary>The next offset to read.</summary>
    public long Position { get; private set; }

    /// <summary>A read (or the wait before retrying a failed one) is out: no other starts.</summary>
    public bool Reading { get; private set; }

    /// <summary>Bumped by every reset.</summary>
    public long Generation { get; private set; }

    /// <summary>Places the cursor where the trigger starts (recovered, or its start resolved), with no read out.</summary>
    public void StartAt(long position) => (Position, Reading) = (position, false);

    /// <summary>Moves to where a reset points and starts a new generation.</summary>
    public void Reset(long position)
    {
        Generation++;
        StartAt(position);
    }

    /// <summary>Marks a read out and returns what it reads: this generation, from this position.</summary>
    public (long Generation, long Offset) Begin()
    {
        Reading = true;
        return (Generation, Position);
    }

    /// <summary>True when a read started at (<paramref name="generation"/>, <paramref name="offset"/>) is the one out now.</summary>
    public bool IsCurrent(long generation, long offset) => generation == Generation && offset == Position;

    /// <summary>The read out came back (or was given up); another may start.</summary>
    public void Done() => Reading = false;

    /// <summary>A record at the position was taken: the next read starts after it.</summary>
    public void Advance(long offset) => Position = offset + 1;

    /// <summary>Skips past events retention removed: never backwards.</summary>
    public void SkipTo(long earliest) => Position = Math.Max(Position, earliest);
}
