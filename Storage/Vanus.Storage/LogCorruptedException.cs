namespace Vanus.Storage;

/// <summary>Durable log data failed verification; the message names the file, the position and what is wrong.</summary>
public sealed class LogCorruptedException : IOException
{
    /// <summary>Creates the exception for damage at <paramref name="position"/> of <paramref name="path"/>.</summary>
    public LogCorruptedException(string path, long position, string reason)
        : base($"log data is corrupt in '{path}' at byte {position}: {reason}")
    {
        FilePath = path;
        Position = position;
    }

    /// <summary>The damaged segment file (or object key).</summary>
    public string FilePath { get; }

    /// <summary>The byte position of the damaged record within it.</summary>
    public long Position { get; }
}
