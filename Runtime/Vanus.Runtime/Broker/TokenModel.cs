namespace Vanus.Runtime.Broker;

/// <summary>A token as the catalog holds it: its name, the SHA-256 of its secret (never the secret), its roles and when it ends.</summary>
public sealed record TokenInfo(string Name, string Hash, IReadOnlyList<string> Roles, DateTimeOffset CreatedAt, DateTimeOffset? Expires)
{
    /// <summary>True once <paramref name="now"/> has reached the token's expiry.</summary>
    public bool IsExpiredAt(DateTimeOffset now) => Expires is { } expires && now >= expires;
}

/// <summary>
/// The API tokens of the cluster (DESIGN §7): kept in the replicated catalog, so a token created or revoked on one node
/// is known to every node as soon as the catalog reaches it.
/// </summary>
public interface ITokenBroker
{
    /// <summary>Stores a new token; refused (<see cref="BrokerErrorKind.AlreadyExists"/>) when one of that name exists.</summary>
    Task<TokenInfo> CreateTokenAsync(TokenInfo token, CancellationToken cancellationToken = default);

    /// <summary>Every token, by name.</summary>
    Task<IReadOnlyList<TokenInfo>> ListTokensAsync(CancellationToken cancellationToken = default);

    /// <summary>Revokes a token; false when there was none of that name.</summary>
    Task<bool> DeleteTokenAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>The token with this secret hash in this node's copy of the catalog (no I/O: it runs on every request), or null.</summary>
    TokenInfo? FindByHash(string hash);
}
