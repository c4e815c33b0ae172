using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Vanus.Operators.Subscriptions;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;

namespace Vanus.Operators.Tests.Subscriptions;

/// <summary>The subscription graph compiled from a document, and its in-process runs on an injected clock.</summary>
public sealed class SubscriptionGraphTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 16, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Start);
    private readonly ConcurrentQueue<Event> _delivered = new();
    private readonly ConcurrentQueue<long> _acked = new();
    private readonly ConcurrentQueue<DeadLetter> _deadLetters = new();

    private static Event Order(int n, int amount, string? key = null)
    {
        var e = new Event($"o-{n}", "/shop", "order.created")
        {
            DataContentType = "application/json",
            Data = Encoding.UTF8.GetBytes($$"""{"id":{{n}},"amount":{{amount}}}"""),
        }.WithExtension("amount", AttributeValue.FromInteger(amount));
        return key is null ? e : e.WithExtension("partitionkey", AttributeValue.FromString(key));
    }

    private GraphInput Input(long offset, Event e, DateTimeOffset? stored = null) =>
        new(new EventRecord("orders", 0, offset, stored ?? Start, e), _ =>
        {
            _acked.Enqueue(offset);
            return ValueTask.CompletedTask;
        });

    private SubscriptionGraph Graph(SubscriptionSpec spec, Func<Event, CancellationToken, ValueTask>? handler = null, params Func<Event, CancellationToken, ValueTask<Event?>>[] stages) =>
        SubscriptionGraph.Compile(spec, new SubscriptionGraphOptions
        {
            Time = _time,
            Stages = stages,
            Sink = Sinks.Delegate(handler ?? ((e, _) =>
            {
                _delivered.Enqueue(e);
                return ValueTask.CompletedTask;
            })),
            DeadLetter = (d, _) =>
            {
                _deadLetters.Enqueue(d);
                return ValueTask.CompletedTask;
            },
        });

    private static async IAsyncEnumerable<GraphInput> Source(params GraphInput[] inputs)
    {
        foreach (var input in inputs)
        {
            await Task.Yield();
            yield return input;
        }
    }

    [Fact]
    public async Task A_run_filters_transforms_maps_and_delivers_then_acknowledges_every_event()
    {
        var spec = new SubscriptionSpec("local", "orders")
        {
            Filters = """[{"sql":"amount > 100"}]""",
            Transformer = """{"define":{"id":"$.data.id"},"template":"{\"order\":<id>}"}""",
        };
        var graph = Graph(spec, handler: null, (e, _) => ValueTask.FromResult<Event?>(e.WithExtension("enriched", AttributeValue.FromBoolean(true))));

        await graph.RunAsync(Source(Input(0, Order(1, 50)), Input(1, Order(2, 150)), Input(2, Order(3, 250))));

        Assert.Equal(["{\"order\":2}", "{\"order\":3}"], _delivered.Select(e => e.DataText).Order());
        Assert.All(_delivered, e => Assert.True(e.Extensions.TryGet("enriched", out _)));
        Assert.All(_delivered, e => Assert.True(e.Extensions.TryGet(ReadAttributes.Offset, out _)));
        Assert.Equal([0L, 1, 2], _acked.Order());
        Assert.Empty(_deadLetters);
    }

    [Fact]
    public async Task A_failed_attempt_waits_for_its_backoff_on_the_clock_and_is_acknowledged_only_once_delivered()
    {
        var attempts = new ConcurrentQueue<DateTimeOffset>();
        var spec = new SubscriptionSpec("local", "orders") { Delivery = DeliveryPolicy.Default with { Backoff = [TimeSpan.FromSeconds(30)] } };
        var graph = Graph(spec, (e, _) =>
        {
            attempts.Enqueue(_time.GetUtcNow());
            if (attempts.Count == 1)
            {
                throw new InvalidOperationException("sink down");
            }

            _delivered.Enqueue(e);
            return ValueTask.CompletedTask;
        });

        var run = graph.RunAsync(Source(Input(7, Order(1, 10))));

        // The clock moves a second at a time until the retry happens; when it happens is read off the clock, not measured.
        for (var step = 0; step < 120 && !run.IsCompleted; step++)
        {
            Assert.Empty(_acked);
            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(run, Task.Delay(20));
        }

        await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, attempts.Count);
        Assert.True(attempts.Last() - attempts.First() >= TimeSpan.FromSeconds(30), $"retried after {(attempts.Last() - attempts.First()).TotalSeconds} s of the clock");
        Assert.Equal([7L], _acked);
        Assert.Single(_delivered);
    }

    [Fact]
    public async Task An_event_is_held_until_its_store_time_plus_the_delay()
    {
        var graph = Graph(new SubscriptionSpec("local", "orders") { Delay = TimeSpan.FromMinutes(5) });
        Assert.Equal(Start.AddMinutes(5), graph.DueAt(Start));
        Assert.Equal(DateTimeOffset.MaxValue, Graph(new SubscriptionSpec("far", "orders") { Delay = SubscriptionSpec.MaxDelay }).DueAt(DateTimeOffset.MaxValue.AddDays(-1)));

        var deliveredAt = new ConcurrentQueue<DateTimeOffset>();
        var timed = Graph(new SubscriptionSpec("local", "orders") { Delay = TimeSpan.FromMinutes(5) }, (e, _) =>
        {
            deliveredAt.Enqueue(_time.GetUtcNow());
            _delivered.Enqueue(e);
            return ValueTask.CompletedTask;
        });
        var run = timed.RunAsync(Source(Input(0, Order(1, 10))));

        // The clock moves ten seconds at a time until the event goes; when it went is read off the clock.
        for (var step = 0; step < 60 && !run.IsCompleted; step++)
        {
            _time.Advance(TimeSpan.FromSeconds(10));
            await Task.WhenAny(run, Task.Delay(20));
        }

        await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Single(_delivered);
        Assert.True(deliveredAt.Single() >= Start.AddMinutes(5), $"delivered at {deliveredAt.Single():O}, before store time + 5 min");
        Assert.Equal([0L], _acked);
    }

    [Fact]
    public async Task Exhausted_attempts_and_failed_transforms_go_to_the_dead_letter_handler_before_the_acknowledgement()
    {
        var spec = new SubscriptionSpec("local", "orders") { Delivery = DeliveryPolicy.Default with { MaxAttempts = 1 } };
        var failing = Graph(spec, (_, _) => throw new InvalidOperationException("refused"));
        await failing.RunAsync(Source(Input(3, Order(1, 10))));

        var dead = Assert.Single(_deadLetters);
        Assert.Equal("MaxAttemptsExhausted", dead.Reason);
        Assert.Contains("refused", dead.Error, StringComparison.Ordinal);
        Assert.Equal(1, dead.Attempts);
        Assert.Equal(3, dead.Record.Offset);
        Assert.Equal([3L], _acked);

        // An object cannot be unfolded as an array: no retry would change that.
        var untransformable = Graph(spec with { Delivery = DeliveryPolicy.Default, Transformer = """{"pipeline":[{"command":["unfold_array","$.data.lines","$.data.t"]}]}""" });
        await untransformable.RunAsync(Source(Input(4, Order(2, 10) with { Data = Encoding.UTF8.GetBytes("""{"lines":{"a":1}}""") })));

        Assert.Equal("TransformFailed", _deadLetters.Last().Reason);
        Assert.Equal(1, _deadLetters.Last().Attempts);
        Assert.Equal([3L, 4], _acked);
        Assert.Empty(_delivered);
    }

    [Fact]
    public async Task Events_of_one_partition_key_are_delivered_in_order_when_ordered()
    {
        var spec = new SubscriptionSpec("local", "orders") { Delivery = DeliveryPolicy.Default with { Ordered = true, Inflight = 16 } };
        var graph = Graph(spec, async (e, ct) =>
        {
            // Later events would overtake a slow first one if the key did not hold them back.
            if (e.Id == "o-0")
            {
                await Task.Delay(50, ct);
            }

            _delivered.Enqueue(e);
        });

        await graph.RunAsync(Source([.. Enumerable.Range(0, 10).Select(i => Input(i, Order(i, 10, key: "customer-1")))]));

        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"o-{i}"), _delivered.Select(e => e.Id));
    }

    [Fact]
    public void Compile_refuses_a_document_naming_the_field()
    {
        var error = Assert.Throws<BrokerException>(() => SubscriptionGraph.Compile(new SubscriptionSpec("s", "orders") { Sink = "http://h/", Filters = """[{"sql":"amount >"}]""" }, new SubscriptionGraphOptions { Http = new HttpClient() }));
        Assert.Equal(BrokerErrorKind.Invalid, error.Kind);
        Assert.StartsWith("filters", error.Field, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => SubscriptionGraph.Compile(new SubscriptionSpec("s", "orders") { Sink = "http://h/" }));
    }

    [Fact]
    public async Task A_run_without_a_sink_is_refused()
    {
        var pull = SubscriptionGraph.Compile(new SubscriptionSpec("s", "orders") { Protocol = SinkProtocol.Pull });
        Assert.Null(pull.Sink);
        await Assert.ThrowsAsync<InvalidOperationException>(() => pull.RunAsync(Source()));
    }
}
