using Vanus.Runtime.Broker;

namespace Vanus.Cluster.Tests;

/// <summary>Starts nodes the way every test here wants them: serialize-messages on, 127.0.0.1, any free port, a temp folder.</summary>
internal static class TestNode
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static NodeOptions Options(string dataDirectory) => new()
    {
        DataDirectory = dataDirectory,
        ClusterHost = "127.0.0.1",
        ClusterPort = 0,
        SerializeMessages = true,
        SegmentSize = 1 << 20,
    };

    public static async Task<IVanusNode> StartAsync(NodeOptions options)
    {
        using var cts = new CancellationTokenSource(Patience);
        var node = await VanusNode.StartAsync(options, cts.Token);
        try
        {
            await node.WaitUntilReadyAsync(cts.Token);
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }
}

/// <summary>A folder under the temp directory, deleted with everything in it when disposed.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "vanus-cluster-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a node that failed to stop: the temp folder is cleaned up by the OS.
        }
    }
}

/// <summary>One node shared by the tests of a class (each test uses names of its own).</summary>
public sealed class NodeFixture : IAsyncLifetime
{
    private readonly TempFolder _folder = new();

    public string DataDirectory => _folder.Path;

    public IVanusNode Node { get; private set; } = null!;

    public IEventbusBroker Broker => Node.Broker;

    public Microsoft.Extensions.Time.Testing.FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 27, 16, 0, 0, TimeSpan.Zero));

    public async Task InitializeAsync() => Node = await TestNode.StartAsync(TestNode.Options(_folder.Path) with { Time = Time });

    public async Task DisposeAsync()
    {
        await Node.DisposeAsync();
        _folder.Dispose();
    }
}
