using System.Net.Http.Headers;
using System.Text.Json;
using Vanus.Client;

namespace Vanus.Cli.Client;

/// <summary>
/// The calls the CLI's verbs make, over the .NET client (<see cref="VanusClient.SendAsync"/>): each answers the node's whole
/// reply, so <c>--output json</c> prints exactly what the node sent and a table reads only what it shows.
/// </summary>
internal static class NodeApi
{
    /// <summary>
    /// A client of the node for one CLI run: no proxy, no cookies, connections given 5 s, calls given <paramref name="timeout"/>.
    /// Throws <see cref="ArgumentException"/> for a namespace that cannot travel in a path.
    /// </summary>
    public static NodeConnection Connect(Uri endpoint, string @namespace, TimeSpan timeout, string? token = null) =>
        Connect([endpoint], @namespace, timeout, token);

    /// <summary>A client of a cluster at any of <paramref name="endpoints"/>: each call moves to the next one on a connection failure or a 503.</summary>
    public static NodeConnection Connect(IReadOnlyList<Uri> endpoints, string @namespace, TimeSpan timeout, string? token = null)
    {
        // The handler applies the timeout itself, so that a node that does not answer surfaces as one exception; the client's
        // own timeout, a little longer, only bounds reading a body that stalls.
        var handler = new UnreachableHandler(timeout) { InnerHandler = new SocketsHttpHandler { UseProxy = false, UseCookies = false, ConnectTimeout = TimeSpan.FromSeconds(5) } };
        var http = new HttpClient(handler) { Timeout = timeout + TimeSpan.FromSeconds(5) };
        try
        {
            return new NodeConnection(http, new VanusClient(endpoints, http, @namespace, token: token, failoverPatience: timeout));
        }
        catch
        {
            http.Dispose();
            throw;
        }
    }

    public static Task<ApiAnswer> CreateEventbusAsync(this VanusClient client, CreateEventbusRequest request, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(request, CliJsonContext.Default.CreateEventbusRequest);
        return client.SendAsync(HttpMethod.Post, client.ManagementPath("eventbuses"), JsonContent(body), cancellationToken);
    }

    public static Task<ApiAnswer> CreateTokenAsync(this VanusClient client, CreateTokenRequest request, CancellationToken cancellationToken) =>
        client.SendAsync(HttpMethod.Post, "api/v1/tokens", JsonContent(JsonSerializer.SerializeToUtf8Bytes(request, CliJsonContext.Default.CreateTokenRequest)), cancellationToken);

    public static Task<ApiAnswer> ListTokensAsync(this VanusClient client, CancellationToken cancellationToken) =>
        client.SendAsync(HttpMethod.Get, "api/v1/tokens", null, cancellationToken);

    public static Task<ApiAnswer> DeleteTokenAsync(this VanusClient client, string name, CancellationToken cancellationToken) =>
        client.SendAsync(HttpMethod.Delete, "api/v1/tokens/" + Uri.EscapeDataString(name), null, cancellationToken);

    public static Task<ApiAnswer> ListEventbusesAsync(this VanusClient client, CancellationToken cancellationToken) =>
        client.SendAsync(HttpMethod.Get, client.ManagementPath("eventbuses"), null, cancellationToken);

    public static Task<ApiAnswer> GetEventbusAsync(this VanusClient client, string name, CancellationToken cancellationToken) =>
        client.SendAsync(HttpMethod.Get, client.ManagementPath("eventbuses", name), null, cancellationToken);

    public static Task<ApiAnswer> DeleteEventbusAsync(this VanusClient client, string name, CancellationToken cancellationToken) =>
        client.SendAsync(HttpMethod.Delete, client.ManagementPath("eventbuses", name), null, cancellationToken);

    /// <summary>Ingests through the namespaced Vanus path, which serves every namespace (<c>/gateway/{bus}</c> only serves <c>default</c>).</summary>
    public static Task<ApiAnswer> PutEventsAsync(this VanusClient client, string eventbus, HttpContent content, CancellationToken cancellationToken) =>
        client.SendAsync(HttpMethod.Post, client.IngestPath(eventbus), content, cancellationToken);

    public static Task<ApiAnswer> ReadEventsAsync(this VanusClient client, string eventbus, int eventlog, long offset, int count, CancellationToken cancellationToken) =>
        client.SendAsync(HttpMethod.Get, FormattableString.Invariant($"{client.ManagementPath("eventbuses", eventbus)}/events?eventlog={eventlog}&offset={offset}&count={count}"), null, cancellationToken);

    public static Task<ApiAnswer> GetEventAsync(this VanusClient client, string eventbus, string eventId, CancellationToken cancellationToken) =>
        client.SendAsync(HttpMethod.Get, client.ManagementPath("eventbuses", eventbus, "events", eventId), null, cancellationToken);

