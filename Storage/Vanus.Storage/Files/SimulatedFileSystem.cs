namespace Vanus.Storage.Files;

/// <summary>
/// An in-memory disk with a page cache: writes land in a file's current content and become durable only on sync.
/// Directory operations (create, rename, delete) are durable at once, as on a journaling file system after a directory sync.
/// </summary>
internal sealed class SimulatedFileSystem : ISimulatedFileSystem
{
    private const int Sector = 512;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Node> _files = new(StringComparer.Ordinal);
    private readonly HashSet<string> _directories = new(StringComparer.Ordinal);
    private readonly HashSet<string> _locks = new(StringComparer.Ordinal);
    private int _generation;
    private string? _fault;
    private long _syncCount;
    private volatile ManualResetEventSlim? _syncHold;

    public long SyncCount => Interlocked.Read(ref _syncCount);

    public IDisposable HoldSyncs()
    {
        var hold = new ManualResetEventSlim(false);
        if (Interlocked.CompareExchange(ref _syncHold, hold, null) is not null)
        {
            hold.Dispose();
            throw new InvalidOperationException("syncs are already held");
        }

        return new SyncRelease(this, hold);
    }

    private sealed class SyncRelease(SimulatedFileSystem fs, ManualResetEventSlim hold) : IDisposable
    {
        public void Dispose()
        {
            if (Interlocked.CompareExchange(ref fs._syncHold, null, hold) == hold)
            {
                // Waiters may still be blocked in Wait: the event is released, not disposed, so they wake safely.
                hold.Set();
            }
        }
    }

    public IStorageFile Open(string path, bool create, long preallocate = 0)
    {
        path = Normalize(path);
        lock (_gate)
        {
            if (!_files.TryGetValue(path, out var node))
            {
                if (!create)
                {
                    throw new FileNotFoundException($"simulated file '{path}' does not exist", path);
                }

                RequireDirectory(path);
                node = new Node();
                node.Current.SetLength(preallocate);
                node.Durable.SetLength(preallocate);
                _files[path] = node;
            }

            return new Handle(this, path, node, _generation, writable: true);
        }
    }

    public IStorageFile OpenRead(string path)
    {
        path = Normalize(path);
        lock (_gate)
        {
            return _files.TryGetValue(path, out var node)
                ? new Handle(this, path, node, _generation, writable: false)
                : throw new FileNotFoundException($"simulated file '{path}' does not exist", path);
        }
    }

    public bool Exists(string path)
    {
        lock (_gate)
        {
            return _files.ContainsKey(Normalize(path));
        }
    }

    public void Delete(string path)
    {
        lock (_gate)
        {
            ThrowIfFaulted("delete", path);
            _files.Remove(Normalize(path));
        }
    }

    public void Rename(string source, string destination)
    {
        source = Normalize(source);
        destination = Normalize(destination);
        lock (_gate)
        {
            ThrowIfFaulted("rename", source);
            if (!_files.Remove(source, out var node))
            {
                throw new FileNotFoundException($"simulated file '{source}' does not exist", source);
            }

            RequireDirectory(destination);
            _files[destination] = node;
        }
    }

    public IReadOnlyList<string> List(string directory, string suffix)
    {
        directory = Normalize(directory);
        lock (_gate)
        {
            return _files.Keys
                .Where(p => string.Equals(Path.GetDirectoryName(p), directory, StringComparison.Ordinal) && p.EndsWith(suffix, StringComparison.Ordinal))
                .ToList();
        }
    }

    public void CreateDirectory(string path)
    {
        lock (_gate)
        {
            for (var dir = Normalize(path); !string.IsNullOrEmpty(dir); dir = Path.GetDirectoryName(dir))
            {
                _directories.Add(dir);
            }
        }
    }

    public void SyncDirectory(string path)
    {
        lock (_gate)
        {
            ThrowIfFaulted("sync directory", path);
        }
    }

    public IDisposable Lock(string path)
    {
        path = Normalize(path);
        lock (_gate)
        {
            RequireDirectory(path);
            if (!_locks.Add(path))
            {
                throw new IOException($"'{path}' is locked: another open of this log is using it");
            }

            return new LockHandle(this, path, _generation);
        }
    }

    public void PowerLoss(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        lock (_gate)
        {
            _generation++;
            _locks.Clear();
            foreach (var node in _files.Values)
            {
                node.Current = node.Durable.Clone();
                var ops = node.Unsynced;
                if (ops.Count > 0)
                {
                    // A prefix of the unsynced operations reached the platter, the last of them perhaps only in part.
                    var reached = random.Next(ops.Count + 1);
                    for (var i = 0; i < reached; i++)
                    {
                        var op = ops[i];
                        if (i == reached - 1 && op.Data is { } data && random.Next(2) == 0)
                        {
                            Tear(node.Current, op.Position, data, random);
                        }
                        else
                        {
                            op.Apply(node.Current);
                        }
                    }
                }

                ops.Clear();
                node.Durable = node.Current.Clone();
            }
        }
    }

    public void FailWrites(string reason)
    {
        lock (_gate)
        {
            _fault = reason;
        }
    }

    public void ClearFault()
    {
        lock (_gate)
        {
            _fault = null;
        }
    }

    public byte[] ReadAllBytes(string path)
    {
        lock (_gate)
        {
            return _files.TryGetValue(Normalize(path), out var node)
                ? node.Current.Bytes.AsSpan(0, (int)node.Current.Length).ToArray()
                : throw new FileNotFoundException($"simulated file '{path}' does not exist", path);
        }
    }

