using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vanus.Cluster;

namespace Vanus.Gateway;

/// <summary>Registers the HTTP gateway and management API with a host's services.</summary>
public static class GatewayServiceCollectionExtensions
{
    /// <summary>Adds the gateway with a copy of <paramref name="options"/> (defaults when null); it serves the <see cref="IEventbusBroker"/> and <see cref="ISubscriptionBroker"/> registered in the container.</summary>
    public static IServiceCollection AddVanusGateway(this IServiceCollection services, GatewayOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var copy = (options ?? new GatewayOptions()) with { };
        copy.Validate();
        services.AddRouting();
        services.AddSingleton(sp => new GatewayServices(
            sp.GetRequiredService<IEventbusBroker>(),
            sp.GetRequiredService<ISubscriptionBroker>(),
            copy,
            sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance));
        return services;
    }
}
