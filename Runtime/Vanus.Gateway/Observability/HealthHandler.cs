using Microsoft.AspNetCore.Http;
using Vanus.Cluster;

namespace Vanus.Gateway.Observability;

/// <summary>Liveness, readiness and the Prometheus scrape.</summary>
internal sealed class HealthHandler(IEventbusBroker broker, GatewayMetrics metrics)
{
    private const string TextContentType = "text/plain; charset=utf-8";

    public static Task LiveAsync(HttpContext context)
    {
        context.Response.ContentType = TextContentType;
        return context.Response.WriteAsync("ok\n");
    }

    public Task ReadyAsync(HttpContext context)
    {
        var ready = broker.IsReady;
        context.Response.StatusCode = ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = TextContentType;
        return context.Response.WriteAsync(ready ? "ready\n" : "not ready\n");
    }

    public async Task MetricsAsync(HttpContext context)
    {
        var text = await metrics.ScrapeAsync(broker, context.RequestAborted);
        context.Response.ContentType = PrometheusText.ContentType;
        await context.Response.WriteAsync(text, context.RequestAborted);
    }
}
