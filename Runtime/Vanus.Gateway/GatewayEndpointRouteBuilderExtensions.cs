using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Vanus.Gateway.Http;
using Vanus.Gateway.Management;
using Vanus.Gateway.Observability;
using Vanus.Gateway.Security;
using Vanus.Runtime.Broker;

namespace Vanus.Gateway;

/// <summary>Maps the HTTP contract of DESIGN §6 onto a host's endpoints.</summary>
public static class GatewayEndpointRouteBuilderExtensions
{
    /// <summary>Maps ingest, the management API (subscriptions, schedules and tokens included), <c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c>; needs <see cref="GatewayServiceCollectionExtensions.AddVanusGateway"/> first.</summary>
    public static IEndpointConventionBuilder MapVanusGateway(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var gateway = endpoints.ServiceProvider.GetService<GatewayServices>()
            ?? throw new InvalidOperationException("Call services.AddVanusGateway(...) before endpoints.MapVanusGateway().");
        var group = endpoints.MapGroup(string.Empty);
        var guard = gateway.Guard;

        // Every route names the access it needs (DESIGN §7); management routes with a body take JSON only.
        void Route(string method, string pattern, Func<HttpContext, Caller, ValueTask<Access>> access, RequestDelegate handler, bool json = false) =>
            group.MapMethods(pattern, [method], new RequestDelegate(context => guard.RunAsync(context, access, json, handler)));

        var ingest = gateway.Ingest;
        Route("POST", "/gateway/{eventbus}", static (c, _) => new(new Access(AccessKind.Write, EventbusNames.DefaultNamespace, RouteValues.Get(c, "eventbus"))), ingest.HandleDefaultAsync);
        Route("POST", "/namespaces/{ns}/eventbus/{eventbus}/events", static (c, _) => new(new Access(AccessKind.Write, RouteValues.Get(c, "ns"), RouteValues.Get(c, "eventbus"))), ingest.HandleNamespacedAsync);

        var management = gateway.Management;
        RequestDelegate Run(Func<ManagementHandler, HttpContext, Task> call) => context => management.RunAsync(context, call);
        RequestDelegate RunWith<THandler>(THandler handler, Func<THandler, HttpContext, Task> call) => context => management.RunAsync(context, handler, call);

        const string ns = ManagementHandler.Prefix + "/{ns}";
        const string bus = ns + "/eventbuses/{name}";
        Route("POST", ManagementHandler.Prefix, Admin, Run(static (h, c) => h.CreateNamespaceAsync(c)), json: true);
        Route("GET", ManagementHandler.Prefix, AnyView, Run(static (h, c) => h.ListNamespacesAsync(c)));
        Route("GET", ns, View, Run(static (h, c) => h.GetNamespaceAsync(c)));
        Route("DELETE", ns, Admin, Run(static (h, c) => h.DeleteNamespaceAsync(c)));
        Route("POST", ns + "/eventbuses", Edit, Run(static (h, c) => h.CreateEventbusAsync(c)), json: true);
        Route("GET", ns + "/eventbuses", View, Run(static (h, c) => h.ListEventbusesAsync(c)));
        Route("GET", bus, View, Run(static (h, c) => h.GetEventbusAsync(c)));
        Route("DELETE", bus, Edit, Run(static (h, c) => h.DeleteEventbusAsync(c)));
        Route("GET", bus + "/events", ReadBus, Run(static (h, c) => h.ReadEventsAsync(c)));
        Route("GET", bus + "/events/{eventId}", ReadBus, Run(static (h, c) => h.GetEventAsync(c)));
        Route("GET", bus + "/offsets", ReadBus, Run(static (h, c) => h.OffsetsAsync(c)));

        Route("GET", ManagementHandler.ClusterPath, AnyView, Run(static (h, c) => h.DescribeClusterAsync(c)));

        var subscriptions = gateway.Subscriptions;
        var store = gateway.SubscriptionStore;
        const string subs = ns + "/subscriptions";
        const string sub = subs + "/{name}";

        // Reading a subscription's events (pull, ack, dead letters) is reading its eventbus: a role narrower than the
        // whole namespace is checked against the bus the subscription reads.
        async ValueTask<Access> ReadSubscription(HttpContext c, Caller caller)
        {
            var space = RouteValues.Get(c, "ns");
            var all = new Access(AccessKind.Read, space, "*");
            if (caller.Can(all))
            {
                return all;
            }

            try
            {
                var info = await store.GetSubscriptionAsync(space, RouteValues.Get(c, "name"), c.RequestAborted);
                return info is null ? new Access(AccessKind.View, space) : new Access(AccessKind.Read, space, info.Spec.Eventbus);
            }
            catch (BrokerException)
            {
                // No such namespace, or the node is not serving yet: a caller who may view the namespace hears why from the handler.
                return new Access(AccessKind.View, space);
            }
        }

        Route("POST", subs, Edit, RunWith(subscriptions, static (h, c) => h.CreateAsync(c)), json: true);
        Route("GET", subs, View, RunWith(subscriptions, static (h, c) => h.ListAsync(c)));
        Route("GET", sub, View, RunWith(subscriptions, static (h, c) => h.GetAsync(c)));
        Route("PUT", sub, Edit, RunWith(subscriptions, static (h, c) => h.UpdateAsync(c)), json: true);
        Route("DELETE", sub, Edit, RunWith(subscriptions, static (h, c) => h.DeleteAsync(c)));

        // validate takes a CloudEvent in any ingest mode and changes nothing.
        Route("POST", sub + "/validate", View, RunWith(subscriptions, static (h, c) => h.ValidateAsync(c)));
        Route("POST", sub + "/pause", Edit, RunWith(subscriptions, static (h, c) => h.PauseAsync(c)), json: true);
        Route("POST", sub + "/resume", Edit, RunWith(subscriptions, static (h, c) => h.ResumeAsync(c)), json: true);
        Route("POST", sub + "/reset", Edit, RunWith(subscriptions, static (h, c) => h.ResetAsync(c)), json: true);
        Route("GET", sub + "/deadletters", ReadSubscription, RunWith(subscriptions, static (h, c) => h.DeadLettersAsync(c)));
        Route("POST", sub + "/deadletters/resend", Edit, RunWith(subscriptions, static (h, c) => h.ResendAsync(c)), json: true);
        Route("POST", sub + "/pull", ReadSubscription, RunWith(subscriptions, static (h, c) => h.PullAsync(c)), json: true);
        Route("POST", sub + "/ack", ReadSubscription, RunWith(subscriptions, static (h, c) => h.AckAsync(c)), json: true);

        var schedules = gateway.Schedules;
        const string scheds = ns + "/schedules";
        const string sched = scheds + "/{name}";
        Route("POST", scheds, Edit, RunWith(schedules, static (h, c) => h.CreateAsync(c)), json: true);
        Route("GET", scheds, View, RunWith(schedules, static (h, c) => h.ListAsync(c)));
        Route("GET", sched, View, RunWith(schedules, static (h, c) => h.GetAsync(c)));
        Route("DELETE", sched, Edit, RunWith(schedules, static (h, c) => h.DeleteAsync(c)));

        var tokens = gateway.Tokens;
        Route("POST", TokenHandler.Prefix, Admin, RunWith(tokens, static (h, c) => h.CreateAsync(c)), json: true);
        Route("GET", TokenHandler.Prefix, Admin, RunWith(tokens, static (h, c) => h.ListAsync(c)));
        Route("DELETE", TokenHandler.Prefix + "/{name}", Admin, RunWith(tokens, static (h, c) => h.DeleteAsync(c)));

        // Health is open (load balancers and orchestrators probe it); metrics need view of some namespace.
        var health = gateway.Health;
        group.MapGet("/healthz", new RequestDelegate(HealthHandler.LiveAsync));
        group.MapGet("/readyz", new RequestDelegate(health.ReadyAsync));
        Route("GET", "/metrics", AnyView, health.MetricsAsync);
        return group;
    }

    private static ValueTask<Access> Admin(HttpContext context, Caller caller) => new(new Access(AccessKind.Admin));

    private static ValueTask<Access> AnyView(HttpContext context, Caller caller) => new(new Access(AccessKind.View));

    private static ValueTask<Access> View(HttpContext context, Caller caller) => new(new Access(AccessKind.View, RouteValues.Get(context, "ns")));

    private static ValueTask<Access> Edit(HttpContext context, Caller caller) => new(new Access(AccessKind.Edit, RouteValues.Get(context, "ns")));

    private static ValueTask<Access> ReadBus(HttpContext context, Caller caller) =>
        new(new Access(AccessKind.Read, RouteValues.Get(context, "ns"), RouteValues.Get(context, "name")));
}
