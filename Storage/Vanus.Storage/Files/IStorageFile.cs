namespace Vanus.Storage.Files;

/// <summary>An open file with positional I/O; safe for concurrent reads beside one writer.</summary>
public interface IStorageFile : IDisposable
{
    /// <summary>The path the file was opened with.</summary>
    string Path { get; }

    /// <summary>The file's current length in bytes, including preallocated space.</summary>
    long Length { get; }

    /// <summary>Writes <paramref name="data"/> at <paramref name="position"/>, extending the file when needed.</summary>
    void Write(long position, ReadOnlySpan<byte> data);

    /// <summary>Writes the buffers one after another starting at <paramref name="position"/> in one call (a gather write).</summary>
    void Write(long position, IReadOnlyList<ReadOnlyMemory<byte>> buffers);

    /// <summary>Reads up to <paramref name="buffer"/>'s length from <paramref name="position"/>; returns the bytes read (fewer only at the end of the file).</summary>
    int Read(long position, Span<byte> buffer);

    /// <summary>Makes every byte written so far durable (fdatasync).</summary>
    void Sync();

    /// <summary>
    /// Reserves disk blocks for the file up to <paramref name="length"/> bytes (zero-filled where nothing was written), so
    /// that later writes there cannot fail for space; throws <see cref="StorageFullException"/> when the disk cannot hold them.
    /// </summary>
    void Allocate(long length);

    /// <summary>Sets the file's length, dropping bytes past it or zero-filling up to it.</summary>
    void SetLength(long length);
}
