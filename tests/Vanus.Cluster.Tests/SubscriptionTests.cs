using System.Text;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;
using Vanus.Testing.Http;

namespace Vanus.Cluster.Tests;

/// <summary>One node on the real clock (deliveries and retries run in real time, with short backoffs).</summary>
public sealed class RealTimeNodeFixture : IAsyncLifetime
{
    private readonly TempFolder _folder = new();

    public IVanusNode Node { get; private set; } = null!;

    public async Task InitializeAsync() => Node = await TestNode.StartAsync(TestNode.Options(_folder.Path));

    public async Task DisposeAsync()
    {
        await Node.DisposeAsync();
        _folder.Dispose();
    }
}

public sealed class SubscriptionTests(RealTimeNodeFixture fixture) : IClassFixture<RealTimeNodeFixture>
{
    private static readonly DeliveryPolicy Quick = new() { Backoff = [TimeSpan.FromMilliseconds(20)], Timeout = TimeSpan.FromSeconds(5) };

    private IEventbusBroker Broker => fixture.Node.Broker;

    private ISubscriptionBroker Subscriptions => fixture.Node.Subscriptions;

    private static Event Make(string id, string type = "test.event", string? key = null, string data = "{}")
    {
        var e = new Event(id, "/tests", type) { DataContentType = "application/json", Data = Encoding.UTF8.GetBytes(data) };
        return key is null ? e : e.WithExtension("partitionkey", AttributeValue.FromString(key));
    }

    [Fact]
    public async Task Events_are_filtered_transformed_and_delivered_in_binary_mode()
    {
        await using var receiver = await Receiver.StartAsync();
        await Broker.CreateEventbusAsync("default", new EventbusSpec("sub-basic"));
        await Broker.AppendAsync("default", "sub-basic", [Make("before", "order.created")]);
        await Subscriptions.CreateSubscriptionAsync("default", new SubscriptionSpec("basic", "sub-basic")
        {
            Sink = receiver.Url,
            Filters = """[{"prefix":{"type":"order."}}]""",
            Transformer = """{"define":{"n":"$.data.n"},"template":"{\"number\":<n>}"}""",
            SinkHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer t" },
            From = SubscriptionStart.Earliest,
        });

        await Broker.AppendAsync("default", "sub-basic", [Make("a", "order.created", data: """{"n":1}"""), Make("skip", "user.created"), Make("b", "order.paid", data: """{"n":2}""")]);
        await receiver.WaitForAsync(d => d.Count >= 3);

        // Unordered: attempts run concurrently, so arrival order is not the offsets' order.
        var deliveries = receiver.Deliveries;
        Assert.Equal(["a", "b", "before"], deliveries.Select(d => d.Id).Order());
        var a = deliveries.Single(d => d.Id == "a");
        Assert.Equal("1.0", a.Header("ce-specversion"));
        Assert.Equal("order.created", a.Header("ce-type"));
        Assert.Equal("/tests", a.Header("ce-source"));
        Assert.Equal("sub-basic", a.Header("ce-xvanuseventbus"));
        Assert.Equal("0", a.Header("ce-xvanuseventlog"));
        Assert.Equal("1", a.Header("ce-xvanusoffset"));
        Assert.NotNull(a.Header("ce-xvanusstime"));
        Assert.Equal("Bearer t", a.Header("authorization"));
        Assert.Equal("""{"number":1}""", a.Text);

        var info = await Subscriptions.GetSubscriptionAsync("default", "basic");
        Assert.NotNull(info);
        await WaitUntilAsync(async () => (await Subscriptions.GetSubscriptionAsync("default", "basic"))!.Eventlogs[0].Committed == 4);
        info = await Subscriptions.GetSubscriptionAsync("default", "basic");
        Assert.Equal(3, info!.Delivered);
        Assert.Equal(0, info.Eventlogs[0].Lag);
        Assert.Equal(SubscriptionState.Running, info.State);
    }

