namespace Vanus.Storage.Files;

/// <summary>Factories for the file systems the storage engine can write through.</summary>
public static class FileSystems
{
    /// <summary>The machine's real file system.</summary>
    public static IFileSystem Local { get; } = new LocalFileSystem();

    /// <summary>An in-memory file system for tests that can simulate a power loss: unsynced bytes are dropped and the last unsynced write may be torn.</summary>
    public static ISimulatedFileSystem Simulated() => new SimulatedFileSystem();
}
