using Vanus.Client;

namespace Vanus.Cli.Client;

/// <summary>The node answered, but refused the request (any status outside 2xx).</summary>
internal sealed class ServerRefusedException(ApiAnswer reply) : Exception($"the node answered {reply.Status} {reply.Reason}")
{
    public ApiAnswer Reply { get; } = reply;
}

/// <summary>The node could not be reached, or did not answer in time.</summary>
internal sealed class NodeUnreachableException(Uri endpoint, string reason, Exception? inner = null)
    : HttpRequestException($"error: cannot reach the Vanus node at {endpoint}: {reason}", inner)
{
    public Uri Endpoint { get; } = endpoint;
}

/// <summary>The node answered 2xx with a body that does not follow the HTTP contract (DESIGN §6).</summary>
internal sealed class UnexpectedReplyException(string message) : Exception(message);
