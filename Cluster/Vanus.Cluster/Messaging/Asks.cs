using Akka.Actor;
using Vanus.Runtime.Broker;

namespace Vanus.Cluster.Messaging;

/// <summary>The one way the node's components ask an actor: the expected answer, or a <see cref="BrokerException"/>.</summary>
internal static class Asks
{
    /// <summary>
    /// Asks <paramref name="target"/>: the expected answer is returned, a <see cref="Refusal"/> becomes a
    /// <see cref="BrokerException"/> of its kind, and no answer within <paramref name="timeout"/> an unavailable one naming
    /// <paramref name="who"/>.
    /// </summary>
    public static async Task<T> AskAsync<T>(this IActorRef target, object command, string who, TimeSpan timeout, CancellationToken cancellationToken)
    {
        object reply;
        try
        {
            reply = await target.Ask<object>(command, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (AskTimeoutException ex)
        {
            throw NoAnswer(who, timeout, ex);
        }

        return reply switch
        {
            T answer => answer,
            Refusal refusal => throw refusal.ToException(),
            _ => throw Unexpected(reply, who),
        };
    }

    /// <summary>The failure for an ask that got no answer in time.</summary>
    public static BrokerException NoAnswer(string who, TimeSpan timeout, Exception inner) =>
        new(BrokerErrorKind.Unavailable, $"{who} did not answer within {timeout.TotalSeconds:0.#} s", inner: inner);

    /// <summary>The failure for an answer of a type the asker did not expect.</summary>
    public static BrokerException Unexpected(object reply, string who) =>
        new(BrokerErrorKind.Unavailable, $"unexpected reply {reply.GetType().Name} from {who}");

    /// <summary>What a failed ask's reply (an exception, a refusal or an answer of the wrong type) says, for logs and retries.</summary>
    public static string Describe(object reply) => reply switch
    {
        Exception ex => ex.Message,
        Refusal refusal => refusal.Message,
        _ => reply.GetType().Name,
    };
}
