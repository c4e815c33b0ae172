using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Vanus.Gateway.Http;
using Vanus.Gateway.Observability;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Codecs;
using Vanus.Runtime.Events;

namespace Vanus.Gateway.Ingest;

/// <summary>
/// Takes CloudEvents over HTTP (binary, structured and batch modes) for one eventbus: admits, reads, decodes and checks
/// every event before any is appended, then answers where each went once the broker has them durable.
/// </summary>
internal sealed partial class IngestHandler(
    IEventbusBroker broker,
    GatewayOptions options,
    IngestGate gate,
    GatewayMetrics metrics,
    ProblemResponder problems,
    ILogger logger)
{
    public const string DefaultNamespace = "default";

    public Task HandleDefaultAsync(HttpContext context) =>
        HandleAsync(context, DefaultNamespace, RouteValues.Get(context, "eventbus"));

    public Task HandleNamespacedAsync(HttpContext context) =>
        HandleAsync(context, RouteValues.Get(context, "ns"), RouteValues.Get(context, "eventbus"));

    private async Task HandleAsync(HttpContext context, string @namespace, string eventbus)
    {
        if (!broker.IsReady)
        {
            await problems.WriteAsync(context, new Problem(ProblemKind.NotReady, "The node is starting or recovering and takes no events yet; retry shortly."));
            return;
        }

        if (EventbusNames.IsDeadLetter(eventbus))
        {
            await problems.WriteAsync(context, new Problem(ProblemKind.Forbidden, $"Eventbus '{eventbus}' is a dead-letter bus: only the node writes there (resend its events with the subscription's deadletters/resend).") { Field = "eventbus" });
            return;
        }

        var request = context.Request;
        ContentMode mode;
        try
        {
            mode = HttpBinding.DetectMode(request.ContentType);
        }
        catch (CloudEventFormatException e)
        {
            await problems.WriteAsync(context, new Problem(ProblemKind.UnsupportedMediaType, $"Content-Type '{request.ContentType}' {e.Rule}."));
            return;
        }

        // In binary mode the body is one event's data, so the event limit applies to the body itself.
        var binary = mode == ContentMode.Binary;
        long limit = binary ? Math.Min(options.MaxEventBytes, options.MaxRequestBytes) : options.MaxRequestBytes;
        var declared = request.ContentLength;
        if (declared > limit)
        {
            await problems.WriteAsync(context, TooLarge(binary, limit, declared));
            return;
        }

        if (!gate.TryEnter())
        {
            await problems.WriteAsync(context, new Problem(ProblemKind.Overloaded, $"The gateway is handling its limit of {options.MaxConcurrentIngests} ingest requests; retry shortly."));
            return;
        }

        long reserved = 0;
        try
        {
            // Bytes are reserved as they arrive, never on the word of Content-Length: a stalled upload holds only what it sent.
            RequestBody body;
            try
            {
                body = await RequestBody.ReadAsync(context, limit, gate, context.RequestAborted);
            }
            catch (BadHttpRequestException e)
            {
                await problems.WriteAsync(context, new Problem(ProblemKind.BadRequest, $"The request body could not be read: {e.Message}"));
                return;
            }

            reserved = body.Reserved;
            switch (body.Outcome)
            {
                case BodyOutcome.TooLarge:
                    await problems.WriteAsync(context, TooLarge(binary, limit, null));
                    return;
                case BodyOutcome.OverBudget:
                    await problems.WriteAsync(context, OverBudget());
                    return;
            }

            var bodyLength = body.Memory.Length;
            IReadOnlyList<Event> events;
            try
            {
                events = mode switch
                {
                    ContentMode.Structured => [JsonEventFormat.Decode(body.Memory.Span)],
                    ContentMode.Batch => JsonEventFormat.DecodeBatch(body.Memory.Span),
                    _ => [HttpBinding.DecodeBinary(new CeHeaders(request.Headers), request.ContentType, body.Memory)],
                };
            }
            catch (CloudEventFormatException e)
            {
                await problems.WriteAsync(context, Problem.FromFormat(e, mode == ContentMode.Batch));
                return;
            }
            finally
            {
                // Decoding copied what the events keep, so the body's buffer goes back before the append waits.
                body.Release();
            }

            if (Check(events, mode == ContentMode.Batch) is { } refused)
            {
                await problems.WriteAsync(context, refused);
                return;
            }

            var started = options.TimeProvider.GetTimestamp();
            IReadOnlyList<AppendedEvent> appended;
            try
            {
                // Not cancelled when the client leaves: an append cut short part way would store part of a request.
                appended = await broker.AppendAsync(@namespace, eventbus, events, CancellationToken.None);
            }
            catch (BrokerException e)
            {
                await problems.WriteAsync(context, Problem.FromBroker(e));
                return;
            }

            metrics.AppendLatency.Observe(options.TimeProvider.GetElapsedTime(started));
            metrics.Stored(@namespace, eventbus, events.Count, bodyLength);
            JsonResponse.Write(context.Response, StatusCodes.Status200OK, JsonResponse.JsonContentType, appended, static (writer, a) => IngestAnswer.Write(writer, a));
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            LogAborted(logger, request.Path.Value ?? "");
        }
        catch (IOException e) when (context.RequestAborted.IsCancellationRequested)
        {
            LogAborted(logger, $"{request.Path.Value} ({e.Message})");
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            await problems.WriteAsync(context, new Problem(ProblemKind.Internal, "The request failed inside the node; nothing is known to be stored. See the node's log."), e);
        }
        finally
        {
            gate.Release(reserved);
            gate.Exit();
        }
    }

    private Problem? Check(IReadOnlyList<Event> events, bool batch)
    {
        if (events.Count == 0)
        {
            return new Problem(ProblemKind.InvalidEvent, "The batch holds no events; send at least one.") { Rule = "a batch must hold at least one event" };
        }

        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            int? index = batch ? i : null;
            var where = batch ? $"event [{i}]" : "event";
            if (EventChecks.ReservedAttribute(e) is { } reserved)
            {
                const string reservedRule = "is reserved: names starting with 'xvanus' are set by the runtime, not by producers";
                return new Problem(ProblemKind.ReservedAttribute, $"The {where} sets attribute '{reserved}', which {reservedRule}.")
                {
                    EventIndex = index,
                    Attribute = reserved,
                    Rule = reservedRule,
                };
            }

            // A time in the past is valid: the broker appends such an event at once. Only the form is checked here.
            if (!DeliveryTimes.TryRead(e, out _, out var deliveryTimeError))
            {
                return new Problem(ProblemKind.InvalidEvent, $"The {where} is invalid: {deliveryTimeError}.")
                {
                    EventIndex = index,
                    Attribute = DeliveryTimes.Attribute,
                    Rule = "must be an RFC 3339 timestamp",
                };
            }

            var size = EventSize.Of(e);
            if (size > options.MaxEventBytes)
            {
                return new Problem(ProblemKind.EventTooLarge, $"The {where} is {size} bytes, over the limit of {options.MaxEventBytes} bytes per event.")
                {
                    EventIndex = index,
                    Limit = options.MaxEventBytes,
                };
            }
        }

        return null;
    }

    private static Problem TooLarge(bool binary, long limit, long? declared)
    {
        var size = declared is { } d ? $"is {d} bytes, over" : "is over";
        return binary
            ? new Problem(ProblemKind.EventTooLarge, $"The event's data {size} the limit of {limit} bytes per event.") { Limit = limit }
            : new Problem(ProblemKind.RequestTooLarge, $"The request body {size} the limit of {limit} bytes per request.") { Limit = limit };
    }

    private Problem OverBudget() =>
        new(ProblemKind.Overloaded, $"The gateway holds its limit of {options.MaxBufferedBytes} bytes of request bodies; retry shortly.");

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Ingest request {Path} ended because the client went away")]
    private static partial void LogAborted(ILogger logger, string path);
}
