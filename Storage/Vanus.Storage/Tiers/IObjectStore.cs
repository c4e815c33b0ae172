namespace Vanus.Storage.Tiers;

/// <summary>An object store for the cold tier: whole objects put atomically, read by byte range, listed by prefix.</summary>
public interface IObjectStore : IDisposable
{
    /// <summary>Stores <paramref name="length"/> bytes of <paramref name="content"/> under <paramref name="key"/>; readers see the whole object or none of it.</summary>
    Task PutAsync(string key, Stream content, long length, CancellationToken cancellationToken = default);

    /// <summary>Reads up to <paramref name="buffer"/>'s length from <paramref name="position"/>; returns the bytes read (fewer only at the end). Throws <see cref="FileNotFoundException"/> for a missing object.</summary>
    Task<int> ReadAsync(string key, long position, Memory<byte> buffer, CancellationToken cancellationToken = default);

    /// <summary>The objects whose keys start with <paramref name="prefix"/>, in key order.</summary>
    Task<IReadOnlyList<ObjectInfo>> ListAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>Deletes an object; does nothing when it does not exist.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Where an object lives, for messages (a path or an s3:// address).</summary>
    string Describe(string key);

    /// <summary>
    /// Removes what puts interrupted by a crash left behind (temporary files, incomplete multipart uploads) for the keys
    /// under <paramref name="prefix"/> that <paramref name="isKey"/> accepts; call it only while no put of such a key runs.
    /// A store that leaves nothing behind need not implement it.
    /// </summary>
    Task RemoveIncompleteAsync(string prefix, Func<string, bool> isKey, CancellationToken cancellationToken = default) => Task.CompletedTask;
}

/// <summary>An object's key and size in bytes.</summary>
public sealed record ObjectInfo(string Key, long Size);
