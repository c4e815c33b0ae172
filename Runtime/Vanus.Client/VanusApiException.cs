namespace Vanus.Client;

/// <summary>
/// A call the node refused or failed: the HTTP status and, when the node answered with an RFC 9457 problem document, its
/// kind (<c>not-found</c>, <c>invalid-request</c>, …), the field at fault, the reason and the detail.
/// </summary>
public sealed class VanusApiException : Exception
{
    /// <summary>The prefix of every Vanus problem type; <see cref="Kind"/> is what follows it.</summary>
    public const string ProblemTypePrefix = "urn:vanus:problem:";

    /// <summary>Creates an exception with a message only (the status is 0).</summary>
    public VanusApiException()
        : this("The Vanus node refused the call.")
    {
    }

    /// <summary>Creates an exception with a message only (the status is 0).</summary>
    public VanusApiException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause (the status is 0).</summary>
    public VanusApiException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The HTTP status code the node answered with (0 when none was received).</summary>
    public int Status { get; init; }

    /// <summary>The problem kind, the part of the type after <c>urn:vanus:problem:</c> (such as <c>not-found</c>); the whole type when it is not a Vanus one; null without a problem document.</summary>
    public string? Kind { get; init; }

    /// <summary>The problem document's <c>type</c> URI, or null.</summary>
    public string? Type { get; init; }

    /// <summary>The problem document's <c>title</c>, or null.</summary>
    public string? Title { get; init; }

    /// <summary>The problem document's <c>detail</c>: what went wrong, in a sentence; or the start of a non-problem answer's body.</summary>
    public string? Detail { get; init; }

    /// <summary>The document field (JSON path) or query parameter at fault, or null.</summary>
    public string? Field { get; init; }

    /// <summary>Why the field was refused, or null.</summary>
    public string? Reason { get; init; }

    /// <summary>The CloudEvent attribute at fault in an ingest request, or null.</summary>
    public string? Attribute { get; init; }

    /// <summary>The CloudEvents rule the attribute breaks, or null.</summary>
    public string? Rule { get; init; }

    /// <summary>The zero-based index of the event at fault in a batch, or null.</summary>
    public int? EventIndex { get; init; }

    /// <summary>The request path the problem is about (the document's <c>instance</c>), or null.</summary>
    public string? Instance { get; init; }

    /// <summary>How long the node asked the client to wait before retrying (its <c>Retry-After</c>), or null.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>True for answers worth retrying later: 429 and 5xx.</summary>
    public bool IsTransient => Status is 429 or >= 500;
}
