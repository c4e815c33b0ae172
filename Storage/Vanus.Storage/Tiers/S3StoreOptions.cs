namespace Vanus.Storage.Tiers;

/// <summary>How to reach an S3-compatible bucket (path-style addressing, so any endpoint works).</summary>
public sealed record S3StoreOptions
{
    /// <summary>Creates options for <paramref name="bucket"/> at <paramref name="serviceUrl"/> (for example http://127.0.0.1:4568).</summary>
    public S3StoreOptions(Uri serviceUrl, string bucket)
    {
        ArgumentNullException.ThrowIfNull(serviceUrl);
        ArgumentException.ThrowIfNullOrWhiteSpace(bucket);
        ServiceUrl = serviceUrl;
        Bucket = bucket;
    }

    /// <summary>The endpoint.</summary>
    public Uri ServiceUrl { get; }

    /// <summary>The bucket objects go into.</summary>
    public string Bucket { get; }

    /// <summary>The access key id.</summary>
    public string AccessKey { get; init; } = "";

    /// <summary>The secret access key.</summary>
    public string SecretKey { get; init; } = "";

    /// <summary>The region requests are signed for.</summary>
    public string Region { get; init; } = "us-east-1";

    /// <summary>Objects larger than this are uploaded in parts (multipart upload).</summary>
    public long MultipartThreshold { get; init; } = 16L << 20;

    /// <summary>The size of each part of a multipart upload; S3 requires at least 5 MiB.</summary>
    public int PartSize { get; init; } = 8 << 20;
}
