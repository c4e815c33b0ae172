using Akka.Actor;
using Akka.Event;
using Vanus.Storage;

namespace Vanus.Cluster.Eventlogs;

internal sealed partial class EventlogActor
{
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
            Sender.Tell(AppendReply.Stored(append.Result, events.Count));
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
            return AppendReply.NotStored(count, $"the events were not stored: {error.Message}");
        }

        var offsets = AppendReply.Unstored(count);
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



    private static async Task CompleteAppendAsync(ValueTask<long> append, int count, IActorRef replyTo, IActorRef self)
    {
        AppendReply reply;
        var done = WorkFinished.Appended;
        try
        {
            reply = AppendReply.Stored(await append.ConfigureAwait(false), count);
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
        if (LogQueries.Immediate(_eventLog!, command) is { } reply)
        {
            Sender.Tell(reply);
            return;
        }

        _inflight++;
        _ = AnswerAsync(LogQueries.ReadAsync(_eventLog!, command, _waits.Token), Sender, Self);
    }

    private void ReadOffsets(ReadOffsets command)
    {
        _inflight++;
        _ = AnswerAsync(LogQueries.ReadOffsetsAsync(_eventLog!, command), Sender, Self);
    }

    private void Find(FindOffset command)
    {
        _inflight++;
        _ = AnswerAsync(LogQueries.FindAsync(_eventLog!, command), Sender, Self);
    }

    /// <summary>Sends the answer of a query that ran off the actor, then counts the work done.</summary>
    private static async Task AnswerAsync(Task<object> query, IActorRef replyTo, IActorRef self)
    {
        replyTo.Tell(await query.ConfigureAwait(false), self);
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
