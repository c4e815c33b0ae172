using Vanus.Storage.Files;

namespace Vanus.Storage.Tiers;

/// <summary>Objects as files: a put writes a temporary file, syncs it and renames it into place, so it appears whole.</summary>
internal sealed class DirectoryObjectStore(string root, IFileSystem fs) : IObjectStore
{
    private const string PartSuffix = ".part";
    private readonly string _root = Path.GetFullPath(root);

    public async Task PutAsync(string key, Stream content, long length, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var path = PathOf(key);
        var directory = Path.GetDirectoryName(path)!;
        fs.CreateDirectory(directory);
        var temp = path + "." + Guid.NewGuid().ToString("N") + PartSuffix;
        try
        {
            using (var file = fs.Open(temp, create: true))
            {
                var buffer = new byte[1 << 20];
                long written = 0;
                while (written < length)
                {
                    var n = await content.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, length - written)), cancellationToken).ConfigureAwait(false);
                    if (n == 0)
                    {
                        throw new EndOfStreamException($"the content for '{key}' ended after {written} of {length} bytes");
                    }

                    file.Write(written, buffer.AsSpan(0, n));
                    written += n;
                }

                file.Sync();
            }

            fs.Rename(temp, path);
            fs.SyncDirectory(directory);
        }
        catch
        {
            fs.Delete(temp);
            throw;
        }
    }

    public Task<int> ReadAsync(string key, long position, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        IStorageFile file;
        try
        {
            file = fs.OpenRead(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"object '{key}' does not exist in {_root}", path, ex);
        }

        using (file)
        {
            return Task.FromResult(file.Read(position, buffer.Span));
        }
    }

    public Task<IReadOnlyList<ObjectInfo>> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var probe = PathOf(prefix + "x");
        var directory = Path.GetDirectoryName(probe)!;
        var namePrefix = Path.GetFileName(probe)[..^1];
        var found = new List<ObjectInfo>();
        foreach (var path in fs.List(directory, ""))
        {
            var name = Path.GetFileName(path);
            if (name.StartsWith(namePrefix, StringComparison.Ordinal) && !name.EndsWith(PartSuffix, StringComparison.Ordinal))
            {
                using var file = fs.OpenRead(path);
                found.Add(new ObjectInfo(Path.GetRelativePath(_root, path).Replace(Path.DirectorySeparatorChar, '/'), file.Length));
            }
        }

        found.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return Task.FromResult<IReadOnlyList<ObjectInfo>>(found);
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        fs.Delete(path);

        // An unlink lost to a power loss would bring back a segment retention had deleted.
        fs.SyncDirectory(Path.GetDirectoryName(path)!);
        return Task.CompletedTask;
    }

    public Task RemoveIncompleteAsync(string prefix, Func<string, bool> isKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(isKey);
        var directory = Path.GetDirectoryName(PathOf(prefix + "x"))!;
        var removed = false;
        foreach (var path in fs.List(directory, PartSuffix))
        {
            // A put's temporary file is named '{key}.{32 hex digits}.part'.
            var name = Path.GetFileName(path)[..^PartSuffix.Length];
            var dot = name.LastIndexOf('.');
            if (dot <= 0)
            {
                continue;
            }

            var key = Path.GetRelativePath(_root, Path.Combine(directory, name[..dot])).Replace(Path.DirectorySeparatorChar, '/');
            if (key.StartsWith(prefix, StringComparison.Ordinal) && isKey(key))
            {
                fs.Delete(path);
                removed = true;
            }
        }

        if (removed)
        {
            fs.SyncDirectory(directory);
        }

        return Task.CompletedTask;
    }

    public string Describe(string key) => PathOf(key);

    public void Dispose()
    {
    }

    private string PathOf(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var path = Path.GetFullPath(Path.Combine(_root, key));
        if (!path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || key.EndsWith(PartSuffix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"object key '{key}' leads outside the store's directory or uses a reserved suffix", nameof(key));
        }

        return path;
    }
}
