using System.Text.Encodings.Web;
using System.Text.Json;

namespace Vanus.Client.Http;

/// <summary>The JSON settings of the documents the client writes.</summary>
internal static class DocumentJson
{
    /// <summary>Relaxed escaping keeps quotes, &lt; and &gt; of expressions and templates readable in stored documents.</summary>
    public static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writer settings matching <see cref="Options"/>.</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
