using Akka.Actor;
using Akka.Event;
using Vanus.Cluster.Messaging;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;
using Vanus.Storage;

namespace Vanus.Cluster.Eventlogs;

internal sealed partial class EventlogActor
{
    // A read answers with at most this many bytes of stored records (and at least one record), so a reply stays far
    // below the transport's frame limit whatever count was asked for.
    private const int ReadBudgetBytes = 4 << 20;

    private int _inflight;
    private bool _maintaining;
    private bool _diskFull;

    private void Serving()
    {
        Command<AppendEvents>(Append);
        Command<ReadEvents>(Read);
        Command<ReadOffsets>(ReadOffsets);
        Command<GetEventlogInfo>(_ => Sender.Tell(new EventlogInfoReply(_eventLog!.EarliestOffset, _eventLog.NextOffset)));
        Command<FindOffset>(Find);
        Command<CreateEventlog>(_ => Sender.Tell(new EventlogAck(_entityId)));
        Command<DeleteEventlog>(_ => BeginClose(Sender, delete: true));
        Command<StopEventlog>(_ => BeginClose(null, delete: false));
        Command<WorkFinished>(Finished);
        Command<MaintainTick>(_ => Maintain());
        Command<MaintenanceFailed>(f => Log.Warning("Eventlog {0}: maintenance failed and is retried at the next tick: {1}", f.EntityId, f.Reason));
        PersistenceReplies();
    }

    private void Append(AppendEvents command)
    {
        var log = _eventLog!;
        var events = command.Events;
        ValueTask<long> append;
        try
        {
            // One batch append: the events are placed together under one lock with one completion, whole or not at all.
            append = events.Count == 1 ? log.AppendAsync(events[0]) : log.AppendBatchAsync(events);
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            Sender.Tell(Failed(ex, events.Count));
            NoteSpace(ex is StorageFullException ? ex.Message : null, stored: false);
            return;
        }

        if (append.IsCompletedSuccessfully)
        {
            Sender.Tell(new AppendReply(Offsets(append.Result, events.Count), null));
            NoteSpace(null, stored: true);
            return;
        }

        _inflight++;
        _ = CompleteAppendAsync(append, events.Count, Sender, Self);
    }

    /// <summary>The reply to an append that failed; a full disk says so, with the events it stored before it filled.</summary>
    private static AppendReply Failed(Exception error, int count)
    {
        if (error is not StorageFullException full)
        {
            return new AppendReply(Unstored(count), $"the events were not stored: {error.Message}");
        }

        var offsets = Unstored(count);
        for (var i = 0; i < full.StoredCount && i < count; i++)
        {
            offsets[i] = full.StoredOffset + i;
        }

        var stored = full.StoredCount > 0 ? $"only the first {full.StoredCount} of the events were stored" : "the events were not stored";
        return new AppendReply(offsets, $"{stored}: the disk is full ({full.Message}); retry once space is freed", Full: true);
    }

    /// <summary>Logs when the log's disk fills (appends refused) and when appends are stored again.</summary>
    private void NoteSpace(string? full, bool stored)
    {
        if (full is not null && !_diskFull)
        {
            _diskFull = true;
            Log.Warning("Eventlog {0}: its disk is full; appends are refused (507) and reads go on until space is freed: {1}", _entityId, full);
        }
        else if (stored && _diskFull)
        {
            _diskFull = false;
            Log.Info("Eventlog {0}: the disk has room again; appends are stored", _entityId);
        }
    }

    private static long[] Offsets(long first, int count)
    {
        var offsets = new long[count];
        for (var i = 0; i < count; i++)
        {
            offsets[i] = first + i;
        }

        return offsets;
    }

    private static long[] Unstored(int count)
    {
        var offsets = new long[count];
        Array.Fill(offsets, -1L);
        return offsets;
    }

