using Microsoft.Win32.SafeHandles;

namespace Vanus.Storage.Files;

/// <summary>The real file system: positional I/O on file handles, fdatasync on Linux.</summary>
internal sealed class LocalFileSystem : IFileSystem
{
    public IStorageFile Open(string path, bool create, long preallocate = 0)
    {
        if (create && !File.Exists(path))
        {
            try
            {
                // Preallocated space lets fdatasync skip block allocation on every later sync.
                var created = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, FileOptions.None, preallocate);
                if (preallocate > 0)
                {
                    RandomAccess.SetLength(created, preallocate);
                }

                return new LocalFile(path, created);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Lost a race with another creator: open what is there.
            }
        }

        return new LocalFile(path, File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete));
    }

    public IStorageFile OpenRead(string path) =>
        new LocalFile(path, File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));

    public bool Exists(string path) => File.Exists(path);

    public void Delete(string path) => File.Delete(path);

    public void Rename(string source, string destination) => File.Move(source, destination, overwrite: true);

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

        public void Write(long position, ReadOnlySpan<byte> data) => RandomAccess.Write(handle, data, position);

        public void Write(long position, IReadOnlyList<ReadOnlyMemory<byte>> buffers) => RandomAccess.Write(handle, buffers, position);

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
}
