using Microsoft.AspNetCore.Http;

namespace Vanus.Gateway.Http;

/// <summary>Reads route values the endpoint's pattern guarantees.</summary>
internal static class RouteValues
{
    public static string Get(HttpContext context, string name) =>
        context.Request.RouteValues[name] as string ?? throw new InvalidOperationException($"The route has no '{name}' value.");
}
