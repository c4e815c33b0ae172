using Vanus.Runtime.Events;

namespace Vanus.Storage;

/// <summary>An event as read back from a log: its offset, the time the log stored it, and the event.</summary>
public readonly record struct StoredEvent(long Offset, DateTimeOffset StoreTime, Event Event);
