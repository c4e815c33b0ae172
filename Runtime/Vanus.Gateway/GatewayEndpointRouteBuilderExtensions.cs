using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Vanus.Gateway.Management;
using Vanus.Gateway.Observability;

namespace Vanus.Gateway;

/// <summary>Maps the HTTP contract of DESIGN §6 onto a host's endpoints.</summary>
public static class GatewayEndpointRouteBuilderExtensions
{
    /// <summary>Maps ingest, the management API (subscriptions and schedules included), <c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c>; needs <see cref="GatewayServiceCollectionExtensions.AddVanusGateway"/> first.</summary>
    public static IEndpointConventionBuilder MapVanusGateway(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var gateway = endpoints.ServiceProvider.GetService<GatewayServices>()
            ?? throw new InvalidOperationException("Call services.AddVanusGateway(...) before endpoints.MapVanusGateway().");
        var group = endpoints.MapGroup(string.Empty);

        var ingest = gateway.Ingest;
        group.MapPost("/gateway/{eventbus}", new RequestDelegate(ingest.HandleDefaultAsync));
        group.MapPost("/namespaces/{ns}/eventbus/{eventbus}/events", new RequestDelegate(ingest.HandleNamespacedAsync));

        var management = gateway.Management;
        const string ns = ManagementHandler.Prefix + "/{ns}";
        const string bus = ns + "/eventbuses/{name}";
        Map(group, "POST", ManagementHandler.Prefix, management, static (h, c) => h.CreateNamespaceAsync(c));
        Map(group, "GET", ManagementHandler.Prefix, management, static (h, c) => h.ListNamespacesAsync(c));
        Map(group, "GET", ns, management, static (h, c) => h.GetNamespaceAsync(c));
        Map(group, "DELETE", ns, management, static (h, c) => h.DeleteNamespaceAsync(c));
        Map(group, "POST", ns + "/eventbuses", management, static (h, c) => h.CreateEventbusAsync(c));
        Map(group, "GET", ns + "/eventbuses", management, static (h, c) => h.ListEventbusesAsync(c));
        Map(group, "GET", bus, management, static (h, c) => h.GetEventbusAsync(c));
        Map(group, "DELETE", bus, management, static (h, c) => h.DeleteEventbusAsync(c));
        Map(group, "GET", bus + "/events", management, static (h, c) => h.ReadEventsAsync(c));
        Map(group, "GET", bus + "/events/{eventId}", management, static (h, c) => h.GetEventAsync(c));
        Map(group, "GET", bus + "/offsets", management, static (h, c) => h.OffsetsAsync(c));

        var subscriptions = gateway.Subscriptions;
        const string subs = ns + "/subscriptions";
        const string sub = subs + "/{name}";
        Map(group, "POST", subs, management, subscriptions, static (h, c) => h.CreateAsync(c));
        Map(group, "GET", subs, management, subscriptions, static (h, c) => h.ListAsync(c));
        Map(group, "GET", sub, management, subscriptions, static (h, c) => h.GetAsync(c));
        Map(group, "PUT", sub, management, subscriptions, static (h, c) => h.UpdateAsync(c));
        Map(group, "DELETE", sub, management, subscriptions, static (h, c) => h.DeleteAsync(c));
        Map(group, "POST", sub + "/validate", management, subscriptions, static (h, c) => h.ValidateAsync(c));
        Map(group, "POST", sub + "/pause", management, subscriptions, static (h, c) => h.PauseAsync(c));
        Map(group, "POST", sub + "/resume", management, subscriptions, static (h, c) => h.ResumeAsync(c));
        Map(group, "POST", sub + "/reset", management, subscriptions, static (h, c) => h.ResetAsync(c));
        Map(group, "GET", sub + "/deadletters", management, subscriptions, static (h, c) => h.DeadLettersAsync(c));
        Map(group, "POST", sub + "/deadletters/resend", management, subscriptions, static (h, c) => h.ResendAsync(c));
        Map(group, "POST", sub + "/pull", management, subscriptions, static (h, c) => h.PullAsync(c));
        Map(group, "POST", sub + "/ack", management, subscriptions, static (h, c) => h.AckAsync(c));

        var schedules = gateway.Schedules;
        const string scheds = ns + "/schedules";
        const string sched = scheds + "/{name}";
        Map(group, "POST", scheds, management, schedules, static (h, c) => h.CreateAsync(c));
        Map(group, "GET", scheds, management, schedules, static (h, c) => h.ListAsync(c));
        Map(group, "GET", sched, management, schedules, static (h, c) => h.GetAsync(c));
        Map(group, "DELETE", sched, management, schedules, static (h, c) => h.DeleteAsync(c));

        var health = gateway.Health;
        group.MapGet("/healthz", new RequestDelegate(HealthHandler.LiveAsync));
        group.MapGet("/readyz", new RequestDelegate(health.ReadyAsync));
        group.MapGet("/metrics", new RequestDelegate(health.MetricsAsync));
        return group;
    }

    private static void Map(RouteGroupBuilder group, string method, string pattern, ManagementHandler handler, Func<ManagementHandler, HttpContext, Task> call) =>
        group.MapMethods(pattern, [method], new RequestDelegate(context => handler.RunAsync(context, call)));

    private static void Map<THandler>(RouteGroupBuilder group, string method, string pattern, ManagementHandler runner, THandler handler, Func<THandler, HttpContext, Task> call) =>
        group.MapMethods(pattern, [method], new RequestDelegate(context => runner.RunAsync(context, handler, call)));
}
