using System.Net;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Vanus.Storage.Tiers;

/// <summary>
/// An S3-compatible bucket through AWSSDK.S3, path-style; large objects go up in parts and appear only when complete.
/// Every put and part carries its Content-MD5, so S3 refuses bytes damaged on the way; where the server answers with a
/// plain MD5 ETag (S3 without KMS, s3rver) it is compared as well, which catches a server that does not check.
/// </summary>
internal sealed class S3ObjectStore : IObjectStore
{
    private const int MinPartSize = 5 << 20;
    private readonly S3StoreOptions _options;
    private readonly AmazonS3Client _client;

    public S3ObjectStore(S3StoreOptions options)
    {
        if (options.PartSize < MinPartSize)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.PartSize, $"S3 parts must be at least {MinPartSize} bytes");
        }

        if (options.MultipartThreshold < options.PartSize)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MultipartThreshold, "the multipart threshold must be at least the part size");
        }

        _options = options;
        var config = new AmazonS3Config
        {
            ServiceURL = options.ServiceUrl.ToString(),
            ForcePathStyle = true,
            AuthenticationRegion = options.Region,
            UseHttp = options.ServiceUrl.Scheme == Uri.UriSchemeHttp,
            // Checksums only where S3 requires them, and (below) signed plain bodies rather than aws-chunked ones:
            // S3-compatible servers often do not decode the chunked, trailing-checksum uploads the SDK sends by default.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        _client = new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
    }

    public async Task PutAsync(string key, Stream content, long length, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (length <= _options.MultipartThreshold)
        {
            var buffer = new byte[length];
            await content.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
            using var body = new MemoryStream(buffer, writable: false);
            var md5 = Md5(buffer);
            var put = await _client.PutObjectAsync(new PutObjectRequest
            {
                BucketName = _options.Bucket,
                Key = key,
                InputStream = body,
                AutoCloseStream = false,
                UseChunkEncoding = false,
                MD5Digest = Convert.ToBase64String(md5),
            }, cancellationToken).ConfigureAwait(false);
            if (EtagProblem(put.ETag, md5) is { } problem)
            {
                await _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _options.Bucket, Key = key }, CancellationToken.None).ConfigureAwait(false);
                throw new IOException($"{Describe(key)} did not store the bytes sent ({problem}); the object was deleted");
            }

            return;
        }

        var upload = await _client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = _options.Bucket, Key = key }, cancellationToken).ConfigureAwait(false);
        try
        {
            var parts = new List<PartETag>();
            var part = new byte[_options.PartSize];
            long sent = 0;
            for (var number = 1; sent < length; number++)
            {
                var size = (int)Math.Min(part.Length, length - sent);
                await content.ReadExactlyAsync(part.AsMemory(0, size), cancellationToken).ConfigureAwait(false);
                using var body = new MemoryStream(part, 0, size, writable: false);
                var md5 = Md5(part.AsSpan(0, size));
                var response = await _client.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = _options.Bucket,
                    Key = key,
                    UploadId = upload.UploadId,
                    PartNumber = number,
                    PartSize = size,
                    InputStream = body,
                    UseChunkEncoding = false,
                    MD5Digest = Convert.ToBase64String(md5),
                }, cancellationToken).ConfigureAwait(false);
                if (EtagProblem(response.ETag, md5) is { } problem)
                {
                    throw new IOException($"{Describe(key)} did not store part {number} as sent ({problem})");
                }

                parts.Add(new PartETag(number, response.ETag));
                sent += size;
            }

            await _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = _options.Bucket,
                Key = key,
                UploadId = upload.UploadId,
                PartETags = parts,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await TryAbortAsync(key, upload.UploadId).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Aborts a multipart upload if the server lets it; the caller's own error is what matters.</summary>
    private async Task TryAbortAsync(string key, string uploadId)
    {
        try
        {
            await _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _options.Bucket, Key = key, UploadId = uploadId }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (AmazonServiceException)
        {
            // Some S3-compatible servers (s3rver) do not implement the abort: the parts stay until the bucket's lifecycle
            // rule for incomplete uploads removes them.
        }
    }

#pragma warning disable CA5351 // MD5 is S3's integrity check of a transfer (Content-MD5, plain ETags), not a security measure
    private static byte[] Md5(ReadOnlySpan<byte> data) => MD5.HashData(data);
#pragma warning restore CA5351

    /// <summary>What is wrong when an ETag that is a plain MD5 differs from the bytes sent; null when it agrees or is not a plain MD5 (KMS, multipart).</summary>
    internal static string? EtagProblem(string? etag, byte[] md5)
    {
        var value = etag?.Trim('"');
        if (value is not { Length: 32 } || !value.All(char.IsAsciiHexDigit))
        {
            return null;
        }

        var sent = Convert.ToHexStringLower(md5);
        return string.Equals(value, sent, StringComparison.OrdinalIgnoreCase) ? null : $"ETag {value}, MD5 of the bytes sent {sent}";
    }

    public async Task<int> ReadAsync(string key, long position, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.Length == 0)
        {
            return 0;
        }

        try
        {
            using var response = await _client.GetObjectAsync(new GetObjectRequest
            {
                BucketName = _options.Bucket,
                Key = key,
                ByteRange = new ByteRange(position, position + buffer.Length - 1),
            }, cancellationToken).ConfigureAwait(false);
            var total = 0;
            while (total < buffer.Length)
            {
                var n = await response.ResponseStream.ReadAsync(buffer[total..], cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                total += n;
            }

            return total;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            throw new FileNotFoundException($"object '{key}' does not exist in {Describe(key)}", key, ex);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            return 0;
        }
    }

    public async Task<IReadOnlyList<ObjectInfo>> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var found = new List<ObjectInfo>();
        var request = new ListObjectsV2Request { BucketName = _options.Bucket, Prefix = prefix };
        while (true)
        {
            var response = await _client.ListObjectsV2Async(request, cancellationToken).ConfigureAwait(false);
            foreach (var o in response.S3Objects ?? [])
            {
                found.Add(new ObjectInfo(o.Key, o.Size ?? 0));
            }

            if (response.IsTruncated != true)
            {
                break;
            }

            request.ContinuationToken = response.NextContinuationToken;
        }

        found.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return found;
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _options.Bucket, Key = key }, cancellationToken);

    public async Task RemoveIncompleteAsync(string prefix, Func<string, bool> isKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(isKey);
        var request = new ListMultipartUploadsRequest { BucketName = _options.Bucket, Prefix = prefix };
        try
        {
            while (true)
            {
                var response = await _client.ListMultipartUploadsAsync(request, cancellationToken).ConfigureAwait(false);
                foreach (var upload in response.MultipartUploads ?? [])
                {
                    if (isKey(upload.Key))
                    {
                        await TryAbortAsync(upload.Key, upload.UploadId).ConfigureAwait(false);
                    }
                }

                if (response.IsTruncated != true)
                {
                    break;
                }

                request.KeyMarker = response.NextKeyMarker;
                request.UploadIdMarker = response.NextUploadIdMarker;
            }
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotImplemented)
        {
            // A server that cannot list uploads (s3rver 3.7.1): nothing can be found to abort.
        }
    }

    public string Describe(string key) => $"s3://{_options.Bucket}/{key} at {_options.ServiceUrl}";

    public void Dispose() => _client.Dispose();
}
