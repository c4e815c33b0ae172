using Akka.Actor;
using Akka.Event;
using Vanus.Cluster.Eventlogs;
using Vanus.Cluster.Messaging;
using Vanus.Operators.Delivery;
using Vanus.Operators.Subscriptions;
using Vanus.Operators.Transform;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;

namespace Vanus.Cluster.Triggers;

internal sealed partial class TriggerActor
{
    /// <summary>The attributes a dead letter carries besides the original event's (DESIGN §6).</summary>
    public const string DeadLetterSubscription = "xvanusdlsubscription";

    /// <summary>Why the event was dead-lettered: <c>MaxAttemptsExhausted</c>, <c>SinkRefused</c> or <c>TransformFailed</c>.</summary>
    public const string DeadLetterReason = "xvanusdlreason";

    /// <summary>The last error the sink (or transformer) gave.</summary>
    public const string DeadLetterError = "xvanusdlerror";

    /// <summary>Attempts made.</summary>
    public const string DeadLetterAttempts = "xvanusdlattempts";

    /// <summary>When the event was dead-lettered.</summary>
    public const string DeadLetterTime = "xvanusdltime";

    /// <summary>Retries due sooner keep their event in memory; later ones read it again when due.</summary>
    private static readonly TimeSpan KeepBodyFor = TimeSpan.FromSeconds(5);

    private readonly List<DeliveryTicket> _tickets = [];
    private bool _pumpPending;

    // When the wake timer is armed for, if it is.
    private DateTimeOffset? _wakeAt;

    // The events read and not yet finished, by item id; a retry restored after a restart has none until it is fetched.
    // Each body with its size (EventSize: data and attributes), counted once when it is put.
    private readonly Dictionary<long, (StoredRecord Record, long Size)> _bodies = [];

    /// <summary>The bytes of the bodies held (<see cref="EventSize"/>: data and attributes).</summary>
    private long _bodyBytes;

    // Attempts waiting for their body (a retry restored after a restart): item id → attempt.
    private readonly Dictionary<long, int> _fetching = [];

    // Items whose dead letter is being appended: they hold the committed offset until it is durable.
    private readonly Dictionary<long, Event> _deadLettering = [];

    /// <summary>Starts every attempt the scheduler allows now, then arms the wake-up for the next one that waits on time.</summary>
    private void Pump()
    {
        if (!Running)
        {
            return;
        }

        var now = _settings.Time.GetUtcNow();
        _tickets.Clear();
        _scheduler!.TakeReady(now, _tickets);
        foreach (var ticket in _tickets)
        {
            Dispatch(ticket.Id, ticket.Attempt);
        }

        ArmWake(now);
    }

    private void Wake()
    {
        _wakeAt = null;
        var now = _settings.Time.GetUtcNow();
        ExpireHanded(now);
        ExpireParkedPulls(now);
        Pump();
        SatisfyPulls();
        ArmWake(now);
    }

    private static readonly TimeSpan MaxWakeWait = TimeSpan.FromDays(1);

    private void ArmWake(DateTimeOffset now)
    {
        var next = _scheduler?.NextWakeup(now);
        if (NextPullDeadline() is { } deadline && (next is null || deadline < next))
        {
            next = deadline;
        }

        // Re-arming a timer on every outcome would cost a scheduler entry each; it moves only when the earliest due time does.
        if (next is { } due && (_wakeAt is not { } armed || due < armed || armed <= now))
        {
            // A delay may hold events for years; the timer wakes at most a day ahead and re-arms, so no scheduler meets a span it cannot hold.
            var wait = due - now;
            wait = wait <= TimeSpan.Zero ? TimeSpan.Zero : wait > MaxWakeWait ? MaxWakeWait : wait;
            _wakeAt = now + wait;
            Timers.StartSingleTimer(WakeTimer, WakeTick.Instance, wait);
        }
    }

    private void Dispatch(long id, int attempt)
    {
        if (!_bodies.TryGetValue(id, out var body))
        {
            Fetch(id, attempt);
            return;
        }

        var record = body.Record;

        IReadOnlyList<Event> events;
        try
        {
            events = _graph!.Prepare(AsRead(id, record));
        }
        catch (TransformException ex)
        {
            // A transform that fails will fail again: the event goes to the dead-letter bus at once.
            Decide(id, attempt, _scheduler!.Complete(id, DeliveryOutcome.Refuse($"transform failed: {ex.Message}"), _settings.Time.GetUtcNow()), "TransformFailed");
            return;
        }

        if (_graph.Sink is { } sink)
        {
            _ = AttemptAsync(sink, events, Self, new AttemptDone(_cursor.Generation, id, attempt, DeliveryOutcome.Delivered), _stopping.Token);
        }
        else
        {
            Offer(id, record.Offset, attempt, events);
        }
    }

