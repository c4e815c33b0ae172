namespace Vanus.Node.Tests;

/// <summary>A test class whose nodes keep their data in a folder of their own, removed when the class's tests are done.</summary>
public abstract class NodeDataTests : IDisposable
{
    /// <summary>The data folder for the nodes this test starts.</summary>
    protected string Data { get; } = NewFolder();

    /// <summary>A fresh, unused data folder path under the temp folder.</summary>
    public static string NewFolder() => Path.Combine(Path.GetTempPath(), "vanus-node-tests", Guid.NewGuid().ToString("N"));

    /// <inheritdoc/>
    public void Dispose()
    {
        if (Directory.Exists(Data))
        {
            Directory.Delete(Data, recursive: true);
        }

        GC.SuppressFinalize(this);
    }
}
