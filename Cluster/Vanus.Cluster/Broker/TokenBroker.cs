using Akka.Actor;
using Vanus.Cluster.Controller;
using Vanus.Runtime.Broker;

namespace Vanus.Cluster.Broker;

/// <summary>The node's <see cref="ITokenBroker"/>: tokens live in the catalog; lookups read this node's copy of it.</summary>
internal sealed class TokenBroker(IActorRef controller, EventlogAppender appender) : CatalogBroker(controller, appender), ITokenBroker
{
    public async Task<TokenInfo> CreateTokenAsync(TokenInfo token, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(token);
        var changed = await ChangeCatalogAsync<TokenChanged>(new CreateToken(TokenEntry.From(token)), cancellationToken).ConfigureAwait(false);
        return changed.Token.ToInfo();
    }

    public Task<IReadOnlyList<TokenInfo>> ListTokensAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<TokenInfo>>([.. Serving().View.TokenList.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => t.ToInfo())]);

    public async Task<bool> DeleteTokenAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return (await ChangeCatalogAsync<CatalogDeleted>(new DeleteToken(name), cancellationToken).ConfigureAwait(false)).Found;
    }

    public TokenInfo? FindByHash(string hash) => Catalog.Current.TokenByHash(hash)?.ToInfo();
}
