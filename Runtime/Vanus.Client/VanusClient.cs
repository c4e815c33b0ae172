using Vanus.Client.Http;

namespace Vanus.Client;

/// <summary>
/// The .NET client of a Vanus node's HTTP API for one namespace: eventbuses, publishing, and subscriptions deployed from
/// pipelines or consumed in process. Thread-safe; dispose it to release the HTTP client it created (one passed in is left open).
/// </summary>
public sealed class VanusClient : IDisposable
{
    private readonly ApiConnection _connection;

    /// <summary>Creates a client of the node at <paramref name="endpoint"/> (such as <c>http://127.0.0.1:8080</c>) for <paramref name="namespace"/>.</summary>
    public VanusClient(Uri endpoint, HttpClient? http = null, string @namespace = "default", TimeProvider? timeProvider = null)
    {
        _connection = new ApiConnection(endpoint, http, @namespace, timeProvider ?? TimeProvider.System);
        Eventbuses = new EventbusApi(_connection);
        Events = new EventApi(_connection);
        Subscriptions = new SubscriptionApi(_connection);
    }

    /// <summary>The clock the client waits on (retry pauses, in-process runs).</summary>
    internal TimeProvider Time => _connection.Time;

    /// <summary>The node's base URL.</summary>
    public Uri Endpoint => _connection.Endpoint;

    /// <summary>The namespace every call works in.</summary>
    public string Namespace => _connection.Namespace;

    /// <summary>Create, read and delete eventbuses.</summary>
    public IEventbusApi Eventbuses { get; }

    /// <summary>Publish events.</summary>
    public IEventApi Events { get; }

    /// <summary>Deploy, watch, steer and consume subscriptions.</summary>
    public ISubscriptionApi Subscriptions { get; }

    /// <summary>Releases the HTTP client if this client created it; calls made afterwards throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose() => _connection.Dispose();
}
