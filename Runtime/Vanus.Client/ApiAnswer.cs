using System.Text;
using System.Text.Json;
using Vanus.Client.Http;

namespace Vanus.Client;

/// <summary>A node's whole answer to one request: the method and path asked, status, reason phrase, media type, body and Retry-After.</summary>
public sealed record ApiAnswer(string Method, string Path, int Status, string? Reason, string? MediaType, byte[] Body, TimeSpan? RetryAfter)
{
    private const int MaxDetailChars = 500;

    /// <summary>True for a 2xx status.</summary>
    public bool IsSuccess => Status is >= 200 and < 300;

    /// <summary>True when the body is empty or only white space.</summary>
    public bool IsEmpty => Body.Length == 0 || Body.All(b => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n');

    /// <summary>The body as UTF-8 text.</summary>
    public string BodyText => Encoding.UTF8.GetString(Body);

    /// <summary>The body as a JSON document; throws <see cref="VanusApiException"/> when it is not JSON.</summary>
    internal JsonDocument Json()
    {
        try
        {
            return JsonDocument.Parse(Body);
        }
        catch (JsonException e)
        {
            throw Unexpected($"the body is not JSON ({e.Message})");
        }
    }

    /// <summary>An exception for a successful answer this client cannot read, saying what is wrong with it.</summary>
    internal VanusApiException Unexpected(string what) =>
        new($"{Method} /{Path} answered {Status}, but {what}.") { Status = Status, Detail = what, RetryAfter = RetryAfter };

    /// <summary>The exception a failed answer describes: its problem document's fields, or the start of its body when it has none.</summary>
    internal VanusApiException ToException()
    {
        if (TryReadProblem() is { } problem)
        {
            return problem;
        }

        var text = IsEmpty ? "(no body)" : Truncate(Encoding.UTF8.GetString(Body));
        return new VanusApiException($"{Method} /{Path} answered {Status}: {text}") { Status = Status, Detail = text, RetryAfter = RetryAfter };
    }

    private VanusApiException? TryReadProblem()
    {
        if (IsEmpty)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(Body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || (!root.TryGetProperty("type", out _) && !root.TryGetProperty("title", out _) && !root.TryGetProperty("detail", out _)))
            {
                return null;
            }

            var type = JsonRead.String(root, "type");
            var kind = type is null ? null : type.StartsWith(VanusApiException.ProblemTypePrefix, StringComparison.Ordinal) ? type[VanusApiException.ProblemTypePrefix.Length..] : type;
            var title = JsonRead.String(root, "title");
            var detail = JsonRead.String(root, "detail");
            var field = JsonRead.String(root, "field");
            var reason = JsonRead.String(root, "reason");
            var message = new StringBuilder($"{Method} /{Path} answered {Status}");
            if (kind is not null)
            {
                message.Append(' ').Append(kind);
            }

            message.Append(": ").Append(detail ?? title ?? "(no detail)");
            if (field is not null && (detail is null || !detail.Contains(field, StringComparison.Ordinal)))
            {
                message.Append(" (field '").Append(field).Append('\'').Append(reason is null ? "" : ": " + reason).Append(')');
            }

            return new VanusApiException(message.ToString())
            {
                Status = Status,
                Type = type,
                Kind = kind,
                Title = title,
                Detail = detail,
                Field = field,
                Reason = reason,
                Attribute = JsonRead.String(root, "attribute"),
                Rule = JsonRead.String(root, "rule"),
                EventIndex = JsonRead.OptionalInt(root, "eventIndex"),
                Instance = JsonRead.String(root, "instance"),
                RetryAfter = RetryAfter,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Truncate(string text) => text.Length <= MaxDetailChars ? text : text[..MaxDetailChars] + "…";
}
