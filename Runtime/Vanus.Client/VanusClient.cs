using Vanus.Client.Http;

namespace Vanus.Client;

/// <summary>
/// The .NET client of a Vanus node's HTTP API for one namespace: eventbuses, publishing, and subscriptions deployed from
/// pipelines or consumed in process. Thread-safe; dispose it to release the HTTP client it created (one passed in is left open).
/// </summary>
public sealed class VanusClient : IDisposable
{
    private readonly ApiConnection _connection;

    /// <summary>
    /// Creates a client of the node at <paramref name="endpoint"/> (such as <c>http://127.0.0.1:8080</c>) for <paramref name="namespace"/>,
    /// sending <paramref name="token"/> as its bearer token on every call when given (a node with tokens on needs one).
    /// </summary>
    public VanusClient(Uri endpoint, HttpClient? http = null, string @namespace = "default", TimeProvider? timeProvider = null, string? token = null)
        : this([endpoint ?? throw new ArgumentNullException(nameof(endpoint))], http, @namespace, timeProvider, token)
    {
    }

    /// <summary>
    /// Creates a client of a cluster reached at any of <paramref name="endpoints"/>: a call that cannot connect, times out
    /// or is answered <c>503</c> moves to the next one (after the node's <c>Retry-After</c>) for up to
    /// <paramref name="failoverPatience"/> (30 s by default), so producers ride through a node's loss; when none of them
    /// answers at all the call fails at once. An append sent again
    /// that way may be stored twice when the first node stored it before it failed; a bus with a dedup window stores it once.
    /// </summary>
    public VanusClient(IReadOnlyList<Uri> endpoints, HttpClient? http = null, string @namespace = "default", TimeProvider? timeProvider = null, string? token = null, TimeSpan? failoverPatience = null)
    {
        _connection = new ApiConnection(endpoints, http, @namespace, timeProvider ?? TimeProvider.System, token, failoverPatience);
        Eventbuses = new EventbusApi(_connection);
        Events = new EventApi(_connection);
        Subscriptions = new SubscriptionApi(_connection);
    }

    /// <summary>The clock the client waits on (retry pauses, in-process runs).</summary>
    internal TimeProvider Time => _connection.Time;

    /// <summary>The base URL calls go to now (with several endpoints, the last one that answered).</summary>
    public Uri Endpoint => _connection.Endpoint;

    /// <summary>Every endpoint the client may use, in the order given.</summary>
    public IReadOnlyList<Uri> Endpoints => _connection.Endpoints;

    /// <summary>The namespace every call works in.</summary>
    public string Namespace => _connection.Namespace;

    /// <summary>Create, read and delete eventbuses.</summary>
    public IEventbusApi Eventbuses { get; }

    /// <summary>Publish events.</summary>
    public IEventApi Events { get; }

    /// <summary>Deploy, watch, steer and consume subscriptions.</summary>
    public ISubscriptionApi Subscriptions { get; }

    /// <summary>The management path <c>api/v1/namespaces/{namespace}/</c> followed by the segments, each escaped (for <see cref="SendAsync"/>).</summary>
    public string ManagementPath(params string[] segments) => _connection.Management(segments);

    /// <summary>The ingest path of an eventbus of the client's namespace, <c>namespaces/{namespace}/eventbus/{eventbus}/events</c>.</summary>
    public string IngestPath(string eventbus) => IngestPath(Namespace, eventbus);

    /// <summary>The ingest path of an eventbus of any namespace, relative to a node's endpoint, each name escaped.</summary>
    public static string IngestPath(string @namespace, string eventbus)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        ArgumentNullException.ThrowIfNull(eventbus);
        return $"namespaces/{Uri.EscapeDataString(@namespace)}/eventbus/{Uri.EscapeDataString(eventbus)}/events";
    }

    /// <summary>
    /// Sends one request to <paramref name="path"/> (relative to the endpoint) and returns the node's whole answer, whatever
    /// its status: for tools that show what the node sent (the CLI's <c>--output json</c>). Network failures throw as
    /// <see cref="HttpClient"/> throws them.
    /// </summary>
    public Task<ApiAnswer> SendAsync(HttpMethod method, string path, HttpContent? content = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(path);
        return _connection.SendAsync(method, path, content, cancellationToken);
    }

    /// <summary>Releases the HTTP client if this client created it; calls made afterwards throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose() => _connection.Dispose();
}
