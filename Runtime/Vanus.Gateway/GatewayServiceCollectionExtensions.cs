using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vanus.Gateway.Http;
using Vanus.Runtime.Broker;

namespace Vanus.Gateway;

/// <summary>Registers the HTTP gateway and management API with a host's services.</summary>
public static class GatewayServiceCollectionExtensions
{
    /// <summary>
    /// Adds the gateway with a copy of <paramref name="options"/> (defaults when null); it serves the <see cref="IEventbusBroker"/>,
    /// <see cref="ISubscriptionBroker"/> and <see cref="IScheduleBroker"/> registered in the container, and reports and waits for an <see cref="ITimerService"/> if one is.
    /// </summary>
    public static IServiceCollection AddVanusGateway(this IServiceCollection services, GatewayOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var copy = (options ?? new GatewayOptions()) with { };
        copy.Validate();
        services.AddRouting();
        services.AddTransient<Microsoft.AspNetCore.Hosting.IStartupFilter, RouteProblems>();
        services.AddSingleton(sp => new GatewayServices(
            sp.GetRequiredService<IEventbusBroker>(),
            sp.GetRequiredService<ISubscriptionBroker>(),
            sp.GetRequiredService<IScheduleBroker>(),
            sp.GetService<ITimerService>(),
            sp.GetService<ITokenBroker>(),
            copy,
            sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance));
        return services;
    }
}
