using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Vanus.Gateway.Http;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Codecs;
using Vanus.Runtime.Events;

namespace Vanus.Gateway.Management;

/// <summary>The management API of DESIGN §6: namespaces, eventbuses, reads by offset and by id, and offsets by time.</summary>
internal sealed class ManagementHandler(IEventbusBroker broker, GatewayOptions options, ProblemResponder problems)
{
    public const string Prefix = "/api/v1/namespaces";

    private const string StructuredContentType = JsonEventFormat.StructuredMediaType + "; charset=utf-8";

    /// <summary>Runs one management call: refuses it while the node is not ready and turns every failure into a problem document.</summary>
    public Task RunAsync(HttpContext context, Func<ManagementHandler, HttpContext, Task> call) => RunAsync(context, this, call);

    /// <summary>Runs one call of another management handler (subscriptions) the same way.</summary>
    public async Task RunAsync<THandler>(HttpContext context, THandler handler, Func<THandler, HttpContext, Task> call)
    {
        if (!broker.IsReady)
        {
            await problems.WriteAsync(context, new Problem(ProblemKind.NotReady, "The node is starting or recovering and takes no management calls yet; retry shortly."));
            return;
        }

        try
        {
            await call(handler, context);
        }
        catch (BrokerException e)
        {
            await problems.WriteAsync(context, Problem.FromBroker(e));
        }
        catch (FieldException e)
        {
            var problem = e.Kind == ProblemKind.InvalidDocument || e.Kind == ProblemKind.InvalidParameter
                ? Problem.ForField(e.Kind, e.Field, e.Reason)
                : new Problem(e.Kind, e.Message) { Field = e.Field, Reason = e.Reason };
            await problems.WriteAsync(context, problem);
        }
        catch (BadHttpRequestException e)
        {
            await problems.WriteAsync(context, new Problem(ProblemKind.BadRequest, $"The request could not be read: {e.Message}"));
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is no one to answer.
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            await problems.WriteAsync(context, new Problem(ProblemKind.Internal, "The call failed inside the node. See the node's log."), e);
        }
    }

    /// <summary>The path of the cluster's members.</summary>
    public const string ClusterPath = "/api/v1/cluster";

    public async Task DescribeClusterAsync(HttpContext context)
    {
        var cluster = await broker.DescribeClusterAsync(context.RequestAborted);
        JsonResponse.Write(context.Response, StatusCodes.Status200OK, JsonResponse.JsonContentType, cluster, static (w, c) => CatalogWriter.Write(w, c));
    }

    public async Task CreateNamespaceAsync(HttpContext context)
    {
        var name = await ReadDocumentAsync(context, static body => Documents.ReadNamespace(body.Span));
        var created = await broker.CreateNamespaceAsync(name, context.RequestAborted);
        context.Response.Headers.Location = $"{Prefix}/{Uri.EscapeDataString(created.Name)}";
        JsonResponse.Write(context.Response, StatusCodes.Status201Created, JsonResponse.JsonContentType, created, static (w, ns) => CatalogWriter.Write(w, ns));
    }

    public async Task ListNamespacesAsync(HttpContext context)
    {
        // A caller sees the namespaces its roles let it view.
        var caller = Security.Caller.Of(context);
        var all = (await broker.ListNamespacesAsync(context.RequestAborted)).Where(n => caller.Can(new Security.Access(Security.AccessKind.View, n.Name))).ToList();
        JsonResponse.Write(context.Response, StatusCodes.Status200OK, JsonResponse.JsonContentType, all, static (w, list) => CatalogWriter.Write(w, list));
    }

    public async Task GetNamespaceAsync(HttpContext context)
    {
        var name = RouteValues.Get(context, "ns");
        var ns = await broker.GetNamespaceAsync(name, context.RequestAborted) ?? throw NoNamespace(name);
        JsonResponse.Write(context.Response, StatusCodes.Status200OK, JsonResponse.JsonContentType, ns, static (w, n) => CatalogWriter.Write(w, n));
    }

