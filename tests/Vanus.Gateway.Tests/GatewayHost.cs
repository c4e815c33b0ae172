using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Vanus.Runtime.Broker;
using Vanus.Testing.Http;

namespace Vanus.Gateway.Tests;

/// <summary>The gateway on real Kestrel at 127.0.0.1 on a free port, over in-memory brokers, with a client and captured logs.</summary>
internal sealed class GatewayHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GatewayHost(WebApplication app, InMemoryBroker broker, InMemorySubscriptions subscriptions, FakeTimerService? timers, FakeTimeProvider time, LogSink logs, Uri address)
    {
        _app = app;
        Broker = broker;
        Subscriptions = subscriptions;
        Timers = timers;
        Time = time;
        Logs = logs;
        // A bounded timeout turns a gateway that wrongly holds a request into a failing test rather than a hung run.
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public InMemoryBroker Broker { get; }

    public InMemorySubscriptions Subscriptions { get; }

    public InMemorySchedules Schedules { get; private init; } = null!;

    public InMemoryTokens Tokens { get; private init; } = null!;

    /// <summary>The node's timer service, or null for a host that registers none.</summary>
    public FakeTimerService? Timers { get; }

    public FakeTimeProvider Time { get; }

    public LogSink Logs { get; }

    public HttpClient Client { get; }

    public static async Task<GatewayHost> StartAsync(GatewayOptions? options = null, bool timers = true)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 16, 0, 0, TimeSpan.Zero));
        var broker = new InMemoryBroker(time);
        var subscriptions = new InMemorySubscriptions(broker, time);
        var schedules = new InMemorySchedules(broker, time);
        var timerService = timers ? new FakeTimerService() : null;
        var logs = new LogSink();
        var tokens = new InMemoryTokens();
        var (app, address) = await LoopbackHost.StartAsync(a => a.MapVanusGateway(), builder =>
        {
            builder.WebHost.ConfigureKestrel(k => k.UseVanusGateway());
            builder.Logging.SetMinimumLevel(LogLevel.Information);
            builder.Logging.AddProvider(logs);
            builder.Services.AddSingleton<IEventbusBroker>(broker);
            builder.Services.AddSingleton<ISubscriptionBroker>(subscriptions);
            builder.Services.AddSingleton<IScheduleBroker>(schedules);
            builder.Services.AddSingleton<ITokenBroker>(tokens);
            if (timerService is not null)
            {
                builder.Services.AddSingleton<ITimerService>(timerService);
            }

            builder.Services.AddVanusGateway((options ?? new GatewayOptions()) with { TimeProvider = time });
        });
        logs.Clear();
        var host = new GatewayHost(app, broker, subscriptions, timerService, time, logs, address) { Schedules = schedules, Tokens = tokens };

        // With tokens on, the host's own client is the bootstrap admin, so setup calls keep working.
        if (options?.AdminToken is { } admin)
        {
            host.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", admin);
        }

        return host;
    }

    public async Task CreateBusAsync(string name, int eventlogs = 1, string ns = "default")
    {
        using var response = await Client.PostAsync($"/api/v1/namespaces/{ns}/eventbuses", Json($$"""{"name":"{{name}}","eventlogs":{{eventlogs}}}"""));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    public async Task CreateNamespaceAsync(string name)
    {
        using var response = await Client.PostAsync("/api/v1/namespaces", Json($$"""{"name":"{{name}}"}"""));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static ByteArrayContent Binary(string id, string data = "hello", params (string Name, string Value)[] extra)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(data));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        content.Headers.TryAddWithoutValidation("ce-specversion", "1.0");
        content.Headers.TryAddWithoutValidation("ce-id", id);
        content.Headers.TryAddWithoutValidation("ce-source", "/tests");
        content.Headers.TryAddWithoutValidation("ce-type", "test.created");
        foreach (var (name, value) in extra)
        {
            content.Headers.TryAddWithoutValidation(name, value);
        }

        return content;
    }

    public static StringContent Structured(string json) => new(json, new MediaTypeHeaderValue("application/cloudevents+json") { CharSet = "utf-8" });

    public static StringContent Batch(string json) => new(json, new MediaTypeHeaderValue("application/cloudevents-batch+json") { CharSet = "utf-8" });

    public static string EventJson(string id, string extra = "") =>
        $$"""{"specversion":"1.0","id":"{{id}}","source":"/tests","type":"test.created","datacontenttype":"application/json","data":{"n":1}{{extra}}}""";

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Captures log lines at Information and above so a test can count them.</summary>
internal sealed class LogSink : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, LogLevel Level, string Message)> _lines = new();

    public IReadOnlyList<(string Category, LogLevel Level, string Message)> Lines => [.. _lines];

    public void Clear() => _lines.Clear();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                sink._lines.Enqueue((category, logLevel, formatter(state, exception)));
            }
        }
    }
}
