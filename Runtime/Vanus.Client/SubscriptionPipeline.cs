using System.Collections.Immutable;
using Vanus.Client.Http;
using Vanus.Operators.Filters;
using Vanus.Operators.Transform;

namespace Vanus.Client;

/// <summary>
/// An immutable, declarative subscription: eventbus, start, filters, transformer, delay and (optionally) an HTTP sink with
/// its delivery policy. With a sink the node delivers (<see cref="ISubscriptionApi.DeployAsync"/>); without one it is a pull
/// subscription consumed in this process (<see cref="ISubscriptionApi.ConsumeAsync"/>). Each method returns a new pipeline.
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
        DeliverySettings? delivery)
    {
        Eventbus = eventbus;
        From = from;
        Filters = filters;
        TransformerJson = transformer;
        DelayValue = delay;
        Sink = sink;
        DeliverySettings = delivery;
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
        return DocumentWriter.Subscription(name, this);
    }

    /// <summary>A one-line description: eventbus, number of filters, transformer, delay and sink.</summary>
    public override string ToString() =>
        $"Pipeline(from {Eventbus}, {Filters.Length} filter(s){(TransformerJson is null ? "" : ", transform")}{(DelayValue is { } d ? $", delay {DurationText.Format(d, "delay")}" : "")}, to {Sink?.Url ?? "pull"})";

    private void Open(string operation)
    {
        if (Sink is not null)
        {
            throw new InvalidOperationException($"{operation} cannot follow To: the pipeline ends at its sink.");
        }
    }

    private SubscriptionPipeline With(
        ImmutableArray<SubscriptionFilter>? filters = null,
        string? transformer = null,
        TimeSpan? delay = null,
        HttpSink? sink = null,
        DeliverySettings? delivery = null) =>
        new(Eventbus, From, filters ?? Filters, transformer ?? TransformerJson, delay ?? DelayValue, sink ?? Sink, delivery ?? DeliverySettings);
}
