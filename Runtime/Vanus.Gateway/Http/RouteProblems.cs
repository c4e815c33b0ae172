using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Vanus.Gateway.Http;

/// <summary>
/// Answers a request that no route takes (404) or that names a route with a method it does not take (405) with a
/// problem document, as every other answer of the node: routing itself leaves both with an empty body.
/// </summary>
internal sealed class RouteProblems : IStartupFilter
{
    // The display name ASP.NET Core routing gives the endpoint it selects for a path matched with the wrong method.
    private const string MethodMismatchEndpoint = "405 HTTP Method Not Supported";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            await nextMiddleware(context);
            // Checked first and cheaply: this runs after every request, and only empty 404 and 405 answers are its business.
            var response = context.Response;
            if (response.StatusCode is not (StatusCodes.Status404NotFound or StatusCodes.Status405MethodNotAllowed) || response.HasStarted || response.ContentLength is not null)
            {
                return;
            }

            var endpoint = context.GetEndpoint();
            var problems = context.RequestServices.GetService<GatewayServices>()?.Problems;
            if (problems is null)
            {
                return;
            }

            var request = $"{context.Request.Method} {context.Request.Path}";
            if (response.StatusCode == StatusCodes.Status404NotFound && endpoint is null)
            {
                await problems.WriteAsync(context, new Problem(ProblemKind.NotFound, $"No route of the node takes {request}; see the HTTP contract (DESIGN §6)."));
            }
            else if (response.StatusCode == StatusCodes.Status405MethodNotAllowed && endpoint?.DisplayName == MethodMismatchEndpoint)
            {
                var allowed = response.Headers.Allow.ToString();
                await problems.WriteAsync(context, new Problem(ProblemKind.MethodNotAllowed, $"{request} names a route that takes {(allowed.Length > 0 ? allowed : "other methods")} only."));
            }
        });
        next(app);
    };
}
