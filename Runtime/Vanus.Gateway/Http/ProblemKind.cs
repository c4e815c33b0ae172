namespace Vanus.Gateway.Http;

/// <summary>One kind of failure the gateway answers with: its RFC 9457 type, title and status, and the metrics label.</summary>
internal sealed class ProblemKind
{
    public const string TypePrefix = "urn:vanus:problem:";

    public static readonly ProblemKind InvalidEvent = new("invalid-event", 400, "Invalid CloudEvent");
    public static readonly ProblemKind ReservedAttribute = new("reserved-attribute", 400, "Reserved attribute");
    public static readonly ProblemKind InvalidRequest = new("invalid-request", 400, "Invalid request");
    public static readonly ProblemKind InvalidDocument = new("invalid-document", 400, "Invalid document");
    public static readonly ProblemKind InvalidParameter = new("invalid-parameter", 400, "Invalid parameter");
    public static readonly ProblemKind BadRequest = new("bad-request", 400, "Bad request");
    public static readonly ProblemKind Unauthorized = new("unauthorized", 401, "Unauthorized");
    public static readonly ProblemKind Forbidden = new("forbidden", 403, "Forbidden");
    public static readonly ProblemKind NotFound = new("not-found", 404, "Not found");
    public static readonly ProblemKind MethodNotAllowed = new("method-not-allowed", 405, "Method not allowed");
    public static readonly ProblemKind AlreadyExists = new("already-exists", 409, "Already exists");
    public static readonly ProblemKind EventTooLarge = new("event-too-large", 413, "Event too large");
    public static readonly ProblemKind RequestTooLarge = new("request-too-large", 413, "Request too large");
    public static readonly ProblemKind UnsupportedMediaType = new("unsupported-media-type", 415, "Unsupported media type");
    public static readonly ProblemKind Overloaded = new("overloaded", 429, "Overloaded");
    public static readonly ProblemKind Internal = new("internal", 500, "Internal error");
    public static readonly ProblemKind NotReady = new("not-ready", 503, "Not ready");
    public static readonly ProblemKind Unavailable = new("unavailable", 503, "Unavailable");
    public static readonly ProblemKind InsufficientStorage = new("insufficient-storage", 507, "Insufficient storage");

    private ProblemKind(string name, int status, string title)
    {
        Name = name;
        Status = status;
        Title = title;
        Type = TypePrefix + name;
    }

    /// <summary>The short name, used as the metrics label and the last part of <see cref="Type"/>.</summary>
    public string Name { get; }

    public int Status { get; }

    public string Title { get; }

    public string Type { get; }

    /// <summary>429, 503 and 507 tell the client when to come back.</summary>
    public bool RetryLater => Status is 429 or 503 or 507;
}