    [Fact]
    public async Task Failed_attempts_are_retried_until_delivered_and_counted()
    {
        await using var receiver = await Receiver.StartAsync();
        receiver.Respond = d => d.Attempt < 3 ? 503 : 200;
        await Broker.CreateEventbusAsync("default", new EventbusSpec("sub-retry"));
        await Subscriptions.CreateSubscriptionAsync("default", new SubscriptionSpec("retry", "sub-retry") { Sink = receiver.Url, Delivery = Quick });

        await Broker.AppendAsync("default", "sub-retry", [Make("r1")]);
        await receiver.WaitForAsync(d => d.Count(x => x.Id == "r1") == 3);
        await WaitUntilAsync(async () => (await Subscriptions.GetSubscriptionAsync("default", "retry"))!.Delivered == 1);

        var info = (await Subscriptions.GetSubscriptionAsync("default", "retry"))!;
        Assert.Equal(2, info.Failed);
        Assert.Equal(0, info.DeadLettered);
        Assert.Contains("503", info.LastError!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_event_is_dead_lettered_at_once_and_can_be_resent()
    {
        await using var receiver = await Receiver.StartAsync();
        var refuse = true;
        receiver.Respond = _ => refuse ? 400 : 204;
        await Broker.CreateEventbusAsync("default", new EventbusSpec("sub-dl"));
        await Subscriptions.CreateSubscriptionAsync("default", new SubscriptionSpec("dl", "sub-dl") { Sink = receiver.Url, Delivery = Quick });

        await Broker.AppendAsync("default", "sub-dl", [Make("bad")]);
        await WaitUntilAsync(async () => (await Subscriptions.GetSubscriptionAsync("default", "dl"))!.DeadLettered == 1);
        Assert.Single(receiver.Deliveries);

        var letters = await Subscriptions.ReadDeadLettersAsync("default", "dl", 0, 0, 10);
        var letter = Assert.Single(letters);
        Assert.Equal("bad", letter.Event.Id);
        Assert.True(letter.Event.Extensions.TryGet("xvanusdlsubscription", out var sub) && sub.AsText == "dl");
        Assert.True(letter.Event.Extensions.TryGet("xvanusdlreason", out var reason) && reason.AsText == "SinkRefused");
        Assert.True(letter.Event.Extensions.TryGet("xvanusdlattempts", out var attempts) && attempts.ToString() == "1");
        Assert.True(letter.Event.Extensions.TryGet("xvanusdlerror", out var error) && error.AsText!.Contains("400", StringComparison.Ordinal));

        refuse = false;
        Assert.Equal(1, await Subscriptions.ResendDeadLettersAsync("default", "dl", new DeadLetterSelection()));
        await receiver.WaitForAsync(d => d.Count == 2);
        var resent = receiver.Deliveries[1];
        Assert.Equal("bad", resent.Id);
        Assert.Null(resent.Header("ce-xvanusdlreason"));
        await WaitUntilAsync(async () => (await Subscriptions.GetSubscriptionAsync("default", "dl"))!.Delivered == 1);
    }

    [Fact]
    public async Task Exhausted_attempts_go_to_the_dead_letter_bus_or_are_dropped_when_it_is_off()
    {
        await using var receiver = await Receiver.StartAsync();
        receiver.Respond = _ => 500;
        await Broker.CreateEventbusAsync("default", new EventbusSpec("sub-exhaust"));
        await Subscriptions.CreateSubscriptionAsync("default", new SubscriptionSpec("exhaust", "sub-exhaust") { Sink = receiver.Url, Delivery = Quick with { MaxAttempts = 3 } });
        await Subscriptions.CreateSubscriptionAsync("default", new SubscriptionSpec("drop", "sub-exhaust") { Sink = receiver.Url, Delivery = Quick with { MaxAttempts = 2, DeadLetter = false } });

        await Broker.AppendAsync("default", "sub-exhaust", [Make("x")]);
        await WaitUntilAsync(async () => (await Subscriptions.GetSubscriptionAsync("default", "exhaust"))!.DeadLettered == 1);
        await WaitUntilAsync(async () => (await Subscriptions.GetSubscriptionAsync("default", "drop"))!.Dropped == 1);

        var letter = Assert.Single(await Subscriptions.ReadDeadLettersAsync("default", "exhaust", 0, 0, 10));
        Assert.True(letter.Event.Extensions.TryGet("xvanusdlreason", out var reason) && reason.AsText == "MaxAttemptsExhausted");
        Assert.Empty(await Subscriptions.ReadDeadLettersAsync("default", "drop", 0, 0, 10));
        Assert.Equal(5, receiver.Deliveries.Count);
    }

    [Fact]
    public async Task A_retry_waiting_an_hour_does_not_hold_back_the_events_after_it()
    {
        await using var receiver = await Receiver.StartAsync();
        receiver.Respond = d => d.Id == "poison" ? 503 : 204;
        await Broker.CreateEventbusAsync("default", new EventbusSpec("sub-poison"));
        await Subscriptions.CreateSubscriptionAsync("default", new SubscriptionSpec("poison", "sub-poison")
        {
            Sink = receiver.Url,
            Delivery = new DeliveryPolicy { Backoff = [TimeSpan.FromHours(1)], Inflight = 1 },
        });

        // More events than the trigger's read-ahead window (256 at this in-flight limit) follow the failing one.
        await Broker.AppendAsync("default", "sub-poison", [Make("poison"), .. Enumerable.Range(0, 400).Select(i => Make($"ok{i}"))]);
        await receiver.WaitForAsync(d => d.Count(x => x.Id != "poison") == 400);

        await WaitUntilAsync(async () => (await Subscriptions.GetSubscriptionAsync("default", "poison"))!.Delivered == 400);
        var info = (await Subscriptions.GetSubscriptionAsync("default", "poison"))!;
        Assert.Equal(1, info.Eventlogs[0].PendingRetries);
        Assert.Equal(1, info.Failed);
        Assert.Single(receiver.Deliveries, d => d.Id == "poison");

        // The retry is persisted: the committed offset moved past it.
        await WaitUntilAsync(async () => (await Subscriptions.GetSubscriptionAsync("default", "poison"))!.Eventlogs[0].Committed == 401);
    }

    [Fact]
    public async Task A_delay_holds_each_event_until_its_store_time_plus_the_delay()
    {
        await using var receiver = await Receiver.StartAsync();
        await Broker.CreateEventbusAsync("default", new EventbusSpec("sub-delay"));
        await Subscriptions.CreateSubscriptionAsync("default", new SubscriptionSpec("delay", "sub-delay") { Sink = receiver.Url, Delay = TimeSpan.FromMilliseconds(300) });

        await Broker.AppendAsync("default", "sub-delay", [Make("later")]);
        await receiver.WaitForAsync(d => d.Count == 1);

        // Never early: the node and the receiver share this machine's clock.
        var request = receiver.Deliveries[0];
        var stored = DateTimeOffset.Parse(request.Header("ce-xvanusstime")!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(request.At >= stored + TimeSpan.FromMilliseconds(300), $"stored {stored:O}, delivered {request.At:O}");
    }

    [Fact]
    public async Task Ordered_delivery_holds_later_events_of_a_key_behind_a_retry()
    {
        await using var receiver = await Receiver.StartAsync();
        receiver.Respond = d => d.Id == "k1-0" && d.Attempt < 3 ? 503 : 204;
        await Broker.CreateEventbusAsync("default", new EventbusSpec("sub-ordered"));
        await Subscriptions.CreateSubscriptionAsync("default", new SubscriptionSpec("ordered", "sub-ordered") { Sink = receiver.Url, Delivery = Quick with { Ordered = true } });

        await Broker.AppendAsync("default", "sub-ordered", [Make("k1-0", key: "k1"), Make("k2-0", key: "k2"), Make("k1-1", key: "k1"), Make("k1-2", key: "k1")]);
        await receiver.WaitForAsync(d => d.Count(x => x.Header("ce-partitionkey") == "k1") == 5);

        // Every k1 request in arrival order: the failing head is retried before anything after it goes.
        var k1 = receiver.Deliveries.Where(d => d.Header("ce-partitionkey") == "k1").Select(d => $"{d.Id}#{d.Attempt}");
        Assert.Equal(["k1-0#1", "k1-0#2", "k1-0#3", "k1-1#1", "k1-2#1"], k1);
        Assert.Contains(receiver.Deliveries, d => d.Id == "k2-0");
    }

    [Fact]
    public async Task Pause_stops_delivery_resume_continues_and_reset_goes_back_in_time()
    {
        await using var receiver = await Receiver.StartAsync();
        await Broker.CreateEventbusAsync("default", new EventbusSpec("sub-life"));
        await Subscriptions.CreateSubscriptionAsync("default", new SubscriptionSpec("life", "sub-life") { Sink = receiver.Url, From = SubscriptionStart.Earliest });
        await Broker.AppendAsync("default", "sub-life", [Make("one")]);
        await receiver.WaitForAsync(d => d.Count == 1);

        var paused = await Subscriptions.PauseSubscriptionAsync("default", "life");
        Assert.Equal(SubscriptionState.Paused, paused.State);
        await Broker.AppendAsync("default", "sub-life", [Make("two")]);
        var reset = await Assert.ThrowsAsync<BrokerException>(() => Subscriptions.ResumeSubscriptionAsync("default", "nope"));
        Assert.Equal(BrokerErrorKind.NotFound, reset.Kind);
        await WaitUntilAsync(async () => (await Subscriptions.GetSubscriptionAsync("default", "life"))!.Eventlogs[0].Lag == 1);
        Assert.Single(receiver.Deliveries);

        await Subscriptions.ResetSubscriptionAsync("default", "life", DateTimeOffset.UnixEpoch);
        var resumed = await Subscriptions.ResumeSubscriptionAsync("default", "life");
        Assert.Equal(SubscriptionState.Running, resumed.State);
        await receiver.WaitForAsync(d => d.Count == 3);
        Assert.Equal(["one", "one", "two"], receiver.Deliveries.Select(d => d.Id).Order());

        var running = await Assert.ThrowsAsync<BrokerException>(() => Subscriptions.ResetSubscriptionAsync("default", "life", DateTimeOffset.UnixEpoch));
        Assert.Equal(BrokerErrorKind.Invalid, running.Kind);
    }

    [Fact]
    public async Task Start_positions_earliest_latest_and_time()
    {
        await using var receiver = await Receiver.StartAsync();
        await Broker.CreateEventbusAsync("default", new EventbusSpec("sub-start"));
        await Broker.AppendAsync("default", "sub-start", [Make("old")]);
        await Broker.AppendAsync("default", "sub-start", [Make("mid")]);
        var stored = await Broker.ReadAsync("default", "sub-start", 0, 0, 10);
        var between = stored[1].StoreTime;
        var fromTime = stored.Where(r => r.StoreTime >= between).Select(r => r.Event.Id).Append("new");

        await Subscriptions.CreateSubscriptionAsync("default", new SubscriptionSpec("s-earliest", "sub-start") { Sink = receiver.Url + "/earliest", From = SubscriptionStart.Earliest });
        await Subscriptions.CreateSubscriptionAsync("default", new SubscriptionSpec("s-latest", "sub-start") { Sink = receiver.Url + "/latest" });
        await Subscriptions.CreateSubscriptionAsync("default", new SubscriptionSpec("s-time", "sub-start") { Sink = receiver.Url + "/time", From = SubscriptionStart.At(between) });
        await Broker.AppendAsync("default", "sub-start", [Make("new")]);

        await receiver.WaitForAsync(d => d.Count == 4 + fromTime.Count());
        IEnumerable<string?> Ids(string path) => receiver.Deliveries.Where(d => d.Path == "/hook/" + path).Select(d => d.Id);
        Assert.Equal(["mid", "new", "old"], Ids("earliest").Order());
        Assert.Equal(["new"], Ids("latest"));
        Assert.Equal(fromTime.Order(), Ids("time").Order());
    }

    [Fact]
    public async Task Pull_hands_out_events_and_redelivers_those_not_acknowledged()
    {
        await Broker.CreateEventbusAsync("default", new EventbusSpec("sub-pull") { Eventlogs = 2 });
        await Subscriptions.CreateSubscriptionAsync("default", new SubscriptionSpec("pull", "sub-pull")
        {
            Protocol = SinkProtocol.Pull,
            Delivery = Quick with { Timeout = TimeSpan.FromMilliseconds(300) },
        });

        var empty = await Subscriptions.PullAsync("default", "pull", 10, TimeSpan.Zero);
        Assert.Empty(empty);

        var waiting = Subscriptions.PullAsync("default", "pull", 10, TimeSpan.FromSeconds(20));
        await Broker.AppendAsync("default", "sub-pull", [Make("p1", key: "a")]);
        var first = Assert.Single(await waiting);
        Assert.Equal("p1", first.Event.Id);
        Assert.Equal(1, first.Attempt);

        // Not acknowledged: it comes back after the timeout as attempt 2; acknowledged, it is delivered.
        var again = await PullUntilAsync("pull", 1);
        Assert.Equal("p1", again[0].Event.Id);
        Assert.Equal(2, again[0].Attempt);
        Assert.Equal(0, await Subscriptions.AckAsync("default", "pull", [first.Token]));
        Assert.Equal(1, await Subscriptions.AckAsync("default", "pull", [again[0].Token]));
        await WaitUntilAsync(async () => (await Subscriptions.GetSubscriptionAsync("default", "pull"))!.Delivered == 1);

        var bad = await Assert.ThrowsAsync<BrokerException>(() => Subscriptions.AckAsync("default", "pull", ["nonsense"]));
        Assert.Equal("tokens[0]", bad.Field);

        // A wait beyond what a trigger can park is refused by name rather than breaking the trigger's clock.
        var forever = await Assert.ThrowsAsync<BrokerException>(() => Subscriptions.PullAsync("default", "pull", 10, TimeSpan.MaxValue));
        Assert.Equal((BrokerErrorKind.Invalid, "wait"), (forever.Kind, forever.Field));
    }

    [Fact]
    public async Task Bad_documents_and_unknown_names_are_refused_by_field()
    {
        await Broker.CreateEventbusAsync("default", new EventbusSpec("sub-bad"));
        async Task<BrokerException> Refused(SubscriptionSpec spec) => await Assert.ThrowsAsync<BrokerException>(() => Subscriptions.CreateSubscriptionAsync("default", spec));

        Assert.Equal("sink", (await Refused(new SubscriptionSpec("b1", "sub-bad"))).Field);
        Assert.Equal("sink", (await Refused(new SubscriptionSpec("b1", "sub-bad") { Sink = "ftp://x/y" })).Field);
        Assert.StartsWith("filters[0]", (await Refused(new SubscriptionSpec("b1", "sub-bad") { Sink = "http://127.0.0.1:1/", Filters = """[{"sql":"type ="}]""" })).Field, StringComparison.Ordinal);
        Assert.Equal("delivery.maxAttempts", (await Refused(new SubscriptionSpec("b1", "sub-bad") { Sink = "http://127.0.0.1:1/", Delivery = new DeliveryPolicy { MaxAttempts = 33 } })).Field);
        var missing = await Refused(new SubscriptionSpec("b1", "no-such-bus") { Sink = "http://127.0.0.1:1/" });
        Assert.Equal((BrokerErrorKind.NotFound, "eventbus"), (missing.Kind, missing.Field));

        await Subscriptions.CreateSubscriptionAsync("default", new SubscriptionSpec("b1", "sub-bad") { Sink = "http://127.0.0.1:1/" });
        Assert.Equal(BrokerErrorKind.AlreadyExists, (await Refused(new SubscriptionSpec("b1", "sub-bad") { Sink = "http://127.0.0.1:1/" })).Kind);
        var busy = await Assert.ThrowsAsync<BrokerException>(() => Broker.DeleteEventbusAsync("default", "sub-bad"));
        Assert.Contains("b1", busy.Message, StringComparison.Ordinal);
        Assert.True(await Subscriptions.DeleteSubscriptionAsync("default", "b1"));
        Assert.False(await Subscriptions.DeleteSubscriptionAsync("default", "b1"));
        Assert.Null(await Subscriptions.GetSubscriptionAsync("default", "b1"));
        Assert.True(await Broker.DeleteEventbusAsync("default", "sub-bad"));
    }

    private async Task<IReadOnlyList<PulledEvent>> PullUntilAsync(string name, int count)
    {
        var got = new List<PulledEvent>();
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (got.Count < count)
        {
            got.AddRange(await Subscriptions.PullAsync("default", name, count - got.Count, TimeSpan.FromSeconds(5), patience.Token));
        }

        return got;
    }

    /// <summary>Polls a condition the node reaches asynchronously (a persisted count); bounded, never asserts time.</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            await Task.Delay(20, patience.Token);
        }
    }
}
