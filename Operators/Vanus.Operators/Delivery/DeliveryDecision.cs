namespace Vanus.Operators.Delivery;

/// <summary>
/// What the scheduler decided after an attempt. <see cref="Due"/> is the retry's due time for <see cref="DeliveryDecisionKind.Retry"/>
/// and the decision's time otherwise; <see cref="Attempt"/> is the next attempt for a retry and the attempts made so far otherwise;
/// <see cref="Error"/> and <see cref="StatusCode"/> come from the failed attempt; <see cref="Reason"/> says why an item was given up.
/// </summary>
public readonly record struct DeliveryDecision(DeliveryDecisionKind Kind, DateTimeOffset Due, int Attempt, string? Error, string? Reason = null, int? StatusCode = null)
{
    /// <summary>The reason of an item given up after its last attempt failed.</summary>
    public const string MaxAttemptsExhausted = "MaxAttemptsExhausted";

    /// <summary>The reason of an item the sink refused (a status that is not retried).</summary>
    public const string SinkRefused = "SinkRefused";
}
