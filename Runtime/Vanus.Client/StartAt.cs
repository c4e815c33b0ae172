using Vanus.Runtime.Events;

namespace Vanus.Client;

/// <summary>Where a new subscription starts reading its eventbus: the earliest stored event, the next appended one, or a point in time.</summary>
public sealed class StartAt
{
    private StartAt(string documentValue, DateTimeOffset? time)
    {
        DocumentValue = documentValue;
        Time = time;
    }

    /// <summary>From the first event still stored in each eventlog.</summary>
    public static StartAt Earliest { get; } = new("earliest", null);

    /// <summary>From the next event appended after the subscription is created (the node's default).</summary>
    public static StartAt Latest { get; } = new("latest", null);

    /// <summary>The time to start from, or null for <see cref="Earliest"/> and <see cref="Latest"/>.</summary>
    public DateTimeOffset? Time { get; }

    /// <summary>The value of the document's <c>from</c> field: <c>earliest</c>, <c>latest</c> or an RFC 3339 time.</summary>
    internal string DocumentValue { get; }

    /// <summary>From the first event stored at or after <paramref name="time"/>.</summary>
    public static StartAt At(DateTimeOffset time) => new(Rfc3339.Format(time), time);

    /// <summary>The document value: <c>earliest</c>, <c>latest</c> or the RFC 3339 time.</summary>
    public override string ToString() => DocumentValue;
}
