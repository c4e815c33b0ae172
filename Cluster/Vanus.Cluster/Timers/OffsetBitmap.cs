namespace Vanus.Cluster.Timers;

/// <summary>
/// A set of eventlog offsets as a bitmap in chunks of 4,096 offsets (512 bytes each, allocated when first used): one bit
/// per fired timer, so ten million fired timers cost about 1.2 MB. Chunks wholly below a floor are dropped.
/// </summary>
internal sealed class OffsetBitmap
{
    public const int ChunkOffsets = 4096;
    private const int Words = ChunkOffsets / 64;

    private readonly Dictionary<long, ulong[]> _chunks = [];

    public int ChunkCount => _chunks.Count;

    public static long ChunkOf(long offset) => offset >> 12;

    public bool Contains(long offset) =>
        _chunks.TryGetValue(ChunkOf(offset), out var bits) && (bits[(offset & (ChunkOffsets - 1)) >> 6] & (1UL << (int)(offset & 63))) != 0;

    /// <summary>Adds an offset; false when it was there already.</summary>
    public bool Add(long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var chunk = ChunkOf(offset);
        if (!_chunks.TryGetValue(chunk, out var bits))
        {
            _chunks[chunk] = bits = new ulong[Words];
        }

        ref var word = ref bits[(offset & (ChunkOffsets - 1)) >> 6];
        var mask = 1UL << (int)(offset & 63);
        if ((word & mask) != 0)
        {
            return false;
        }

        word |= mask;
        return true;
    }

    /// <summary>Drops every chunk that lies wholly below <paramref name="floor"/>: offsets there are never asked about again.</summary>
    public void PruneBelow(long floor)
    {
        var first = ChunkOf(floor);
        List<long>? drop = null;
        foreach (var chunk in _chunks.Keys)
        {
            if (chunk < first)
            {
                (drop ??= []).Add(chunk);
            }
        }

        foreach (var chunk in drop ?? [])
        {
            _chunks.Remove(chunk);
        }
    }

    public void Clear() => _chunks.Clear();

    public IReadOnlyList<FiredChunk> ToChunks() => [.. _chunks.OrderBy(c => c.Key).Select(c => new FiredChunk(c.Key, (ulong[])c.Value.Clone()))];

    public void Restore(IEnumerable<FiredChunk> chunks)
    {
        _chunks.Clear();
        foreach (var chunk in chunks)
        {
            if (chunk.Bits.Length != Words)
            {
                throw new InvalidDataException($"a fired-timer chunk holds {chunk.Bits.Length} words, not {Words}");
            }

            _chunks[chunk.Chunk] = (ulong[])chunk.Bits.Clone();
        }
    }
}
