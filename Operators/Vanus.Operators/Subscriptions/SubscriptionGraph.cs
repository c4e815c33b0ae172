using Vanus.Operators.Filters;
using Vanus.Operators.Transform;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Codecs;
using Vanus.Runtime.Events;

namespace Vanus.Operators.Subscriptions;

/// <summary>
/// One subscription's per-event work (DESIGN §3), compiled once from its document: filter → read attributes → transform →
/// C# stages → delay → deliver. A trigger in the cluster drives it with its eventlog as the source and its journal for
/// progress; <see cref="RunAsync"/> drives the same graph in this process, where C# stages may join it.
/// </summary>
public sealed class SubscriptionGraph
{
    private readonly SubscriptionFilter? _filter;
    private readonly Transformer? _transformer;
    private readonly IReadOnlyList<Func<Event, CancellationToken, ValueTask<Event?>>> _stages;

    private SubscriptionGraph(SubscriptionSpec spec, SubscriptionFilter? filter, Transformer? transformer, SubscriptionGraphOptions options, IEventSink? sink)
    {
        Spec = spec;
        _filter = filter;
        _transformer = transformer;
        _stages = [.. options.Stages];
        Options = options;
        Sink = sink;
    }

    /// <summary>The document the graph was compiled from.</summary>
    public SubscriptionSpec Spec { get; }

    /// <summary>The deliver stage's policy: attempts, backoff, timeout, dead letters, order, concurrency and rate.</summary>
    public DeliveryPolicy Policy => Spec.Delivery;

    /// <summary>Where the deliver stage sends events; null for a pull subscription, whose consumers take them.</summary>
    public IEventSink? Sink { get; }

    /// <summary>The options the graph was compiled with.</summary>
    public SubscriptionGraphOptions Options { get; }

    /// <summary>True when the graph has C# stages, which run only in the process that built them.</summary>
    public bool HasLocalStages => _stages.Count > 0;

    /// <summary>
    /// Compiles <paramref name="spec"/>: checks it in full (a refusal is a <see cref="BrokerException"/> naming the field),
    /// parses its filters and transformer, and builds its sink (an HTTP sink needs <see cref="SubscriptionGraphOptions.Http"/>,
    /// or a sink of its own in <see cref="SubscriptionGraphOptions.Sink"/>).
    /// </summary>
    public static SubscriptionGraph Compile(SubscriptionSpec spec, SubscriptionGraphOptions? options = null)
    {
        options ??= SubscriptionGraphOptions.Default;
        if (options.Sink is not null && spec.Protocol == SinkProtocol.Http && spec.Sink is null)
        {
            // A C# sink stands in for the document's: the rest of the document is checked as a pull subscription's.
            SubscriptionChecks.Check(spec with { Protocol = SinkProtocol.Pull });
        }
        else
        {
            SubscriptionChecks.Check(spec);
        }

        var filter = spec.Filters is { } filters ? SubscriptionFilter.Parse(filters) : null;
        var transformer = spec.Transformer is { } definition ? Transformer.Parse(definition) : null;
        var sink = options.Sink;
        if (sink is null && spec.Protocol == SinkProtocol.Http && spec.Sink is { } url)
        {
            var http = options.Http ?? throw new ArgumentException($"subscription '{spec.Name}' delivers to {url}: give the HttpClient its sink uses in the options", nameof(options));
            sink = Sinks.Http(http, new Uri(url, UriKind.Absolute), spec.Mode == SinkMode.Structured ? ContentMode.Structured : ContentMode.Binary, spec.SinkHeaders, spec.Delivery.Timeout);
        }

        return new SubscriptionGraph(spec, filter, transformer, options, sink);
    }

    /// <summary>The filter stage: true when the event passes the subscription's filters (the filters never throw).</summary>
    public bool Admits(Event e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return _filter?.Matches(e) ?? true;
    }

    /// <summary>The delay stage: when an event stored at <paramref name="storeTime"/> may be delivered (the latest time there is, if the delay reaches past it).</summary>
    public DateTimeOffset DueAt(DateTimeOffset storeTime) =>
        Spec.Delay <= TimeSpan.Zero ? storeTime
        : DateTimeOffset.MaxValue - storeTime <= Spec.Delay ? DateTimeOffset.MaxValue
        : storeTime + Spec.Delay;

    /// <summary>
    /// The read-attributes and transform stages: the record's event with <c>xvanus*</c> read attributes, then what the
    /// transformer makes of it (none, one or several events). Throws <see cref="TransformException"/> when the event
    /// cannot be transformed, which no retry would change.
    /// </summary>
    public IReadOnlyList<Event> Prepare(EventRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var withAttributes = record.WithReadAttributes();
        return _transformer is { } transformer ? transformer.Apply(withAttributes) : [withAttributes];
    }

    /// <summary>
    /// <see cref="Prepare"/>, then the C# stages in order on each event (a stage returning null drops that event). A stage's
    /// exception fails the attempt, which the policy retries.
    /// </summary>
    public async ValueTask<IReadOnlyList<Event>> PrepareAsync(EventRecord record, CancellationToken cancellationToken)
    {
        var events = Prepare(record);
        if (_stages.Count == 0)
        {
            return events;
        }

        var output = new List<Event>(events.Count);
        foreach (var e in events)
        {
            Event? current = e;
            foreach (var stage in _stages)
            {
                current = await stage(current, cancellationToken).ConfigureAwait(false);
                if (current is null)
                {
                    break;
                }
            }

            if (current is not null)
            {
                output.Add(current);
            }
        }

        return output;
    }

    /// <summary>
    /// Runs the graph in this process over <paramref name="source"/> until it ends (or <paramref name="cancellationToken"/>
    /// is cancelled): each event is filtered, held until due, prepared and delivered under the policy (in flight, order,
    /// rate, retries with backoff on <see cref="SubscriptionGraphOptions.Time"/>), then acknowledged to its source —
    /// delivered, dead-lettered (<see cref="SubscriptionGraphOptions.DeadLetter"/>) or dropped. Reads at most twice the
    /// in-flight limit ahead, so a slow sink holds the source back.
    /// </summary>
    public Task RunAsync(IAsyncEnumerable<GraphInput> source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (Sink is null)
        {
            throw new InvalidOperationException($"subscription '{Spec.Name}' has no sink to deliver to: end it with an HTTP sink or a C# handler to run it in this process");
        }

        return new GraphRun(this, Sink, source).RunAsync(cancellationToken);
    }
}
