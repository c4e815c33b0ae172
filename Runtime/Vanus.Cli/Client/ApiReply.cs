using System.Text;

namespace Vanus.Cli.Client;

/// <summary>One answer of a node: status, media type and the whole body (management replies are small).</summary>
internal sealed record ApiReply(int Status, string? Reason, string? MediaType, byte[] Body)
{
    public bool IsSuccess => Status is >= 200 and < 300;

    public bool HasBody => Body.Length > 0;

    public string BodyText => Encoding.UTF8.GetString(Body);
}

/// <summary>The node answered, but refused the request (any status outside 2xx).</summary>
internal sealed class ServerRefusedException(ApiReply reply) : Exception($"the node answered {reply.Status} {reply.Reason}")
{
    public ApiReply Reply { get; } = reply;
}

/// <summary>The node could not be reached, or did not answer in time.</summary>
internal sealed class NodeUnreachableException(Uri endpoint, string reason, Exception? inner = null)
    : Exception($"error: cannot reach the Vanus node at {endpoint}: {reason}", inner)
{
    public Uri Endpoint { get; } = endpoint;
}

/// <summary>The node answered 2xx with a body that does not follow the HTTP contract (DESIGN §6).</summary>
internal sealed class UnexpectedReplyException(string message) : Exception(message);
