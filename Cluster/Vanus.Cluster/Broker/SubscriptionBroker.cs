using System.Globalization;
using Akka.Actor;
using Vanus.Cluster.Controller;
using Vanus.Cluster.Messaging;
using Vanus.Cluster.Triggers;
using Vanus.Operators.Subscriptions;
using Vanus.Runtime.Broker;

namespace Vanus.Cluster.Broker;

/// <summary>
/// The node's <see cref="ISubscriptionBroker"/>: documents and lifecycle through the controller, progress, dead letters
/// and pull consumption through the subscription's triggers (one per eventlog).
/// </summary>
internal sealed class SubscriptionBroker(IActorRef controller, IActorRef triggers, EventlogAppender appender, int maxSubscriptions = int.MaxValue) : CatalogBroker(controller, appender), ISubscriptionBroker
{
    private const int DeadLetterScanBatch = 512;

    /// <summary>The longest a pull may wait for events.</summary>
    private static readonly TimeSpan MaxPullWait = TimeSpan.FromHours(1);

    public async Task<SubscriptionInfo> CreateSubscriptionAsync(string @namespace, SubscriptionSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        SubscriptionChecks.Check(spec);
        CheckLimit(view => view.SubscriptionList.Count, maxSubscriptions, "subscriptions", "--max-subscriptions");
        return await ChangeAsync(new CreateSubscription(SubscriptionEntry.From(@namespace, spec)), cancellationToken).ConfigureAwait(false);
    }