    private static async Task CompleteAppendAsync(ValueTask<long> append, int count, IActorRef replyTo, IActorRef self)
    {
        AppendReply reply;
        var done = WorkFinished.Appended;
        try
        {
            reply = new AppendReply(Offsets(await append.ConfigureAwait(false), count), null);
        }
#pragma warning disable CA1031 // whatever failed the write is reported to the producer, never thrown on a pool thread
        catch (Exception ex)
#pragma warning restore CA1031
        {
            reply = Failed(ex, count);
            done = ex is StorageFullException ? new WorkFinished(false) { FullDisk = ex.Message } : WorkFinished.Work;
        }

        replyTo.Tell(reply, self);
        self.Tell(done);
    }

    private void Read(ReadEvents command)
    {
        var log = _eventLog!;
        if (command.Count <= 0)
        {
            Sender.Tell(new Refusal(BrokerErrorKind.Invalid, $"count must be positive, not {command.Count}", "count"));
            return;
        }

        var (earliest, next) = (log.EarliestOffset, log.NextOffset);
        if (command.Offset > next || (command.Offset == next && command.WaitTicks <= 0))
        {
            Sender.Tell(new ReadReply([]));
            return;
        }

        if (command.Offset == next)
        {
            _inflight++;
            _ = WaitThenReadAsync(log, command, Sender, Self, _waits.Token);
            return;
        }

        if (command.Offset < earliest)
        {
            Sender.Tell(OutOfRange(command.Offset, earliest, next));
            return;
        }

        _inflight++;
        _ = ReadAsync(log, command, Sender, Self);
    }

    /// <summary>Waits (up to the command's wait, or until the log closes) for the first event at the read's offset, then reads.</summary>
    private static async Task WaitThenReadAsync(IEventLog log, ReadEvents command, IActorRef replyTo, IActorRef self, CancellationToken closing)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(closing);
        wait.CancelAfter(TimeSpan.FromTicks(command.WaitTicks));
        try
        {
            await log.WaitForAsync(command.Offset, wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            replyTo.Tell(new ReadReply([]), self);
            self.Tell(WorkFinished.Work);
            return;
        }
#pragma warning disable CA1031 // a wait failure (the log faulted) is answered as an empty read; the next read reports it
        catch (Exception)
#pragma warning restore CA1031
        {
            replyTo.Tell(new ReadReply([]), self);
            self.Tell(WorkFinished.Work);
            return;
        }

        await ReadAsync(log, command, replyTo, self).ConfigureAwait(false);
    }

    private static async Task ReadAsync(IEventLog log, ReadEvents command, IActorRef replyTo, IActorRef self)
    {
        object reply;
        try
        {
            var records = new List<StoredRecord>(Math.Min(command.Count, 1024));
            var offset = command.Offset;
            var budget = ReadBudgetBytes;
            while (records.Count < command.Count && budget > 0 && offset < log.NextOffset)
            {
                var batch = await log.ReadAsync(offset, Math.Min(budget, 1 << 20), command.Count - records.Count).ConfigureAwait(false);
                if (batch.Count == 0)
                {
                    break;
                }

                foreach (var stored in batch)
                {
                    if (records.Count == command.Count)
                    {
                        break;
                    }

                    records.Add(new StoredRecord(stored.Offset, stored.StoreTime.UtcTicks, stored.Event));
                    // Attributes count as much as data: an event may carry a megabyte in them.
                    budget -= 64 + (int)Math.Min(int.MaxValue, EventSize.Of(stored.Event));
                    offset = stored.Offset + 1;
                }
            }

            reply = new ReadReply(records);
        }
        catch (OffsetOutOfRangeException ex)
        {
            // Retention removed the start of the range between the check and the read.
            reply = OutOfRange(command.Offset, ex.Earliest, ex.Next);
        }
#pragma warning disable CA1031 // a read failure is the reader's answer, never thrown on a pool thread
        catch (Exception ex)
#pragma warning restore CA1031
        {
            reply = new Refusal(BrokerErrorKind.Unavailable, $"eventlog {command.EntityId}: reading offset {command.Offset} failed: {ex.Message}", null);
        }

        replyTo.Tell(reply, self);
        self.Tell(WorkFinished.Work);
    }

