namespace Vanus.Client;

/// <summary>Where a deployed subscription delivers its events.</summary>
public static class Sink
{
    /// <summary>The node POSTs each event to <paramref name="url"/> (absolute http or https), in CloudEvents binary mode unless told otherwise.</summary>
    public static HttpSink Http(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"The sink must be an absolute http or https URL, such as http://127.0.0.1:9000/hook (got '{url}').", nameof(url));
        }

        return new HttpSink(url, structured: false, []);
    }

    /// <summary>The node POSTs each event to <paramref name="url"/> (absolute http or https), in CloudEvents binary mode unless told otherwise.</summary>
    public static HttpSink Http(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return Http(url.OriginalString);
    }
}

/// <summary>An HTTP sink: its URL, content mode and the headers added to every delivery. Immutable; each method returns a new sink.</summary>
public sealed class HttpSink
{
    private readonly KeyValuePair<string, string>[] _headers;

    internal HttpSink(string url, bool structured, KeyValuePair<string, string>[] headers)
    {
        Url = url;
        IsStructured = structured;
        _headers = headers;
    }

    /// <summary>The URL events are POSTed to.</summary>
    public string Url { get; }

    /// <summary>True: each event is one <c>application/cloudevents+json</c> document; false: binary mode (attributes as <c>ce-</c> headers).</summary>
    public bool IsStructured { get; }

    /// <summary>The headers added to every delivery (the document's <c>sinkHeaders</c>), in the order given.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers => _headers;

    /// <summary>Delivers in CloudEvents structured mode.</summary>
    public HttpSink Structured() => new(Url, structured: true, _headers);

    /// <summary>Delivers in CloudEvents binary mode (the default).</summary>
    public HttpSink Binary() => new(Url, structured: false, _headers);

    /// <summary>Adds a header to every delivery, such as <c>Header("Authorization", "Bearer ...")</c>.</summary>
    public HttpSink Header(string name, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(value);
        if (!name.All(IsTokenChar))
        {
            throw new ArgumentException($"'{name}' is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only).", nameof(name));
        }

        if (value.Any(c => c is '\r' or '\n' or '\0'))
        {
            throw new ArgumentException($"The value of header '{name}' must not contain CR, LF or NUL.", nameof(value));
        }

        if (Array.Exists(_headers, h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new ArgumentException($"Header '{name}' is already set on this sink.", nameof(name));
        }

        return new HttpSink(Url, IsStructured, [.. _headers, new(name, value)]);
    }

    /// <summary>The URL.</summary>
    public override string ToString() => Url;

    // RFC 9110 token characters.
    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);
}
