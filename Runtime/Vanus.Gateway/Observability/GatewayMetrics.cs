using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Vanus.Gateway.Http;
using Vanus.Gateway.Ingest;
using Vanus.Runtime.Broker;

namespace Vanus.Gateway.Observability;

/// <summary>
/// The gateway's metrics: ingest counts, append latency, errors, admission state, eventlog offsets, the timer service's
/// counts and the process's memory.
/// </summary>
internal sealed class GatewayMetrics
{
    public const string IngestRequests = "vanus_ingest_requests_total";
    public const string IngestEvents = "vanus_ingest_events_total";
    public const string IngestBytes = "vanus_ingest_bytes_total";
    public const string AppendDuration = "vanus_append_duration_seconds";
    public const string Errors = "vanus_errors_total";
    public const string IngestInFlight = "vanus_ingest_in_flight_requests";
    public const string IngestBufferedBytes = "vanus_ingest_buffered_bytes";
    public const string Ready = "vanus_ready";
    public const string EventlogNext = "vanus_eventlog_next_offset";
    public const string EventlogEarliest = "vanus_eventlog_earliest_offset";
    public const string TimersPending = "vanus_timers_pending";
    public const string TimersInMemory = "vanus_timers_in_memory";
    public const string TimersFired = "vanus_timers_fired_total";
    public const string TimersDropped = "vanus_timers_dropped_total";
    public const string ResidentMemory = "process_resident_memory_bytes";
    public const string GcHeapSize = "dotnet_gc_heap_size_bytes";

    private static readonly string[] BusLabels = ["namespace", "eventbus"];
    private static readonly string[] EventlogLabels = ["namespace", "eventbus", "eventlog"];

    private readonly MetricsRegistry _registry = new();
    private readonly CounterFamily _requests;
    private readonly CounterFamily _events;
    private readonly CounterFamily _bytes;
    private readonly CounterFamily _errors;
    private readonly ConcurrentDictionary<(string Namespace, string Eventbus), BusCounters> _buses = new();

    public GatewayMetrics(IEventbusBroker broker, ITimerService? timers, IngestGate gate)
    {
        _requests = _registry.AddCounter(IngestRequests, "Ingest requests whose events were all stored.", BusLabels);
        _events = _registry.AddCounter(IngestEvents, "Events stored through the gateway.", BusLabels);
        _bytes = _registry.AddCounter(IngestBytes, "Request-body bytes of ingest requests whose events were all stored.", BusLabels);
        AppendLatency = _registry.AddHistogram(
            AppendDuration,
            "Time from handing an ingest request's events to the broker until they were durable, in seconds.",
            [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
        _errors = _registry.AddCounter(Errors, "Requests answered with a problem document, by problem kind and status code.", "kind", "status");
        _registry.AddGauge(IngestInFlight, "Ingest requests being handled now.", () => gate.Requests);
        _registry.AddGauge(IngestBufferedBytes, "Request-body bytes ingest requests hold now.", () => gate.Bytes);
        _registry.AddGauge(Ready, "1 when the node takes appends and management calls, else 0.", () => broker.IsReady ? 1 : 0);
        if (timers is not null)
        {
            _registry.AddGauge(TimersPending, "Delayed events the timer service holds until they are due, in memory or on disk only.", () => timers.Stats.Pending);
            _registry.AddGauge(TimersInMemory, "Pending timers held in the timing wheel's memory; the rest wait on disk until their time nears.", () => timers.Stats.InMemory);
            _registry.AddCounterReading(TimersFired, "Delayed events appended to their eventbus when due.", () => timers.Stats.Fired);
            _registry.AddCounterReading(TimersDropped, "Delayed events dropped because their eventbus was deleted.", () => timers.Stats.Dropped);
        }

        _registry.AddGauge(ResidentMemory, "Resident memory of the node process, in bytes.", static () => ProcessMemory.ResidentBytes());
        _registry.AddGauge(GcHeapSize, "Bytes of the managed heap when the last garbage collection ended.", static () => ProcessMemory.GcHeapBytes());
    }

    public Histogram AppendLatency { get; }

    public void Stored(string @namespace, string eventbus, int events, long bytes)
    {
        var counters = _buses.GetOrAdd((@namespace, eventbus), static (key, self) => new BusCounters(
            self._requests.WithLabels(key.Namespace, key.Eventbus),
            self._events.WithLabels(key.Namespace, key.Eventbus),
            self._bytes.WithLabels(key.Namespace, key.Eventbus)), this);
        counters.Requests.Increment();
        counters.Events.Add(events);
        counters.Bytes.Add(bytes);
    }

    public void Failed(ProblemKind kind) => _errors.WithLabels(kind.Name, kind.Status.ToString(CultureInfo.InvariantCulture)).Increment();

    /// <summary>Writes every metric; the eventlog offsets are read from the broker now, and left without samples while it is not ready.</summary>
    public async Task<string> ScrapeAsync(IEventbusBroker broker, CancellationToken cancellationToken)
    {
        var output = new StringBuilder(4096);
        _registry.Write(output);
        var buses = new List<EventbusInfo>();
        if (broker.IsReady)
        {
            try
            {
                foreach (var ns in await broker.ListNamespacesAsync(cancellationToken))
                {
                    buses.AddRange(await broker.ListEventbusesAsync(ns.Name, cancellationToken));
                }
            }
            catch (BrokerException)
            {
                // A catalog that cannot be read right now leaves the offset gauges empty for this scrape; the rest still counts.
            }
        }

        WriteOffsets(output, EventlogNext, "The offset the next event appended to the eventlog gets.", buses, static l => l.Next);
        WriteOffsets(output, EventlogEarliest, "The first offset of the eventlog that can still be read.", buses, static l => l.Earliest);
        return output.ToString();
    }

    private static void WriteOffsets(StringBuilder output, string name, string help, List<EventbusInfo> buses, Func<EventlogInfo, long> read)
    {
        PrometheusText.Header(output, name, help, "gauge");
        foreach (var bus in buses)
        {
            foreach (var log in bus.Eventlogs)
            {
                PrometheusText.Sample(output, name, EventlogLabels, [bus.Namespace, bus.Name, log.Id.ToString(CultureInfo.InvariantCulture)], read(log));
            }
        }
    }

    private sealed record BusCounters(Counter Requests, Counter Events, Counter Bytes);
}
