namespace Vanus.Storage.Files;

/// <summary>An in-memory file system whose content survives only as far as it was synced, for power-loss and fault tests.</summary>
public interface ISimulatedFileSystem : IFileSystem
{
    /// <summary>
    /// Simulates a power loss: every open file becomes unusable, and each file keeps its synced content plus, chosen by
    /// <paramref name="random"/>, a prefix of its unsynced writes in order, the last of which may be torn (a prefix, or a random subset of its 512-byte sectors).
    /// Files created, renamed or deleted since their directory was last synced keep a random subset of those changes.
    /// </summary>
    void PowerLoss(Random random);

    /// <summary>Makes every later write or sync fail with an <see cref="IOException"/> (a full or broken disk) until <see cref="ClearFault"/>.</summary>
    void FailWrites(string reason);

    /// <summary>Ends a fault started by <see cref="FailWrites"/>.</summary>
    void ClearFault();

    /// <summary>
    /// Limits the bytes all files may hold together (the sum of their lengths), or lifts the limit (null): a write,
    /// allocation or create that would grow past it throws <see cref="StorageFullException"/>, as a full disk does.
    /// </summary>
    void SetCapacity(long? bytes);

    /// <summary>The bytes all files hold now (the sum of their lengths).</summary>
    long UsedBytes { get; }

    /// <summary>
    /// Holds every file sync until the returned handle is disposed, as a slow disk would: lets a test queue work behind
    /// a sync in progress without depending on timing.
    /// </summary>
    IDisposable HoldSyncs();

    /// <summary>How many syncs of file content have been performed.</summary>
    long SyncCount { get; }

    /// <summary>The current content of a file (what a reader sees now), for tests that damage or inspect bytes.</summary>
    byte[] ReadAllBytes(string path);

    /// <summary>Overwrites bytes of a file durably, as bit rot or a stray writer would.</summary>
    void Corrupt(string path, long position, ReadOnlySpan<byte> bytes);
}
