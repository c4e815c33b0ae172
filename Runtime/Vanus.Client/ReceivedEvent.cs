using Vanus.Runtime.Events;

namespace Vanus.Client;

/// <summary>An event pulled from a subscription: acknowledge it (<see cref="AckAsync"/>) once handled, or the node redelivers it after the subscription's timeout.</summary>
public sealed class ReceivedEvent
{
    private readonly Func<string, CancellationToken, Task<int>> _ack;

    internal ReceivedEvent(string token, int eventlog, long offset, int attempt, Event @event, Func<string, CancellationToken, Task<int>> ack)
    {
        Token = token;
        Eventlog = eventlog;
        Offset = offset;
        Attempt = attempt;
        Event = @event;
        _ack = ack;
    }

    /// <summary>The event, with the attributes the node adds on read (<c>xvanuseventbus</c>, <c>xvanuseventlog</c>, <c>xvanusoffset</c>, <c>xvanusstime</c>).</summary>
    public Event Event { get; }

    /// <summary>The token that acknowledges this delivery.</summary>
    public string Token { get; }

    /// <summary>The eventlog the event was read from.</summary>
    public int Eventlog { get; }

    /// <summary>The event's offset in its eventlog.</summary>
    public long Offset { get; }

    /// <summary>Which delivery this is: 1 the first time, more when an earlier one was not acknowledged in time.</summary>
    public int Attempt { get; }

    /// <summary>Acknowledges this delivery; true when the node still had it outstanding, false when it had expired (it will come again).</summary>
    public async Task<bool> AckAsync(CancellationToken cancellationToken = default) => await _ack(Token, cancellationToken).ConfigureAwait(false) > 0;

    /// <summary>A short description: eventlog, offset, attempt and the event.</summary>
    public override string ToString() => $"ReceivedEvent(eventlog={Eventlog}, offset={Offset}, attempt={Attempt}, {Event})";
}
