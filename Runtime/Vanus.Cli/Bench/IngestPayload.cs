using System.Net;
using System.Net.Http.Headers;
using Vanus.Client;
using Vanus.Runtime.Codecs;
using Vanus.Runtime.Events;

namespace Vanus.Cli.Bench;

/// <summary>
/// The request every worker sends, encoded once: a binary-mode event (attributes as <c>ce-</c> headers, data as the body)
/// or a JSON batch of N events. Only the message objects are new per request; the bytes are shared.
/// </summary>
internal sealed class IngestPayload
{
    private readonly byte[] _body;
    private readonly KeyValuePair<string, string>[] _headers;
    private readonly MediaTypeHeaderValue _contentType;

    private IngestPayload(Uri uri, byte[] body, MediaTypeHeaderValue contentType, KeyValuePair<string, string>[] headers, int events)
    {
        (Uri, _body, _contentType, _headers, Events) = (uri, body, contentType, headers, events);
    }

    public Uri Uri { get; }

    /// <summary>Events per request.</summary>
    public int Events { get; }

    public int BodyLength => _body.Length;

    public static IngestPayload Create(Uri endpoint, string ns, string eventbus, int batch, int size)
    {
        var baseUri = endpoint.AbsoluteUri.EndsWith('/') ? endpoint : new Uri(endpoint.AbsoluteUri + "/");
        var uri = new Uri(baseUri, VanusClient.IngestPath(ns, eventbus));
        // Printable data, so that a batch carries it as a JSON string of exactly `size` bytes rather than base64.
        var data = new byte[size];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (byte)('a' + (i % 26));
        }

        Event Make(int i) => new($"bench-{i}", "/vanus/bench", "vanus.bench.ingest") { DataContentType = "text/plain", Data = data };
        if (batch == 1)
        {
            var e = Make(0);
            return new IngestPayload(uri, data, new MediaTypeHeaderValue("text/plain"), [.. HttpBinding.EncodeBinaryHeaders(e)], 1);
        }

        var body = JsonEventFormat.EncodeBatch(Enumerable.Range(0, batch).Select(Make));
        return new IngestPayload(uri, body, new MediaTypeHeaderValue(JsonEventFormat.BatchMediaType), [], batch);
    }

    public HttpRequestMessage CreateRequest()
    {
        var content = new ByteArrayContent(_body);
        content.Headers.ContentType = _contentType;
        var request = new HttpRequestMessage(HttpMethod.Post, Uri)
        {
            Content = content,
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        foreach (var (name, value) in _headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }
}
