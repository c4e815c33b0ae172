using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Vanus.Cli.Bench;

/// <summary>
/// The sink of <c>bench e2e</c>: a Kestrel endpoint on 127.0.0.1 (a free port) that takes binary-mode deliveries, notes
/// when each of the run's events first arrived (by its <c>ce-id</c>, <c>{run}-{sequence}</c>), counts repeats and
/// answers 204.
/// </summary>
internal sealed class DeliveryReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _prefix;
    private readonly long[] _arrivals;
    private readonly int[] _copies;
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _distinct;
    private long _duplicates;
    private long _foreign;
    private long _expected = long.MaxValue;

    private DeliveryReceiver(WebApplication app, string run, long capacity)
    {
        _app = app;
        _prefix = run + "-";
        _arrivals = new long[capacity];
        _copies = new int[capacity];
    }

    /// <summary>The URL to give the subscription as its sink.</summary>
    public Uri Sink { get; private set; } = null!;

    /// <summary>Events of the run received at least once.</summary>
    public long Distinct => Interlocked.Read(ref _distinct);

    /// <summary>Deliveries of an event already received.</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>How many times event <paramref name="sequence"/> has arrived.</summary>
    public int CopiesOf(long sequence) => Volatile.Read(ref _copies[sequence]);

    /// <summary>Deliveries that are not events of this run (no <c>ce-id</c>, or another run's).</summary>
    public long Foreign => Interlocked.Read(ref _foreign);

    /// <summary>The Stopwatch timestamp at which event <paramref name="sequence"/> first arrived, or 0 if it has not.</summary>
    public long ArrivalOf(long sequence) => Volatile.Read(ref _arrivals[sequence]);

    /// <summary>Starts a receiver for events <c>{run}-0</c> … <c>{run}-{capacity - 1}</c>.</summary>
    public static async Task<DeliveryReceiver> StartAsync(string run, long capacity, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, 0);
        });
        var app = builder.Build();
        var receiver = new DeliveryReceiver(app, run, capacity);
        app.MapPost("/{**path}", receiver.ReceiveAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Sink = new Uri(new Uri(address), "/sink");
        return receiver;
    }

    /// <summary>Waits until <paramref name="expected"/> distinct events have arrived; false if <paramref name="timeout"/> passes first.</summary>
    public async Task<bool> WaitForAsync(long expected, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // Both sides use full fences (Exchange here, Increment in ReceiveAsync): either this check sees the last
        // arrival, or that arrival sees the new target and completes the wait.
        Interlocked.Exchange(ref _expected, expected);
        if (Distinct >= expected)
        {
            return true;
        }

        try
        {
            await _reached.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return Distinct >= expected;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Reads a request's body to its end without keeping it: the work any receiver cannot avoid.</summary>
    public static async Task DrainAsync(HttpContext context)
    {
        var reader = context.Request.BodyReader;
        while (true)
        {
            var read = await reader.ReadAsync(context.RequestAborted).ConfigureAwait(false);
            reader.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                break;
            }
        }
    }

    private async Task ReceiveAsync(HttpContext context)
    {
        await DrainAsync(context).ConfigureAwait(false);

        var now = Stopwatch.GetTimestamp();
        var id = context.Request.Headers["ce-id"].ToString();
        if (id.StartsWith(_prefix, StringComparison.Ordinal)
            && long.TryParse(id.AsSpan(_prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
            && sequence < _arrivals.Length)
        {
            if (Interlocked.Increment(ref _copies[sequence]) == 1)
            {
                Volatile.Write(ref _arrivals[sequence], now);
                if (Interlocked.Increment(ref _distinct) >= Interlocked.Read(ref _expected))
                {
                    _reached.TrySetResult();
                }
            }
            else
            {
                Interlocked.Increment(ref _duplicates);
            }
        }
        else
        {
            Interlocked.Increment(ref _foreign);
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }
}
