namespace Vanus.Operators.Delivery;

/// <summary>The result of one delivery attempt: its kind, the error text for users and the sink's status code when it answered.</summary>
public readonly record struct DeliveryOutcome(DeliveryOutcomeKind Kind, string? Error, int? StatusCode)
{
    /// <summary>The sink took the event.</summary>
    public static DeliveryOutcome Delivered { get; } = new(DeliveryOutcomeKind.Delivered, null, null);

    /// <summary>The attempt failed and may be tried again.</summary>
    public static DeliveryOutcome Retry(string error, int? status = null) => new(DeliveryOutcomeKind.Retryable, error, status);

    /// <summary>The sink refused the event; it goes to the dead-letter bus (or is dropped) at once.</summary>
    public static DeliveryOutcome Refuse(string error, int? status = null) => new(DeliveryOutcomeKind.Refused, error, status);
}
