using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;

namespace Vanus.Storage;

/// <summary>One ordered, durable partition of an eventbus: contiguous offsets from 0, appended by one writer loop, read by anyone.</summary>
public interface IEventLog : IAsyncDisposable
{
    /// <summary>The log's directory.</summary>
    string Directory { get; }

    /// <summary>The first offset a read can return (older ones were deleted by retention).</summary>
    long EarliestOffset { get; }

    /// <summary>The end of what readers see: every offset below it is readable. For a replicated log, the committed end (<see cref="CommitAsync"/>); else the offset the next append gets.</summary>
    long NextOffset { get; }

    /// <summary>The offset the next append gets: the end of what is written, committed or not (equal to <see cref="NextOffset"/> unless the log is replicated).</summary>
    long WrittenOffset { get; }

    /// <summary>
    /// Marks the records below <paramref name="offset"/> committed (a replicated log only): readers, tier moves and
    /// retention see them from now on, and a truncation can no longer cut them. Never goes back; an offset at or below
    /// the committed end does nothing, one past what is written throws.
    /// </summary>
    ValueTask CommitAsync(long offset, CancellationToken cancellationToken = default);

    /// <summary>What opening the log found and repaired.</summary>
    RecoveryReport Recovery { get; }

    /// <summary>The segments, oldest first.</summary>
    IReadOnlyList<SegmentInfo> Segments { get; }

    /// <summary>
    /// Appends an event and returns its offset once it is written (and synced, under <see cref="SyncPolicy.Always"/>).
    /// Completes synchronously when the log is idle; concurrent appends share one write and one sync.
    /// </summary>
    ValueTask<long> AppendAsync(Event e, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends events as consecutive records, all placed or none (each is encoded and checked first), and returns the
    /// first one's offset once the last is written (and synced, under <see cref="SyncPolicy.Always"/>).
    /// </summary>
    ValueTask<long> AppendBatchAsync(IReadOnlyList<Event> events, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends records exactly as another replica of this log wrote them: <paramref name="frames"/> holds whole frames
    /// (offset, store time and CRC kept) that continue this log at its end. Checked first and placed whole, or refused
    /// with <see cref="ArgumentException"/>; returns the first one's offset once written (and synced, per policy).
    /// </summary>
    ValueTask<long> AppendFramesAsync(ReadOnlyMemory<byte> frames, CancellationToken cancellationToken = default);

    /// <summary>Writes and syncs everything appended so far.</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken = default);

    /// <summary>Reads events from <paramref name="offset"/> on, up to about <paramref name="maxBytes"/> of stored records (at least one when any is there).</summary>
    ValueTask<IReadOnlyList<StoredEvent>> ReadAsync(long offset, int maxBytes = 1 << 20, CancellationToken cancellationToken = default);

    /// <summary>Reads at most <paramref name="maxCount"/> events from <paramref name="offset"/> on, up to about <paramref name="maxBytes"/> of stored records (at least one when any is there).</summary>
    ValueTask<IReadOnlyList<StoredEvent>> ReadAsync(long offset, int maxBytes, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads records from <paramref name="offset"/> on as their stored frames (what <see cref="AppendFramesAsync"/> takes on
    /// another replica), up to about <paramref name="maxBytes"/> (at least one record when any is there); empty at the end.
    /// </summary>
    ValueTask<ReadOnlyMemory<byte>> ReadFramesAsync(long offset, int maxBytes, CancellationToken cancellationToken = default);

    /// <summary>Completes once <paramref name="offset"/> is readable (below <see cref="NextOffset"/>), without polling.</summary>
    ValueTask WaitForAsync(long offset, CancellationToken cancellationToken = default);

    /// <summary>Every event from <paramref name="offset"/> on, waiting for new ones as they are appended, until cancelled.</summary>
    IAsyncEnumerable<StoredEvent> TailAsync(long offset, CancellationToken cancellationToken = default);

    /// <summary>The first offset whose store time is at or after <paramref name="time"/>, or <see cref="NextOffset"/> when there is none yet.</summary>
    ValueTask<long> FindOffsetAsync(DateTimeOffset time, CancellationToken cancellationToken = default);

    /// <summary>Seals the active segment now (when it holds any record) and starts a new one.</summary>
    ValueTask SealAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes every record at or after <paramref name="nextOffset"/>, which becomes the next offset (a replica dropping an unacknowledged suffix).</summary>
    ValueTask TruncateAsync(long nextOffset, CancellationToken cancellationToken = default);

    /// <summary>Applies retention (and tier moves, when tiers are configured) once.</summary>
    ValueTask<MaintenanceReport> MaintainAsync(CancellationToken cancellationToken = default);
}
