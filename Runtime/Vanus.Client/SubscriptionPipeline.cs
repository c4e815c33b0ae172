using System.Collections.Immutable;
using Vanus.Client.Consuming;
using Vanus.Client.Http;
using Vanus.Operators.Filters;
using Vanus.Operators.Transform;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;

namespace Vanus.Client;

/// <summary>
/// An immutable subscription pipeline: eventbus, start, filters, transformer, delay and (optionally) an HTTP sink with its
/// delivery policy. Declarative, it serialises to the subscription document: with a sink the node delivers
/// (<see cref="ISubscriptionApi.DeployAsync"/>); without one it is a pull subscription consumed in this process
/// (<see cref="ISubscriptionApi.ConsumeAsync"/>). With C# stages (<see cref="Select(Func{Event, Event})"/>, a C# handler in
/// <see cref="To(Func{Event, CancellationToken, ValueTask}, DeliverySettings?)"/>) the same graph runs in this process
/// (<see cref="RunAsync"/>). Each method returns a new pipeline.
/// </summary>
public sealed class SubscriptionPipeline
{
    private SubscriptionPipeline(
        string eventbus,
        StartAt? from,
        ImmutableArray<SubscriptionFilter> filters,
        string? transformer,
        TimeSpan? delay,
        HttpSink? sink,
        DeliverySettings? delivery,
        ImmutableArray<Func<Event, CancellationToken, ValueTask<Event?>>> stages = default,
        Func<Event, CancellationToken, ValueTask>? handler = null)
    {
        Eventbus = eventbus;
        From = from;
        Filters = filters;
        TransformerJson = transformer;
        DelayValue = delay;
        Sink = sink;
        DeliverySettings = delivery;
        Stages = stages.IsDefault ? [] : stages;
        Handler = handler;
    }

    internal SubscriptionPipeline(string eventbus, StartAt? from)
        : this(eventbus, from, [], null, null, null, null)
    {
    }

    /// <summary>The eventbus the pipeline reads.</summary>
    public string Eventbus { get; }

    /// <summary>Where a new subscription starts, or null for the node's default (latest).</summary>
    public StartAt? From { get; }

    /// <summary>The HTTP sink, or null for a pull subscription consumed in process.</summary>
    public HttpSink? Sink { get; }

    /// <summary>The delivery policy, or null for the node's defaults.</summary>
    public DeliverySettings? DeliverySettings { get; }

    internal ImmutableArray<SubscriptionFilter> Filters { get; }

    internal string? TransformerJson { get; }

    internal TimeSpan? DelayValue { get; }

    internal ImmutableArray<Func<Event, CancellationToken, ValueTask<Event?>>> Stages { get; }

    internal Func<Event, CancellationToken, ValueTask>? Handler { get; }

    /// <summary>True when the pipeline has C# stages or a C# handler: it runs in this process only (<see cref="RunAsync"/>).</summary>
    public bool IsLocal => Stages.Length > 0 || Handler is not null;

    /// <summary>Keeps only events for which the CloudEvents SQL expression is true (checked now; throws <see cref="ArgumentException"/> if it does not compile).</summary>
    public SubscriptionPipeline Where(string cesql) => Where(Filter.Sql(cesql));

    /// <summary>Keeps only events the filter matches; several <c>Where</c>s must all match.</summary>
    public SubscriptionPipeline Where(SubscriptionFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        Open(nameof(Where));
        if (TransformerJson is not null)
        {
            throw new InvalidOperationException("Where comes before Transform: the node filters events before it transforms them.");
        }

        return With(filters: Filters.Add(filter));
    }

    /// <summary>Transforms each event with a transformer built by <paramref name="build"/> (checked now; throws <see cref="ArgumentException"/> naming the faulty part).</summary>
    public SubscriptionPipeline Transform(Action<TransformerBuilder> build)
    {
        ArgumentNullException.ThrowIfNull(build);
        var builder = new TransformerBuilder();
        build(builder);
        return Transform(builder.ToJson());
    }

    /// <summary>Transforms each event with a transformer document given as JSON (<c>define</c>, <c>pipeline</c>, <c>template</c>).</summary>
    public SubscriptionPipeline Transform(string transformerJson)
    {
        ArgumentNullException.ThrowIfNull(transformerJson);
        Open(nameof(Transform));
        if (TransformerJson is not null)
        {
            throw new InvalidOperationException("The pipeline already has a transformer; a subscription has one (put several commands in it).");
        }

        try
        {
            // Compiling here reports a bad action or template where the pipeline is written, not later as a 400 from the node.
            _ = Transformer.Parse(transformerJson);
        }
        catch (TransformerDefinitionException e)
        {
            throw new ArgumentException(e.Message, nameof(transformerJson), e);
        }

        return With(transformer: transformerJson);
    }

    /// <summary>Holds each event until its store time plus <paramref name="delay"/> before delivering it.</summary>
    public SubscriptionPipeline Delay(TimeSpan delay)
    {
        _ = DurationText.Format(delay, nameof(delay));
        Open(nameof(Delay));
        if (DelayValue is not null)
        {
            throw new InvalidOperationException("The pipeline already has a delay; a subscription has one.");
        }

        return With(delay: delay);
    }

    /// <summary>
    /// Maps each event with a C# function after the transformer, just before delivery (it may follow <c>To</c>). The
    /// pipeline then runs in this process only: <see cref="RunAsync"/>. An exception fails the attempt, which the policy retries.
    /// </summary>
    public SubscriptionPipeline Select(Func<Event, Event> selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        return WithStage((e, _) => ValueTask.FromResult<Event?>(selector(e)));
    }