    public async Task DeleteNamespaceAsync(HttpContext context)
    {
        var name = RouteValues.Get(context, "ns");
        if (!await broker.DeleteNamespaceAsync(name, context.RequestAborted))
        {
            throw NoNamespace(name);
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    public async Task CreateEventbusAsync(HttpContext context)
    {
        var ns = RouteValues.Get(context, "ns");
        var spec = await ReadDocumentAsync(context, static body => Documents.ReadEventbus(body.Span));
        var created = await broker.CreateEventbusAsync(ns, spec, context.RequestAborted);
        context.Response.Headers.Location = $"{Prefix}/{Uri.EscapeDataString(ns)}/eventbuses/{Uri.EscapeDataString(created.Name)}";
        JsonResponse.Write(context.Response, StatusCodes.Status201Created, JsonResponse.JsonContentType, created, static (w, bus) => CatalogWriter.Write(w, bus));
    }

    public async Task ListEventbusesAsync(HttpContext context)
    {
        var ns = RouteValues.Get(context, "ns");
        var all = await broker.ListEventbusesAsync(ns, context.RequestAborted);
        JsonResponse.Write(context.Response, StatusCodes.Status200OK, JsonResponse.JsonContentType, all, static (w, list) => CatalogWriter.Write(w, list));
    }

    public async Task GetEventbusAsync(HttpContext context)
    {
        var (ns, name) = (RouteValues.Get(context, "ns"), RouteValues.Get(context, "name"));
        var bus = await broker.GetEventbusAsync(ns, name, context.RequestAborted) ?? throw NoEventbus(ns, name);
        JsonResponse.Write(context.Response, StatusCodes.Status200OK, JsonResponse.JsonContentType, bus, static (w, b) => CatalogWriter.Write(w, b));
    }

    public async Task DeleteEventbusAsync(HttpContext context)
    {
        var (ns, name) = (RouteValues.Get(context, "ns"), RouteValues.Get(context, "name"));
        if (!await broker.DeleteEventbusAsync(ns, name, context.RequestAborted))
        {
            throw NoEventbus(ns, name);
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    public async Task ReadEventsAsync(HttpContext context)
    {
        var (ns, name) = (RouteValues.Get(context, "ns"), RouteValues.Get(context, "name"));
        var query = context.Request.Query;
        var eventlog = (int)QueryNumber(query, "eventlog", 0, 0, Documents.MaxEventlogs - 1);
        var offset = QueryNumber(query, "offset", 0, 0, long.MaxValue);
        var count = (int)QueryNumber(query, "count", options.DefaultReadCount, 1, options.MaxReadCount);
        var records = query.TryGetValue("replica", out var replica)
            ? await broker.ReadReplicaAsync(ns, name, eventlog, replica.ToString(), offset, count, context.RequestAborted)
            : await broker.ReadAsync(ns, name, eventlog, offset, count, context.RequestAborted);

        await JsonResponse.StreamArrayAsync(context, JsonResponse.BatchContentType, null, records, static (writer, record) => JsonEventFormat.Write(writer, record.WithReadAttributes()));
    }

    public async Task GetEventAsync(HttpContext context)
    {
        var (ns, name) = (RouteValues.Get(context, "ns"), RouteValues.Get(context, "name"));
        var text = RouteValues.Get(context, "eventId");
        if (!EventId.TryParse(text, out var id))
        {
            throw FieldException.Parameter("eventId", $"must be the 16 hex digits ingest answered as 'eventId' (got '{text}')");
        }

        var record = await broker.GetAsync(ns, name, id, context.RequestAborted)
            ?? throw new BrokerException(BrokerErrorKind.NotFound, $"Eventbus '{name}' of namespace '{ns}' holds no event with id '{text}' (it may have passed retention).", "eventId");
        JsonResponse.Write(context.Response, StatusCodes.Status200OK, StructuredContentType, record.WithReadAttributes(), static (w, e) => JsonEventFormat.Write(w, e));
    }

    public async Task OffsetsAsync(HttpContext context)
    {
        var (ns, name) = (RouteValues.Get(context, "ns"), RouteValues.Get(context, "name"));
        var time = QueryTime(context.Request.Query, "time");
        var offsets = await broker.OffsetsAtAsync(ns, name, time, context.RequestAborted);
        JsonResponse.Write(context.Response, StatusCodes.Status200OK, JsonResponse.JsonContentType, (time, offsets), static (w, state) =>
        {
            w.WriteStartObject();
            w.WriteString("time"u8, Rfc3339.Format(state.time));
            w.WritePropertyName("offsets"u8);
            w.WriteStartArray();
            for (var i = 0; i < state.offsets.Count; i++)
            {
                w.WriteStartObject();
                w.WriteNumber("eventlog"u8, i);
                w.WriteNumber("offset"u8, state.offsets[i]);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    public async Task<T> ReadDocumentAsync<T>(HttpContext context, Func<ReadOnlyMemory<byte>, T> read)
    {
        var body = await RequestBody.ReadAsync(context, options.MaxDocumentBytes, null, context.RequestAborted);
        try
        {
            if (body.Outcome != BodyOutcome.Complete)
            {
                throw new FieldException(ProblemKind.RequestTooLarge, null, $"is over the limit of {options.MaxDocumentBytes} bytes per document");
            }

            return DocumentText.Check(body.Memory.Span) is { } fault ? throw FieldException.Document(fault.Field, fault.Reason) : read(body.Memory);
        }
        finally
        {
            body.Release();
        }
    }

    public static long QueryNumber(IQueryCollection query, string name, long fallback, long min, long max)
    {
        var text = Single(query, name);
        if (text is null)
        {
            return fallback;
        }

        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw FieldException.Parameter(name, $"must be a whole number (got '{text}')");
        }

        return value >= min && value <= max
            ? value
            : throw FieldException.Parameter(name, max == long.MaxValue ? $"must be at least {min} (got {value})" : $"must be between {min} and {max} (got {value})");
    }

    private static DateTimeOffset QueryTime(IQueryCollection query, string name)
    {
        var text = Single(query, name) ?? throw FieldException.Parameter(name, "is required: an RFC 3339 time such as 2026-11-27T16:00:00Z");
        return Rfc3339.TryParse(text, out var time, out var error)
            ? time
            : throw FieldException.Parameter(name, $"must be an RFC 3339 time such as 2026-11-27T16:00:00Z: '{text}' {error}");
    }

    public static string? Single(IQueryCollection query, string name)
    {
        if (!query.TryGetValue(name, out StringValues values) || values.Count == 0)
        {
            return null;
        }

        return values.Count == 1 ? values[0] : throw FieldException.Parameter(name, $"is given {values.Count} times; give it once");
    }

    private static BrokerException NoNamespace(string name) =>
        new(BrokerErrorKind.NotFound, $"There is no namespace '{name}'.", "namespace");

    private static BrokerException NoEventbus(string ns, string name) =>
        new(BrokerErrorKind.NotFound, $"Namespace '{ns}' has no eventbus '{name}'.", "eventbus");
}