    public async Task<SubscriptionInfo> UpdateSubscriptionAsync(string @namespace, SubscriptionSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        SubscriptionChecks.Check(spec);
        return await ChangeAsync(new UpdateSubscription(SubscriptionEntry.From(@namespace, spec)), cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<SubscriptionInfo>> ListSubscriptionsAsync(string @namespace, CancellationToken cancellationToken = default) =>
        ListAsync(@namespace, catalog => catalog.View.SubscriptionList, SubscriptionInfoAsync, cancellationToken);

    public Task<SubscriptionInfo?> GetSubscriptionAsync(string @namespace, string name, CancellationToken cancellationToken = default) =>
        GetAsync(@namespace, name, catalog => catalog.Subscription(@namespace, name), SubscriptionInfoAsync, cancellationToken);

    public async Task<bool> DeleteSubscriptionAsync(string @namespace, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        ArgumentNullException.ThrowIfNull(name);
        var catalog = Serving();
        var deleted = await ChangeCatalogAsync<SubscriptionDeleted>(new DeleteSubscription(@namespace, name), cancellationToken).ConfigureAwait(false);
        if (deleted.Removed is not { } removed)
        {
            return false;
        }

        // The catalog no longer lists it, so nothing configures its triggers again; their journals are removed now.
        var eventlogs = catalog.Eventbus(@namespace, removed.Eventbus)?.Eventlogs ?? 0;
        await Task.WhenAll(Enumerable.Range(0, eventlogs).Select(i =>
            AskTriggerAsync<TriggerAck>(new DeleteTrigger(removed.TriggerId(i)), cancellationToken))).ConfigureAwait(false);
        return true;
    }

    public Task<SubscriptionInfo> PauseSubscriptionAsync(string @namespace, string name, CancellationToken cancellationToken = default) =>
        SetPausedAsync(@namespace, name, true, cancellationToken);

    public Task<SubscriptionInfo> ResumeSubscriptionAsync(string @namespace, string name, CancellationToken cancellationToken = default) =>
        SetPausedAsync(@namespace, name, false, cancellationToken);

    public async Task<SubscriptionInfo> ResetSubscriptionAsync(string @namespace, string name, DateTimeOffset time, CancellationToken cancellationToken = default)
    {
        var (entry, bus) = FindSubscription(Serving(), @namespace, name);
        if (!entry.Paused)
        {
            throw new BrokerException(BrokerErrorKind.Invalid, $"subscription '{name}' is running; pause it before resetting it", "state");
        }

        await Task.WhenAll(Enumerable.Range(0, bus.Eventlogs).Select(i =>
            AskTriggerAsync<TriggerAck>(new ResetTrigger(entry.TriggerId(i), time), cancellationToken))).ConfigureAwait(false);
        return await SubscriptionInfoAsync(entry, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<DeadLetterRecord>> ReadDeadLettersAsync(string @namespace, string name, int eventlog, long offset, int count, CancellationToken cancellationToken = default)
    {
        var catalog = Serving();
        var (entry, bus) = FindSubscription(catalog, @namespace, name);
        var deadLetter = DeadLetterBusOf(catalog, bus);
        CheckDeadLetterRange(deadLetter, eventlog, offset, count);
        var found = new List<DeadLetterRecord>();
        await foreach (var record in ScanDeadLettersAsync(deadLetter, entry.Name, offset, long.MaxValue, cancellationToken).ConfigureAwait(false))
        {
            found.Add(record);
            if (found.Count == count)
            {
                break;
            }
        }

        return found;
    }

    public async Task<int> ResendDeadLettersAsync(string @namespace, string name, DeadLetterSelection selection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(selection);
        var catalog = Serving();
        var (entry, bus) = FindSubscription(catalog, @namespace, name);
        var deadLetter = DeadLetterBusOf(catalog, bus);
        if (selection.Eventlog is { } eventlog)
        {
            CheckDeadLetterRange(deadLetter, eventlog, selection.FromOffset ?? 0, 1);
        }

        if (selection.FromOffset is { } from && selection.ToOffset is { } to && to < from)
        {
            throw new BrokerException(BrokerErrorKind.Invalid, $"the range ends ({to}) before it starts ({from})", "to");
        }

        var offsets = new List<long>();
        await foreach (var record in ScanDeadLettersAsync(deadLetter, entry.Name, selection.FromOffset ?? 0, selection.ToOffset ?? long.MaxValue, cancellationToken).ConfigureAwait(false))
        {
            offsets.Add(record.Offset);
        }

        // Spread over the subscription's triggers so resent events are delivered as concurrently as new ones.
        var resent = await Task.WhenAll(offsets
            .GroupBy(o => (int)(o % bus.Eventlogs))
            .SelectMany(g => g.Chunk(1024).Select(chunk => AskTriggerAsync<TriggerAck>(new RedeliverDeadLetters(entry.TriggerId(g.Key), chunk), cancellationToken))))
            .ConfigureAwait(false);
        return resent.Sum(a => a.Count);
    }

    public async Task<IReadOnlyList<PulledEvent>> PullAsync(string @namespace, string name, int max, TimeSpan wait, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(wait, TimeSpan.Zero);
        if (wait > MaxPullWait)
        {
            // A trigger parks the pull until now + wait: a wait without bound would overflow its clock.
            throw new BrokerException(BrokerErrorKind.Invalid, $"a pull waits at most {Units.FormatDuration(MaxPullWait)} (asked {Units.FormatDuration(wait)})", "wait");
        }

        var (entry, bus) = FindSubscription(Serving(), @namespace, name);
        if (entry.Protocol != SinkProtocol.Pull)
        {
            throw new BrokerException(BrokerErrorKind.Invalid, $"subscription '{name}' delivers to {entry.Sink}; only a subscription with protocol pull can be pulled from", SubscriptionFields.Protocol);
        }

        var pullId = Guid.NewGuid();
        var share = Math.Max(1, (max + bus.Eventlogs - 1) / bus.Eventlogs);
        var asks = Enumerable.Range(0, bus.Eventlogs)
            .Select(i => AskTriggerAsync<PulledBatch>(new PullEvents(entry.TriggerId(i), share, wait.Ticks, pullId), cancellationToken, wait))
            .ToList();

        // The first trigger with events ends the wait of the others: they answer at once with what they hold, so no
        // event handed out is left without a puller.
        var pending = asks.ToList();
        try
        {
            while (pending.Count > 0)
            {
                var first = await Task.WhenAny(pending).ConfigureAwait(false);
                pending.Remove(first);
                if (first.IsCompletedSuccessfully && first.Result.Items.Count > 0)
                {
                    break;
                }
            }
        }
        finally
        {
            for (var i = 0; i < asks.Count; i++)
            {
                if (!asks[i].IsCompleted)
                {
                    triggers.Tell(new CancelPull(entry.TriggerId(i), pullId));
                }
            }
        }

        var pulled = new List<PulledEvent>();
        for (var i = 0; i < asks.Count; i++)
        {
            var batch = await asks[i].ConfigureAwait(false);
            foreach (var item in batch.Items)
            {
                var token = string.Create(CultureInfo.InvariantCulture, $"{i}.{item.Id}.{item.Attempt}");
                pulled.Add(new PulledEvent(token, i, item.Offset, item.Attempt, item.Event));
            }
        }

        return pulled;
    }

    public async Task<int> AckAsync(string @namespace, string name, IReadOnlyList<string> tokens, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var (entry, bus) = FindSubscription(Serving(), @namespace, name);
        var byEventlog = new Dictionary<int, List<PullToken>>();
        for (var i = 0; i < tokens.Count; i++)
        {
            var parts = (tokens[i] ?? "").Split('.');
            if (parts.Length != 3
                || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var eventlog)
                || !long.TryParse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id)
                || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var attempt)
                || eventlog >= bus.Eventlogs)
            {
                throw new BrokerException(BrokerErrorKind.Invalid, $"'{tokens[i]}' is not a token this subscription handed out", $"tokens[{i}]");
            }

            if (!byEventlog.TryGetValue(eventlog, out var list))
            {
                byEventlog[eventlog] = list = [];
            }

            list.Add(new PullToken(id, attempt));
        }

        var acks = await Task.WhenAll(byEventlog.Select(p => AskTriggerAsync<TriggerAck>(new AckEvents(entry.TriggerId(p.Key), p.Value), cancellationToken))).ConfigureAwait(false);
        return acks.Sum(a => a.Count);
    }

    private Task<SubscriptionInfo> SetPausedAsync(string @namespace, string name, bool paused, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        ArgumentNullException.ThrowIfNull(name);
        return ChangeAsync(new SetSubscriptionPaused(@namespace, name, paused), cancellationToken);
    }

    /// <summary>Changes a subscription through the controller, then hands its triggers the new configuration before describing it.</summary>
    private async Task<SubscriptionInfo> ChangeAsync(object command, CancellationToken cancellationToken)
    {
        var changed = await ChangeCatalogAsync<SubscriptionChanged>(command, cancellationToken).ConfigureAwait(false);
        await ConfigureTriggersAsync(changed.Subscription, cancellationToken).ConfigureAwait(false);
        return await SubscriptionInfoAsync(changed.Subscription, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Hands every trigger of the subscription its configuration and waits until each has it (a new one: until it knows where it starts).</summary>
    private async Task ConfigureTriggersAsync(SubscriptionEntry entry, CancellationToken cancellationToken)
    {
        var catalog = Catalog.Current;
        var bus = FindEventbus(catalog, entry.Namespace, entry.Eventbus);
        var deadLetter = bus.DeadLetterBus is { } dl ? catalog.Eventbus(entry.Namespace, dl) : null;
        await Task.WhenAll(TriggerConfigs.For(entry, bus, deadLetter).Select(c => AskTriggerAsync<TriggerAck>(c, cancellationToken))).ConfigureAwait(false);
    }

    private async Task<SubscriptionInfo> SubscriptionInfoAsync(SubscriptionEntry entry, CancellationToken cancellationToken)
    {
        var bus = FindEventbus(Catalog.Current, entry.Namespace, entry.Eventbus);
        var triggers = await Task.WhenAll(Enumerable.Range(0, bus.Eventlogs).Select(async i =>
        {
            var statusTask = AskTriggerAsync<TriggerStatus>(new GetTriggerStatus(entry.TriggerId(i)), cancellationToken);
            var infoTask = Appender.InfoAsync(bus, i, cancellationToken);
            var (status, info) = (await statusTask.ConfigureAwait(false), await infoTask.ConfigureAwait(false));
            var committed = status.Started ? status.Committed : info.Next;
            var error = status.LastError is { } message ? new SinkError(message, status.LastErrorTime ?? default) : null;
            return new TriggerInfo(i, committed, info.Next, status.Counts.Delivered, status.Counts.Failed, status.Counts.DeadLettered, status.Counts.Dropped, status.PendingRetries, error);
        })).ConfigureAwait(false);
        return new SubscriptionInfo(entry.Namespace, entry.ToSpec(), entry.Paused ? SubscriptionState.Paused : SubscriptionState.Running, entry.CreatedAt, triggers);
    }

    private static (SubscriptionEntry Entry, EventbusEntry Bus) FindSubscription(CatalogIndex catalog, string @namespace, string name)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        ArgumentNullException.ThrowIfNull(name);
        RequireNamespace(catalog, @namespace);
        var entry = catalog.Subscription(@namespace, name)
            ?? throw new BrokerException(BrokerErrorKind.NotFound, $"subscription '{name}' does not exist in namespace '{@namespace}'", "name");
        return (entry, FindEventbus(catalog, @namespace, entry.Eventbus));
    }

    private static EventbusEntry DeadLetterBusOf(CatalogIndex catalog, EventbusEntry bus) =>
        (bus.DeadLetterBus is { } name ? catalog.Eventbus(bus.Namespace, name) : null)
        ?? throw new BrokerException(BrokerErrorKind.NotFound, $"eventbus '{bus.Name}' has no dead-letter bus", "eventbus");

    private static void CheckDeadLetterRange(EventbusEntry deadLetter, int eventlog, long offset, int count)
    {
        if (eventlog < 0 || eventlog >= deadLetter.Eventlogs)
        {
            throw new BrokerException(BrokerErrorKind.Invalid, $"the dead-letter bus has eventlog{(deadLetter.Eventlogs == 1 ? " 0" : $"s 0 to {deadLetter.Eventlogs - 1}")}, not {eventlog}", "eventlog");
        }

        if (offset < 0)
        {
            throw new BrokerException(BrokerErrorKind.Invalid, $"offset must not be negative, not {offset}", "offset");
        }

        if (count < 1)
        {
            throw new BrokerException(BrokerErrorKind.Invalid, $"count must be positive, not {count}", "count");
        }
    }

    /// <summary>The dead letters of one subscription in the (single-eventlog) dead-letter bus, from <paramref name="from"/> to <paramref name="to"/> inclusive.</summary>
    private async IAsyncEnumerable<DeadLetterRecord> ScanDeadLettersAsync(EventbusEntry deadLetter, string subscription, long from, long to, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var info = await Appender.InfoAsync(deadLetter, 0, cancellationToken).ConfigureAwait(false);
        var offset = Math.Max(from, info.Earliest);
        var end = Math.Min(to, info.Next - 1);
        while (offset <= end)
        {
            var records = await Appender.ReadAsync(deadLetter, 0, offset, (int)Math.Min(DeadLetterScanBatch, end - offset + 1), cancellationToken).ConfigureAwait(false);
            if (records.Count == 0)
            {
                yield break;
            }

            foreach (var record in records)
            {
                if (record.Offset > end)
                {
                    yield break;
                }

                if (record.Event.Extensions.TryGet(TriggerActor.DeadLetterSubscription, out var owner) && owner.AsText == subscription)
                {
                    yield return new DeadLetterRecord(0, record.Offset, record.StoreTime, record.Event);
                }

                offset = record.Offset + 1;
            }
        }
    }

    /// <summary>Asks one trigger; <paramref name="extra"/> lengthens the wait for a command that itself waits (a pull).</summary>
    private Task<T> AskTriggerAsync<T>(ITriggerCommand command, CancellationToken cancellationToken, TimeSpan extra = default) =>
        triggers.AskAsync<T>(command, $"trigger {command.EntityId}", Appender.Timeout + extra, cancellationToken);

    private static EventbusEntry FindEventbus(CatalogIndex catalog, string @namespace, string name) => EventlogAppender.FindEventbus(catalog, @namespace, name);
}
