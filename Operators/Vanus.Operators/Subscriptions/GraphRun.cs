using System.Threading.Channels;
using System.Threading.Tasks.Dataflow;
using Vanus.Operators.Delivery;
using Vanus.Operators.Transform;
using Vanus.Runtime.Broker;

namespace Vanus.Operators.Subscriptions;

/// <summary>
/// One in-process run of a <see cref="SubscriptionGraph"/>. One loop owns the <see cref="DeliveryScheduler"/> and the items
/// (as a trigger actor does); it takes inputs, outcomes and wake-ups from one channel. Attempts run on an
/// <see cref="ActionBlock{T}"/> bounded by the policy's in-flight limit: the delivery fan-out is the stage boundary that
/// needs a buffer and a degree of parallelism, which is what the block is.
/// </summary>
internal sealed class GraphRun(SubscriptionGraph graph, IEventSink sink, IAsyncEnumerable<GraphInput> source)
{
    private readonly DeliveryScheduler _scheduler = new(graph.Policy);
    private readonly Dictionary<long, GraphInput> _items = [];
    private readonly Channel<object> _signals = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<DeliveryTicket> _ready = [];
    private readonly TimeProvider _time = graph.Options.Time;
    private long _nextId;
    private bool _sourceDone;
    private DateTimeOffset? _wakeAt;

    private static readonly TimeSpan MaxWait = TimeSpan.FromHours(1);

