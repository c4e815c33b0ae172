using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vanus.Cluster;
using Vanus.Gateway;

namespace Vanus.Cli.Node;

/// <summary>
/// Runs a node: the cluster member (controller, eventlogs) and the HTTP gateway on one port, until Ctrl-C or SIGTERM,
/// then stops in order — HTTP first so in-flight requests finish, then the node, which syncs and closes every eventlog.
/// </summary>
internal static class NodeHost
{
    public static async Task<int> RunAsync(NodeSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        // One logging pipeline for the node's actors and its HTTP host, so --log-format covers every line.
        using var loggerFactory = LoggerFactory.Create(logging => ConfigureLogging(logging, settings.LogFormat));
        var nodeOptions = settings.ToNodeOptions() with { LoggerFactory = loggerFactory };
        var gatewayOptions = settings.ToGatewayOptions();
        var port = settings.Port;
        var bind = settings.Bind;
        IPAddress? address = null;
        if (bind != "localhost" && !IPAddress.TryParse(bind, out address))
        {
            throw new NodeSettingsException($"--bind must be an IP address or localhost, not '{bind}'");
        }

        settings.CheckExposure(address);

        // The listeners known before anything starts are refused as sink targets from the first delivery on.
        if (port != 0)
        {
            nodeOptions.Outbound.AddListener(new IPEndPoint(address ?? IPAddress.Loopback, port));
        }

        if (nodeOptions.ClusterPort != 0 && IPAddress.TryParse(nodeOptions.ClusterHost, out var clusterHost))
        {
            nodeOptions.Outbound.AddListener(new IPEndPoint(clusterHost, nodeOptions.ClusterPort));
        }

        using var certificate = settings.TlsCertificate();
        if (port != 0)
        {
            nodeOptions = nodeOptions with { HttpEndpoint = AdvertisedEndpoint(certificate is null ? "http" : "https", address, nodeOptions.ClusterHost, port) };
        }

        var node = await VanusNode.StartAsync(nodeOptions, cancellationToken).ConfigureAwait(false);
        var abandoned = false;
        try
        {
            // No config file watching: the node takes no appsettings, and a watcher on the working directory (often a
            // busy one, such as /tmp) cost several percent of the CPU under load in a trace.
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
            {
                Args = ["--hostBuilder:reloadConfigOnChange=false"],
                ContentRootPath = AppContext.BaseDirectory,
            });
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton(loggerFactory);
            builder.WebHost.UseKestrel(k =>
            {
                k.UseVanusGateway();
                void Https(Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions listen)
                {
                    if (certificate is not null)
                    {
                        listen.UseHttps(certificate);
                    }
                }

                if (address is null)
                {
                    k.ListenLocalhost(port, Https);
                }
                else
                {
                    k.Listen(address, port, Https);
                }
            });
            builder.Services.AddSingleton(node.Broker);
            builder.Services.AddSingleton(node.Subscriptions);
            builder.Services.AddSingleton(node.Schedules);
            builder.Services.AddSingleton(node.Timers);
            builder.Services.AddSingleton(node.Tokens);
            builder.Services.AddVanusGateway(gatewayOptions);
            var app = builder.Build();
            app.MapVanusGateway();
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Vanus.Node");
            var urls = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var listening = string.Join(", ", urls);

            // Sinks may not point back at this node: the listeners on ports taken at start (0 asked for any) join those
            // registered before it.
            foreach (var url in port == 0 ? urls : [])
            {
                if (Uri.TryCreate(url.Replace("://+:", "://0.0.0.0:", StringComparison.Ordinal).Replace("://[::]:", "://0.0.0.0:", StringComparison.Ordinal), UriKind.Absolute, out var bound))
                {
                    nodeOptions.Outbound.AddListener(new IPEndPoint(bound.Host == "localhost" ? IPAddress.Loopback : IPAddress.TryParse(bound.DnsSafeHost, out var ip) ? ip : IPAddress.Any, bound.Port));
                }
            }

            var at = node.ClusterAddress.IndexOf('@', StringComparison.Ordinal);
            if (nodeOptions.ClusterPort == 0 && at > 0 && Uri.TryCreate("tcp://" + node.ClusterAddress[(at + 1)..], UriKind.Absolute, out var cluster)
                && IPAddress.TryParse(cluster.DnsSafeHost, out var clusterIp))
            {
                nodeOptions.Outbound.AddListener(new IPEndPoint(clusterIp, cluster.Port));
            }

            logger.LogInformation("vanus node listening on {Urls}, {Storage}, cluster {ClusterAddress}", listening, settings.DescribeStorage(), node.ClusterAddress);

            var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
            try
            {
                await node.WaitUntilReadyAsync(stopping.Token).ConfigureAwait(false);
                logger.LogInformation("vanus node ready");
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                // Stopped before it became ready: shut down as usual below.
            }

            await Task.WhenAny(app.WaitForShutdownAsync(cancellationToken), node.Removed).ConfigureAwait(false);
            var removed = node.Removed.IsCompleted;
            if (removed)
            {
                // Akka cannot take a removed member back: exit, so that a supervisor (systemd, Kubernetes) starts it again
                // and its replicas rejoin.
                logger.LogError("vanus node was removed from the cluster (downed after it was unreachable, or quarantined by a peer); stopping: start it again to rejoin");
            }

            logger.LogInformation("vanus node stopping: finishing requests, syncing eventlogs");
            if (removed)
            {
                // Requests in flight wait on a cluster the node is no longer part of: they get 5 s, not the host's 30.
                using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                try
                {
                    await app.StopAsync(quick.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Cut short on purpose.
                }
            }

            await app.DisposeAsync().ConfigureAwait(false);
            if (removed)
            {
                // The actor system's own shutdown after a removal can wait out several phase timeouts: the process exits
                // after 15 s whatever it still waits for, and its logs recover at the next start.
                using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                try
                {
                    await node.StopAsync(bound.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    logger.LogWarning("vanus node did not finish stopping within 15 s of its removal; exiting anyway");
                    abandoned = true;
                }
            }
            else
            {
                await node.StopAsync(CancellationToken.None).ConfigureAwait(false);
            }

            output.WriteLine("vanus node stopped");
            output.Flush();
            return removed ? ExitCodes.Removed : ExitCodes.Ok;
        }
        finally
        {
            if (!abandoned)
            {
                await node.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>The URL other nodes and clients reach this node's HTTP port at: a wildcard bind is reached at the cluster host.</summary>
    internal static string AdvertisedEndpoint(string scheme, IPAddress? bound, string clusterHost, int port)
    {
        var host = bound is null ? "127.0.0.1"
            : bound.Equals(IPAddress.Any) || bound.Equals(IPAddress.IPv6Any) ? clusterHost
            : bound.ToString();
        if (host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('['))
        {
            host = $"[{host}]";
        }

        return $"{scheme}://{host}:{port.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    private static void ConfigureLogging(ILoggingBuilder logging, string format)
    {
        if (format == "json")
        {
            logging.AddJsonConsole(o => o.IncludeScopes = false);
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                o.UseUtcTimestamp = true;
            });
        }

        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        // Akka's own modules log every cluster event at info; their warnings and errors are what an operator needs.
        logging.AddFilter("Akka", LogLevel.Warning);
    }
}
