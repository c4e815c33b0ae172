using System.Diagnostics;

namespace Vanus.Testing.Disk;

/// <summary>
/// A small tmpfs the test mounts itself (root on Linux), so that a disk really fills: writes meet ENOSPC as on a full
/// volume. Unmounted and removed on dispose.
/// </summary>
internal sealed class TmpfsMount : IDisposable
{
    private TmpfsMount(string path) => Path = path;

    /// <summary>The mount point.</summary>
    public string Path { get; }

    /// <summary>The bytes free on the mount now.</summary>
    public long FreeBytes => new DriveInfo(Path).AvailableFreeSpace;

    /// <summary>Mounts a tmpfs of <paramref name="bytes"/>; null with the reason when this machine or user cannot.</summary>
    public static TmpfsMount? TryMount(long bytes, out string why)
    {
        why = "";
        if (!OperatingSystem.IsLinux())
        {
            why = "a tmpfs disk-full test needs Linux";
            return null;
        }

        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "vanus-tmpfs-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(path);
        var (code, output) = Run("mount", "-t", "tmpfs", "-o", $"size={bytes},mode=0700", "vanus-test", path);
        if (code != 0)
        {
            Directory.Delete(path);
            why = $"mounting a {bytes}-byte tmpfs at {path} failed ({output.Trim()}): the disk-full test needs root (CAP_SYS_ADMIN)";
            return null;
        }

        return new TmpfsMount(path);
    }

    /// <summary>Writes a file of zeros of up to <paramref name="bytes"/> (less when the disk fills first); returns its path.</summary>
    public string Fill(string name, long bytes)
    {
        var path = System.IO.Path.Combine(Path, name);
        var chunk = new byte[64 << 10];
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 0);
        long written = 0;
        try
        {
            while (written < bytes)
            {
                var n = (int)Math.Min(chunk.Length, bytes - written);
                file.Write(chunk, 0, n);
                written += n;
            }
        }
        catch (IOException)
        {
            // Full: the file keeps what fitted.
        }

        return path;
    }

    public void Dispose()
    {
        // Lazily, so a process that still holds a file there (a node being killed) cannot keep the mount alive.
        Run("umount", "-l", Path);
        try
        {
            Directory.Delete(Path);
        }
        catch (IOException)
        {
        }
    }

    private static (int Code, string Output) Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardError.ReadToEnd() + process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, ex.Message);
        }
    }
}