    public void Corrupt(string path, long position, ReadOnlySpan<byte> bytes)
    {
        lock (_gate)
        {
            if (!_files.TryGetValue(Normalize(path), out var node))
            {
                throw new FileNotFoundException($"simulated file '{path}' does not exist", path);
            }

            node.Current.Write(position, bytes);
            node.Durable.Write(position, bytes);
        }
    }

    private static void Tear(Content content, long position, byte[] data, Random random)
    {
        if (random.Next(2) == 0)
        {
            content.Write(position, data.AsSpan(0, random.Next(data.Length + 1)));
            return;
        }

        // Sectors of one write may reach the disk in any order: keep a random subset of them.
        var offset = 0;
        while (offset < data.Length)
        {
            var sectorEnd = (int)Math.Min(data.Length, (((position + offset) / Sector) + 1) * Sector - position);
            if (random.Next(2) == 0)
            {
                content.Write(position + offset, data.AsSpan(offset, sectorEnd - offset));
            }

            offset = sectorEnd;
        }
    }

    private static string Normalize(string path) => Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar);

    private void RequireDirectory(string path)
    {
        var dir = Path.GetDirectoryName(path);
        if (dir is not null && !_directories.Contains(dir))
        {
            throw new DirectoryNotFoundException($"simulated directory '{dir}' does not exist");
        }
    }

    private void ThrowIfFaulted(string operation, string path)
    {
        if (_fault is { } reason)
        {
            throw new IOException($"simulated fault on {operation} of '{path}': {reason}");
        }
    }

    private sealed class Node
    {
        public Content Current = new();
        public Content Durable = new();
        public readonly List<Operation> Unsynced = [];
    }

    private readonly record struct Operation(long Position, byte[]? Data, long Length)
    {
        public void Apply(Content content)
        {
            if (Data is { } data)
            {
                content.Write(Position, data);
            }
            else
            {
                content.SetLength(Length);
            }
        }
    }

    private sealed class Content
    {
        public byte[] Bytes = [];
        public long Length;

        public Content Clone() => new() { Bytes = Bytes.AsSpan(0, (int)Length).ToArray(), Length = Length };

        public void Write(long position, ReadOnlySpan<byte> data)
        {
            var end = position + data.Length;
            if (end > Length)
            {
                SetLength(end);
            }

            data.CopyTo(Bytes.AsSpan((int)position));
        }

        public void SetLength(long length)
        {
            if (length > Bytes.Length)
            {
                Array.Resize(ref Bytes, (int)Math.Max(length, Math.Min(2L * Bytes.Length, int.MaxValue)));
            }
            else if (length < Length)
            {
                Bytes.AsSpan((int)length, (int)(Length - length)).Clear();
            }

            Length = length;
        }
    }

    private sealed class LockHandle(SimulatedFileSystem fs, string path, int generation) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            lock (fs._gate)
            {
                if (!_disposed && generation == fs._generation)
                {
                    fs._locks.Remove(path);
                }

                _disposed = true;
            }
        }
    }

    private sealed class Handle(SimulatedFileSystem fs, string path, Node node, int generation, bool writable) : IStorageFile
    {
        private bool _disposed;

        public string Path => path;

        public long Length
        {
            get
            {
                lock (fs._gate)
                {
                    Check();
                    return node.Current.Length;
                }
            }
        }

        public void Write(long position, ReadOnlySpan<byte> data)
        {
            lock (fs._gate)
            {
                CheckWrite("write");
                node.Current.Write(position, data);
                node.Unsynced.Add(new Operation(position, data.ToArray(), 0));
            }
        }

        public void Write(long position, IReadOnlyList<ReadOnlyMemory<byte>> buffers)
        {
            lock (fs._gate)
            {
                CheckWrite("write");
                var total = 0;
                foreach (var b in buffers)
                {
                    total += b.Length;
                }

                // One gather write is one operation a power loss can tear, as a single pwritev would be.
                var data = new byte[total];
                var at = 0;
                foreach (var b in buffers)
                {
                    b.Span.CopyTo(data.AsSpan(at));
                    at += b.Length;
                }

                node.Current.Write(position, data);
                node.Unsynced.Add(new Operation(position, data, 0));
            }
        }

        public int Read(long position, Span<byte> buffer)
        {
            lock (fs._gate)
            {
                Check();
                var available = (int)Math.Clamp(node.Current.Length - position, 0, buffer.Length);
                node.Current.Bytes.AsSpan((int)position, available).CopyTo(buffer);
                return available;
            }
        }

        public void Sync()
        {
            fs._syncHold?.Wait();
            lock (fs._gate)
            {
                CheckWrite("sync");
                foreach (var op in node.Unsynced)
                {
                    op.Apply(node.Durable);
                }

                node.Unsynced.Clear();
                fs._syncCount++;
            }
        }

        public void SetLength(long length)
        {
            lock (fs._gate)
            {
                CheckWrite("set length");
                node.Current.SetLength(length);
                node.Unsynced.Add(new Operation(0, null, length));
            }
        }

        public void Dispose() => _disposed = true;

        private void CheckWrite(string operation)
        {
            Check();
            if (!writable)
            {
                throw new IOException($"simulated file '{path}' is open for reading only");
            }

            fs.ThrowIfFaulted(operation, path);
        }

        private void Check()
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (generation != fs._generation)
            {
                throw new IOException($"simulated power loss: the handle of '{path}' died with the process");
            }
        }
    }
}
