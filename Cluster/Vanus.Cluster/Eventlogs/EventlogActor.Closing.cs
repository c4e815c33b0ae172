using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Vanus.Cluster.Messaging;
using Vanus.Runtime.Broker;
using Vanus.Storage;

namespace Vanus.Cluster.Eventlogs;

internal sealed partial class EventlogActor
{
    private IActorRef? _closeReplyTo;
    private bool _closeDeletes;
    private bool _closeStarted;

    /// <summary>Stops taking commands, waits for the appends and reads in flight, then closes (and for a delete removes) the log.</summary>
    private void BeginClose(IActorRef? replyTo, bool delete)
    {
        _closeReplyTo = replyTo;
        _closeDeletes = delete;
        Timers.Cancel(MaintainTimer);

        // Reads waiting for new events would hold the close for their whole wait: they are answered empty now.
        _waits.Cancel();
        Become(ClosingLog);
        if (_inflight == 0)
        {
            CloseLog();
        }
    }

    private void ClosingLog()
    {
        Command<WorkFinished>(done =>
        {
            Finished(done);
            if (_inflight == 0)
            {
                CloseLog();
            }
        });
        Command<LogClosed>(LogClosed);
        Command<MaintainTick>(_ => { });
        Command<MaintenanceFailed>(_ => { });
        Command<StopEventlog>(_ => { });
        Command<IEventlogCommand>(_ => Sender.Tell(Closing()));
        PersistenceReplies();
    }

    private void CloseLog()
    {
        if (_closeStarted)
        {
            return;
        }

        _closeStarted = true;
        var log = _eventLog!;
        _eventLog = null;
        CloseAsync(log, _closeDeletes, _settings, _id.Incarnation, _id.Index).PipeTo(
            Self,
            success: () => new LogClosed(null),
            failure: ex => new LogClosed(ex));
    }

    private static async Task CloseAsync(IEventLog log, bool delete, EventlogSettings settings, string incarnation, int index)
    {
        await log.DisposeAsync().ConfigureAwait(false);
        if (delete)
        {
            await settings.RemoveStorageAsync(incarnation, index).ConfigureAwait(false);
        }
    }

    private void LogClosed(LogClosed closed)
    {
        if (!_closeDeletes)
        {
            if (closed.Error is { } error)
            {
                Log.Warning(error, "Eventlog {0}: closing its log failed; the next open verifies its tail", _entityId);
            }

            Context.Stop(Self);
            return;
        }

        if (closed.Error is { } failure)
        {
            Log.Warning(failure, "Eventlog {0}: removing its storage failed", _entityId);
            _closeReplyTo?.Tell(new Refusal(BrokerErrorKind.Unavailable, $"eventlog {_entityId}: removing its storage failed: {failure.Message}", null));
            Context.Stop(Self);
            return;
        }

        Persist(EventlogRemoved.Instance, _ =>
        {
            _removed = true;
            // The incarnation is never used again, so the journal can forget this entity entirely.
            DeleteMessages(LastSequenceNr);
            DeleteSnapshots(SnapshotSelectionCriteria.Latest);
            _closeReplyTo?.Tell(new EventlogAck(_entityId));
            Context.Stop(Self);
        });
    }
}
