using System.Collections.Concurrent;
using Vanus.Runtime.Events;

namespace Vanus.Client.Tests;

/// <summary>In-process consumption of pull subscriptions against the fake node: ack after success, redelivery after failure, order, parallelism, cancellation.</summary>
public sealed class PullConsumerTests : FakeNodeTests
{
    private static readonly SubscriptionPipeline Local = Pipeline.FromEventBus("orders", StartAt.Earliest).Where("type = 'order.created'");

    private VanusClient _client = null!;

    protected override void Arrange(FakeNode node)
    {
        node.AddEventbus("orders");
        _client = new VanusClient(node.Endpoint);
    }

    public override async Task DisposeAsync()
    {
        _client.Dispose();
        await base.DisposeAsync();
    }

    private static Event[] Orders(int count, int first = 0) =>
        [.. Enumerable.Range(first, count).Select(i => new Event($"o-{i}", "/shop", "order.created").WithTextData($$"""{"n":{{i}}}""", "application/json"))];

    [Fact]
    public async Task Handled_events_are_acknowledged_and_the_subscription_is_deployed_as_pull()
    {
        var handled = new ConcurrentQueue<Event>();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cts = new CancellationTokenSource();
        var run = _client.Subscriptions.ConsumeAsync("local", Local, async (e, ct) =>
        {
            await release.Task.WaitAsync(ct);
            handled.Enqueue(e);
        }, cancellationToken: cts.Token);
        await Node.WaitUntilAsync(() => Node.HasSubscription("local"), "the subscription exists");
        var document = Node.Document("local");
        Assert.Equal("pull", document["protocol"]!.GetValue<string>());
        Assert.Null(document["sink"]);
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(Local.ToJson("local")), document));

        var offered = Orders(3);
        Node.Offer("local", offered);
        await Node.WaitUntilAsync(() => Node.Deliveries("local").Count == 3, "three events handed out");
        // Handlers have not completed, so nothing may be acknowledged yet.
        Assert.Empty(Node.Acked("local"));
        release.SetResult();
        await Node.WaitUntilAsync(() => Node.Acked("local").Count == 3, "three acks");

        Assert.Equal(offered, handled);
        Assert.Equal([0L, 1L, 2L], Node.Acked("local"));
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    [Fact]
    public async Task A_throwing_handler_leaves_its_event_unacked_and_the_node_redelivers_it_after_the_timeout()
    {
        var attempts = new ConcurrentQueue<(string Id, int Attempt)>();
        var errors = new ConcurrentQueue<(Event Event, Exception Error)>();
        var seen = new ConcurrentDictionary<string, int>();
        using var cts = new CancellationTokenSource();
        var options = new ConsumeOptions { OnHandlerError = (e, x) => errors.Enqueue((e, x)) };
        var run = _client.Subscriptions.ConsumeAsync("local", Local, (e, _) =>
        {
            var attempt = seen.AddOrUpdate(e.Id, 1, (_, n) => n + 1);
            attempts.Enqueue((e.Id, attempt));
            Node.Pulse();
            return e.Id == "o-0" && attempt == 1 ? throw new InvalidOperationException("the database is down") : ValueTask.CompletedTask;
        }, options, cts.Token);
        await Node.WaitUntilAsync(() => Node.HasSubscription("local"), "the subscription exists");

        Node.Offer("local", Orders(2));
        await Node.WaitUntilAsync(() => Node.Acked("local").Count == 1, "the second event acked");
        Assert.Equal([1L], Node.Acked("local"));
        var (failed, error) = Assert.Single(errors);
        Assert.Equal("o-0", failed.Id);
        Assert.Equal("the database is down", error.Message);

        // The lease of the failed event runs out on the node's clock (delivery timeout, 5 s by default); it comes again.
        Node.Clock.Advance(TimeSpan.FromSeconds(5));
        await Node.WaitUntilAsync(() => Node.Acked("local").Count == 2, "the redelivered event acked");

        Assert.Equal([1L, 0L], Node.Acked("local"));
        Assert.Equal([(0L, 1), (1L, 1), (0L, 2)], Node.Deliveries("local"));
        Assert.Equal([("o-0", 1), ("o-1", 1), ("o-0", 2)], attempts);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    [Fact]
    public async Task Cancellation_ends_a_waiting_long_poll_and_the_loop()
    {
        using var cts = new CancellationTokenSource();
        var run = _client.Subscriptions.ConsumeAsync("local", Local, (_, _) => ValueTask.CompletedTask, cancellationToken: cts.Token);
        await Node.WaitUntilAsync(() => Node.PullsWaiting == 1, "a pull waiting");

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        await Node.WaitUntilAsync(() => Node.PullsWaiting == 0, "the aborted pull gone");
        Assert.Single(Node.RequestsTo("POST", "/subscriptions/local/pull"));
    }

    [Fact]
    public async Task Cancellation_in_the_middle_of_a_batch_acks_what_was_handled_and_nothing_else()
    {
        var handled = new ConcurrentQueue<string>();
        var secondStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cts = new CancellationTokenSource();
        var run = _client.Subscriptions.ConsumeAsync("local", Local, async (e, ct) =>
        {
            if (e.Id == "o-1")
            {
                secondStarted.SetResult();
                await Task.Delay(Timeout.Infinite, ct);
            }

            handled.Enqueue(e.Id);
        }, cancellationToken: cts.Token);
        await Node.WaitUntilAsync(() => Node.HasSubscription("local"), "the subscription exists");
        Node.Offer("local", Orders(3));
        await secondStarted.Task.WaitAsync(TimeSpan.FromSeconds(20));

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Equal(["o-0"], handled);
        Assert.Equal([0L], Node.Acked("local"));
    }

    [Fact]
    public async Task With_parallelism_1_handlers_run_one_at_a_time_in_the_order_events_were_pulled()
    {
        var order = new ConcurrentQueue<string>();
        var inFlight = 0;
        var maxInFlight = 0;
        using var cts = new CancellationTokenSource();
        var run = _client.Subscriptions.ConsumeAsync("local", Local, async (e, _) =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref maxInFlight, now);
            await Task.Yield();
            order.Enqueue(e.Id);
            Interlocked.Decrement(ref inFlight);
        }, new ConsumeOptions { MaxEvents = 7 }, cts.Token);
        await Node.WaitUntilAsync(() => Node.HasSubscription("local"), "the subscription exists");

        Node.Offer("local", Orders(20));
        await Node.WaitUntilAsync(() => Node.Acked("local").Count == 20, "twenty acks");

        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"o-{i}"), order);
        Assert.Equal(1, maxInFlight);
        Assert.True(Node.RequestsTo("POST", "/subscriptions/local/pull").Count >= 3, "seven events per pull means at least three pulls");
        Assert.All(Node.RequestsTo("POST", "/subscriptions/local/pull"), r => Assert.Equal("?max=7&wait=5s", r.Query));
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    [Fact]
    public async Task With_parallelism_4_four_handlers_run_at_once_and_never_more()
    {
        var inFlight = 0;
        var maxInFlight = 0;
        var fourRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cts = new CancellationTokenSource();
        var run = _client.Subscriptions.ConsumeAsync("local", Local, async (e, ct) =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref maxInFlight, now);
            if (now == 4)
            {
                fourRunning.TrySetResult();
            }

            // Every handler waits until four run together: with less parallelism this never opens and the test fails.
            await fourRunning.Task.WaitAsync(ct);
            Interlocked.Decrement(ref inFlight);
        }, new ConsumeOptions { Parallelism = 4 }, cts.Token);
        await Node.WaitUntilAsync(() => Node.HasSubscription("local"), "the subscription exists");

        Node.Offer("local", Orders(8));
        await Node.WaitUntilAsync(() => Node.Acked("local").Count == 8, "eight acks");

        Assert.Equal(4, maxInFlight);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => (long)i), Node.Acked("local").Order());
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    [Fact]
    public async Task Transient_pull_failures_are_retried_and_reported()
    {
        Node.FailingPulls = 2;
        var failures = new ConcurrentQueue<Exception>();
        using var cts = new CancellationTokenSource();
        var options = new ConsumeOptions { RetryDelay = TimeSpan.Zero, OnTransientFailure = failures.Enqueue };
        var run = _client.Subscriptions.ConsumeAsync("local", Local, (_, _) => ValueTask.CompletedTask, options, cts.Token);
        await Node.WaitUntilAsync(() => Node.HasSubscription("local"), "the subscription exists");

        Node.Offer("local", Orders(1));
        await Node.WaitUntilAsync(() => Node.Acked("local").Count == 1, "the event acked");

        Assert.Equal(2, failures.Count);
        Assert.All(failures, f =>
        {
            var problem = Assert.IsType<VanusApiException>(f);
            Assert.Equal(503, problem.Status);
            Assert.Equal("unavailable", problem.Kind);
        });
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    [Fact]
    public async Task A_failed_ack_is_sent_again()
    {
        var failedAcks = 0;
        Node.Override = async ctx =>
        {
            if (!ctx.Request.Path.Value!.EndsWith("/ack", StringComparison.Ordinal) || Interlocked.Increment(ref failedAcks) > 1)
            {
                return false;
            }

            await FakeNode.ProblemOfKindAsync(ctx, 500, "internal", "The call failed inside the node.");
            return true;
        };
        var failures = new ConcurrentQueue<Exception>();
        using var cts = new CancellationTokenSource();
        var options = new ConsumeOptions { RetryDelay = TimeSpan.Zero, OnTransientFailure = failures.Enqueue };
        var run = _client.Subscriptions.ConsumeAsync("local", Local, (_, _) => ValueTask.CompletedTask, options, cts.Token);
        await Node.WaitUntilAsync(() => Node.HasSubscription("local"), "the subscription exists");

        Node.Offer("local", Orders(2));
        await Node.WaitUntilAsync(() => Node.Acked("local").Count == 2, "both acked");

        var acks = Node.RequestsTo("POST", "/subscriptions/local/ack");
        Assert.Equal(2, acks.Count);
        Assert.Equal(acks[0].BodyText, acks[1].BodyText);
        Assert.Equal(500, Assert.IsType<VanusApiException>(Assert.Single(failures)).Status);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    [Fact]
    public async Task A_refused_pull_ends_the_loop_with_the_problem()
    {
        Node.Override = async ctx =>
        {
            if (!ctx.Request.Path.Value!.EndsWith("/pull", StringComparison.Ordinal))
            {
                return false;
            }

            await FakeNode.ProblemOfKindAsync(ctx, 404, "not-found", "Namespace 'default' has no subscription 'local'.", field: "subscription");
            return true;
        };

        var e = await Assert.ThrowsAsync<VanusApiException>(() => _client.Subscriptions.ConsumeAsync("local", Local, (_, _) => ValueTask.CompletedTask));

        Assert.Equal("not-found", e.Kind);
        Assert.Equal("subscription", e.Field);
    }

    [Fact]
    public async Task Consuming_a_pipeline_that_ends_at_a_sink_or_with_bad_options_is_refused_before_any_request()
    {
        static ValueTask Nothing(Event e, CancellationToken ct) => ValueTask.CompletedTask;
        var withSink = Local.To(Sink.Http("http://127.0.0.1:9000/hook"));

        Assert.Contains("DeployAsync", Assert.Throws<ArgumentException>(() => { _ = _client.Subscriptions.ConsumeAsync("s", withSink, Nothing); }).Message);
        Assert.Throws<ArgumentException>(() => _client.Subscriptions.ReceiveAsync("s", withSink));
        Assert.Throws<ArgumentException>(() => _client.Subscriptions.Observe("s", withSink));
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = _client.Subscriptions.ConsumeAsync("s", Local, Nothing, new ConsumeOptions { MaxEvents = 0 }); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = _client.Subscriptions.ConsumeAsync("s", Local, Nothing, new ConsumeOptions { Parallelism = 0 }); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = _client.Subscriptions.ConsumeAsync("s", Local, Nothing, new ConsumeOptions { Wait = TimeSpan.FromSeconds(-1) }); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = _client.Subscriptions.ConsumeAsync("s", Local, Nothing, new ConsumeOptions { RetryDelay = TimeSpan.FromSeconds(-1) }); });
        Assert.Throws<ArgumentNullException>(() => { _ = _client.Subscriptions.ConsumeAsync("s", Local, null!); });
        Assert.Throws<ArgumentException>(() => { _ = _client.Subscriptions.ConsumeAsync("a/b", Local, Nothing); });
        await Assert.ThrowsAsync<ArgumentException>(() => _client.Subscriptions.AckAsync("s", ["t1", ""]));
        Assert.Empty(Node.Requests);
    }

    [Fact]
    public async Task Receive_yields_events_that_the_caller_acknowledges_one_by_one()
    {
        Node.Override = ctx =>
        {
            // Offer once the consumer has deployed; the override then lets the contract answer.
            if (ctx.Request.Path.Value!.EndsWith("/pull", StringComparison.Ordinal) && Node.Deliveries("local").Count == 0 && Node.Acked("local").Count == 0)
            {
                Node.Offer("local", Orders(2));
            }

            return Task.FromResult(false);
        };
        var received = new List<ReceivedEvent>();

        await foreach (var item in _client.Subscriptions.ReceiveAsync("local", Local))
        {
            received.Add(item);
            Assert.True(await item.AckAsync());
            if (received.Count == 2)
            {
                break;
            }
        }

        Assert.Equal(["o-0", "o-1"], received.Select(r => r.Event.Id));
        Assert.Equal([0L, 1L], received.Select(r => r.Offset));
        Assert.All(received, r => Assert.Equal(1, r.Attempt));
        Assert.Equal([0L, 1L], Node.Acked("local"));
        // A token already acknowledged is no longer outstanding.
        Assert.False(await received[0].AckAsync());
    }

    [Fact]
    public async Task Observe_pushes_events_in_order_and_acks_them_once_on_next_returns()
    {
        var received = new ConcurrentQueue<string>();
        using (_client.Subscriptions.Observe("local", Local).Subscribe(e => received.Enqueue(e.Id)))
        {
            await Node.WaitUntilAsync(() => Node.HasSubscription("local"), "the subscription exists");
            Node.Offer("local", Orders(3));
            await Node.WaitUntilAsync(() => Node.Acked("local").Count == 3, "three acks");
        }

        Assert.Equal(["o-0", "o-1", "o-2"], received);
        await Node.WaitUntilAsync(() => Node.PullsWaiting == 0, "the observer's pull gone after dispose");
    }

    [Fact]
    public async Task Observe_ends_in_on_error_when_the_node_refuses()
    {
        Node.Override = async ctx =>
        {
            if (!ctx.Request.Path.Value!.EndsWith("/pull", StringComparison.Ordinal))
            {
                return false;
            }

            await FakeNode.ProblemOfKindAsync(ctx, 400, "invalid-request", "'local' is not a pull subscription.", field: "protocol");
            return true;
        };
        var failed = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);

        using var subscription = _client.Subscriptions.Observe("local", Local).Subscribe(_ => { }, e => failed.TrySetResult(e));

        var error = Assert.IsType<VanusApiException>(await failed.Task.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal("protocol", error.Field);
    }

    [Fact]
    public async Task Pull_and_ack_can_be_called_directly()
    {
        await _client.Subscriptions.DeployAsync("local", Local);
        Node.Offer("local", Orders(3));

        var batch = await _client.Subscriptions.PullAsync("local", maxEvents: 2, wait: TimeSpan.FromMilliseconds(1500));

        Assert.Equal(["o-0", "o-1"], batch.Select(b => b.Event.Id));
        Assert.Equal("?max=2&wait=1500ms", Assert.Single(Node.RequestsTo("POST", "/pull")).Query);
        Assert.Equal(2, await _client.Subscriptions.AckAsync("local", batch.Select(b => b.Token)));
        Assert.Equal(0, await _client.Subscriptions.AckAsync("local", []));
        Assert.Single(Node.RequestsTo("POST", "/ack"));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
