using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Vanus.Gateway.Http;
using Vanus.Runtime.Broker;

namespace Vanus.Gateway.Security;

/// <summary>
/// What every route but health passes before its handler (DESIGN §7): a browser's cross-site request is refused by its
/// <c>Origin</c>, a management body must be JSON (so no "simple" cross-site form post reaches it), and, when the node
/// has an admin token, the caller's bearer token must hold a role that allows the route's access.
/// </summary>
internal sealed class Guard(GatewayOptions options, ITokenBroker? tokens, ProblemResponder problems)
{
    private readonly byte[]? _adminHash = options.AdminToken is { } admin ? Encoding.ASCII.GetBytes(TokenSecret.Hash(admin)) : null;
    private readonly HashSet<string> _origins = new(options.AllowedOrigins, StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string>? _hosts = options.TrustedHosts is null ? null : new(options.TrustedHosts, StringComparer.OrdinalIgnoreCase);

    /// <summary>True when callers must present tokens.</summary>
    public bool Enforcing => _adminHash is not null;

    /// <summary>The token store, or null when this node keeps none.</summary>
    public ITokenBroker? Tokens => tokens;

    /// <summary>Runs <paramref name="next"/> once the request passes; otherwise answers the problem.</summary>
    public async Task RunAsync(HttpContext context, Func<HttpContext, Caller, ValueTask<Access>> access, bool jsonBody, RequestDelegate next)
    {
        if (CheckHost(context) is { } host)
        {
            await problems.WriteAsync(context, host);
            return;
        }

        if (CheckOrigin(context) is { } origin)
        {
            await problems.WriteAsync(context, origin);
            return;
        }

        if (jsonBody && CheckJsonBody(context.Request) is { } media)
        {
            await problems.WriteAsync(context, media);
            return;
        }

        var (caller, refused) = Authenticate(context);
        if (refused is not null)
        {
            context.Response.Headers.WWWAuthenticate = context.Request.Headers.Authorization.Count == 0 ? "Bearer" : "Bearer error=\"invalid_token\"";
            await problems.WriteAsync(context, refused);
            return;
        }

        var needed = await access(context, caller!);
        if (!caller!.Can(needed))
        {
            await problems.WriteAsync(context, new Problem(ProblemKind.Forbidden, $"Token '{caller.Name}' has no role that allows {needed} (it holds {string.Join(", ", caller.Roles)})."));
            return;
        }

        caller.AttachTo(context);
        await next(context);
    }

    /// <summary>
    /// Without tokens the node answers only to its own names: a page whose name was rebound to 127.0.0.1 (DNS rebinding)
    /// sends its own name as Host and Origin, which would otherwise pass as same-origin.
    /// </summary>
    private Problem? CheckHost(HttpContext context)
    {
        if (Enforcing || _hosts is null)
        {
            return null;
        }

        var host = context.Request.Host.Host;
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (System.Net.IPAddress.TryParse(host.Trim('[', ']'), out var address) && System.Net.IPAddress.IsLoopback(address))
            || _hosts.Contains(host.Trim('[', ']')))
        {
            return null;
        }

        return new Problem(ProblemKind.Forbidden, $"Host '{host}' is not one of this node's addresses: a node without tokens answers only to them (set tokens to serve other names).");
    }

    private Problem? CheckOrigin(HttpContext context)
    {
        var origin = context.Request.Headers.Origin;
        if (origin.Count == 0)
        {
            return null;
        }

        var value = origin.ToString();
        var own = $"{context.Request.Scheme}://{context.Request.Host.Value}";
        return string.Equals(value, own, StringComparison.OrdinalIgnoreCase) || _origins.Contains(value)
            ? null
            : new Problem(ProblemKind.Forbidden, $"Origin '{value}' is not this node's ({own}) nor one of --allowed-origins: a web page of another site may not call the node.");
    }

    private static Problem? CheckJsonBody(HttpRequest request)
    {
        var hasBody = request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);
        if (!hasBody)
        {
            return null;
        }

        return MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            && type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            && (!type.Charset.HasValue || type.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
            ? null
            : new Problem(ProblemKind.UnsupportedMediaType, $"Management documents are sent as application/json, not '{request.ContentType ?? "(none)"}'.");
    }

    private (Caller? Caller, Problem? Refused) Authenticate(HttpContext context)
    {
        if (_adminHash is null)
        {
            return (Caller.Anyone, null);
        }

        var header = context.Request.Headers.Authorization;
        if (header.Count == 0)
        {
            return (null, new Problem(ProblemKind.Unauthorized, "This node needs a token: send 'Authorization: Bearer <token>'."));
        }

        var value = header.ToString();
        if (!value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || value.Length <= 7)
        {
            return (null, new Problem(ProblemKind.Unauthorized, "The Authorization header must be 'Bearer <token>'."));
        }

        var hash = TokenSecret.Hash(value[7..].Trim());
        if (CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(hash), _adminHash))
        {
            return (new Caller("admin", [Role.Admin]), null);
        }

        if (tokens?.FindByHash(hash) is not { } token)
        {
            return (null, new Problem(ProblemKind.Unauthorized, "The token is not known to this node (revoked, or never created)."));
        }

        if (token.IsExpiredAt(options.TimeProvider.GetUtcNow()))
        {
            return (null, new Problem(ProblemKind.Unauthorized, $"Token '{token.Name}' expired at {Runtime.Events.Rfc3339.Format(token.Expires!.Value)}."));
        }

        var roles = new List<Role>(token.Roles.Count);
        foreach (var text in token.Roles)
        {
            if (Role.TryParse(text, out var role, out _))
            {
                roles.Add(role);
            }
        }

        return (new Caller(token.Name, roles), null);
    }
}
