using Vanus.Storage.Files;
using Vanus.Storage.Tiers;

namespace Vanus.Storage.Tests.Tiers;

/// <summary>The process "dies" here: thrown by the crashing file system and object store at a chosen step.</summary>
public sealed class SimulatedCrashException(string step) : IOException($"simulated crash at {step}");

/// <summary>Counts the steps that change storage and crashes at the chosen one.</summary>
public sealed class CrashSwitch
{
    private int _remaining = int.MaxValue;

    public int Steps { get; private set; }

    public void ArmAt(int step)
    {
        _remaining = step;
        Steps = 0;
    }

    public void Disarm() => _remaining = int.MaxValue;

    public void Step(string what)
    {
        Steps++;
        if (--_remaining < 0)
        {
            _remaining = int.MaxValue;
            throw new SimulatedCrashException(what);
        }
    }
}

/// <summary>A file system that crashes at a chosen change (create, write, sync, truncate, rename, delete).</summary>
public sealed class CrashingFileSystem(IFileSystem inner, CrashSwitch crash) : IFileSystem
{
    public IStorageFile Open(string path, bool create, long preallocate = 0)
    {
        if (create && !inner.Exists(path))
        {
            crash.Step($"create {path}");
        }

        return new File(inner.Open(path, create, preallocate), crash);
    }

    public IStorageFile OpenRead(string path) => inner.OpenRead(path);

    public bool Exists(string path) => inner.Exists(path);

    public void Delete(string path)
    {
        if (inner.Exists(path))
        {
            crash.Step($"delete {path}");
        }

        inner.Delete(path);
    }

    public void Rename(string source, string destination)
    {
        crash.Step($"rename {source}");
        inner.Rename(source, destination);
    }

    public IReadOnlyList<string> List(string directory, string suffix) => inner.List(directory, suffix);

    public void CreateDirectory(string path) => inner.CreateDirectory(path);

    public void SyncDirectory(string path)
    {
        crash.Step($"sync directory {path}");
        inner.SyncDirectory(path);
    }

    public IDisposable Lock(string path) => inner.Lock(path);

    private sealed class File(IStorageFile inner, CrashSwitch crash) : IStorageFile
    {
        public string Path => inner.Path;

        public long Length => inner.Length;

        public void Write(long position, ReadOnlySpan<byte> data)
        {
            crash.Step($"write {Path}");
            inner.Write(position, data);
        }

        public void Write(long position, IReadOnlyList<ReadOnlyMemory<byte>> buffers)
        {
            crash.Step($"write {Path}");
            inner.Write(position, buffers);
        }

        public int Read(long position, Span<byte> buffer) => inner.Read(position, buffer);

        public void Sync()
        {
            crash.Step($"sync {Path}");
            inner.Sync();
        }

        public void SetLength(long length)
        {
            crash.Step($"set length {Path}");
            inner.SetLength(length);
        }

        public void Allocate(long length)
        {
            crash.Step($"allocate {Path}");
            inner.Allocate(length);
        }

        public void Dispose() => inner.Dispose();
    }
}

/// <summary>An object store that crashes before or after a put completes, or at a delete.</summary>
public sealed class CrashingObjectStore(IObjectStore inner, CrashSwitch crash) : IObjectStore
{
    public async Task PutAsync(string key, Stream content, long length, CancellationToken cancellationToken = default)
    {
        crash.Step($"before put {key}");
        await inner.PutAsync(key, content, length, cancellationToken);
        crash.Step($"after put {key}");
    }

    public Task<int> ReadAsync(string key, long position, Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(key, position, buffer, cancellationToken);

    public Task<IReadOnlyList<ObjectInfo>> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        crash.Step($"delete {key}");
        return inner.DeleteAsync(key, cancellationToken);
    }

    public string Describe(string key) => inner.Describe(key);

    public Task RemoveIncompleteAsync(string prefix, Func<string, bool> isKey, CancellationToken cancellationToken = default) => inner.RemoveIncompleteAsync(prefix, isKey, cancellationToken);

    public void Dispose() => inner.Dispose();
}
