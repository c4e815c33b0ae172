using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;

namespace Vanus.Cli.Client;

/// <summary>
/// The CLI's HTTP client for the node's contract (DESIGN §6): one method per path the verbs use, each answering the
/// raw reply so that <c>--output json</c> can print exactly what the node sent.
/// </summary>
internal sealed class VanusClient : IDisposable
{
    private readonly HttpClient _http;

    public VanusClient(Uri endpoint, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        // A base address without a trailing slash would drop its last path segment when relative paths are resolved.
        Endpoint = endpoint.AbsoluteUri.EndsWith('/') ? endpoint : new Uri(endpoint.AbsoluteUri + "/");
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        _http = new HttpClient(handler) { Timeout = timeout };
    }

    public Uri Endpoint { get; }

    public Task<ApiReply> CreateEventbusAsync(string ns, CreateEventbusRequest request, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(request, CliJsonContext.Default.CreateEventbusRequest);
        return SendAsync(HttpMethod.Post, $"api/v1/namespaces/{Segment(ns)}/eventbuses", JsonContent(body), cancellationToken);
    }

    public Task<ApiReply> ListEventbusesAsync(string ns, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, $"api/v1/namespaces/{Segment(ns)}/eventbuses", null, cancellationToken);

    public Task<ApiReply> GetEventbusAsync(string ns, string name, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, EventbusPath(ns, name), null, cancellationToken);

    public Task<ApiReply> DeleteEventbusAsync(string ns, string name, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, EventbusPath(ns, name), null, cancellationToken);

    /// <summary>Ingests through the namespaced Vanus path, which serves every namespace (<c>/gateway/{bus}</c> only serves <c>default</c>).</summary>
    public Task<ApiReply> PutEventsAsync(string ns, string eventbus, HttpContent content, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, IngestPath(ns, eventbus), content, cancellationToken);

    public Task<ApiReply> ReadEventsAsync(string ns, string eventbus, int eventlog, long offset, int count, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, FormattableString.Invariant($"{EventbusPath(ns, eventbus)}/events?eventlog={eventlog}&offset={offset}&count={count}"), null, cancellationToken);

    public Task<ApiReply> GetEventAsync(string ns, string eventbus, string eventId, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, $"{EventbusPath(ns, eventbus)}/events/{Segment(eventId)}", null, cancellationToken);

    public Task<ApiReply> QueryOffsetsAsync(string ns, string eventbus, string time, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, $"{EventbusPath(ns, eventbus)}/offsets?time={Uri.EscapeDataString(time)}", null, cancellationToken);

    public Task<ApiReply> CreateSubscriptionAsync(string ns, byte[] document, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"api/v1/namespaces/{Segment(ns)}/subscriptions", JsonContent(document), cancellationToken);

    public Task<ApiReply> ReplaceSubscriptionAsync(string ns, string name, byte[] document, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Put, SubscriptionPath(ns, name), JsonContent(document), cancellationToken);

    public Task<ApiReply> ListSubscriptionsAsync(string ns, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, $"api/v1/namespaces/{Segment(ns)}/subscriptions", null, cancellationToken);

    public Task<ApiReply> GetSubscriptionAsync(string ns, string name, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, SubscriptionPath(ns, name), null, cancellationToken);

    public Task<ApiReply> DeleteSubscriptionAsync(string ns, string name, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, SubscriptionPath(ns, name), null, cancellationToken);

    /// <summary>Pauses or resumes a subscription (<paramref name="action"/> is <c>pause</c> or <c>resume</c>); the answer is the subscription.</summary>
    public Task<ApiReply> SubscriptionLifecycleAsync(string ns, string name, string action, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"{SubscriptionPath(ns, name)}/{action}", null, cancellationToken);

    public Task<ApiReply> ResetSubscriptionAsync(string ns, string name, string time, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"{SubscriptionPath(ns, name)}/reset", JsonContent(JsonSerializer.SerializeToUtf8Bytes(new ResetRequest(time), CliJsonContext.Default.ResetRequest)), cancellationToken);

    /// <summary>A dry run of the subscription's filters and transformer on one event (any CloudEvents HTTP mode).</summary>
    public Task<ApiReply> ValidateSubscriptionAsync(string ns, string name, HttpContent cloudEvent, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"{SubscriptionPath(ns, name)}/validate", cloudEvent, cancellationToken);

    public Task<ApiReply> ListDeadLettersAsync(string ns, string subscription, int eventlog, long offset, int count, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, FormattableString.Invariant($"{SubscriptionPath(ns, subscription)}/deadletters?eventlog={eventlog}&offset={offset}&count={count}"), null, cancellationToken);

    public Task<ApiReply> ResendDeadLettersAsync(string ns, string subscription, ResendRequest selection, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"{SubscriptionPath(ns, subscription)}/deadletters/resend", JsonContent(JsonSerializer.SerializeToUtf8Bytes(selection, CliJsonContext.Default.ResendRequest)), cancellationToken);

    /// <summary>The path of the namespaced ingest endpoint, relative to the endpoint.</summary>
    public static string IngestPath(string ns, string eventbus) => $"namespaces/{Segment(ns)}/eventbus/{Segment(eventbus)}/events";

    public async Task<ApiReply> SendAsync(HttpMethod method, string relativePath, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(Endpoint, relativePath)) { Content = content };
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            return new ApiReply((int)response.StatusCode, response.ReasonPhrase, response.Content.Headers.ContentType?.MediaType, body);
        }
        catch (HttpRequestException e)
        {
            throw new NodeUnreachableException(Endpoint, Describe(e), e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient reports its own timeout as a cancellation the caller did not ask for.
            throw new NodeUnreachableException(Endpoint, $"no answer within {_http.Timeout.TotalSeconds:0.#} s", e);
        }
    }

    public void Dispose() => _http.Dispose();

    private static string EventbusPath(string ns, string name) => $"api/v1/namespaces/{Segment(ns)}/eventbuses/{Segment(name)}";

    private static string SubscriptionPath(string ns, string name) => $"api/v1/namespaces/{Segment(ns)}/subscriptions/{Segment(name)}";

    private static ByteArrayContent JsonContent(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }

    private static string Segment(string value) => Uri.EscapeDataString(value);

    private static string Describe(HttpRequestException e) => e.InnerException switch
    {
        SocketException s => $"{s.Message} ({s.SocketErrorCode})",
        { } inner when inner.Message.Length > 0 => inner.Message,
        _ => e.Message,
    };
}
