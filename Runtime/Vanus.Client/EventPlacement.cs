namespace Vanus.Client;

/// <summary>Where a published event went: its CloudEvent id, the server's <c>eventId</c>, and its eventlog and offset, or its delivery time when it is held for later.</summary>
public sealed record EventPlacement(string Id, string EventId, int? Eventlog, long? Offset, DateTimeOffset? DeliveryTime);
