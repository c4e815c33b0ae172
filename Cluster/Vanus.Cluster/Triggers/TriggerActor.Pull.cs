using Akka.Actor;
using Vanus.Operators.Delivery;
using Vanus.Runtime.Events;

namespace Vanus.Cluster.Triggers;

internal sealed partial class TriggerActor
{
    // Attempts the scheduler started that wait for a puller.
    private readonly Queue<(long Id, long Offset, int Attempt, IReadOnlyList<Event> Events)> _available = new();

    // Attempts handed to pullers, by item id, and their ack deadlines.
    private readonly Dictionary<long, int> _handed = [];
    private readonly PriorityQueue<(long Id, int Attempt), DateTimeOffset> _deadlines = new();

    // Pulls waiting for events.
    private readonly List<(Guid Id, IActorRef ReplyTo, int Max, DateTimeOffset Until)> _parked = [];

    /// <summary>An attempt of a pull subscription: it waits for a puller, and its deadline starts when it is handed out.</summary>
    private void Offer(long id, long offset, int attempt, IReadOnlyList<Event> events)
    {
        _available.Enqueue((id, offset, attempt, events));
        SatisfyPulls();
    }

    private void Pull(PullEvents command)
    {
        var now = _settings.Time.GetUtcNow();
        var items = Running ? Hand(command.Max, now) : [];
        if (items.Count > 0 || command.WaitTicks <= 0)
        {
            Sender.Tell(new PulledBatch(items));
            return;
        }

        _parked.Add((command.PullId, Sender, command.Max, now + TimeSpan.FromTicks(command.WaitTicks)));
        ArmWake(now);
    }

    private void CancelPull(CancelPull command)
    {
        var index = _parked.FindIndex(p => p.Id == command.PullId);
        if (index >= 0)
        {
            _parked[index].ReplyTo.Tell(new PulledBatch([]));
            _parked.RemoveAt(index);
        }
    }

    private void SatisfyPulls()
    {
        if (!Running)
        {
            return;
        }

        var now = _settings.Time.GetUtcNow();
        while (_parked.Count > 0 && _available.Count > 0)
        {
            var pull = _parked[0];
            _parked.RemoveAt(0);
            pull.ReplyTo.Tell(new PulledBatch(Hand(pull.Max, now)));
        }

        ArmWake(now);
    }

    private List<PulledItem> Hand(int max, DateTimeOffset now)
    {
        var items = new List<PulledItem>();
        while (items.Count < max && _available.TryDequeue(out var item))
        {
            foreach (var e in item.Events)
            {
                items.Add(new PulledItem(item.Id, item.Offset, item.Attempt, e));
            }

            _handed[item.Id] = item.Attempt;
            _deadlines.Enqueue((item.Id, item.Attempt), now + _graph!.Policy.Timeout);
        }

        return items;
    }

    private void Ack(AckEvents command)
    {
        var now = _settings.Time.GetUtcNow();
        var acknowledged = 0;
        foreach (var token in command.Tokens)
        {
            if (_handed.TryGetValue(token.Id, out var attempt) && attempt == token.Attempt)
            {
                _handed.Remove(token.Id);
                Decide(token.Id, attempt, _scheduler!.Complete(token.Id, DeliveryOutcome.Delivered, now), "");
                acknowledged++;
            }
        }

        Sender.Tell(new TriggerAck(_entityId, acknowledged));
        SchedulePump();
    }

    /// <summary>Handed-out attempts past their deadline failed: the scheduler retries them by the policy.</summary>
    private void ExpireHanded(DateTimeOffset now)
    {
        while (_deadlines.TryPeek(out var handed, out var deadline) && deadline <= now)
        {
            _deadlines.Dequeue();
            if (_handed.TryGetValue(handed.Id, out var attempt) && attempt == handed.Attempt)
            {
                _handed.Remove(handed.Id);
                var error = $"not acknowledged within {_graph!.Policy.Timeout.TotalSeconds:0.###} s";
                Decide(handed.Id, attempt, _scheduler!.Complete(handed.Id, DeliveryOutcome.Retry(error), now), "MaxAttemptsExhausted");
            }
        }
    }

    private void ExpireParkedPulls(DateTimeOffset now)
    {
        for (var i = _parked.Count - 1; i >= 0; i--)
        {
            if (_parked[i].Until <= now)
            {
                _parked[i].ReplyTo.Tell(new PulledBatch([]));
                _parked.RemoveAt(i);
            }
        }
    }

    private DateTimeOffset? NextPullDeadline()
    {
        DateTimeOffset? next = _deadlines.TryPeek(out _, out var deadline) ? deadline : null;
        foreach (var pull in _parked)
        {
            if (next is null || pull.Until < next)
            {
                next = pull.Until;
            }
        }

        return next;
    }

    private void ClearPulls()
    {
        _available.Clear();
        _handed.Clear();
        _deadlines.Clear();
        foreach (var pull in _parked)
        {
            pull.ReplyTo.Tell(new PulledBatch([]));
        }

        _parked.Clear();
    }
}