    /// <summary>Delivers the (transformed) events of one item and tells the trigger the outcome.</summary>
    private static async Task AttemptAsync(IEventSink sink, IReadOnlyList<Event> events, IActorRef self, AttemptDone done, CancellationToken cancellationToken)
    {
        DeliveryOutcome outcome;
        try
        {
            outcome = await sink.DeliverAsync(events, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The trigger stopped: its progress holds this event back, so it is attempted again when the trigger is back.
            return;
        }
#pragma warning disable CA1031 // whatever the attempt threw is its outcome, told to the trigger, never lost on a pool thread
        catch (Exception ex)
#pragma warning restore CA1031
        {
            outcome = DeliveryOutcome.Retry(ex.Message);
        }

        self.Tell(done with { Outcome = outcome });
    }

    /// <summary>The item as the graph reads it: a resent dead letter without its <c>xvanusdl*</c> attributes, as read from its dead-letter bus.</summary>
    private EventRecord AsRead(long id, StoredRecord record)
    {
        var config = _config!;
        var resent = id < 0;
        var e = resent ? WithoutDeadLetterAttributes(record.Event) : record.Event;
        var eventbus = resent ? config.DeadLetterBus ?? config.Subscription.Eventbus : config.Subscription.Eventbus;
        return new EventRecord(eventbus, resent ? 0 : config.Eventlog, record.Offset, new DateTimeOffset(record.StoreTicks, TimeSpan.Zero), e);
    }

    private static Event WithoutDeadLetterAttributes(Event e)
    {
        var extensions = e.Extensions
            .Without(DeadLetterSubscription)
            .Without(DeadLetterReason)
            .Without(DeadLetterError)
            .Without(DeadLetterAttempts)
            .Without(DeadLetterTime);
        return e with { Extensions = extensions };
    }

    /// <summary>Reads the body of an item the trigger holds without one: an offset of its eventlog, or a dead letter being resent.</summary>
    private void Fetch(long id, int attempt)
    {
        if (!_fetching.TryAdd(id, attempt))
        {
            return;
        }

        var config = _config!;
        var (entity, offset) = id >= 0 ? (config.SourceEntity, id) : (config.DeadLetterEntity, -id - 1);
        if (entity is null)
        {
            BodyFetched(new BodyFetched(_cursor.Generation, id, new ReadReply([])));
            return;
        }

        var generation = _cursor.Generation;
        _settings.Eventlogs.Ask<object>(new ReadEvents(entity, offset, 1), _settings.AskTimeout).PipeTo(
            Self,
            success: reply => new BodyFetched(generation, id, reply),
            failure: ex => new BodyFetched(generation, id, ex));
    }

    private void BodyFetched(BodyFetched fetched)
    {
        if (fetched.Generation != _cursor.Generation || !_fetching.Remove(fetched.Id, out var attempt))
        {
            return;
        }

        var offset = fetched.Id >= 0 ? fetched.Id : -fetched.Id - 1;
        switch (fetched.Reply)
        {
            case ReadReply { Records: [var record, ..] } when record.Offset == offset:
                PutBody(fetched.Id, record);
                Dispatch(fetched.Id, attempt);
                break;
            case ReadReply or Refusal { Kind: BrokerErrorKind.Invalid }:
                // The event is no longer stored (retention, or its dead-letter bus went away): nothing is left to deliver.
                Log.Warning("Trigger {0}: item {1} is no longer stored and is dropped", _entityId, fetched.Id);
                NoteError($"event at offset {offset} was no longer stored when its retry came due");
                Decide(fetched.Id, attempt, _scheduler!.Complete(fetched.Id, DeliveryOutcome.Refuse("the event is no longer stored"), _settings.Time.GetUtcNow()), "Expired");
                break;
            default:
                // The eventlog did not answer: the attempt counts as failed and is retried by the policy.
                AttemptDone(new AttemptDone(_cursor.Generation, fetched.Id, attempt, DeliveryOutcome.Retry($"reading the event failed: {Asks.Describe(fetched.Reply)}")));
                break;
        }
    }

    private void AttemptDone(AttemptDone done)
    {
        if (done.Generation != _cursor.Generation || _deleted)
        {
            return;
        }

        var decision = _scheduler!.Complete(done.Id, done.Outcome, _settings.Time.GetUtcNow());
        Decide(done.Id, done.Attempt, decision, done.Outcome.Kind == DeliveryOutcomeKind.Refused ? "SinkRefused" : "MaxAttemptsExhausted");
        SchedulePump();
    }

    /// <summary>
    /// Asks for one <see cref="Pump"/> after the messages already queued: a burst of outcomes then costs one scheduling pass
    /// and one read top-up instead of one per outcome.
    /// </summary>
    private void SchedulePump()
    {
        if (!_pumpPending)
        {
            _pumpPending = true;
            Self.Tell(Triggers.PumpNow.Instance);
        }
    }

    private void PumpAfterOutcomes()
    {
        _pumpPending = false;
        Pump();
        MaybeRead();
    }

    /// <summary>Carries out the scheduler's decision on a finished attempt.</summary>
    private void Decide(long id, int attempt, DeliveryDecision decision, string reason)
    {
        switch (decision.Kind)
        {
            case DeliveryDecisionKind.Done:
                _counts = _counts with { Delivered = _counts.Delivered + 1 };
                Finish(id);
                break;
            case DeliveryDecisionKind.Retry:
                _counts = _counts with { Failed = _counts.Failed + 1 };
                NoteError(decision.Error ?? "the attempt failed");
                var key = _bodies.TryGetValue(id, out var body) ? EventRouting.PartitionKeyOf(body.Record.Event) : _retries.PartitionKeyOf(id);
                var entry = new RetryEntry(id, decision.Attempt, decision.Due.UtcTicks, key);
                _retries.Set(entry);

                // A long wait holds an index entry, not the event: it is read again when the retry comes due. So does any
                // retry once bodies fill half the read-ahead bytes, so that a few large failing events never stop the reads
                // the others need.
                if (decision.Due - _settings.Time.GetUtcNow() > KeepBodyFor || _bodyBytes > _settings.ReadAheadBytes / 2)
                {
                    DropBody(id);
                }

                break;
            case DeliveryDecisionKind.DeadLetter:
                _counts = _counts with { Failed = _counts.Failed + 1 };
                NoteError(decision.Error ?? reason);
                DeadLetter(id, decision.Attempt, reason, decision.Error ?? reason);
                break;
            case DeliveryDecisionKind.Drop:
                _counts = _counts with { Failed = _counts.Failed + 1, Dropped = _counts.Dropped + 1 };
                NoteError(decision.Error ?? reason);
                Log.Warning("Trigger {0}: item {1} dropped after {2} attempts ({3}): {4}", _entityId, id, attempt, reason, decision.Error);
                Finish(id);
                break;
        }
    }

    /// <summary>Appends the original event, with why and how often it failed, to the dead-letter bus; the item is finished once that is durable.</summary>
    private void DeadLetter(long id, int attempts, string reason, string error)
    {
        var config = _config!;
        if (config.DeadLetterEntity is not { } entity || !_bodies.TryGetValue(id, out var body))
        {
            _counts = _counts with { Dropped = _counts.Dropped + 1 };
            Log.Warning("Trigger {0}: item {1} cannot be dead-lettered (no dead-letter bus, or no event) and is dropped: {2}", _entityId, id, error);
            Finish(id);
            return;
        }

        var original = id < 0 ? WithoutDeadLetterAttributes(body.Record.Event) : body.Record.Event;
        var letter = original with
        {
            Extensions = original.Extensions
                .With(DeadLetterSubscription, AttributeValue.FromString(config.Subscription.Name))
                .With(DeadLetterReason, AttributeValue.FromString(reason))
                .With(DeadLetterError, AttributeValue.FromString(error.Length > 1024 ? error[..1024] : error))
                .With(DeadLetterAttempts, AttributeValue.FromInteger(attempts))
                .With(DeadLetterTime, AttributeValue.FromTimestamp(_settings.Time.GetUtcNow())),
        };
        _deadLettering[id] = letter;
        AppendDeadLetter(id, entity, letter);
    }

    private void AppendDeadLetter(long id, string entity, Event letter)
    {
        var generation = _cursor.Generation;
        _settings.Eventlogs.Ask<object>(new AppendEvents(entity, [letter]), _settings.AskTimeout).PipeTo(
            Self,
            success: reply => new DeadLetterDone(generation, id, reply is AppendReply { Error: null } ? null : Asks.Describe(reply)),
            failure: ex => new DeadLetterDone(generation, id, ex.Message));
    }

    private void DeadLetterDone(DeadLetterDone done)
    {
        if (done.Generation != _cursor.Generation || !_deadLettering.TryGetValue(done.Id, out var letter))
        {
            return;
        }

        if (done.Error is { } error)
        {
            // The item keeps holding the committed offset until its dead letter is stored.
            Log.Warning("Trigger {0}: appending a dead letter failed ({1}); retrying", _entityId, error);
            Timers.StartSingleTimer("dl:" + done.Id, new RetryDeadLetter(done.Generation, done.Id), _settings.RetryFailedIo);
            return;
        }

        _deadLettering.Remove(done.Id);
        _counts = _counts with { DeadLettered = _counts.DeadLettered + 1 };
        Finish(done.Id);
        SchedulePump();
    }

    private void RetryDeadLetterNow(RetryDeadLetter retry)
    {
        if (retry.Generation == _cursor.Generation && _deadLettering.TryGetValue(retry.Id, out var letter) && _config?.DeadLetterEntity is { } entity)
        {
            AppendDeadLetter(retry.Id, entity, letter);
        }
    }

    /// <summary>An item is done with (delivered, dead-lettered or dropped): its body goes, and its persisted retry with it.</summary>
    private void Finish(long id)
    {
        DropBody(id);
        _retries.Remove(id);
    }

    /// <summary>Holds a read event for delivery: its body kept, the item offered to the scheduler at its store time plus the subscription's delay.</summary>
    private void Hold(StoredRecord record)
    {
        PutBody(record.Offset, record);
        _scheduler!.Offer(record.Offset, EventRouting.PartitionKeyOf(record.Event), _graph!.DueAt(new DateTimeOffset(record.StoreTicks, TimeSpan.Zero)));
    }

    /// <summary>Keeps the body of a restored retry read again, which saves it a fetch when it comes due.</summary>
    private void KeepBody(StoredRecord record)
    {
        if (!_bodies.ContainsKey(record.Offset))
        {
            PutBody(record.Offset, record);
        }
    }

    /// <summary>Holds an event body, counting its bytes against the trigger's read-ahead.</summary>
    private void PutBody(long id, StoredRecord record)
    {
        DropBody(id);
        var size = EventSize.Of(record.Event);
        _bodies[id] = (record, size);
        _bodyBytes += size;
    }

    private void DropBody(long id)
    {
        if (_bodies.Remove(id, out var body))
        {
            _bodyBytes -= body.Size;
        }
    }

    /// <summary>After a reset: every item in progress belongs to the old position and is forgotten.</summary>
    private void ForgetInFlight()
    {
        _scheduler?.Clear();
        _bodies.Clear();
        _bodyBytes = 0;
        _fetching.Clear();
        _deadLettering.Clear();
    }

    /// <summary>Dead letters to deliver again: each becomes a persisted retry due now, so a restart keeps them.</summary>
    private void Redeliver(RedeliverDeadLetters command)
    {
        if (!_started || _config is null)
        {
            Sender.Tell(new Refusal(BrokerErrorKind.Unavailable, $"trigger {_entityId} is still starting; retry shortly", null));
            return;
        }

        var now = _settings.Time.GetUtcNow();
        var added = new List<RetryEntry>();
        foreach (var offset in command.Offsets)
        {
            var id = -offset - 1;
            if (_retries.Contains(id) || _deadLettering.ContainsKey(id))
            {
                continue;
            }

            added.Add(new RetryEntry(id, 1, now.UtcTicks, null));
        }

        var replyTo = Sender;
        Persist(new TriggerProgress(Committed(), added, [], _counts), _ =>
        {
            _retries.Apply(added, []);
            foreach (var entry in added)
            {
                _scheduler!.Offer(entry.Id, null, now, 1);
            }

            replyTo.Tell(new TriggerAck(_entityId, added.Count));
            Pump();
        });
    }

    /// <summary>Time to try appending a dead letter again.</summary>
    private sealed record RetryDeadLetter(long Generation, long Id) : Akka.Actor.INoSerializationVerificationNeeded;
}
