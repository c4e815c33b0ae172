using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace Vanus.Node.Tests;

/// <summary>
/// Three real <c>vanus node</c> processes named n1..n3 on fixed HTTP and cluster ports, as in production: the three are the
/// seeds, so the catalog lives on <c>__meta</c> across them, and none is ready alone (the catalog needs two of the three).
/// </summary>
internal sealed class ThreeNodes(string root, NetworkLab? lab = null) : IAsyncDisposable
{
    // In a network lab each node has a namespace of its own, so all use the same ports.
    private const int LabHttpPort = 8080;
    private const int LabClusterPort = 4051;

    /// <summary>The nodes' names.</summary>
    public static readonly string[] Names = ["n1", "n2", "n3"];

    private readonly Dictionary<string, (int Http, int Cluster)> _ports = Names.ToDictionary(n => n, _ => (FreePort(), FreePort()));

    /// <summary>The nodes running now, by name.</summary>
    public Dictionary<string, NodeProcess> Nodes { get; } = [];

    /// <summary>The endpoint node <paramref name="name"/> serves HTTP on, running or not.</summary>
    public Uri EndpointOf(string name) => new($"http://{HostOf(name)}:{HttpPortOf(name).ToString(CultureInfo.InvariantCulture)}/");

    /// <summary>Node <paramref name="name"/>'s index, 1 to 3.</summary>
    public static int IndexOf(string name) => Array.IndexOf(Names, name) + 1;

    /// <summary>Starts the three and waits until each is ready.</summary>
    public async Task StartAllAsync()
    {
        foreach (var name in Names)
        {
            Nodes[name] = await StartProcessAsync(name, waitUntilReady: false);
        }

        foreach (var (name, node) in Nodes)
        {
            try
            {
                await node.WaitForLineAsync(l => l.Contains("vanus node ready", StringComparison.Ordinal), TimeSpan.FromSeconds(90));
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"{name} was not ready after 90 s; the nodes said:\n" + Diagnostics(_ => true), e);
            }
        }
    }

    /// <summary>Starts node <paramref name="name"/> (again) on its data folder and ports, and waits until it is ready.</summary>
    public async Task<NodeProcess> StartAsync(string name) => Nodes[name] = await StartProcessAsync(name, waitUntilReady: true);

    /// <summary>Kills node <paramref name="name"/> with SIGKILL; returns the <see cref="System.Diagnostics.Stopwatch"/> timestamp at which it was gone.</summary>
    public async Task<long> KillAsync(string name)
    {
        var node = Nodes[name];
        Nodes.Remove(name);
        await node.KillAsync();
        var gone = System.Diagnostics.Stopwatch.GetTimestamp();
        await node.DisposeAsync();
        return gone;
    }

    /// <summary>What each running node logged that matches <paramref name="keep"/> (its last lines): what to look at when a run fails.</summary>
    public string Diagnostics(Func<string, bool> keep) =>
        string.Join('\n', Nodes.Select(n => $"--- {n.Key} ---\n" + string.Join('\n', n.Value.Output.Split('\n').Where(keep).TakeLast(60))));

    /// <summary><c>GET /api/v1/cluster</c> on <paramref name="node"/>.</summary>
    public static async Task<JsonNode> ClusterAsync(NodeProcess node)
    {
        using var http = node.Client();
        return await Api.GetJsonAsync(http, "api/v1/cluster");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes.Values)
        {
            await node.DisposeAsync();
        }

        Nodes.Clear();
    }

    private Task<NodeProcess> StartProcessAsync(string name, bool waitUntilReady) =>
        NodeProcess.StartAsync(
            Path.Combine(root, name),
            waitUntilReady,
            null,
            lab?.Place(IndexOf(name)),
            "--name", name,
            "--port", HttpPortOf(name).ToString(CultureInfo.InvariantCulture),
            "--cluster-port", ClusterPortOf(name).ToString(CultureInfo.InvariantCulture),
            "--seeds", string.Join(',', Names.Select(n => $"akka.tcp://vanus@{HostOf(n)}:{ClusterPortOf(n).ToString(CultureInfo.InvariantCulture)}")));

    private string HostOf(string name) => lab?.Place(IndexOf(name)).Address ?? "127.0.0.1";

    private int HttpPortOf(string name) => lab is null ? _ports[name].Http : LabHttpPort;

    private int ClusterPortOf(string name) => lab is null ? _ports[name].Cluster : LabClusterPort;

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
