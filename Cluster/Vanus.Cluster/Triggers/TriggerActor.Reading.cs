using Akka.Actor;
using Akka.Event;
using Vanus.Cluster.Eventlogs;
using Vanus.Cluster.Messaging;
using Vanus.Runtime.Broker;

namespace Vanus.Cluster.Triggers;

internal sealed partial class TriggerActor
{
    /// <summary>How many retries a trigger holds before it stops reading new events (each costs an entry, not an event).</summary>
    private const int MaxRetries = 100_000;

    /// <summary>How many items may be read ahead of delivery: enough to keep the in-flight limit busy, bounded so a slow sink backpressures reads.</summary>
    private int ReadAhead => Math.Clamp(_graph!.Policy.Inflight * 2, 256, 16384);

    private void MaybeRead()
    {
        if (!Running || _cursor.Reading || _retries.Count >= MaxRetries)
        {
            return;
        }

        // Retries waiting for their due time do not count against the window: a few failing events must not stop the
        // others (their bodies are dropped when the wait is long, see Decide), only a bound on the retry set itself does.
        var room = ReadAhead - (_scheduler!.Count - _scheduler.RetriesWaiting);
        if (room <= 0)
        {
            return;
        }

        // Bodies are bounded in bytes too: with large events a slow sink would otherwise hold thousands of megabytes.
        if (_bodyBytes >= _settings.ReadAheadBytes)
        {
            return;
        }

        var (generation, offset) = _cursor.Begin();
        var read = new ReadEvents(_config!.SourceEntity, offset, Math.Min(room, _settings.ReadBatch), _settings.TailWait.Ticks);
        _settings.Eventlogs.Ask<object>(read, _settings.TailWait + _settings.AskTimeout).PipeTo(
            Self,
            success: reply => new ReadDone(generation, offset, reply),
            failure: ex => new ReadDone(generation, offset, ex));
    }

    private void ReadDone(ReadDone done)
    {
        if (TrySkip(done))
        {
            return;
        }

        if (!_cursor.IsCurrent(done.Generation, done.Offset))
        {
            // A read from before a reset: its events belong to a position the trigger has left.
            if (done.Generation == _cursor.Generation)
            {
                _cursor.Done();
            }

            MaybeRead();
            return;
        }

        _cursor.Done();
        switch (done.Reply)
        {
            case ReadReply reply:
                Take(reply.Records);
                break;
            case Refusal { Kind: BrokerErrorKind.Invalid, Field: "offset" } refusal:
                // Retention removed events this trigger had not delivered yet: it goes on from the earliest still stored.
                NoteError($"events were removed by retention before delivery: {refusal.Message}");
                Log.Warning("Trigger {0}: {1}; skipping to the earliest stored event", _entityId, refusal.Message);
                SkipToEarliest();
                return;
            default:
                Log.Warning("Trigger {0}: reading offset {1} failed ({2}); retrying", _entityId, done.Offset, Asks.Describe(done.Reply));
                var (generation, offset) = _cursor.Begin();
                Timers.StartSingleTimer(ReadTimer, new ReadTimedOut(generation, offset), _settings.RetryFailedIo);
                return;
        }

        Pump();
        MaybeRead();
    }

    /// <summary>Filters the records read and hands those that pass to the scheduler, each due at its store time plus the subscription's delay.</summary>
    private void Take(IReadOnlyList<StoredRecord> records)
    {
        foreach (var record in records)
        {
            if (record.Offset != _cursor.Position)
            {
                // An eventlog hands out contiguous offsets; anything else is read again from where the trigger stands.
                break;
            }

            _cursor.Advance(record.Offset);
            if (_retries.Contains(record.Offset))
            {
                // Restored as a retry after a restart: the scheduler holds it already; keep the body to save a fetch.
                KeepBody(record);
                continue;
            }

            if (!_graph!.Admits(record.Event))
            {
                continue;
            }

            Hold(record);
        }
    }

    private void SkipToEarliest()
    {
        var (generation, offset) = _cursor.Begin();
        _settings.Eventlogs.Ask<object>(new GetEventlogInfo(_config!.SourceEntity), _settings.AskTimeout).PipeTo(
            Self,
            success: reply => new ReadDone(generation, offset, reply is EventlogInfoReply info ? new Skipped(info.Earliest) : reply),
            failure: ex => new ReadDone(generation, offset, ex));
    }

    /// <summary>Applies a skip past removed events (see <see cref="SkipToEarliest"/>).</summary>
    private bool TrySkip(ReadDone done)
    {
        if (done.Reply is not Skipped skipped)
        {
            return false;
        }

        if (done.Generation != _cursor.Generation)
        {
            return true;
        }

        _cursor.Done();
        _cursor.SkipTo(skipped.Earliest);
        MaybeRead();
        return true;
    }


    /// <summary>The earliest offset still stored, after retention removed events the trigger had not read.</summary>
    private sealed record Skipped(long Earliest);
}
