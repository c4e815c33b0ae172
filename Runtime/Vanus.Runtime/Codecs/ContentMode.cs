namespace Vanus.Runtime.Codecs;

/// <summary>How CloudEvents travel in an HTTP message.</summary>
public enum ContentMode
{
    /// <summary>Attributes in <c>ce-</c> headers, data as the body.</summary>
    Binary,
    /// <summary>One event as <c>application/cloudevents+json</c>.</summary>
    Structured,
    /// <summary>Several events as <c>application/cloudevents-batch+json</c>.</summary>
    Batch,
}
