using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Vanus.Gateway.Http;

/// <summary>Writes small JSON answers through a per-thread buffer and writer, with an exact Content-Length.</summary>
internal static class JsonResponse
{
    public const string JsonContentType = "application/json; charset=utf-8";

    // Relaxed escaping keeps problem details readable ('it's' rather than 'it\u0027s'); the answers are never HTML.
    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private const int KeepCapacity = 64 * 1024;

    [ThreadStatic]
    private static Cache? t_cache;

    /// <summary>
    /// Writes the whole answer synchronously: the buffer is per thread, so nothing may await between writing and copying
    /// it into the response pipe (Kestrel flushes the pipe when the request delegate completes).
    /// </summary>
    public static void Write<TState>(HttpResponse response, int status, string contentType, TState state, Action<Utf8JsonWriter, TState> write)
    {
        var cache = t_cache;
        if (cache is null || cache.InUse)
        {
            cache = new Cache();
            t_cache ??= cache;
        }

        cache.InUse = true;
        try
        {
            cache.Writer.Reset(cache.Buffer);
            write(cache.Writer, state);
            cache.Writer.Flush();
            response.StatusCode = status;
            response.ContentType = contentType;
            response.ContentLength = cache.Buffer.WrittenCount;
            response.BodyWriter.Write(cache.Buffer.WrittenSpan);
        }
        finally
        {
            cache.InUse = false;
            if (cache.Buffer.Capacity > KeepCapacity)
            {
                // One large answer must not pin a large buffer to the thread for good.
                if (ReferenceEquals(t_cache, cache))
                {
                    t_cache = null;
                }
            }
            else
            {
                cache.Buffer.ResetWrittenCount();
            }
        }
    }

    private sealed class Cache
    {
        public Cache()
        {
            Buffer = new ArrayBufferWriter<byte>(1024);
            Writer = new Utf8JsonWriter(Buffer, WriterOptions);
        }

        public ArrayBufferWriter<byte> Buffer { get; }

        public Utf8JsonWriter Writer { get; }

        public bool InUse { get; set; }
    }
}
