using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Vanus.Gateway.Observability;
using Vanus.Runtime.Codecs;

namespace Vanus.Gateway.Http;

/// <summary>Answers a failure: writes its RFC 9457 problem document, counts it and logs one line for it.</summary>
internal sealed partial class ProblemResponder(GatewayMetrics metrics, ILogger logger, TimeSpan retryAfter)
{
    public const string ContentType = "application/problem+json";

    private readonly string _retryAfter = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    public Task WriteAsync(HttpContext context, Problem problem, Exception? exception = null)
    {
        var request = context.Request;
        var response = context.Response;
        var instance = request.PathBase.Add(request.Path).Value ?? "/";
        metrics.Failed(problem.Kind);
        Log(logger, problem.Kind.Status >= 500 ? LogLevel.Error : LogLevel.Information, exception, request.Method, instance, problem.Kind.Status, problem.Kind.Name, problem.Detail);
        if (problem.Kind.RetryLater)
        {
            response.Headers.RetryAfter = _retryAfter;
        }

        JsonResponse.Write(response, problem.Kind.Status, ContentType, (problem, instance), static (writer, state) => Write(writer, state.problem, state.instance));
        return Task.CompletedTask;
    }

    internal static void Write(Utf8JsonWriter writer, Problem problem, string instance)
    {
        writer.WriteStartObject();
        writer.WriteString("type"u8, problem.Kind.Type);
        writer.WriteString("title"u8, problem.Kind.Title);
        writer.WriteNumber("status"u8, problem.Kind.Status);
        writer.WriteString("detail"u8, problem.Detail);
        writer.WriteString("instance"u8, instance);
        writer.WriteNumberIfSet("eventIndex", problem.EventIndex);
        writer.WriteStringIfSet("attribute", problem.Attribute);
        writer.WriteStringIfSet("rule", problem.Rule);
        writer.WriteStringIfSet("field", problem.Field);
        writer.WriteStringIfSet("reason", problem.Reason);
        writer.WriteNumberIfSet("limit", problem.Limit);

        if (problem.Stored is { } stored)
        {
            writer.WritePropertyName("stored"u8);
            IngestAnswer.WriteEvents(writer, stored);
        }

        writer.WriteEndObject();
    }

    [LoggerMessage(EventId = 1, Message = "{Method} {Instance} answered {Status} {Kind}: {Detail}")]
    private static partial void Log(ILogger logger, LogLevel level, Exception? exception, string method, string instance, int status, string kind, string detail);
}