    private void ReadOffsets(ReadOffsets command)
    {
        _inflight++;
        _ = ReadOffsetsAsync(_eventLog!, command, Sender, Self);
    }

    private static async Task ReadOffsetsAsync(IEventLog log, ReadOffsets command, IActorRef replyTo, IActorRef self)
    {
        object reply;
        try
        {
            var wanted = command.Offsets.Distinct().Order().ToArray();
            var records = new List<StoredRecord>(wanted.Length);
            var (earliest, next) = (log.EarliestOffset, log.NextOffset);
            var i = 0;
            while (i < wanted.Length)
            {
                // One read per run of adjacent offsets.
                var start = wanted[i];
                var end = i;
                while (end + 1 < wanted.Length && wanted[end + 1] == wanted[end] + 1 && end - i < 4095)
                {
                    end++;
                }

                i = end + 1;
                if (wanted[end] < earliest || start >= next)
                {
                    continue;
                }

                // Offsets retention removed are left out; the rest of the run is still read.
                var position = Math.Max(start, earliest);
                while (position <= wanted[end])
                {
                    var batch = await log.ReadAsync(position, 1 << 20, (int)(wanted[end] - position + 1)).ConfigureAwait(false);
                    if (batch.Count == 0)
                    {
                        break;
                    }

                    foreach (var stored in batch)
                    {
                        records.Add(new StoredRecord(stored.Offset, stored.StoreTime.UtcTicks, stored.Event));
                        position = stored.Offset + 1;
                    }
                }
            }

            reply = new ReadReply(records);
        }
#pragma warning disable CA1031 // a read failure is the reader's answer, never thrown on a pool thread
        catch (Exception ex)
#pragma warning restore CA1031
        {
            reply = new Refusal(BrokerErrorKind.Unavailable, $"eventlog {command.EntityId}: reading {command.Offsets.Count} offsets failed: {ex.Message}", null);
        }

        replyTo.Tell(reply, self);
        self.Tell(WorkFinished.Work);
    }

    private static Refusal OutOfRange(long offset, long earliest, long next) => new(
        BrokerErrorKind.Invalid,
        $"offset {offset} is no longer stored: the eventlog holds offsets {earliest} to {next - 1}",
        "offset");

    private void Find(FindOffset command)
    {
        _inflight++;
        _ = FindAsync(_eventLog!, command, Sender, Self);
    }

    private static async Task FindAsync(IEventLog log, FindOffset command, IActorRef replyTo, IActorRef self)
    {
        object reply;
        try
        {
            reply = new OffsetReply(await log.FindOffsetAsync(command.Time).ConfigureAwait(false));
        }
#pragma warning disable CA1031 // a lookup failure is the caller's answer, never thrown on a pool thread
        catch (Exception ex)
#pragma warning restore CA1031
        {
            reply = new Refusal(BrokerErrorKind.Unavailable, $"eventlog {command.EntityId}: finding the offset at {command.Time:O} failed: {ex.Message}", null);
        }

        replyTo.Tell(reply, self);
        self.Tell(WorkFinished.Work);
    }

    private void Maintain()
    {
        if (_maintaining)
        {
            return;
        }

        _maintaining = true;
        _inflight++;
        _ = MaintainAsync(_eventLog!, _entityId, Self);
    }

    private static async Task MaintainAsync(IEventLog log, string entityId, IActorRef self)
    {
        try
        {
            await log.MaintainAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // retention and tier moves are retried at the next tick; a failure must not kill the writer
        catch (Exception ex)
#pragma warning restore CA1031
        {
            self.Tell(new MaintenanceFailed(entityId, ex.Message));
        }

        self.Tell(WorkFinished.Maintenance);
    }

    private void Finished(WorkFinished done)
    {
        _inflight--;
        NoteSpace(done.FullDisk, done.Stored);
        if (done.WasMaintenance)
        {
            _maintaining = false;
        }
    }
}