    /// <summary>Maps each event with an asynchronous C# function after the transformer (see the synchronous overload).</summary>
    public SubscriptionPipeline Select(Func<Event, CancellationToken, ValueTask<Event>> selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        return WithStage(async (e, ct) => await selector(e, ct).ConfigureAwait(false));
    }

    /// <summary>Keeps the events a C# predicate accepts, after the transformer (a dropped event counts as done). The pipeline then runs in this process only.</summary>
    public SubscriptionPipeline Where(Func<Event, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return WithStage((e, _) => ValueTask.FromResult(predicate(e) ? e : null));
    }

    /// <summary>
    /// Ends the pipeline at a C# handler in this process, called for each event under <paramref name="delivery"/> (null: the
    /// defaults): returning delivers it, throwing is retried with backoff. The pipeline runs with <see cref="RunAsync"/>.
    /// </summary>
    public SubscriptionPipeline To(Func<Event, CancellationToken, ValueTask> handler, DeliverySettings? delivery = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Open(nameof(To));
        var next = new SubscriptionPipeline(Eventbus, From, Filters, TransformerJson, DelayValue, null, DeliverySettings, Stages, handler);
        return delivery is null ? next : next.WithDelivery(delivery);
    }

    /// <summary>
    /// Runs the pipeline in this process until <paramref name="cancellationToken"/> is cancelled: the node keeps a pull
    /// subscription <paramref name="name"/> (its start, delay and progress, so a restart goes on where this run stopped),
    /// and this process runs the graph the node would — filters, transformer, C# stages, delivery to the sink with the
    /// pipeline's retries, order, concurrency and rate — acknowledging each event once it is delivered or given up on (at
    /// least once). Events given up on go to <see cref="RunOptions.OnDeadLetter"/> when dead-lettering is on.
    /// </summary>
    public Task RunAsync(VanusClient client, string name, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        Names.Check(name, nameof(name));
        if (Sink is null && Handler is null)
        {
            throw new InvalidOperationException("The pipeline has nowhere to deliver: end it with To(Sink.Http(...)) or To(handler) to run it in this process, or consume it with ConsumeAsync.");
        }

        options ??= RunOptions.Default;
        options.Validate();
        return LocalRun.RunAsync(client, name, this, options, cancellationToken);
    }

    /// <summary>The subscription document as the node would hold it (the node's defaults filling what the pipeline leaves out).</summary>
    internal SubscriptionSpec ToSpec(string name)
    {
        var filters = Filters.Length == 0 ? null : DocumentWriter.Filters(this);
        return new SubscriptionSpec(name, Eventbus)
        {
            Sink = Sink?.Url,
            Protocol = Sink is null ? SinkProtocol.Pull : SinkProtocol.Http,
            Mode = Sink is { IsStructured: true } ? SinkMode.Structured : SinkMode.Binary,
            SinkHeaders = Sink is null ? new Dictionary<string, string>() : Sink.Headers.ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase),
            Filters = filters,
            Transformer = TransformerJson,
            Delay = DelayValue ?? TimeSpan.Zero,
            Delivery = DeliverySettings?.ToPolicy() ?? DeliveryPolicy.Default,
            From = From?.Time is { } time ? SubscriptionStart.At(time) : From == StartAt.Earliest ? SubscriptionStart.Earliest : SubscriptionStart.Latest,
        };
    }

    /// <summary>Ends the pipeline at an HTTP sink, delivered by the node with <paramref name="delivery"/> (null: the node's defaults).</summary>
    public SubscriptionPipeline To(HttpSink sink, DeliverySettings? delivery = null)
    {
        ArgumentNullException.ThrowIfNull(sink);
        Open(nameof(To));
        var next = With(sink: sink);
        return delivery is null ? next : next.WithDelivery(delivery);
    }

    /// <summary>Sets the delivery policy; for a pull subscription its timeout is how long a pulled event may stay un-acked.</summary>
    public SubscriptionPipeline WithDelivery(DeliverySettings delivery)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return With(delivery: delivery);
    }

    /// <summary>The subscription document of DESIGN §6 for a subscription named <paramref name="name"/>, as the HTTP API and CLI take it.</summary>
    public string ToJson(string name)
    {
        Names.Check(name, nameof(name));
        if (IsLocal)
        {
            throw new InvalidOperationException("The pipeline has C# stages, which run only in this process: run it with RunAsync instead of deploying it.");
        }

        return DocumentWriter.Subscription(name, this);
    }

    /// <summary>A one-line description: eventbus, number of filters, transformer, delay and sink.</summary>
    public override string ToString() =>
        $"Pipeline(from {Eventbus}, {Filters.Length} filter(s){(TransformerJson is null ? "" : ", transform")}{(DelayValue is { } d ? $", delay {DurationText.Format(d, "delay")}" : "")}, to {Sink?.Url ?? "pull"})";

    private void Open(string operation)
    {
        if (Sink is not null || Handler is not null)
        {
            throw new InvalidOperationException($"{operation} cannot follow To: the pipeline ends at its sink.");
        }
    }

    private SubscriptionPipeline WithStage(Func<Event, CancellationToken, ValueTask<Event?>> stage) =>
        new(Eventbus, From, Filters, TransformerJson, DelayValue, Sink, DeliverySettings, Stages.Add(stage), Handler);

    private SubscriptionPipeline With(
        ImmutableArray<SubscriptionFilter>? filters = null,
        string? transformer = null,
        TimeSpan? delay = null,
        HttpSink? sink = null,
        DeliverySettings? delivery = null) =>
        new(Eventbus, From, filters ?? Filters, transformer ?? TransformerJson, delay ?? DelayValue, sink ?? Sink, delivery ?? DeliverySettings, Stages, Handler);
}
