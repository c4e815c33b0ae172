namespace Vanus.Storage.Files;

/// <summary>
/// An in-memory disk with a page cache: writes land in a file's current content and become durable only on sync.
/// Directory entries behave the same way: a create, rename or delete is durable once its directory is synced; a power
/// loss keeps a random subset of the ones that were not (a rename counts as an entry of its destination's directory).
/// Directories themselves are durable once made.
/// </summary>
internal sealed class SimulatedFileSystem : ISimulatedFileSystem
{
    private const int Sector = 512;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Node> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Node> _durableFiles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<EntryChange>> _unsyncedEntries = new(StringComparer.Ordinal);
    private readonly HashSet<string> _directories = new(StringComparer.Ordinal);
    private readonly HashSet<string> _locks = new(StringComparer.Ordinal);
    private int _generation;
    private string? _fault;
    private long? _capacity;
    private long _syncCount;
    private volatile SyncGate? _syncGate;

    private int _openHandles;

    public long SyncCount => Interlocked.Read(ref _syncCount);

    /// <summary>File handles opened and not yet disposed (tests check that nothing leaks).</summary>
    internal int OpenHandles => Volatile.Read(ref _openHandles);

    public IDisposable HoldSyncs() => GateSyncs();

    /// <summary>Makes every file sync wait at a gate that the test opens sync by sync (or for good, on dispose).</summary>
    internal SyncGate GateSyncs()
    {
        var gate = new SyncGate(this);
        if (Interlocked.CompareExchange(ref _syncGate, gate, null) is not null)
        {
            throw new InvalidOperationException("syncs are already held");
        }

        return gate;
    }

    /// <summary>
    /// Holds file syncs: each one that arrives waits until <see cref="Allow"/> lets it through or the gate is disposed.
    /// Tests use it to stop the writer at a known point instead of racing it.
    /// </summary>
    internal sealed class SyncGate(SimulatedFileSystem fs) : IDisposable
    {
        private readonly object _monitor = new();
        private readonly List<(int Count, TaskCompletionSource Done)> _watchers = [];
        private int _permits;
        private int _arrived;
        private bool _open;

        /// <summary>How many syncs have reached the gate since it was made (passed or still waiting).</summary>
        public int Arrived
        {
            get
            {
                lock (_monitor)
                {
                    return _arrived;
                }
            }
        }

        /// <summary>Completes once <paramref name="count"/> syncs in all have reached the gate.</summary>
        public Task ArrivalsAsync(int count)
        {
            lock (_monitor)
            {
                if (_arrived >= count)
                {
                    return Task.CompletedTask;
                }

                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _watchers.Add((count, done));
                return done.Task;
            }
        }

        /// <summary>Lets <paramref name="count"/> more syncs through.</summary>
        public void Allow(int count)
        {
            lock (_monitor)
            {
                _permits += count;
                Monitor.PulseAll(_monitor);
            }
        }

        public void Dispose()
        {
            Interlocked.CompareExchange(ref fs._syncGate, null, this);
            lock (_monitor)
            {
                _open = true;
                Monitor.PulseAll(_monitor);
            }
        }

        internal void Pass()
        {
            lock (_monitor)
            {
                _arrived++;
                for (var i = _watchers.Count - 1; i >= 0; i--)
                {
                    if (_watchers[i].Count <= _arrived)
                    {
                        _watchers[i].Done.TrySetResult();
                        _watchers.RemoveAt(i);
                    }
                }

                while (!_open && _permits == 0)
                {
                    Monitor.Wait(_monitor);
                }

                if (!_open)
                {
                    _permits--;
                }
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
                CheckSpace(path, preallocate);
                node = new Node();
                node.Current.SetLength(preallocate);
                node.Durable.SetLength(preallocate);
                _files[path] = node;
                Record(path, new EntryChange(path, null, node));
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
            path = Normalize(path);
            if (_files.Remove(path))
            {
                Record(path, new EntryChange(path, null, null));
            }
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
            Record(destination, new EntryChange(destination, source, node));
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
        path = Normalize(path);
        lock (_gate)
        {
            ThrowIfFaulted("sync directory", path);
            if (_unsyncedEntries.Remove(path, out var changes))
            {
                foreach (var change in changes)
                {
                    change.Apply(_durableFiles);
                }
            }
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
            foreach (var changes in _unsyncedEntries.Values)
            {
                foreach (var change in changes)
                {
                    if (random.Next(2) == 0)
                    {
                        change.Apply(_durableFiles);
                    }
                }
            }

            _unsyncedEntries.Clear();
            _files.Clear();
            foreach (var (path, node) in _durableFiles)
            {
                _files[path] = node;
            }

            foreach (var node in _files.Values.Distinct())
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

    public void SetCapacity(long? bytes)
    {
        lock (_gate)
        {
            _capacity = bytes;
        }
    }

    public long UsedBytes
    {
        get
        {
            lock (_gate)
            {
                return Used();
            }
        }
    }

    private long Used() => _files.Values.Distinct().Sum(n => n.Current.Length);

    /// <summary>Throws, as a full disk would, when <paramref name="growth"/> more bytes do not fit. Under _gate.</summary>
    private void CheckSpace(string path, long growth)
    {
        if (growth > 0 && _capacity is { } capacity && Used() + growth > capacity)
        {
            throw new StorageFullException(path, $"simulated disk full: '{path}' needs {growth} more bytes, {capacity - Used()} of {capacity} are free");
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

    private void Record(string path, EntryChange change)
    {
        var directory = Path.GetDirectoryName(path) ?? "";
        if (!_unsyncedEntries.TryGetValue(directory, out var changes))
        {
            _unsyncedEntries[directory] = changes = [];
        }

        changes.Add(change);
    }

    /// <summary>One change of a directory entry not yet synced: a create (node set), a delete (node null) or a rename (source set).</summary>
    private readonly record struct EntryChange(string Path, string? Source, Node? Node)
    {
        public void Apply(Dictionary<string, Node> files)
        {
            if (Source is { } source)
            {
                files.Remove(source);
            }

            if (Node is { } node)
            {
                files[Path] = node;
            }
            else
            {
                files.Remove(Path);
            }
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

    private sealed class Handle : IStorageFile
    {
        private readonly SimulatedFileSystem fs;
        private readonly string path;
        private readonly Node node;
        private readonly int generation;
        private readonly bool writable;
        private int _disposed;

        public Handle(SimulatedFileSystem fs, string path, Node node, int generation, bool writable)
        {
            this.fs = fs;
            this.path = path;
            this.node = node;
            this.generation = generation;
            this.writable = writable;
            Interlocked.Increment(ref fs._openHandles);
        }

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
                fs.CheckSpace(path, position + data.Length - node.Current.Length);
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

                fs.CheckSpace(path, position + total - node.Current.Length);
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
            fs._syncGate?.Pass();
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
                fs.CheckSpace(path, length - node.Current.Length);
                node.Current.SetLength(length);
                node.Unsynced.Add(new Operation(0, null, length));
            }
        }

        public void Allocate(long length)
        {
            lock (fs._gate)
            {
                CheckWrite("allocate");
                if (length > node.Current.Length)
                {
                    fs.CheckSpace(path, length - node.Current.Length);
                    node.Current.SetLength(length);
                    node.Unsynced.Add(new Operation(0, null, length));
                }
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref fs._openHandles);
            }
        }

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
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            if (generation != fs._generation)
            {
                throw new IOException($"simulated power loss: the handle of '{path}' died with the process");
            }
        }
    }
}
