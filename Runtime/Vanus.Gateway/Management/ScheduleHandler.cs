using Microsoft.AspNetCore.Http;
using Vanus.Gateway.Http;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;

namespace Vanus.Gateway.Management;

/// <summary>
/// The schedule API of DESIGN §6: create, list, get and delete scheduled events. Calls run through
/// <see cref="ManagementHandler.RunAsync{THandler}"/>, which answers failures as problem documents.
/// </summary>
internal sealed class ScheduleHandler(IScheduleBroker schedules, ManagementHandler management, GatewayOptions options)
{
    public async Task CreateAsync(HttpContext context)
    {
        var ns = RouteValues.Get(context, "ns");
        var spec = await management.ReadDocumentAsync(context, static body => Documents.ReadSchedule(body.Span));

        // Each emitted event is the template plus its id and three attributes; it must pass the limit ingest applies.
        var size = EventSize.Of(spec.Event);
        if (size > options.MaxEventBytes)
        {
            throw FieldException.Document("event", $"is {size} bytes, over the limit of {options.MaxEventBytes} bytes per event");
        }

        var created = await schedules.CreateScheduleAsync(ns, spec, context.RequestAborted);
        context.Response.Headers.Location = $"{ManagementHandler.Prefix}/{Uri.EscapeDataString(ns)}/schedules/{Uri.EscapeDataString(created.Spec.Name)}";
        Write(context, StatusCodes.Status201Created, created);
    }

    public async Task ListAsync(HttpContext context)
    {
        var ns = RouteValues.Get(context, "ns");
        var all = await schedules.ListSchedulesAsync(ns, context.RequestAborted);
        JsonResponse.Write(context.Response, StatusCodes.Status200OK, JsonResponse.JsonContentType, all, static (w, list) => ScheduleWriter.Write(w, list));
    }

    public async Task GetAsync(HttpContext context)
    {
        var (ns, name) = Names(context);
        var info = await schedules.GetScheduleAsync(ns, name, context.RequestAborted) ?? throw NoSchedule(ns, name);
        Write(context, StatusCodes.Status200OK, info);
    }

    public async Task DeleteAsync(HttpContext context)
    {
        var (ns, name) = Names(context);
        if (!await schedules.DeleteScheduleAsync(ns, name, context.RequestAborted))
        {
            throw NoSchedule(ns, name);
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static (string Ns, string Name) Names(HttpContext context) => (RouteValues.Get(context, "ns"), RouteValues.Get(context, "name"));

    private static void Write(HttpContext context, int status, ScheduleInfo info) =>
        JsonResponse.Write(context.Response, status, JsonResponse.JsonContentType, info, static (w, s) => ScheduleWriter.Write(w, s));

    private static BrokerException NoSchedule(string ns, string name) =>
        new(BrokerErrorKind.NotFound, $"Namespace '{ns}' has no schedule '{name}'.", "schedule");
}
