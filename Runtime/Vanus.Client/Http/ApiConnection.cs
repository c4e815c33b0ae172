using System.Net.Http.Headers;

namespace Vanus.Client.Http;

/// <summary>Sends the client's requests to one node: builds URLs under the endpoint, reads whole answers, owns the HTTP client when it made it.</summary>
internal sealed class ApiConnection : IDisposable
{
    /// <summary>The longest <c>Retry-After</c> the client waits before it tries the next endpoint.</summary>
    private static readonly TimeSpan MaxPause = TimeSpan.FromSeconds(5);

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly Uri[] _bases;
    private readonly AuthenticationHeaderValue? _authorization;
    private int _current;
    private volatile bool _disposed;

    public ApiConnection(IReadOnlyList<Uri> endpoints, HttpClient? http, string @namespace, TimeProvider time, string? token = null, TimeSpan? failoverPatience = null)
    {
        if (token is not null && (token.Length == 0 || token.Any(c => c is <= ' ' or >= '\u007f')))
        {
            throw new ArgumentException("The token must be printable ASCII without spaces, as the node issued it.", nameof(token));
        }

        _authorization = token is null ? null : new AuthenticationHeaderValue("Bearer", token);
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.Count == 0)
        {
            throw new ArgumentException("At least one endpoint is needed, such as http://127.0.0.1:8080.", nameof(endpoints));
        }

        _bases = [.. endpoints.Select(Base)];
        Namespace = Names.Check(@namespace, nameof(@namespace));
        Time = time;
        FailoverPatience = failoverPatience ?? TimeSpan.FromSeconds(30);
        _ownsHttp = http is null;
        _http = http ?? new HttpClient();
    }

    /// <summary>The endpoint calls go to now: the first, or the last one that answered when there are several.</summary>
    public Uri Endpoint => _bases[Volatile.Read(ref _current)];

    /// <summary>Every endpoint the client may use, in the order given.</summary>
    public IReadOnlyList<Uri> Endpoints => _bases;

    /// <summary>With several endpoints, how long one call keeps moving between them before it gives up.</summary>
    public TimeSpan FailoverPatience { get; }

    public string Namespace { get; }

    public TimeProvider Time { get; }

    /// <summary>The management path <c>api/v1/namespaces/{ns}/</c> followed by the escaped segments.</summary>
    public string Management(params string[] segments) =>
        "api/v1/namespaces/" + Uri.EscapeDataString(Namespace) + (segments.Length == 0 ? "" : "/" + string.Join('/', segments.Select(Uri.EscapeDataString)));

    /// <summary>The ingest path of an eventbus, <c>namespaces/{ns}/eventbus/{bus}/events</c>.</summary>
    public string Ingest(string eventbus) => VanusClient.IngestPath(Namespace, eventbus);

    /// <summary>
    /// Sends one request. With several endpoints, a connection failure, a timeout or a <c>503</c> (a node without a quorum,
    /// or caught in a failover) moves the call to the next endpoint, after the <c>Retry-After</c> the node asked for
    /// (at most 5 s), until <see cref="FailoverPatience"/> has passed; the endpoint that answers is used from then on.
    /// When every endpoint in a row fails to answer at all, the call fails at once with the last error.
    /// A <c>503</c> that lists events stored before the failure is returned as it is: sending it again would store them twice.
    /// </summary>
    public async Task<ApiAnswer> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_bases.Length == 1)
        {
            return await SendToAsync(_bases[0], method, path, content, cancellationToken).ConfigureAwait(false);
        }

        // The body is kept, so that the call can go again to another node.
        var body = content is null ? null : await content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var started = Time.GetTimestamp();
        var index = Volatile.Read(ref _current);
        var unreachableInARow = 0;
        ApiAnswer? lastRefused = null;
        for (var attempt = 1; ; attempt++)
        {
            ApiAnswer? refused = null;
            try
            {
                using var copy = body is null ? null : Copy(body, content!);
                var answer = await SendToAsync(_bases[index], method, path, copy, cancellationToken).ConfigureAwait(false);
                if (answer.Status != 503 || StoredSome(answer))
                {
                    Volatile.Write(ref _current, index);
                    return answer;
                }

                refused = lastRefused = answer;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // No node reachable at all is not a failover to wait out: the caller hears it at once.
                if (++unreachableInARow >= _bases.Length)
                {
                    throw;
                }

                // Out of patience: a node's own 503 says more than a connection error.
                if (Time.GetElapsedTime(started) >= FailoverPatience)
                {
                    if (lastRefused is not null)
                    {
                        return lastRefused;
                    }

                    throw;
                }
            }

            if (refused is not null)
            {
                unreachableInARow = 0;
            }

            if (refused is not null && Time.GetElapsedTime(started) >= FailoverPatience)
            {
                return refused;
            }

            // Every node tried once: pause before the next round, as long as the node asked, else a short backoff.
            index = (index + 1) % _bases.Length;
            var pause = refused?.RetryAfter is { } asked ? TimeSpan.FromTicks(Math.Min(asked.Ticks, MaxPause.Ticks))
                : attempt % _bases.Length == 0 ? TimeSpan.FromMilliseconds(Math.Min(2000, 100 << Math.Min(attempt / _bases.Length, 5)))
                : TimeSpan.Zero;
            if (pause > TimeSpan.Zero)
            {
                await Task.Delay(pause, Time, cancellationToken).ConfigureAwait(false);
            }
        }
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

    private static Uri Base(Uri endpoint)
    {
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
        return endpoint.AbsoluteUri.EndsWith('/') ? endpoint : new Uri(endpoint.AbsoluteUri + "/");
    }

    private static ByteArrayContent Copy(byte[] body, HttpContent original)
    {
        var copy = new ByteArrayContent(body);
        foreach (var header in original.Headers)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        return copy;
    }

    /// <summary>True for a 503 of an ingest that stored some events before it failed (its problem lists them under <c>stored</c>).</summary>
    private static bool StoredSome(ApiAnswer answer)
    {
        try
        {
            using var problem = System.Text.Json.JsonDocument.Parse(answer.Body);
            return problem.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && problem.RootElement.TryGetProperty("stored", out var stored)
                && stored.ValueKind == System.Text.Json.JsonValueKind.Array
                && stored.GetArrayLength() > 0;
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    private async Task<ApiAnswer> SendToAsync(Uri endpoint, HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(endpoint, path)) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/problem+json"));
        request.Headers.Authorization = _authorization;
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return new ApiAnswer(method.Method, path, (int)response.StatusCode, response.ReasonPhrase, response.Content.Headers.ContentType?.MediaType, body, RetryAfter(response));
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
