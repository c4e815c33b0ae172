using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Vanus.Testing.Http;

/// <summary>One request a <see cref="Receiver"/> got: headers (lower-case names), body, and the attempt number for its CloudEvent id.</summary>
public sealed record ReceivedRequest(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body, int Attempt, DateTimeOffset At)
{
    /// <summary>The CloudEvent id (binary mode's ce-id).</summary>
    public string? Id => Headers.TryGetValue("ce-id", out var id) ? id : null;

    /// <summary>A header by lower-case name, or null.</summary>
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>The body as UTF-8 text.</summary>
    public string Text => System.Text.Encoding.UTF8.GetString(Body);
}

/// <summary>
/// A real HTTP sink on 127.0.0.1 (any free port) that records every request and answers what <see cref="Respond"/> says
/// (204 by default). Tests wait on <see cref="WaitForAsync"/>, which completes when a condition over the recorded requests holds.
/// </summary>
public sealed class Receiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _attempts = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly List<(Func<IReadOnlyList<ReceivedRequest>, bool> Condition, TaskCompletionSource Done)> _waiters = [];
    private readonly List<ReceivedRequest> _deliveries = [];
    private readonly HashSet<string> _acceptedIds = new(StringComparer.Ordinal);

    private Receiver(WebApplication app) => _app = app;

    /// <summary>The URL to give a subscription as its sink.</summary>
    public string Url { get; private init; } = "";

    /// <summary>Decides the status code of each request; null answers 204.</summary>
    public Func<ReceivedRequest, int>? Respond { get; set; }

    /// <summary>Every request so far, in arrival order.</summary>
    public IReadOnlyList<ReceivedRequest> Deliveries
    {
        get
        {
            lock (_gate)
            {
                return [.. _deliveries];
            }
        }
    }

    public static async Task<Receiver> StartAsync()
    {
        Receiver? receiver = null;
        var (app, address) = await LoopbackHost.StartAsync(a => a.Run(c => receiver!.HandleAsync(c)));
        receiver = new Receiver(app) { Url = new Uri(address, "/hook").ToString() };
        return receiver;
    }

    /// <summary>Completes once <paramref name="condition"/> holds over the requests recorded; fails after <paramref name="patience"/> (default 30 s).</summary>
    public Task WaitForAsync(Func<IReadOnlyList<ReceivedRequest>, bool> condition, TimeSpan? patience = null)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (condition(_deliveries))
            {
                return Task.CompletedTask;
            }

            _waiters.Add((condition, done));
        }

        return done.Task.WaitAsync(patience ?? TimeSpan.FromSeconds(30));
    }

    /// <summary>The distinct CloudEvent ids received (with a 2xx answer).</summary>
    public IReadOnlySet<string> AcceptedIds()
    {
        lock (_gate)
        {
            return new HashSet<string>(_acceptedIds, StringComparer.Ordinal);
        }
    }

    /// <summary>How many distinct CloudEvent ids were received with a 2xx answer; cheap enough for a wait condition.</summary>
    public int AcceptedCount
    {
        get
        {
            lock (_gate)
            {
                return _acceptedIds.Count;
            }
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
        var id = headers.GetValueOrDefault("ce-id") ?? "";
        var attempt = _attempts.AddOrUpdate(id, 1, (_, n) => n + 1);
        var request = new ReceivedRequest(context.Request.Path, headers, body.ToArray(), attempt, DateTimeOffset.UtcNow);
        var status = Respond?.Invoke(request) ?? 204;
        lock (_gate)
        {
            _deliveries.Add(request);
            if (status is >= 200 and < 300)
            {
                if (request.Id is { } accepted)
                {
                    _acceptedIds.Add(accepted);
                }
            }

            _waiters.RemoveAll(w => w.Condition(_deliveries) && w.Done.TrySetResult());
        }

        context.Response.StatusCode = status;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
