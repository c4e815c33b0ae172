using Vanus.Storage.Files;
using Vanus.Storage.Segments;

namespace Vanus.Storage.Log;

/// <summary>
/// Where a segment's bytes are read from. Reference-counted: a tier move or a deletion retires the old source, which
/// closes only once the last reader using it lets go, so a read never fails because the segment moved under it.
/// </summary>
internal abstract class SegmentSource
{
    private int _references = 1;

    /// <summary>The file path or object key, for error messages.</summary>
    public abstract string Description { get; }

    public bool TryAcquire()
    {
        while (true)
        {
            var current = Volatile.Read(ref _references);
            if (current == 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _references, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            Close();
        }
    }

    /// <summary>Drops the owner's reference: the source closes when no reader holds it.</summary>
    public void Retire() => Release();

    /// <summary>Reads up to <paramref name="buffer"/>'s length of the segment's (uncompressed) bytes from <paramref name="position"/>.</summary>
    public abstract ValueTask<int> ReadAsync(long position, Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>The segment's summary (offsets, times, index); local sources have it from the index file already.</summary>
    public abstract ValueTask<SegmentSummary> GetSummaryAsync(CancellationToken cancellationToken);

    protected abstract void Close();
}

/// <summary>A segment file on a local disk (hot or warm).</summary>
internal sealed class LocalSegmentSource(IStorageFile file, SegmentSummary? summary) : SegmentSource
{
    public IStorageFile File => file;

    public override string Description => file.Path;

    public override ValueTask<int> ReadAsync(long position, Memory<byte> buffer, CancellationToken cancellationToken) =>
        new(file.Read(position, buffer.Span));

    public override ValueTask<SegmentSummary> GetSummaryAsync(CancellationToken cancellationToken) =>
        summary is { } s ? new(s) : throw new InvalidOperationException($"segment '{file.Path}' is active and has no summary yet");

    protected override void Close() => file.Dispose();
}
