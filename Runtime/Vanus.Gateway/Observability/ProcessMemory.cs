using System.Globalization;

namespace Vanus.Gateway.Observability;

/// <summary>The node process's memory as the metrics report it: resident set size and the managed heap.</summary>
internal static class ProcessMemory
{
    private const string Statm = "/proc/self/statm";

    /// <summary>Resident bytes: the second field of <c>/proc/self/statm</c> (pages) times the page size, else <see cref="Environment.WorkingSet"/>.</summary>
    public static long ResidentBytes()
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                if (TryParseStatm(File.ReadAllText(Statm), Environment.SystemPageSize, out var bytes))
                {
                    return bytes;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A container without /proc mounted: the working set is the same figure by another route.
            }
        }

        return Environment.WorkingSet;
    }

    /// <summary>Bytes of the managed heap when the last garbage collection ended (0 before the first one).</summary>
    public static long GcHeapBytes() => GC.GetGCMemoryInfo().HeapSizeBytes;

    /// <summary>Reads the resident page count (the second of statm's fields: size resident shared text lib data dt) as bytes.</summary>
    public static bool TryParseStatm(string text, long pageSize, out long bytes)
    {
        bytes = 0;
        var fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (fields.Length < 2 || !long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pages))
        {
            return false;
        }

        bytes = pages * pageSize;
        return true;
    }
}
