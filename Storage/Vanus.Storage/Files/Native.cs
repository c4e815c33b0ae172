using System.ComponentModel;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Vanus.Storage.Files;

/// <summary>The calls .NET does not offer: fdatasync (cheaper than fsync: no timestamp updates), fsync of a directory, and posix_fallocate with its error number.</summary>
internal static class Native
{
    private const int ReadOnlyDirectory = 0x10000; // O_RDONLY | O_DIRECTORY on Linux
    private const int NoSpace = 28; // ENOSPC
    private const int QuotaExceeded = 122; // EDQUOT on Linux
    private const int Interrupted = 4; // EINTR
    private const int NotSupported = 95; // EOPNOTSUPP on Linux

    public static void DataSync(SafeFileHandle handle, string path)
    {
        if (fdatasync(handle) != 0)
        {
            throw new IOException($"fdatasync of '{path}' failed", new Win32Exception(Marshal.GetLastPInvokeError()));
        }
    }

    /// <summary>Allocates the file's blocks up to <paramref name="length"/> bytes (posix_fallocate), extending it when shorter.</summary>
    public static void Allocate(SafeFileHandle handle, string path, long length)
    {
        // posix_fallocate returns the error number itself; glibc falls back to writing zeros where the file system has no
        // fallocate, so the blocks are reserved either way.
        int error;
        do
        {
            error = posix_fallocate(handle, 0, length);
        }
        while (error == Interrupted);

        switch (error)
        {
            case 0:
                return;
            case NoSpace or QuotaExceeded:
                throw new StorageFullException(path, $"no space left on the disk to allocate {length} bytes for '{path}' ({new Win32Exception(error).Message})");
            case NotSupported:
                // A C library that does not emulate it (musl) on a file system without fallocate: extend the file instead,
                // as a sparse one; a write there that meets a full disk is still refused, not faulted.
                if (RandomAccess.GetLength(handle) < length)
                {
                    RandomAccess.SetLength(handle, length);
                }

                return;
            default:
                throw new IOException($"allocating {length} bytes for '{path}' failed", new Win32Exception(error));
        }
    }

    public static void SyncDirectory(string path)
    {
        var fd = open(path, OperatingSystem.IsLinux() ? ReadOnlyDirectory : 0);
        if (fd < 0)
        {
            throw new IOException($"cannot open directory '{path}' to sync it", new Win32Exception(Marshal.GetLastPInvokeError()));
        }

        try
        {
            if (fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory '{path}' failed", new Win32Exception(Marshal.GetLastPInvokeError()));
            }
        }
        finally
        {
            _ = close(fd);
        }
    }

#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code, which this project keeps off
    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int fdatasync(SafeFileHandle fd);

    [DllImport("libc")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int posix_fallocate(SafeFileHandle fd, long offset, long length);

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int fsync(int fd);

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int close(int fd);
#pragma warning restore SYSLIB1054
}
