using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Vanus.Cli.Commands;

/// <summary>
/// The <c>--file</c> of the verbs that send a whole management document (a subscription, a schedule): read from a file or
/// standard input, the status members a node adds left out, and named by the file or the command line (which must agree).
/// </summary>
internal static class DocumentFile
{
    /// <summary>Reads the document in <paramref name="file"/> (a <paramref name="what"/>), leaving out <paramref name="statusMembers"/> and naming it <paramref name="name"/> when it has no name.</summary>
    public static async Task<JsonObject> ReadAsync(CliEnvironment env, string file, string what, string? name, IEnumerable<string> statusMembers, CancellationToken cancellationToken)
    {
        var bytes = await EventFlags.ReadFileAsync(env, "--file", file, cancellationToken).ConfigureAwait(false);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(bytes, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new UsageException($"--file '{file}' is not JSON: {e.Message}");
        }

        if (node is not JsonObject document)
        {
            throw new UsageException($"--file '{file}' must hold one JSON object, the {what} document");
        }

        foreach (var member in statusMembers)
        {
            document.Remove(member);
        }

        var inFile = document["name"] is JsonValue v && v.TryGetValue<string>(out var n) ? n : null;
        if (document.ContainsKey("name") && inFile is null)
        {
            throw new UsageException($"--file '{file}': 'name' must be a string");
        }

        if (name is not null && inFile is not null && name != inFile)
        {
            throw new UsageException($"--file '{file}' names the {what} '{inFile}', but the command line names '{name}'");
        }

        if (inFile is not null)
        {
            return document;
        }

        if (name is null)
        {
            throw new UsageException($"--file '{file}' has no 'name': add it to the document or give NAME");
        }

        // The name comes first, as it does in every document the node prints.
        var named = new JsonObject { ["name"] = name };
        foreach (var (key, value) in document.ToList())
        {
            document.Remove(key);
            named[key] = value;
        }

        return named;
    }

    /// <summary>The name a built document carries (its builder has checked it is there).</summary>
    public static string NameOf(JsonObject document) => document["name"]!.GetValue<string>();

    /// <summary>The document as the UTF-8 JSON body of a request.</summary>
    public static byte[] ToBody(JsonObject document)
    {
        using var stream = new MemoryStream();
        // Relaxed escaping keeps what the user wrote readable on the wire (a template's <id>, non-ASCII text); it is still JSON.
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            document.WriteTo(writer);
        }

        return stream.ToArray();
    }
}
