namespace Vanus.Client;

/// <summary>
/// Where a published event went: its CloudEvent id, the server's <c>eventId</c>, and its eventlog and offset; or, when it
/// is held for later, its delivery time and no <c>eventId</c> (it has no place in its bus until it is appended).
/// </summary>
public sealed record EventPlacement(string Id, string? EventId, int? Eventlog, long? Offset, DateTimeOffset? DeliveryTime);
