using System.Collections.Concurrent;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;

namespace Vanus.Gateway.Tests;

/// <summary>
/// An in-memory <see cref="ISubscriptionBroker"/> over an <see cref="InMemoryBroker"/>: it keeps documents, state and
/// per-eventlog progress, stores dead letters in the bus's dead-letter bus, hands pull consumers the events a test offers
/// from a queue, and records every call so a test can see what reached it.
/// </summary>
internal sealed class InMemorySubscriptions(InMemoryBroker buses, TimeProvider time) : ISubscriptionBroker
{
    public const string DeadLetterSubscription = "xvanusdlsubscription";
    public const string DeadLetterReason = "xvanusdlreason";
    public const string DeadLetterError = "xvanusdlerror";
    public const string DeadLetterAttempts = "xvanusdlattempts";
    public const string DeadLetterTime = "xvanusdltime";

    private readonly object _lock = new();
    private readonly Dictionary<(string Ns, string Name), Subscription> _subscriptions = [];
    private readonly ConcurrentQueue<string> _calls = new();

    /// <summary>Every call that reached the broker, as "verb namespace/name".</summary>
    public IReadOnlyList<string> Calls => [.. _calls];

    /// <summary>Completed when a pull finds nothing and starts waiting.</summary>
    public TaskCompletionSource PullWaiting { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Makes <see cref="PullWaiting"/> wait for the next pull that starts waiting.</summary>
    public void ResetPullWaiting() => PullWaiting = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed when a waiting pull is cancelled (the client went away).</summary>
    public TaskCompletionSource PullCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The spec a subscription holds now.</summary>
    public SubscriptionSpec Spec(string ns, string name)
    {
        lock (_lock)
        {
            return _subscriptions[(ns, name)].Spec;
        }
    }

    /// <summary>How many subscriptions exist in every namespace.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _subscriptions.Count;
            }
        }
    }

    /// <summary>The dead letters resent so far, without their <c>xvanusdl*</c> attributes, in order.</summary>
    public IReadOnlyList<Event> Resent(string ns, string name)
    {
        lock (_lock)
        {
            return [.. _subscriptions[(ns, name)].Resent];
        }
    }

    /// <summary>Replaces the progress of a subscription's triggers, as delivery would have moved it.</summary>
    public void SetProgress(string ns, string name, params TriggerInfo[] triggers)
    {
        lock (_lock)
        {
            _subscriptions[(ns, name)].Triggers = triggers;
        }
    }

    /// <summary>Offers an event of an eventlog to the pull consumers of a subscription, waking a waiting pull.</summary>
    public void Offer(string ns, string name, int eventlog, long offset, Event e)
    {
        TaskCompletionSource arrived;
        lock (_lock)
        {
            var sub = _subscriptions[(ns, name)];
            sub.Ready.Enqueue(new PulledEvent("", eventlog, offset, 1, e));
            arrived = sub.Arrived;
            sub.Arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        arrived.TrySetResult();
    }

    /// <summary>Dead-letters <paramref name="e"/> for a subscription: appends it to the bus's dead-letter bus with the <c>xvanusdl*</c> attributes.</summary>
    public async Task DeadLetterAsync(string ns, string name, Event e, string reason, int attempts)
    {
        string eventbus;
        lock (_lock)
        {
            eventbus = _subscriptions[(ns, name)].Spec.Eventbus;
        }

        var dead = e with
        {
            Extensions = e.Extensions
                .With(DeadLetterSubscription, AttributeValue.FromString(name))
                .With(DeadLetterReason, AttributeValue.FromString(reason))
                .With(DeadLetterError, AttributeValue.FromString($"sink answered 400 ({reason})"))
                .With(DeadLetterAttempts, AttributeValue.FromInteger(attempts))
                .With(DeadLetterTime, AttributeValue.FromTimestamp(time.GetUtcNow())),
        };
        await buses.AppendAsync(ns, EventbusNames.DeadLetterOf(eventbus), [dead]);
    }

    public async Task<SubscriptionInfo> CreateSubscriptionAsync(string @namespace, SubscriptionSpec spec, CancellationToken cancellationToken = default)
    {
        Record("create", @namespace, spec.Name);
        var bus = await BusAsync(@namespace, spec.Eventbus);
        IReadOnlyList<long> starts = spec.From.Kind switch
        {
            SubscriptionStartKind.Earliest => [.. bus.Eventlogs.Select(l => l.Earliest)],
            SubscriptionStartKind.Time => await buses.OffsetsAtAsync(@namespace, spec.Eventbus, spec.From.Time!.Value, cancellationToken),
            _ => bus.Eventlogs.Select(l => l.Next).ToArray(),
        };
        lock (_lock)
        {
            if (_subscriptions.ContainsKey((@namespace, spec.Name)))
            {
                throw new BrokerException(BrokerErrorKind.AlreadyExists, $"Subscription '{spec.Name}' already exists in namespace '{@namespace}'.", "name");
            }

            var triggers = bus.Eventlogs.Select(l => new TriggerInfo(l.Id, starts[l.Id], l.Next, 0, 0, 0, 0, 0, null)).ToArray();
            var sub = new Subscription(spec, time.GetUtcNow(), triggers);
            _subscriptions.Add((@namespace, spec.Name), sub);
            return sub.Info(@namespace);
        }
    }

    public Task<SubscriptionInfo> UpdateSubscriptionAsync(string @namespace, SubscriptionSpec spec, CancellationToken cancellationToken = default)
    {
        Record("update", @namespace, spec.Name);
        lock (_lock)
        {
            var sub = Find(@namespace, spec.Name);
            if (sub.Spec.Eventbus != spec.Eventbus)
            {
                throw new BrokerException(BrokerErrorKind.Invalid, $"Subscription '{spec.Name}' reads eventbus '{sub.Spec.Eventbus}'; its eventbus cannot change (create another subscription).", "eventbus");
            }

            sub.Spec = spec;
            return Task.FromResult(sub.Info(@namespace));
        }
    }

    public async Task<IReadOnlyList<SubscriptionInfo>> ListSubscriptionsAsync(string @namespace, CancellationToken cancellationToken = default)
    {
        Record("list", @namespace, "");
        _ = await buses.GetNamespaceAsync(@namespace, cancellationToken)
            ?? throw new BrokerException(BrokerErrorKind.NotFound, $"There is no namespace '{@namespace}'.", "namespace");
        lock (_lock)
        {
            return [.. _subscriptions.Where(s => s.Key.Ns == @namespace).OrderBy(s => s.Key.Name, StringComparer.Ordinal).Select(s => s.Value.Info(@namespace))];
        }
    }

    public Task<SubscriptionInfo?> GetSubscriptionAsync(string @namespace, string name, CancellationToken cancellationToken = default)
    {
        Record("get", @namespace, name);
        lock (_lock)
        {
            return Task.FromResult(_subscriptions.GetValueOrDefault((@namespace, name))?.Info(@namespace));
        }
    }

    public Task<bool> DeleteSubscriptionAsync(string @namespace, string name, CancellationToken cancellationToken = default)
    {
        Record("delete", @namespace, name);
        lock (_lock)
        {
            return Task.FromResult(_subscriptions.Remove((@namespace, name)));
        }
    }

    public Task<SubscriptionInfo> PauseSubscriptionAsync(string @namespace, string name, CancellationToken cancellationToken = default)
    {
        Record("pause", @namespace, name);
        lock (_lock)
        {
            var sub = Find(@namespace, name);
            sub.State = SubscriptionState.Paused;
            return Task.FromResult(sub.Info(@namespace));
        }
    }

    public Task<SubscriptionInfo> ResumeSubscriptionAsync(string @namespace, string name, CancellationToken cancellationToken = default)
    {
        Record("resume", @namespace, name);
        lock (_lock)
        {
            var sub = Find(@namespace, name);
            sub.State = SubscriptionState.Running;
            return Task.FromResult(sub.Info(@namespace));
        }
    }

    public async Task<SubscriptionInfo> ResetSubscriptionAsync(string @namespace, string name, DateTimeOffset time, CancellationToken cancellationToken = default)
    {
        Record("reset", @namespace, name);
        string eventbus;
        lock (_lock)
        {
            var sub = Find(@namespace, name);
            if (sub.State == SubscriptionState.Running)
            {
                throw new BrokerException(BrokerErrorKind.Invalid, $"Subscription '{name}' is running; pause it before resetting its offsets.", "state");
            }

            eventbus = sub.Spec.Eventbus;
        }

        var offsets = await buses.OffsetsAtAsync(@namespace, eventbus, time, cancellationToken);
        lock (_lock)
        {
            var sub = Find(@namespace, name);
            sub.Triggers = [.. sub.Triggers.Select(t => t with { Committed = offsets[t.Eventlog], PendingRetries = 0 })];
            return sub.Info(@namespace);
        }
    }

    public async Task<IReadOnlyList<DeadLetterRecord>> ReadDeadLettersAsync(string @namespace, string name, int eventlog, long offset, int count, CancellationToken cancellationToken = default)
    {
        Record("deadletters", @namespace, name);
        var mine = await DeadLettersAsync(@namespace, name, eventlog, offset, cancellationToken);
        return [.. mine.Take(count)];
    }

    public async Task<int> ResendDeadLettersAsync(string @namespace, string name, DeadLetterSelection selection, CancellationToken cancellationToken = default)
    {
        Record("resend", @namespace, name);
        var chosen = await DeadLettersAsync(@namespace, name, selection.Eventlog ?? 0, selection.FromOffset ?? 0, cancellationToken);
        var resent = chosen
            .Where(r => selection.ToOffset is not { } to || r.Offset <= to)
            .Select(r => r.Event with { Extensions = ExtensionAttributes.From(r.Event.Extensions.Where(a => !a.Key.StartsWith("xvanusdl", StringComparison.Ordinal))) })
            .ToList();
        lock (_lock)
        {
            Find(@namespace, name).Resent.AddRange(resent);
        }

        return resent.Count;
    }

    public async Task<IReadOnlyList<PulledEvent>> PullAsync(string @namespace, string name, int max, TimeSpan wait, CancellationToken cancellationToken = default)
    {
        Record("pull", @namespace, name);
        Task arrived;
        lock (_lock)
        {
            var sub = PullSubscription(@namespace, name);
            var taken = sub.Take(max);
            if (taken.Count > 0 || wait == TimeSpan.Zero)
            {
                return taken;
            }

            arrived = sub.Arrived.Task;
        }

        // The timer starts before the test hears of the wait, so a test that advances the clock then cannot miss it.
        var timeout = Task.Delay(wait, time, cancellationToken);
        PullWaiting.TrySetResult();
        await Task.WhenAny(arrived, timeout);
        if (cancellationToken.IsCancellationRequested)
        {
            PullCancelled.TrySetResult();
            cancellationToken.ThrowIfCancellationRequested();
        }

        lock (_lock)
        {
            return PullSubscription(@namespace, name).Take(max);
        }
    }

    public Task<int> AckAsync(string @namespace, string name, IReadOnlyList<string> tokens, CancellationToken cancellationToken = default)
    {
        Record("ack", @namespace, name);
        lock (_lock)
        {
            var sub = PullSubscription(@namespace, name);
            var acknowledged = 0;
            foreach (var token in tokens)
            {
                if (sub.Outstanding.Remove(token, out var pulled))
                {
                    acknowledged++;
                    sub.Triggers = [.. sub.Triggers.Select(t => t.Eventlog == pulled.Eventlog ? t with { Delivered = t.Delivered + 1 } : t)];
                }
            }

            return Task.FromResult(acknowledged);
        }
    }

    private void Record(string verb, string ns, string name) => _calls.Enqueue($"{verb} {ns}/{name}");

    private async Task<EventbusInfo> BusAsync(string ns, string eventbus) =>
        await buses.GetEventbusAsync(ns, eventbus) ?? throw new BrokerException(BrokerErrorKind.NotFound, $"Namespace '{ns}' has no eventbus '{eventbus}'.", "eventbus");

    /// <summary>The subscription's dead letters in one dead-letter eventlog from an offset on, read from the dead-letter bus.</summary>
    private async Task<List<DeadLetterRecord>> DeadLettersAsync(string ns, string name, int eventlog, long offset, CancellationToken cancellationToken)
    {
        string eventbus;
        lock (_lock)
        {
            eventbus = Find(ns, name).Spec.Eventbus;
        }

        var records = await buses.ReadAsync(ns, EventbusNames.DeadLetterOf(eventbus), eventlog, offset, int.MaxValue, cancellationToken);
        return [.. records
            .Where(r => r.Event.Extensions.TryGet(DeadLetterSubscription, out var sub) && sub.AsText == name)
            .Select(r => new DeadLetterRecord(r.Eventlog, r.Offset, r.StoreTime, r.Event))];
    }

    private Subscription Find(string ns, string name) =>
        _subscriptions.GetValueOrDefault((ns, name)) ?? throw new BrokerException(BrokerErrorKind.NotFound, $"Namespace '{ns}' has no subscription '{name}'.", "subscription");

    private Subscription PullSubscription(string ns, string name)
    {
        var sub = Find(ns, name);
        return sub.Spec.Protocol == SinkProtocol.Pull
            ? sub
            : throw new BrokerException(BrokerErrorKind.Invalid, $"Subscription '{name}' delivers to its sink; only a pull subscription (protocol 'pull') can be pulled.", "protocol");
    }

    private sealed class Subscription(SubscriptionSpec spec, DateTimeOffset createdAt, TriggerInfo[] triggers)
    {
        private int _nextToken;

        public SubscriptionSpec Spec { get; set; } = spec;

        public SubscriptionState State { get; set; } = SubscriptionState.Running;

        public TriggerInfo[] Triggers { get; set; } = triggers;

        public Queue<PulledEvent> Ready { get; } = new();

        public Dictionary<string, PulledEvent> Outstanding { get; } = [];

        public List<Event> Resent { get; } = [];

        public TaskCompletionSource Arrived { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<PulledEvent> Take(int max)
        {
            var taken = new List<PulledEvent>();
            while (taken.Count < max && Ready.TryDequeue(out var next))
            {
                var pulled = next with { Token = $"t{++_nextToken}" };
                Outstanding.Add(pulled.Token, pulled);
                taken.Add(pulled);
            }

            return taken;
        }

        public SubscriptionInfo Info(string ns) => new(ns, Spec, State, createdAt, [.. Triggers]);
    }
}
