namespace Vanus.Storage.Files;

/// <summary>The file operations the storage engine performs, so that tests can replace the disk with one that loses power.</summary>
public interface IFileSystem
{
    /// <summary>
    /// Opens a file for positional reads and writes, creating it (allocated and zero-filled to <paramref name="preallocate"/>
    /// bytes) when <paramref name="create"/> is set and it does not exist. A create the disk cannot hold throws
    /// <see cref="StorageFullException"/> and leaves no file behind.
    /// </summary>
    IStorageFile Open(string path, bool create, long preallocate = 0);

    /// <summary>Opens a file for positional reads only; throws <see cref="FileNotFoundException"/> when it does not exist.</summary>
    IStorageFile OpenRead(string path);

    /// <summary>True when a file exists at <paramref name="path"/>.</summary>
    bool Exists(string path);

    /// <summary>Deletes a file; does nothing when it does not exist.</summary>
    void Delete(string path);

    /// <summary>Renames a file atomically, replacing any file at <paramref name="destination"/>.</summary>
    void Rename(string source, string destination);

    /// <summary>The full paths of the files directly inside <paramref name="directory"/> whose names end with <paramref name="suffix"/>.</summary>
    IReadOnlyList<string> List(string directory, string suffix);

    /// <summary>Creates a directory and its parents when missing.</summary>
    void CreateDirectory(string path);

    /// <summary>Makes the directory's entries (files created, renamed or deleted in it) durable.</summary>
    void SyncDirectory(string path);

    /// <summary>Takes an exclusive lock that another process (or another open of the same log) cannot take until it is disposed.</summary>
    IDisposable Lock(string path);
}
