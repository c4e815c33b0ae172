using Microsoft.AspNetCore.Http;
using Vanus.Gateway.Http;
using Vanus.Gateway.Ingest;
using Vanus.Operators.Filters;
using Vanus.Operators.Transform;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Codecs;
using Vanus.Runtime.Events;

namespace Vanus.Gateway.Management;

/// <summary>
/// The subscription API of DESIGN §6: documents and lifecycle, the dry run, dead letters and pull consumption. Calls run
/// through <see cref="ManagementHandler.RunAsync{THandler}"/>, which answers failures as problem documents.
/// </summary>
internal sealed class SubscriptionHandler(
    ISubscriptionBroker subscriptions,
    IEventbusBroker buses,
    ManagementHandler management,
    GatewayOptions options,
    ProblemResponder problems)
{
    public const int DefaultDeadLetterCount = 100;
    public const int MaxDeadLetterCount = 1000;
    public const int DefaultPullMax = 100;
    public const int MaxPull = 1000;

    public static readonly TimeSpan DefaultPullWait = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan MaxPullWait = TimeSpan.FromSeconds(30);


    public async Task CreateAsync(HttpContext context)
    {
        var ns = RouteValues.Get(context, "ns");
        var spec = await management.ReadDocumentAsync(context, static body => Documents.ReadSubscription(body.Span));
        CheckNoMask(spec, null);
        CheckSink(spec);
        var created = await subscriptions.CreateSubscriptionAsync(ns, spec, context.RequestAborted);
        context.Response.Headers.Location = $"{ManagementHandler.Prefix}/{Uri.EscapeDataString(ns)}/subscriptions/{Uri.EscapeDataString(created.Spec.Name)}";
        WriteSubscription(context, StatusCodes.Status201Created, created);
    }

    public async Task ListAsync(HttpContext context)
    {
        var ns = RouteValues.Get(context, "ns");
        var all = await subscriptions.ListSubscriptionsAsync(ns, context.RequestAborted);
        JsonResponse.Write(context.Response, StatusCodes.Status200OK, JsonResponse.JsonContentType, all, static (w, list) => SubscriptionWriter.Write(w, list));
    }

    public async Task GetAsync(HttpContext context)
    {
        var (ns, name) = Names(context);
        WriteSubscription(context, StatusCodes.Status200OK, await FindAsync(context, ns, name));
    }

    public async Task UpdateAsync(HttpContext context)
    {
        var (ns, name) = Names(context);
        var spec = await management.ReadDocumentAsync(context, body => Documents.ReadSubscription(body.Span, name));

        // Reads show sink header values as the mask: a document read, edited and put back keeps the values it did not change.
        // Only for the same sink: kept values are credentials for that receiver, never to be sent to a new one.
        if (spec.SinkHeaders.Values.Any(v => v == SubscriptionWriter.Masked)
            && await subscriptions.GetSubscriptionAsync(ns, name, context.RequestAborted) is { } current
            && SameReceiver(current.Spec.Sink, spec.Sink))
        {
            var held = new Dictionary<string, string>(current.Spec.SinkHeaders, StringComparer.OrdinalIgnoreCase);
            spec = spec with
            {
                SinkHeaders = spec.SinkHeaders.ToDictionary(
                    h => h.Key,
                    h => h.Value == SubscriptionWriter.Masked && held.TryGetValue(h.Key, out var kept) ? kept : h.Value,
                    StringComparer.OrdinalIgnoreCase),
            };
        }

        CheckNoMask(spec, name);
        CheckSink(spec);
        WriteSubscription(context, StatusCodes.Status200OK, await subscriptions.UpdateSubscriptionAsync(ns, spec, context.RequestAborted));
    }

    public async Task DeleteAsync(HttpContext context)
    {
        var (ns, name) = Names(context);
        if (!await subscriptions.DeleteSubscriptionAsync(ns, name, context.RequestAborted))
        {
            throw NoSubscription(ns, name);
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    public async Task PauseAsync(HttpContext context)
    {
        var (ns, name) = Names(context);
        WriteSubscription(context, StatusCodes.Status200OK, await subscriptions.PauseSubscriptionAsync(ns, name, context.RequestAborted));
    }

    public async Task ResumeAsync(HttpContext context)
    {
        var (ns, name) = Names(context);
        WriteSubscription(context, StatusCodes.Status200OK, await subscriptions.ResumeSubscriptionAsync(ns, name, context.RequestAborted));
    }

    public async Task ResetAsync(HttpContext context)
    {
        var (ns, name) = Names(context);
        var time = await management.ReadDocumentAsync(context, static body => Documents.ReadResetTime(body.Span));
        WriteSubscription(context, StatusCodes.Status200OK, await subscriptions.ResetSubscriptionAsync(ns, name, time, context.RequestAborted));
    }

    /// <summary>The dry run: one CloudEvent in binary or structured mode through the stored filters and transformer.</summary>
    public async Task ValidateAsync(HttpContext context)
    {
        var (ns, name) = Names(context);
        var info = await FindAsync(context, ns, name);
        var request = context.Request;
        ContentMode mode;
        try
        {
            mode = HttpBinding.DetectMode(request.ContentType);
        }
        catch (CloudEventFormatException unsupported)
        {
            await problems.WriteAsync(context, new Problem(ProblemKind.UnsupportedMediaType, $"Content-Type '{request.ContentType}' {unsupported.Rule}."));
            return;
        }

        if (mode == ContentMode.Batch)
        {
            await problems.WriteAsync(context, new Problem(ProblemKind.UnsupportedMediaType, "A dry run takes one CloudEvent in binary or structured mode, not a batch."));
            return;
        }

        var limit = Math.Min(options.MaxEventBytes, options.MaxRequestBytes);
        var body = await RequestBody.ReadAsync(context, limit, null, context.RequestAborted);
        Event e;
        try
        {
            if (body.Outcome != BodyOutcome.Complete)
            {
                await problems.WriteAsync(context, new Problem(ProblemKind.EventTooLarge, $"The request body is over the limit of {limit} bytes per event.") { Limit = limit });
                return;
            }

            e = mode == ContentMode.Structured
                ? JsonEventFormat.Decode(body.Memory.Span)
                : HttpBinding.DecodeBinary(new CeHeaders(request.Headers), request.ContentType, body.Memory);
        }
        catch (CloudEventFormatException invalid)
        {
            await problems.WriteAsync(context, Problem.FromFormat(invalid, false));
            return;
        }
        finally
        {
            body.Release();
        }

        // The stored definitions were checked when the subscription was written, so they compile here.
        var spec = info.Spec;
        var filter = spec.Filters is { } filters ? SubscriptionFilter.Parse(filters) : null;
        var transformer = spec.Transformer is { } definition ? Transformer.Parse(definition) : null;
        var result = SubscriptionPreview.Validate(filter, transformer, e);
        JsonResponse.Write(context.Response, StatusCodes.Status200OK, JsonResponse.JsonContentType, result, static (w, r) => SubscriptionWriter.Write(w, r));
    }

    /// <summary>A page of dead letters, each with its <c>xvanusdl*</c> attributes and where it sits in the dead-letter bus.</summary>
    public async Task DeadLettersAsync(HttpContext context)
    {
        var (ns, name) = Names(context);
        var query = context.Request.Query;
        var eventlog = (int)ManagementHandler.QueryNumber(query, "eventlog", 0, 0, Documents.MaxEventlogs - 1);
        var offset = ManagementHandler.QueryNumber(query, "offset", 0, 0, long.MaxValue);
        var count = (int)ManagementHandler.QueryNumber(query, "count", DefaultDeadLetterCount, 1, MaxDeadLetterCount);
        var info = await FindAsync(context, ns, name);
        var records = await subscriptions.ReadDeadLettersAsync(ns, name, eventlog, offset, count, context.RequestAborted);
        var bus = await buses.GetEventbusAsync(ns, info.Spec.Eventbus, context.RequestAborted);
        var deadLetterBus = bus?.DeadLetterBus ?? EventbusNames.DeadLetterOf(info.Spec.Eventbus);
        await JsonResponse.StreamArrayAsync(context, JsonResponse.BatchContentType, null, records, (writer, record) =>
            JsonEventFormat.Write(writer, new EventRecord(deadLetterBus, record.Eventlog, record.Offset, record.StoreTime, record.Event).WithReadAttributes()));
    }

    public async Task ResendAsync(HttpContext context)
    {
        var (ns, name) = Names(context);
        var selection = await management.ReadDocumentAsync(context, static body => Documents.ReadResend(body.Span));
        var resent = await subscriptions.ResendDeadLettersAsync(ns, name, selection, context.RequestAborted);
        JsonResponse.Write(context.Response, StatusCodes.Status200OK, JsonResponse.JsonContentType, resent, static (w, n) =>
        {
            w.WriteStartObject();
            w.WriteNumber("resent"u8, n);
            w.WriteEndObject();
        });
    }

    /// <summary>A long poll: up to <c>max</c> events, waiting up to <c>wait</c> for the first; a client that leaves cancels the wait.</summary>
    private int _longPolls;

    public async Task PullAsync(HttpContext context)
    {
        var (ns, name) = Names(context);
        var query = context.Request.Query;
        var max = (int)ManagementHandler.QueryNumber(query, "max", DefaultPullMax, 1, MaxPull);
        var wait = QueryWait(query);

        // Each waiting pull holds a request and a parked entry at its trigger: the node bounds how many wait at once.
        var waits = wait > TimeSpan.Zero;
        if (waits && Interlocked.Increment(ref _longPolls) > options.MaxLongPolls)
        {
            Interlocked.Decrement(ref _longPolls);
            throw new BrokerException(BrokerErrorKind.Overloaded, $"this node already holds {options.MaxLongPolls} waiting pulls (--max-long-polls); retry, or pull with wait=0s");
        }

        IReadOnlyList<PulledEvent> pulled;
        try
        {
            pulled = await subscriptions.PullAsync(ns, name, max, wait, context.RequestAborted);
        }
        finally
        {
            if (waits)
            {
                Interlocked.Decrement(ref _longPolls);
            }
        }

        await JsonResponse.StreamArrayAsync(context, JsonResponse.JsonContentType, "events", pulled, static (writer, e) => SubscriptionWriter.Write(writer, e));
    }

    public async Task AckAsync(HttpContext context)
    {
        var (ns, name) = Names(context);
        var tokens = await management.ReadDocumentAsync(context, static body => Documents.ReadAck(body.Span));
        var acknowledged = await subscriptions.AckAsync(ns, name, tokens, context.RequestAborted);
        JsonResponse.Write(context.Response, StatusCodes.Status200OK, JsonResponse.JsonContentType, acknowledged, static (w, n) =>
        {
            w.WriteStartObject();
            w.WriteNumber("acknowledged"u8, n);
            w.WriteEndObject();
        });
    }

    private static (string Ns, string Name) Names(HttpContext context) => (RouteValues.Get(context, "ns"), RouteValues.Get(context, "name"));

    private async Task<SubscriptionInfo> FindAsync(HttpContext context, string ns, string name) =>
        await subscriptions.GetSubscriptionAsync(ns, name, context.RequestAborted) ?? throw NoSubscription(ns, name);

    private static void WriteSubscription(HttpContext context, int status, SubscriptionInfo info) =>
        JsonResponse.Write(context.Response, status, JsonResponse.JsonContentType, info, static (w, s) => SubscriptionWriter.Write(w, s));

    private static TimeSpan QueryWait(IQueryCollection query)
    {
        var text = ManagementHandler.Single(query, "wait");
        if (text is null)
        {
            return DefaultPullWait;
        }

        if (!Units.TryParseDuration(text, out var wait, out var error))
        {
            throw FieldException.Parameter("wait", $"must be a duration such as 5s: {error}");
        }

        return wait <= MaxPullWait ? wait : throw FieldException.Parameter("wait", $"must be at most {Units.FormatDuration(MaxPullWait)} (got '{text}')");
    }

    private static BrokerException NoSubscription(string ns, string name) =>
        new(BrokerErrorKind.NotFound, $"Namespace '{ns}' has no subscription '{name}'.", "subscription");

    private static void CheckNoMask(SubscriptionSpec spec, string? name)
    {
        foreach (var (header, value) in spec.SinkHeaders)
        {
            if (value == SubscriptionWriter.Masked)
            {
                throw FieldException.Document(
                    $"{SubscriptionFields.SinkHeaders}.{header}",
                    name is null ? "is the mask reads show, not a value: send the header's value" : $"is the mask reads show, and subscription '{name}' holds no such header to keep for this sink (a new sink takes its values sent again): send its value");
            }
        }
    }

    private void CheckSink(SubscriptionSpec spec)
    {
        if (spec.Sink is { } sink && Uri.TryCreate(sink, UriKind.Absolute, out var url) && options.Outbound.CheckUrl(url) is { } refused)
        {
            throw FieldException.Document(SubscriptionFields.Sink, $"is refused by the node's outbound address policy: {refused}");
        }
    }

    private static bool SameReceiver(string? stored, string? sent) =>
        Uri.TryCreate(stored, UriKind.Absolute, out var a) && Uri.TryCreate(sent, UriKind.Absolute, out var b)
        && a.Scheme.Equals(b.Scheme, StringComparison.OrdinalIgnoreCase) && a.Host.Equals(b.Host, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;
}
