namespace Vanus.Operators.Delivery;

/// <summary>What one delivery attempt came to.</summary>
public enum DeliveryOutcomeKind
{
    /// <summary>The sink took the event (2xx).</summary>
    Delivered,

    /// <summary>The attempt failed in a way worth trying again: 429, 5xx, a timeout or a connection error.</summary>
    Retryable,

    /// <summary>The sink refused the event for good (any other status); retrying would not help.</summary>
    Refused,
}
