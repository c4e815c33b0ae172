using Microsoft.Win32.SafeHandles;

namespace Vanus.Storage.Files;

/// <summary>The real file system: positional I/O on file handles, fdatasync on Linux.</summary>
internal sealed class LocalFileSystem : IFileSystem
{
    public IStorageFile Open(string path, bool create, long preallocate = 0)
    {
        if (create && !File.Exists(path))
        {
            SafeFileHandle created;
            try
            {
                created = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Lost a race with another creator: open what is there.
                return new LocalFile(path, File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete));
            }
            catch (IOException ex) when (StorageFullException.IsNoSpace(ex))
            {
                throw Full(path, "create", ex);
            }

            var file = new LocalFile(path, created);
            if (preallocate > 0)
            {
                try
                {
                    // Allocated blocks let fdatasync skip block allocation on every later sync, and writes there never
                    // meet a full disk.
                    file.Allocate(preallocate);
                }
                catch (IOException)
                {
                    // No half-made file stays behind, whatever stopped the allocation.
                    file.Dispose();
                    File.Delete(path);
                    throw;
                }
            }

            return file;
        }

        return new LocalFile(path, File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete));
    }

    public IStorageFile OpenRead(string path) =>
        new LocalFile(path, File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));

    public bool Exists(string path) => File.Exists(path);

    public void Delete(string path) => File.Delete(path);

    public void Rename(string source, string destination)
    {
        try
        {
            File.Move(source, destination, overwrite: true);
        }
        catch (IOException ex) when (StorageFullException.IsNoSpace(ex))
        {
            // A new directory entry can need a block.
            throw Full(destination, "rename", ex);
        }
    }

    public IReadOnlyList<string> List(string directory, string suffix)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        var files = new List<string>();
        foreach (var path in Directory.EnumerateFiles(directory))
        {
            if (path.EndsWith(suffix, StringComparison.Ordinal))
            {
                files.Add(path);
            }
        }

        return files;
    }

    public void CreateDirectory(string path) => Directory.CreateDirectory(path);

    public void SyncDirectory(string path)
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            Native.SyncDirectory(path);
        }
    }

    public IDisposable Lock(string path)
    {
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new IOException($"'{path}' is locked: another process (or another open of this log) is using it", ex);
        }
    }

    private sealed class LocalFile(string path, SafeFileHandle handle) : IStorageFile
    {
        public string Path => path;

        public long Length => RandomAccess.GetLength(handle);

        public void Write(long position, ReadOnlySpan<byte> data)
        {
            try
            {
                RandomAccess.Write(handle, data, position);
            }
            catch (IOException ex) when (StorageFullException.IsNoSpace(ex))
            {
                throw Full(path, "write", ex);
            }
        }

        public void Write(long position, IReadOnlyList<ReadOnlyMemory<byte>> buffers)
        {
            try
            {
                RandomAccess.Write(handle, buffers, position);
            }
            catch (IOException ex) when (StorageFullException.IsNoSpace(ex))
            {
                throw Full(path, "write", ex);
            }
        }

        public void Allocate(long length)
        {
            if (OperatingSystem.IsLinux())
            {
                Native.Allocate(handle, path, length);
            }
            else if (RandomAccess.GetLength(handle) < length)
            {
                try
                {
                    RandomAccess.SetLength(handle, length);
                }
                catch (IOException ex) when (StorageFullException.IsNoSpace(ex))
                {
                    throw Full(path, "allocate", ex);
                }
            }
        }

        public int Read(long position, Span<byte> buffer)
        {
            var total = 0;
            while (total < buffer.Length)
            {
                var n = RandomAccess.Read(handle, buffer[total..], position + total);
                if (n == 0)
                {
                    break;
                }

                total += n;
            }

            return total;
        }

        // A failed sync is never "full": after a failed fsync the kernel may have dropped the dirty pages, so what was
        // written is in doubt and the log faults instead of going on.
        public void Sync()
        {
            if (OperatingSystem.IsLinux())
            {
                Native.DataSync(handle, path);
            }
            else
            {
                RandomAccess.FlushToDisk(handle);
            }
        }

        public void SetLength(long length) => RandomAccess.SetLength(handle, length);

        public void Dispose() => handle.Dispose();
    }

    private static StorageFullException Full(string path, string operation, Exception inner) =>
        new(path, $"no space left on the disk for a {operation} of '{path}' ({inner.Message.TrimEnd('.')})", inner);
}
