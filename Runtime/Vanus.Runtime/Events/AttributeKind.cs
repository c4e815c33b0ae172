namespace Vanus.Runtime.Events;

/// <summary>The CloudEvents 1.0 type system for context attribute values.</summary>
public enum AttributeKind : byte
{
    /// <summary>A sequence of Unicode characters.</summary>
    String = 0,
    /// <summary>A signed 32-bit integer.</summary>
    Integer = 1,
    /// <summary>True or false.</summary>
    Boolean = 2,
    /// <summary>A sequence of bytes, written as base64 in text formats.</summary>
    Binary = 3,
    /// <summary>An absolute URI (RFC 3986 section 4.3).</summary>
    Uri = 4,
    /// <summary>A URI reference (RFC 3986 section 4.1).</summary>
    UriReference = 5,
    /// <summary>An RFC 3339 date and time.</summary>
    Timestamp = 6,
}
