using Microsoft.AspNetCore.Http;
using Vanus.Runtime.Broker;

namespace Vanus.Gateway.Observability;

/// <summary>Liveness, readiness (the broker, and the timer service when the node has one) and the Prometheus scrape.</summary>
internal sealed class HealthHandler(IEventbusBroker broker, ITimerService? timers, GatewayMetrics metrics)
{
    private const string TextContentType = "text/plain; charset=utf-8";

    public static Task LiveAsync(HttpContext context)
    {
        context.Response.ContentType = TextContentType;
        return context.Response.WriteAsync("ok\n");
    }

    public Task ReadyAsync(HttpContext context)
    {
        // After a restart the node is ready once it takes events and every timer eventlog has recovered its timers.
        var waiting = !broker.IsReady ? "not ready\n" : timers is { Stats.Ready: false } ? "not ready: timers are recovering\n" : null;
        context.Response.StatusCode = waiting is null ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = TextContentType;
        return context.Response.WriteAsync(waiting ?? "ready\n");
    }

    public async Task MetricsAsync(HttpContext context)
    {
        var text = await metrics.ScrapeAsync(broker, context.RequestAborted);
        context.Response.ContentType = PrometheusText.ContentType;
        await context.Response.WriteAsync(text, context.RequestAborted);
    }
}
