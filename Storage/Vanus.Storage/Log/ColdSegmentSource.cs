using Vanus.Storage.Segments;
using Vanus.Storage.Tiers;

namespace Vanus.Storage.Log;

/// <summary>A segment in the object store: the header is fetched once, chunks on demand through the local cache.</summary>
internal sealed class ColdSegmentSource(IObjectStore store, string key, long baseOffset, ChunkCache cache) : SegmentSource
{
    private const int FirstFetch = 64 << 10;
    private readonly Lock _gate = new();
    private Task<ColdHeader>? _headerFetch;
    private int _lastIndex = -1;
    private byte[]? _lastChunk;

    public string Key => key;

    public override string Description => store.Describe(key);

    public override async ValueTask<SegmentSummary> GetSummaryAsync(CancellationToken cancellationToken) =>
        (await GetHeaderAsync(cancellationToken).ConfigureAwait(false)).Summary;

    /// <summary>
    /// The object's summary when the object is a whole cold segment of this base offset (its header passes its CRC and
    /// the object is exactly as long as the header's chunk table says), or null when it is not.
    /// </summary>
    public async ValueTask<SegmentSummary?> VerifyAsync(long objectLength, CancellationToken cancellationToken)
    {
        try
        {
            var header = await GetHeaderAsync(cancellationToken).ConfigureAwait(false);
            return header.ObjectLength == objectLength ? header.Summary : null;
        }
        catch (LogCorruptedException)
        {
            return null;
        }
    }

    public override async ValueTask<int> ReadAsync(long position, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var header = await GetHeaderAsync(cancellationToken).ConfigureAwait(false);
        if (position >= header.DataLength)
        {
            return 0;
        }

        var index = (int)(position / header.ChunkSize);
        var chunk = await GetChunkAsync(header, index, cancellationToken).ConfigureAwait(false);
        var at = (int)(position - ((long)index * header.ChunkSize));
        var n = Math.Min(buffer.Length, chunk.Length - at);
        chunk.AsSpan(at, n).CopyTo(buffer.Span);
        return n;
    }

    private ValueTask<ColdHeader> GetHeaderAsync(CancellationToken cancellationToken)
    {
        Task<ColdHeader> fetch;
        lock (_gate)
        {
            // One fetch shared by concurrent readers; a failed one is forgotten so the next read tries again.
            if (_headerFetch is null || _headerFetch.IsFaulted || _headerFetch.IsCanceled)
            {
                _headerFetch = FetchHeaderAsync(CancellationToken.None);
            }

            fetch = _headerFetch;
        }

        return fetch.IsCompletedSuccessfully ? new(fetch.Result) : new(fetch.WaitAsync(cancellationToken));
    }

    private async Task<ColdHeader> FetchHeaderAsync(CancellationToken cancellationToken)
    {
        var first = new byte[FirstFetch];
        var n = await ReadFullyAsync(0, first, cancellationToken).ConfigureAwait(false);
        var length = ColdSegmentFormat.HeaderLength(first.AsSpan(0, n), Description);
        if (length > n)
        {
            Array.Resize(ref first, length);
            n += await ReadFullyAsync(n, first.AsMemory(n), cancellationToken).ConfigureAwait(false);
        }

        var parsed = ColdSegmentFormat.Parse(first.AsSpan(0, n), Description);
        return parsed.Summary.BaseOffset == baseOffset
            ? parsed
            : throw new LogCorruptedException(Description, 0, $"the object holds segment {parsed.Summary.BaseOffset}, not {baseOffset}");
    }

    private async ValueTask<byte[]> GetChunkAsync(ColdHeader header, int index, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_lastIndex == index && _lastChunk is { } last)
            {
                return last;
            }
        }

        var name = ChunkCache.NameOf(key, index);
        var uncompressed = (int)Math.Min(header.ChunkSize, header.DataLength - ((long)index * header.ChunkSize));
        var entry = header.Chunks[index];
        var chunk = cache.TryGet(name);
        if (chunk is null || chunk.Length != uncompressed || Crc32C.Compute(chunk) != entry.Crc)
        {
            var compressed = new byte[entry.Length];
            var n = await ReadFullyAsync(entry.Offset, compressed, cancellationToken).ConfigureAwait(false);
            if (n != entry.Length)
            {
                throw new LogCorruptedException(Description, entry.Offset + n, $"the object ends inside chunk {index}");
            }

            chunk = ColdSegmentFormat.Decompress(compressed, uncompressed, entry.Crc, Description, entry.Offset);
            cache.Put(name, chunk);
        }

        lock (_gate)
        {
            _lastIndex = index;
            _lastChunk = chunk;
        }

        return chunk;
    }

    private async ValueTask<int> ReadFullyAsync(long position, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = await store.ReadAsync(key, position + total, buffer[total..], cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }

    protected override void Close()
    {
        lock (_gate)
        {
            _lastChunk = null;
        }
    }
}