    private int ReadAhead => Math.Clamp(graph.Policy.Inflight * 2, 16, 16384);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var room = new SemaphoreSlim(ReadAhead, ReadAhead);
        using var wake = _time.CreateTimer(static s => ((Channel<object>)s!).Writer.TryWrite(Wake.Instance), _signals, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        var attempts = new ActionBlock<Attempt>(
            attempt => AttemptAsync(attempt, stop.Token),
            new ExecutionDataflowBlockOptions { MaxDegreeOfParallelism = graph.Policy.Inflight, BoundedCapacity = graph.Policy.Inflight, CancellationToken = stop.Token });
        var reader = ReadAsync(room, stop.Token);
        try
        {
            while (!(_sourceDone && _items.Count == 0))
            {
                var signal = await _signals.Reader.ReadAsync(stop.Token).ConfigureAwait(false);
                switch (signal)
                {
                    case GraphInput input:
                        await TakeAsync(input, room, stop.Token).ConfigureAwait(false);
                        break;
                    case Outcome outcome:
                        await DecideAsync(outcome, room, stop.Token).ConfigureAwait(false);
                        break;
                    case SourceEnded ended:
                        _sourceDone = true;
                        ended.Error?.Throw();
                        break;
                }

                var now = _time.GetUtcNow();
                _ready.Clear();
                _scheduler.TakeReady(now, _ready);
                foreach (var ticket in _ready)
                {
                    // The record travels with the ticket: the block's threads never touch the loop's dictionary.
                    await attempts.SendAsync(new Attempt(ticket, _items[ticket.Id].Record), stop.Token).ConfigureAwait(false);
                }

                Arm(wake, now);
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            attempts.Complete();
            await Task.WhenAll(reader, attempts.Completion).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Pulls the source, at most <see cref="ReadAhead"/> items ahead of those finished.</summary>
    private async Task ReadAsync(SemaphoreSlim room, CancellationToken cancellationToken)
    {
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? error = null;
        try
        {
            await foreach (var input in source.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                await room.WaitAsync(cancellationToken).ConfigureAwait(false);
                _signals.Writer.TryWrite(input);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
#pragma warning disable CA1031 // the source's failure ends the run: the loop rethrows it
        catch (Exception ex)
#pragma warning restore CA1031
        {
            error = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex);
        }

        _signals.Writer.TryWrite(new SourceEnded(error));
    }

    private async ValueTask TakeAsync(GraphInput input, SemaphoreSlim room, CancellationToken cancellationToken)
    {
        if (!graph.Admits(input.Record.Event))
        {
            await FinishAsync(input, room, cancellationToken).ConfigureAwait(false);
            return;
        }

        var id = _nextId++;
        _items[id] = input;
        _scheduler.Offer(id, EventRouting.PartitionKeyOf(input.Record.Event), graph.DueAt(input.Record.StoreTime));
    }

    private async Task AttemptAsync(Attempt attempt, CancellationToken cancellationToken)
    {
        var (ticket, record) = attempt;
        DeliveryOutcome outcome;
        var transformFailed = false;
        try
        {
            var events = await graph.PrepareAsync(record, cancellationToken).ConfigureAwait(false);
            outcome = await sink.DeliverAsync(events, cancellationToken).ConfigureAwait(false);
        }
        catch (TransformException ex)
        {
            // A transform that fails will fail again: the event is given up on at once.
            (outcome, transformFailed) = (DeliveryOutcome.Refuse($"transform failed: {ex.Message}"), true);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
#pragma warning disable CA1031 // a C# stage's failure is the attempt's outcome, retried by the policy
        catch (Exception ex)
#pragma warning restore CA1031
        {
            outcome = DeliveryOutcome.Retry($"{ex.GetType().Name}: {ex.Message}");
        }

        _signals.Writer.TryWrite(new Outcome(ticket, outcome, transformFailed));
    }

    private async ValueTask DecideAsync(Outcome done, SemaphoreSlim room, CancellationToken cancellationToken)
    {
        var decision = _scheduler.Complete(done.Ticket.Id, done.Result, _time.GetUtcNow());
        if (decision.Kind == DeliveryDecisionKind.Retry)
        {
            return;
        }

        var input = _items[done.Ticket.Id];
        _items.Remove(done.Ticket.Id);
        if (decision.Kind == DeliveryDecisionKind.DeadLetter && graph.Options.DeadLetter is { } deadLetter)
        {
            var reason = done.TransformFailed ? "TransformFailed" : decision.Reason ?? DeliveryDecision.MaxAttemptsExhausted;
            await deadLetter(new DeadLetter(input.Record, reason, decision.Error ?? reason, decision.Attempt), cancellationToken).ConfigureAwait(false);
        }

        await FinishAsync(input, room, cancellationToken).ConfigureAwait(false);
    }

    private static async ValueTask FinishAsync(GraphInput input, SemaphoreSlim room, CancellationToken cancellationToken)
    {
        await input.Acknowledge(cancellationToken).ConfigureAwait(false);
        room.Release();
    }

    /// <summary>Points the wake timer at the scheduler's next due time when that moved earlier (or the armed one passed).</summary>
    private void Arm(ITimer wake, DateTimeOffset now)
    {
        if (_scheduler.NextWakeup(now) is not { } next || (_wakeAt is { } armed && armed <= next && armed > now))
        {
            return;
        }

        // A wait is at most an hour: a timer cannot be set past about 49 days, and waking early only looks again. It is
        // measured from the clock as it is now, not from when this pass began: the clock may have moved meanwhile.
        _wakeAt = next - now > MaxWait ? now + MaxWait : next;
        var wait = _wakeAt.Value - _time.GetUtcNow();
        if (wait <= TimeSpan.Zero)
        {
            // Due already (the clock passed it during this pass): the next pass takes it, no timer needed.
            _wakeAt = null;
            _signals.Writer.TryWrite(Wake.Instance);
            return;
        }

        wake.Change(wait, Timeout.InfiniteTimeSpan);
    }

    private sealed record Attempt(DeliveryTicket Ticket, EventRecord Record);

    private sealed record Outcome(DeliveryTicket Ticket, DeliveryOutcome Result, bool TransformFailed);

    private sealed record SourceEnded(System.Runtime.ExceptionServices.ExceptionDispatchInfo? Error);

    private sealed record Wake
    {
        public static readonly Wake Instance = new();
    }
}
