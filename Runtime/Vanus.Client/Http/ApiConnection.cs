using System.Net.Http.Headers;

namespace Vanus.Client.Http;

/// <summary>Sends the client's requests to one node: builds URLs under the endpoint, reads whole answers, owns the HTTP client when it made it.</summary>
internal sealed class ApiConnection : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly Uri _base;
    private readonly AuthenticationHeaderValue? _authorization;
    private volatile bool _disposed;

    public ApiConnection(Uri endpoint, HttpClient? http, string @namespace, TimeProvider time, string? token = null)
    {
        if (token is not null && (token.Length == 0 || token.Any(c => c is <= ' ' or >= '\u007f')))
        {
            throw new ArgumentException("The token must be printable ASCII without spaces, as the node issued it.", nameof(token));
        }

        _authorization = token is null ? null : new AuthenticationHeaderValue("Bearer", token);
        ArgumentNullException.ThrowIfNull(endpoint);
        if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"The endpoint must be an absolute http or https URL such as http://127.0.0.1:8080 (got '{endpoint}').", nameof(endpoint));
        }

        if (!string.IsNullOrEmpty(endpoint.Query) || !string.IsNullOrEmpty(endpoint.Fragment))
        {
            throw new ArgumentException($"The endpoint must not have a query or fragment (got '{endpoint}').", nameof(endpoint));
        }

        // A trailing slash makes relative paths land under a path prefix (a node behind a proxy at /vanus/, say) instead of replacing its last segment.
        _base = endpoint.AbsoluteUri.EndsWith('/') ? endpoint : new Uri(endpoint.AbsoluteUri + "/");
        Namespace = Names.Check(@namespace, nameof(@namespace));
        Time = time;
        _ownsHttp = http is null;
        _http = http ?? new HttpClient();
    }

    public Uri Endpoint => _base;

    public string Namespace { get; }

    public TimeProvider Time { get; }

    /// <summary>The management path <c>api/v1/namespaces/{ns}/</c> followed by the escaped segments.</summary>
    public string Management(params string[] segments) =>
        "api/v1/namespaces/" + Uri.EscapeDataString(Namespace) + (segments.Length == 0 ? "" : "/" + string.Join('/', segments.Select(Uri.EscapeDataString)));

    /// <summary>The ingest path of an eventbus, <c>namespaces/{ns}/eventbus/{bus}/events</c>.</summary>
    public string Ingest(string eventbus) => VanusClient.IngestPath(Namespace, eventbus);

    public async Task<ApiAnswer> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var request = new HttpRequestMessage(method, new Uri(_base, path)) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/problem+json"));
        request.Headers.Authorization = _authorization;
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return new ApiAnswer(method.Method, path, (int)response.StatusCode, response.ReasonPhrase, response.Content.Headers.ContentType?.MediaType, body, RetryAfter(response));
    }

    /// <summary>Sends and returns the answer when it is a success, otherwise throws the <see cref="VanusApiException"/> it describes.</summary>
    public async Task<ApiAnswer> CallAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        var answer = await SendAsync(method, path, content, cancellationToken).ConfigureAwait(false);
        return answer.IsSuccess ? answer : throw answer.ToException();
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - Time.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }
}
