namespace Vanus.Storage;

/// <summary>
/// The disk has no room for a write, an allocation or a new file. Unlike other write failures it does not fault the log:
/// nothing written before it is lost, appends are refused while the disk stays full and go on once space returns.
/// </summary>
public sealed class StorageFullException : IOException
{
    /// <summary>Creates the failure for <paramref name="path"/>, with the error that reported it.</summary>
    public StorageFullException(string path, string message, Exception? inner = null)
        : base(message, inner)
    {
        FilePath = path;
    }

    /// <summary>The file the write, allocation or create was for.</summary>
    public string FilePath { get; }

    /// <summary>
    /// For a refused append larger than a segment, whose first events were stored before the disk filled: the first one's
    /// offset (the rest follow it). Zero otherwise.
    /// </summary>
    public long StoredOffset { get; private init; }

    /// <summary>How many of the refused append's first events were stored (at <see cref="StoredOffset"/> on); 0 for none.</summary>
    public int StoredCount { get; private init; }

    /// <summary>The same failure for an append whose first <paramref name="count"/> events were stored from <paramref name="offset"/> on.</summary>
    internal StorageFullException WithStored(long offset, int count) =>
        new(FilePath, Message, InnerException) { StoredOffset = offset, StoredCount = count };

    /// <summary>A new exception saying the same, for another caller (one exception thrown to many collects all their stack traces).</summary>
    internal StorageFullException Again() => new(FilePath, Message, InnerException);

    /// <summary>True when <paramref name="error"/> is the operating system's "no space left" (or "quota exceeded") for a file operation.</summary>
    public static bool IsNoSpace(IOException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (error is StorageFullException)
        {
            return true;
        }

        // On Unix .NET puts the errno in HResult: ENOSPC 28, EDQUOT 122 (Linux) or 69 (macOS). On Windows it is an HRESULT
        // wrapping ERROR_DISK_FULL (0x70) or ERROR_HANDLE_DISK_FULL (0x27).
        var code = error.HResult;
        return OperatingSystem.IsWindows()
            ? code is unchecked((int)0x80070070) or unchecked((int)0x80070027)
            : code == 28 || (OperatingSystem.IsLinux() ? code == 122 : code == 69);
    }
}
