namespace Vanus.Runtime.Broker;

/// <summary>
/// The member names of the subscription document (DESIGN §6) and of its <c>delivery</c> object: one spelling for the
/// gateway that reads and writes the document, the client and the CLI that build it, and the checks that name a field.
/// </summary>
public static class SubscriptionFields
{
    /// <summary>The filters, an array of filter objects (all must pass).</summary>
    public const string Filters = "filters";

    /// <summary>The transformer object.</summary>
    public const string Transformer = "transformer";

    /// <summary>The sink's URL (absent for a pull subscription).</summary>
    public const string Sink = "sink";

    /// <summary>Headers sent with every delivery.</summary>
    public const string SinkHeaders = "sinkHeaders";

    /// <summary><c>http</c> or <c>pull</c>.</summary>
    public const string Protocol = "protocol";

    /// <summary><c>binary</c> or <c>structured</c> CloudEvents mode.</summary>
    public const string Mode = "mode";

    /// <summary>How long after its store time an event is delivered.</summary>
    public const string Delay = "delay";

    /// <summary>Where a new subscription starts: <c>earliest</c>, <c>latest</c> or a time.</summary>
    public const string From = "from";

    /// <summary>The delivery settings object.</summary>
    public const string Delivery = "delivery";

    /// <summary>Delivery: attempts before an event is dead-lettered or dropped.</summary>
    public const string MaxAttempts = "maxAttempts";

    /// <summary>Delivery: the waits between attempts.</summary>
    public const string Backoff = "backoff";

    /// <summary>Delivery: how long one attempt may take.</summary>
    public const string Timeout = "timeout";

    /// <summary>Delivery: whether events that fail go to the dead-letter bus.</summary>
    public const string DeadLetter = "deadLetter";

    /// <summary>Delivery: events of one partition key one at a time, in offset order.</summary>
    public const string Ordered = "ordered";

    /// <summary>Delivery: attempts in flight at most.</summary>
    public const string Inflight = "inflight";

    /// <summary>Delivery: events per second at most (0: unlimited).</summary>
    public const string RateLimit = "rateLimit";
}
