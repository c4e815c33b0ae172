using System.Collections.Concurrent;
using Vanus.Runtime.Broker;

namespace Vanus.Gateway.Tests;

/// <summary>Tokens kept in memory, as the catalog keeps them: by name, found by the hash of their secret.</summary>
internal sealed class InMemoryTokens : ITokenBroker
{
    private readonly ConcurrentDictionary<string, TokenInfo> _tokens = new(StringComparer.Ordinal);

    public Task<TokenInfo> CreateTokenAsync(TokenInfo token, CancellationToken cancellationToken = default) =>
        _tokens.TryAdd(token.Name, token)
            ? Task.FromResult(token)
            : throw new BrokerException(BrokerErrorKind.AlreadyExists, $"token '{token.Name}' already exists", "name");

    public Task<IReadOnlyList<TokenInfo>> ListTokensAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<TokenInfo>>([.. _tokens.Values.OrderBy(t => t.Name, StringComparer.Ordinal)]);

    public Task<bool> DeleteTokenAsync(string name, CancellationToken cancellationToken = default) => Task.FromResult(_tokens.TryRemove(name, out _));

    public TokenInfo? FindByHash(string hash) => _tokens.Values.FirstOrDefault(t => t.Hash == hash);
}
