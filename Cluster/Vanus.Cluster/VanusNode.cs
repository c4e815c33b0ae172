using Vanus.Cluster.Hosting;

namespace Vanus.Cluster;

/// <summary>Starts nodes.</summary>
public static class VanusNode
{
    /// <summary>
    /// Starts a node: creates the data folder, starts the actor system and joins the cluster (itself when there are no
    /// seeds). Returns once the node is started; <see cref="IVanusNode.WaitUntilReadyAsync"/> tells when it serves.
    /// </summary>
    public static Task<IVanusNode> StartAsync(NodeOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return ClusterNode.StartAsync(options with { Seeds = [.. options.Seeds] }, cancellationToken);
    }
}
