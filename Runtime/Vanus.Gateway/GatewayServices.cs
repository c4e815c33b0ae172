using Microsoft.Extensions.Logging;
using Vanus.Gateway.Http;
using Vanus.Gateway.Ingest;
using Vanus.Gateway.Management;
using Vanus.Gateway.Observability;
using Vanus.Runtime.Broker;

namespace Vanus.Gateway;

/// <summary>The gateway's parts, built once per host around the broker it serves.</summary>
internal sealed class GatewayServices
{
    public GatewayServices(IEventbusBroker broker, ISubscriptionBroker subscriptions, IScheduleBroker schedules, ITimerService? timers, GatewayOptions options, ILoggerFactory loggerFactory)
    {
        Gate = new IngestGate(options.MaxConcurrentIngests, options.MaxBufferedBytes);
        Metrics = new GatewayMetrics(broker, timers, Gate);
        var problems = Problems = new ProblemResponder(Metrics, loggerFactory.CreateLogger("Vanus.Gateway.Problems"), options.RetryAfter);
        Ingest = new IngestHandler(broker, options, Gate, Metrics, problems, loggerFactory.CreateLogger<IngestHandler>());
        Management = new ManagementHandler(broker, options, problems);
        Subscriptions = new SubscriptionHandler(subscriptions, broker, Management, options, problems);
        Schedules = new ScheduleHandler(schedules, Management, options);
        Health = new HealthHandler(broker, timers, Metrics);
    }

    public IngestGate Gate { get; }

    public GatewayMetrics Metrics { get; }

    public IngestHandler Ingest { get; }

    public ManagementHandler Management { get; }

    public SubscriptionHandler Subscriptions { get; }

    public ScheduleHandler Schedules { get; }

    public HealthHandler Health { get; }

    /// <summary>Writes every problem document the gateway answers.</summary>
    public ProblemResponder Problems { get; }
}
