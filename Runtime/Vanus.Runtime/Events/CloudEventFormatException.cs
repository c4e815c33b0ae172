namespace Vanus.Runtime.Events;

/// <summary>Thrown when input is not a valid CloudEvent; says which event, which attribute and which rule.</summary>
public sealed class CloudEventFormatException : FormatException
{
    /// <summary>Creates the exception for an attribute (or null for the event as a whole) and the rule it breaks.</summary>
    public CloudEventFormatException(string? attribute, string rule, int? index = null, Exception? inner = null)
        : base(Describe(attribute, rule, index), inner)
    {
        Attribute = attribute;
        Rule = rule;
        Index = index;
    }

    /// <summary>The attribute at fault, or null when the fault is in the event's shape.</summary>
    public string? Attribute { get; }

    /// <summary>The rule broken, as a phrase (for example "must be an RFC 3339 timestamp").</summary>
    public string Rule { get; }

    /// <summary>The zero-based index of the event inside a batch, when the input was a batch.</summary>
    public int? Index { get; }

    /// <summary>Returns a copy that names the event's index inside a batch.</summary>
    public CloudEventFormatException AtIndex(int index) => new(Attribute, Rule, index, InnerException);

    private static string Describe(string? attribute, string rule, int? index)
    {
        var where = index is { } i ? $"event [{i}]" : "event";
        return attribute is null ? $"Invalid CloudEvent: {where} {rule}." : $"Invalid CloudEvent: {where}, attribute '{attribute}' {rule}.";
    }
}
