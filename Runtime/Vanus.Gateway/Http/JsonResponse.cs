using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Vanus.Runtime.Codecs;

namespace Vanus.Gateway.Http;

/// <summary>Writes small JSON answers through a per-thread buffer and writer, with an exact Content-Length.</summary>
internal static class JsonResponse
{
    public const string JsonContentType = "application/json; charset=utf-8";

    // Relaxed escaping keeps problem details readable ('it's' rather than 'it\u0027s'); the answers are never HTML.
    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A batch of events as the read and dead-letter APIs answer it.</summary>
    public const string BatchContentType = JsonEventFormat.BatchMediaType + "; charset=utf-8";

    private const int KeepCapacity = 64 * 1024;

    // A streamed answer is flushed to the client whenever this much is buffered.
    private const int FlushThreshold = 32 * 1024;

    [ThreadStatic]
    private static Cache? t_cache;

    /// <summary>Streams a JSON array (inside <c>{"<paramref name="member"/>":[...]}</c> when a member is given), flushing as it grows.</summary>
    public static async Task StreamArrayAsync<T>(HttpContext context, string contentType, string? member, IReadOnlyList<T> items, Action<Utf8JsonWriter, T> write)
    {
        // Streamed: a page of many large events is never held whole a second time as one JSON text.
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        await using var writer = new Utf8JsonWriter(response.BodyWriter, WriterOptions);
        if (member is not null)
        {
            writer.WriteStartObject();
            writer.WritePropertyName(member);
        }

        writer.WriteStartArray();
        foreach (var item in items)
        {
            write(writer, item);
            if (writer.BytesPending > FlushThreshold)
            {
                writer.Flush();
                await response.BodyWriter.FlushAsync(context.RequestAborted);
            }
        }

        writer.WriteEndArray();
        if (member is not null)
        {
            writer.WriteEndObject();
        }

        writer.Flush();
    }

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
