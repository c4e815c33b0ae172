using System.Text;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Vanus.Gateway;

/// <summary>The Kestrel settings the gateway's HTTP contract relies on.</summary>
public static class GatewayKestrelExtensions
{
    /// <summary>The slowest a request body may arrive after its grace period before Kestrel ends the request.</summary>
    public const double MinBodyBytesPerSecond = 240;

    /// <summary>
    /// Configures Kestrel for the gateway: no body limit of Kestrel's own (the gateway answers its limits with problem
    /// documents), header values read one character per byte so raw UTF-8 in <c>ce-</c> headers reaches the binding
    /// (which decodes and checks it), and a minimum upload rate, so a stalled body ends instead of holding its request.
    /// </summary>
    public static KestrelServerOptions UseVanusGateway(this KestrelServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Limits.MaxRequestBodySize = null;
        options.RequestHeaderEncodingSelector = static _ => Encoding.Latin1;
        options.Limits.MinRequestBodyDataRate = new MinDataRate(MinBodyBytesPerSecond, TimeSpan.FromSeconds(5));
        options.AddServerHeader = false;
        return options;
    }
}
