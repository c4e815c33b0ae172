using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Vanus.Gateway.Http;
using Vanus.Gateway.Security;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Codecs;
using Vanus.Runtime.Events;

namespace Vanus.Gateway.Management;

/// <summary>
/// <c>/api/v1/tokens</c>: create (the secret is answered once and only its hash is kept), list (never a secret) and
/// revoke. Tokens exist only where authentication is on; elsewhere these calls say how to turn it on.
/// </summary>
internal sealed class TokenHandler(Guard guard, ManagementHandler management, GatewayOptions options)
{
    public const string Prefix = "/api/v1/tokens";

    public async Task CreateAsync(HttpContext context)
    {
        var tokens = Store();
        var (name, roles, lifetime) = await management.ReadDocumentAsync(context, static body => Documents.ReadToken(body.Span));
        var secret = TokenSecret.New();
        var now = options.TimeProvider.GetUtcNow();
        var created = await tokens.CreateTokenAsync(new TokenInfo(name, TokenSecret.Hash(secret), roles, now, now + lifetime), context.RequestAborted);
        context.Response.Headers.Location = $"{Prefix}/{Uri.EscapeDataString(created.Name)}";
        JsonResponse.Write(context.Response, StatusCodes.Status201Created, JsonResponse.JsonContentType, (created, secret), static (w, t) => Write(w, t.created, t.secret));
    }

    public async Task ListAsync(HttpContext context)
    {
        var all = await Store().ListTokensAsync(context.RequestAborted);
        JsonResponse.Write(context.Response, StatusCodes.Status200OK, JsonResponse.JsonContentType, all, static (w, list) => w.WriteArray(list, static (w2, t) => Write(w2, t, null)));
    }

    public async Task DeleteAsync(HttpContext context)
    {
        var name = RouteValues.Get(context, "name");
        if (!await Store().DeleteTokenAsync(name, context.RequestAborted))
        {
            throw new BrokerException(BrokerErrorKind.NotFound, $"token '{name}' does not exist", "name");
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private ITokenBroker Store() =>
        !guard.Enforcing
            ? throw new BrokerException(BrokerErrorKind.Invalid, "authentication is off on this node, so it takes no tokens: start it with VANUS_ADMIN_TOKEN or --admin-token-file")
            : guard.Tokens ?? throw new BrokerException(BrokerErrorKind.Unavailable, "this node keeps no token store");

    private static void Write(Utf8JsonWriter writer, TokenInfo token, string? secret)
    {
        writer.WriteStartObject();
        writer.WriteString("name"u8, token.Name);
        if (secret is not null)
        {
            writer.WriteString("token"u8, secret);
        }

        writer.WritePropertyName("roles"u8);
        writer.WriteStartArray();
        foreach (var role in token.Roles)
        {
            writer.WriteStringValue(role);
        }

        writer.WriteEndArray();
        writer.WriteString("createdAt"u8, Rfc3339.Format(token.CreatedAt));
        if (token.Expires is { } expires)
        {
            writer.WriteString("expires"u8, Rfc3339.Format(expires));
        }
        else
        {
            writer.WriteNull("expires"u8);
        }

        writer.WriteEndObject();
    }
}
