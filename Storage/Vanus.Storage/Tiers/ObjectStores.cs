using Vanus.Storage.Files;

namespace Vanus.Storage.Tiers;

/// <summary>Factories for the object stores the cold tier can use.</summary>
public static class ObjectStores
{
    /// <summary>An object store kept as files under <paramref name="root"/> (keys map to relative paths).</summary>
    public static IObjectStore Directory(string root, IFileSystem? fileSystem = null) => new DirectoryObjectStore(root, fileSystem ?? FileSystems.Local);

    /// <summary>An S3-compatible bucket, addressed path-style.</summary>
    public static IObjectStore S3(S3StoreOptions options) => new S3ObjectStore(options);
}
