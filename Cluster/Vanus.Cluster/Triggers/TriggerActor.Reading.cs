using Akka.Actor;
using Akka.Event;
using Vanus.Cluster.Eventlogs;
using Vanus.Cluster.Messaging;
using Vanus.Runtime.Broker;

namespace Vanus.Cluster.Triggers;

internal sealed partial class TriggerActor
{
    // The events read and not yet finished, by item id; a retry restored after a restart has none until it is fetched.
    private readonly Dictionary<long, StoredRecord> _bodies = [];
    private long _readPos;
    private bool _reading;

    // Bumped by a reset: outcomes and reads started before it are ignored when they come back.
    private long _generation;

    /// <summary>How many retries a trigger holds before it stops reading new events (each costs an entry, not an event).</summary>
    private const int MaxRetries = 100_000;

    /// <summary>How many items may be read ahead of delivery: enough to keep the in-flight limit busy, bounded so a slow sink backpressures reads.</summary>
    private int ReadAhead => Math.Clamp(_graph!.Policy.Inflight * 2, 256, 16384);

    private void MaybeRead()
    {
        if (!Running || _reading || _retries.Count >= MaxRetries)
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

        _reading = true;
        var (generation, offset) = (_generation, _readPos);
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

        if (done.Generation != _generation || done.Offset != _readPos)
        {
            // A read from before a reset: its events belong to a position the trigger has left.
            if (done.Generation == _generation)
            {
                _reading = false;
            }

            MaybeRead();
            return;
        }

        _reading = false;
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
                _reading = true;
                Timers.StartSingleTimer(ReadTimer, new ReadTimedOut(_generation, _readPos), _settings.RetryFailedIo);
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
            if (record.Offset != _readPos)
            {
                // An eventlog hands out contiguous offsets; anything else is read again from where the trigger stands.
                break;
            }

            _readPos = record.Offset + 1;
            if (_retries.ContainsKey(record.Offset))
            {
                // Restored as a retry after a restart: the scheduler holds it already; keep the body to save a fetch.
                _bodies.TryAdd(record.Offset, record);
                continue;
            }

            if (!_graph!.Admits(record.Event))
            {
                continue;
            }

            _bodies[record.Offset] = record;
            _scheduler!.Offer(record.Offset, EventRouting.PartitionKeyOf(record.Event), _graph.DueAt(new DateTimeOffset(record.StoreTicks, TimeSpan.Zero)));
        }
    }

    private void SkipToEarliest()
    {
        _reading = true;
        var (generation, offset) = (_generation, _readPos);
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

        if (done.Generation != _generation)
        {
            return true;
        }

        _reading = false;
        _readPos = Math.Max(_readPos, skipped.Earliest);
        MaybeRead();
        return true;
    }


    /// <summary>The earliest offset still stored, after retention removed events the trigger had not read.</summary>
    private sealed record Skipped(long Earliest);
}
