using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Vanus.Operators.Transform;

/// <summary>Shared JSON settings and a per-thread reusable writer for the transformer's output.</summary>
internal static class Json
{
    // Go's JSON writers leave '<', '>', '&' and non-ASCII text as they are; the relaxed encoder does the same.
    public static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, WriteIndented = false };

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = false };

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>A cleared per-thread buffer and a JSON writer over it; callers copy the bytes out before the next call on the thread.</summary>
    public static (ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Writer) Rent()
    {
        var buffer = t_buffer;
        // One oversized event must not pin a large buffer to the thread for good.
        if (buffer is null || buffer.Capacity > 1024 * 1024)
        {
            buffer = t_buffer = new ArrayBufferWriter<byte>(1024);
        }

        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        writer.Reset(buffer);
        return (buffer, writer);
    }

    /// <summary>Serialises a node (null as JSON null) to compact UTF-8 bytes.</summary>
    public static byte[] Serialize(JsonNode? node)
    {
        var (buffer, writer) = Rent();
        if (node is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            node.WriteTo(writer, Compact);
        }

        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes a node, or JSON null for a missing one.</summary>
    public static void Write(Utf8JsonWriter writer, JsonNode? node)
    {
        if (node is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            node.WriteTo(writer, Compact);
        }
    }
}
