namespace Vanus.Operators.Delivery;

/// <summary>What becomes of an item after an attempt.</summary>
public enum DeliveryDecisionKind
{
    /// <summary>Delivered; the item is forgotten.</summary>
    Done,

    /// <summary>Attempt again at the decision's due time; the item stays tracked.</summary>
    Retry,

    /// <summary>Send the event to the dead-letter bus; the item is forgotten.</summary>
    DeadLetter,

    /// <summary>Drop the event and count it (dead-lettering is off); the item is forgotten.</summary>
    Drop,
}
