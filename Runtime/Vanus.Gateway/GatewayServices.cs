using Microsoft.Extensions.Logging;
using Vanus.Gateway.Http;
using Vanus.Gateway.Ingest;
using Vanus.Gateway.Management;
using Vanus.Gateway.Observability;
using Vanus.Gateway.Security;
using Vanus.Runtime.Broker;

namespace Vanus.Gateway;

/// <summary>The gateway's parts, built once per host around the broker it serves.</summary>
internal sealed class GatewayServices
{
    public GatewayServices(IEventbusBroker broker, ISubscriptionBroker subscriptions, IScheduleBroker schedules, ITimerService? timers, ITokenBroker? tokens, GatewayOptions options, ILoggerFactory loggerFactory)
    {
        Gate = new IngestGate(options.MaxConcurrentIngests, options.MaxBufferedBytes);
        Metrics = new GatewayMetrics(broker, timers, Gate);
        var problems = Problems = new ProblemResponder(Metrics, loggerFactory.CreateLogger("Vanus.Gateway.Problems"), options.RetryAfter);
        Ingest = new IngestHandler(broker, options, Gate, Metrics, problems, loggerFactory.CreateLogger<IngestHandler>());
        Management = new ManagementHandler(broker, options, problems);
        Subscriptions = new SubscriptionHandler(subscriptions, broker, Management, options, problems);
        Schedules = new ScheduleHandler(schedules, Management, options);
        Health = new HealthHandler(broker, timers, Metrics);
        Guard = new Guard(options, tokens, problems);
        Tokens = new TokenHandler(Guard, Management, options);
        SubscriptionStore = subscriptions;
    }

    public IngestGate Gate { get; }

    public GatewayMetrics Metrics { get; }

    public IngestHandler Ingest { get; }

    public ManagementHandler Management { get; }

    public SubscriptionHandler Subscriptions { get; }

    public ScheduleHandler Schedules { get; }

    public HealthHandler Health { get; }

    /// <summary>Origin, media type and token checks in front of every route but health.</summary>
    public Guard Guard { get; }

    public TokenHandler Tokens { get; }

    /// <summary>The subscriptions, for the guard to find the eventbus a subscription reads.</summary>
    public ISubscriptionBroker SubscriptionStore { get; }

    /// <summary>Writes every problem document the gateway answers.</summary>
    public ProblemResponder Problems { get; }
}