    public static Task<ApiAnswer> QueryOffsetsAsync(this VanusClient client, string eventbus, string time, CancellationToken cancellationToken) =>
        client.SendAsync(HttpMethod.Get, $"{client.ManagementPath("eventbuses", eventbus)}/offsets?time={Uri.EscapeDataString(time)}", null, cancellationToken);

    public static Task<ApiAnswer> CreateSubscriptionAsync(this VanusClient client, byte[] document, CancellationToken cancellationToken) =>
        client.SendAsync(HttpMethod.Post, client.ManagementPath("subscriptions"), JsonContent(document), cancellationToken);

    public static Task<ApiAnswer> ReplaceSubscriptionAsync(this VanusClient client, string name, byte[] document, CancellationToken cancellationToken) =>
        client.SendAsync(HttpMethod.Put, client.ManagementPath("subscriptions", name), JsonContent(document), cancellationToken);

    public static Task<ApiAnswer> ListSubscriptionsAsync(this VanusClient client, CancellationToken cancellationToken) =>
        client.SendAsync(HttpMethod.Get, client.ManagementPath("subscriptions"), null, cancellationToken);

    public static Task<ApiAnswer> GetSubscriptionAsync(this VanusClient client, string name, CancellationToken cancellationToken) =>
        client.SendAsync(HttpMethod.Get, client.ManagementPath("subscriptions", name), null, cancellationToken);

    public static Task<ApiAnswer> DeleteSubscriptionAsync(this VanusClient client, string name, CancellationToken cancellationToken) =>
        client.SendAsync(HttpMethod.Delete, client.ManagementPath("subscriptions", name), null, cancellationToken);

    /// <summary>Pauses or resumes a subscription (<paramref name="action"/> is <c>pause</c> or <c>resume</c>); the answer is the subscription.</summary>
    public static Task<ApiAnswer> SubscriptionLifecycleAsync(this VanusClient client, string name, string action, CancellationToken cancellationToken) =>
        client.SendAsync(HttpMethod.Post, client.ManagementPath("subscriptions", name, action), null, cancellationToken);

    public static Task<ApiAnswer> ResetSubscriptionAsync(this VanusClient client, string name, string time, CancellationToken cancellationToken) =>
        client.SendAsync(HttpMethod.Post, client.ManagementPath("subscriptions", name, "reset"), JsonContent(JsonSerializer.SerializeToUtf8Bytes(new ResetRequest(time), CliJsonContext.Default.ResetRequest)), cancellationToken);

    /// <summary>A dry run of the subscription's filters and transformer on one event (any CloudEvents HTTP mode).</summary>
    public static Task<ApiAnswer> ValidateSubscriptionAsync(this VanusClient client, string name, HttpContent cloudEvent, CancellationToken cancellationToken) =>
        client.SendAsync(HttpMethod.Post, client.ManagementPath("subscriptions", name, "validate"), cloudEvent, cancellationToken);

    public static Task<ApiAnswer> ListDeadLettersAsync(this VanusClient client, string subscription, int eventlog, long offset, int count, CancellationToken cancellationToken) =>
        client.SendAsync(HttpMethod.Get, FormattableString.Invariant($"{client.ManagementPath("subscriptions", subscription)}/deadletters?eventlog={eventlog}&offset={offset}&count={count}"), null, cancellationToken);

    public static Task<ApiAnswer> ResendDeadLettersAsync(this VanusClient client, string subscription, ResendRequest selection, CancellationToken cancellationToken) =>
        client.SendAsync(HttpMethod.Post, client.ManagementPath("subscriptions", subscription, "deadletters", "resend"), JsonContent(JsonSerializer.SerializeToUtf8Bytes(selection, CliJsonContext.Default.ResendRequest)), cancellationToken);

    private static ByteArrayContent JsonContent(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }
}

/// <summary>The .NET client of one CLI run and the HTTP client it sends with; disposing it releases both.</summary>
internal sealed class NodeConnection(HttpClient http, VanusClient client) : IDisposable
{
    public HttpClient Http { get; } = http;

    public VanusClient Client { get; } = client;

    public void Dispose()
    {
        Client.Dispose();
        Http.Dispose();
    }
}

/// <summary>Turns "no answer" (a refused connection, a timeout) into <see cref="NodeUnreachableException"/> naming the endpoint.</summary>
internal sealed class UnreachableHandler(TimeSpan timeout) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // The node the request went to: with several endpoints, the one the client is trying now.
        var endpoint = new Uri(request.RequestUri!.GetLeftPart(UriPartial.Authority) + "/");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            return await base.SendAsync(request, deadline.Token).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new NodeUnreachableException(endpoint, Describe(e), e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new NodeUnreachableException(endpoint, $"no answer within {timeout.TotalSeconds:0.#} s", e);
        }
    }

    private static string Describe(HttpRequestException e) => e.InnerException switch
    {
        System.Net.Sockets.SocketException s => $"{s.Message} ({s.SocketErrorCode})",
        { } inner when inner.Message.Length > 0 => inner.Message,
        _ => e.Message,
    };
}
