using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

using Vanus.Testing.Http;

namespace Vanus.Operators.Tests.Delivery;

/// <summary>A request as the receiver got it: headers (values joined), content type and body.</summary>
internal sealed record ReceivedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string? ContentType, byte[] Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>A real HTTP sink on 127.0.0.1 (an in-process Kestrel on a free port) that records requests and answers as a test says.</summary>
internal sealed class SinkReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _requestArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SinkReceiver(WebApplication app) => _app = app;

    public Uri Url { get; private init; } = null!;

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    /// <summary>Answers each request after it is recorded; 200 with no body unless a test sets it.</summary>
    public Func<HttpContext, Task> Handler { get; set; } = static _ => Task.CompletedTask;

    /// <summary>Completes when the first request has been recorded.</summary>
    public Task RequestArrived => _requestArrived.Task;

    public static async Task<SinkReceiver> StartAsync()
    {
        SinkReceiver? receiver = null;
        var (app, address) = await LoopbackHost.StartAsync(a => a.Run(c => receiver!.ReceiveAsync(c)));
        receiver = new SinkReceiver(app) { Url = new Uri(address, "/hook") };
        return receiver;
    }

    /// <summary>A handler that never answers (until the client gives up or the receiver stops).</summary>
    public async Task HangAsync(HttpContext context)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        try
        {
            await Task.Delay(Timeout.Infinite, either.Token);
        }
        catch (OperationCanceledException)
        {
            // The client went away or the test ended: nothing to answer.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    private async Task ReceiveAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        Requests.Enqueue(new ReceivedRequest(context.Request.Method, context.Request.Path.Value ?? "", headers, context.Request.ContentType, buffer.ToArray()));
        _requestArrived.TrySetResult();
        await Handler(context);
    }
}
