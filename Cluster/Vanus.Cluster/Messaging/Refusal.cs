using MessagePack;
using Vanus.Cluster.Serialization;
using Vanus.Runtime.Broker;

namespace Vanus.Cluster.Messaging;

/// <summary>
/// Any actor's answer to a command it will not carry out (the controller, an eventlog, a trigger): the kind decides the
/// status code the gateway answers, the field says what was wrong.
/// </summary>
[MessagePackObject]
internal sealed record Refusal(
    [property: Key(0)] BrokerErrorKind Kind,
    [property: Key(1)] string Message,
    [property: Key(2)] string? Field) : IClusterMessage
{
    /// <summary>The refusal as the broker throws it.</summary>
    public BrokerException ToException() => new(Kind, Message, Field);
}
