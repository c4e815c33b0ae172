using Akka.Actor;
using Vanus.Cluster.Eventlogs;
using Vanus.Cluster.Messaging;
using Vanus.Runtime.Broker;

namespace Vanus.Cluster.Triggers;

internal sealed partial class TriggerActor
{
    // The counts the journal holds: a change is flushed like a move of the committed offset.
    private TriggerCounts _persistedCounts = TriggerCounts.Zero;
    private int _sinceSnapshot;

    /// <summary>
    /// The committed offset: the lowest offset still on its first attempt (queued, in flight or being dead-lettered), or the
    /// read position when there is none. Items waiting for a retry do not hold it: they are persisted in the retry set.
    /// </summary>
    private long Committed()
    {
        var committed = _scheduler?.LowestFirstAttempt is { } lowest ? Math.Min(lowest, _cursor.Position) : _cursor.Position;
        foreach (var id in _deadLettering.Keys)
        {
            if (id >= 0 && id < committed && !_retries.Contains(id))
            {
                committed = id;
            }
        }

        return committed;
    }

    /// <summary>Persists the committed offset, the retry changes and the counts, when anything changed since the last time.</summary>
    private void Flush()
    {
        if (!_started || _deleted || _crashed || _scheduler is null)
        {
            return;
        }

        var committed = Committed();
        if (committed == _committed && !_retries.Changed && _counts == _persistedCounts)
        {
            return;
        }

        var (upserted, removed) = _retries.TakeChanges();
        var progress = new TriggerProgress(committed, upserted, removed, _counts);
        (_committed, _persistedCounts) = (committed, _counts);
        PersistAsync(progress, _ =>
        {
            if (++_sinceSnapshot >= _settings.SnapshotEvery)
            {
                _sinceSnapshot = 0;
                SaveSnapshot(new TriggerSnapshot(true, Committed(), [.. _retries.Entries], _counts));
            }
        });
    }

    private void ApplyProgress(TriggerProgress progress)
    {
        _committed = progress.Committed;
        (_counts, _persistedCounts) = (progress.Counts, progress.Counts);
        _retries.Apply(progress.Upserted, progress.Removed);
    }

    private void Reset(ResetTrigger command)
    {
        if (!Paused)
        {
            Sender.Tell(new Refusal(BrokerErrorKind.Invalid, "a subscription is reset while paused: pause it first", "state"));
            return;
        }

        if (_config is null)
        {
            Sender.Tell(new Refusal(BrokerErrorKind.Unavailable, $"trigger {_entityId} is still starting; retry shortly", null));
            return;
        }

        var replyTo = Sender;
        _settings.Eventlogs.Ask<object>(new FindOffset(_config.SourceEntity, command.Time), _settings.AskTimeout).PipeTo(
            Self,
            success: reply => new ResetResolved(reply, replyTo),
            failure: ex => new ResetResolved(ex, replyTo));
    }

    private void ResetResolved(ResetResolved resolved)
    {
        if (resolved.Reply is not OffsetReply offset)
        {
            resolved.ReplyTo.Tell(new Refusal(BrokerErrorKind.Unavailable, $"resetting trigger {_entityId} failed: {Asks.Describe(resolved.Reply)}", null));
            return;
        }

        Persist(new TriggerReset(offset.Offset), e =>
        {
            // Everything in progress belongs to the old position: outcomes still on their way are ignored by generation.
            _cursor.Reset(e.Committed);
            ForgetInFlight();
            _retries.Clear();
            ClearPulls();
            (_committed, _started) = (e.Committed, true);
            Timers.Cancel(ReadTimer);
            resolved.ReplyTo.Tell(new TriggerAck(_entityId, 0));
        });
    }
}
