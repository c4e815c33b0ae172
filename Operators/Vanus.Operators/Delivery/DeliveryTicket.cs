namespace Vanus.Operators.Delivery;

/// <summary>An item the scheduler hands out to attempt now: its id and which attempt this is (1 for the first).</summary>
public readonly record struct DeliveryTicket(long Id, int Attempt);
