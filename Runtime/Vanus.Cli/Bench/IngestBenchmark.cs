using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Vanus.Cli.Bench;

/// <summary>
/// An HTTP load generator modelled on wrk: each of C workers owns one keep-alive connection and sends the same
/// pre-encoded ingest request in a closed loop (the next request goes once the previous answer is read) until the
/// duration ends. Every answered request's latency is kept for exact percentiles.
/// </summary>
internal static class IngestBenchmark
{
    public sealed record Settings(Uri Endpoint, string Namespace, string Eventbus, int Batch, int Connections, TimeSpan Duration, int Size, TimeSpan Timeout);

    private const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// Lets socket completions run the workers' continuations on the epoll thread instead of hopping to the thread pool.
    /// Takes effect only before this process's first socket operation, and is left alone when the user set it.
    /// </summary>
    public static void PreferInlineSocketCompletions()
    {
        // The generator shares two cores with the node it loads: measured against a bare Kestrel 204 endpoint, the
        // pool hop per completion cost about a quarter of its requests/s and a tenth more CPU per request. The
        // continuations here only record a latency and send the next request, so nothing blocks the epoll thread.
        if (Environment.GetEnvironmentVariable(InlineCompletionsVariable) is null)
        {
            Environment.SetEnvironmentVariable(InlineCompletionsVariable, "1");
        }
    }

    public static async Task<IngestResult> RunAsync(Settings settings, CancellationToken cancellationToken)
    {
        var payload = IngestPayload.Create(settings.Endpoint, settings.Namespace, settings.Eventbus, settings.Batch, settings.Size);
        var workers = new Worker[settings.Connections];
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = new Worker();
        }

        // A worker stops sending at the deadline and lets its last request finish; one still unanswered a timeout
        // later is cut and counted as an error, so the run always ends.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(settings.Duration + settings.Timeout);
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(settings.Duration.TotalSeconds * Stopwatch.Frequency);
        try
        {
            await Task.WhenAll(workers.Select(w => Task.Run(() => w.RunAsync(payload, deadline, stop.Token, cancellationToken), CancellationToken.None))).ConfigureAwait(false);
        }
        finally
        {
            foreach (var w in workers)
            {
                w.Dispose();
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var latency = new LatencyRecorder(workers.Sum(w => w.Latencies.Count));
        var errors = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var w in workers)
        {
            foreach (var ticks in w.Latencies)
            {
                latency.RecordTicks(ticks);
            }

            foreach (var (kind, count) in w.Errors)
            {
                errors[kind] = errors.GetValueOrDefault(kind) + count;
            }
        }

        return new IngestResult(
            settings,
            Requests: workers.Sum(w => w.Answered),
            OkRequests: workers.Sum(w => w.Ok),
            EventsPerRequest: payload.Events,
            BodyBytes: payload.BodyLength,
            ElapsedSeconds: elapsed,
            Errors: errors,
            Latency: latency);
    }

    private sealed class Worker : IDisposable
    {
        private readonly HttpMessageInvoker _invoker = new(new SocketsHttpHandler
        {
            // One connection per worker, held for the whole run, as wrk's connections are.
            MaxConnectionsPerServer = 1,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            // No trace headers: a load generator's requests belong to no trace, and injecting them costs per request.
            ActivityHeadersPropagator = null,
        });

        private readonly byte[] _drain = new byte[16 * 1024];

        public LatencyLog Latencies { get; } = new();

        public Dictionary<string, long> Errors { get; } = new(StringComparer.Ordinal);

        /// <summary>Requests that got an HTTP answer, whatever its status.</summary>
        public long Answered { get; private set; }

        /// <summary>Requests answered 2xx.</summary>
        public long Ok { get; private set; }

        public async Task RunAsync(IngestPayload payload, long deadline, CancellationToken stop, CancellationToken interrupted)
        {
            while (Stopwatch.GetTimestamp() < deadline && !stop.IsCancellationRequested)
            {
                using var request = payload.CreateRequest();
                var start = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await _invoker.SendAsync(request, stop).ConfigureAwait(false);
                    // Reading the whole answer frees the connection for the next request.
                    var body = await response.Content.ReadAsStreamAsync(stop).ConfigureAwait(false);
                    await using (body.ConfigureAwait(false))
                    {
                        while (await body.ReadAsync(_drain, stop).ConfigureAwait(false) > 0)
                        {
                        }
                    }

                    Latencies.Add(Stopwatch.GetTimestamp() - start);
                    Answered++;
                    var status = (int)response.StatusCode;
                    if (status is >= 200 and < 300)
                    {
                        Ok++;
                    }
                    else
                    {
                        Count(status.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    // Ctrl-C ends the run without blaming the node; the timeout past the deadline does blame it.
                    if (!interrupted.IsCancellationRequested)
                    {
                        Count("timeout");
                    }

                    return;
                }
                catch (HttpRequestException e)
                {
                    Count(e.InnerException is SocketException s ? $"socket:{s.SocketErrorCode}" : $"http:{e.HttpRequestError}");
                }
                catch (IOException e)
                {
                    Count(e.InnerException is SocketException s ? $"socket:{s.SocketErrorCode}" : "io");
                }
            }
        }

        public void Dispose() => _invoker.Dispose();

        private void Count(string kind) => Errors[kind] = Errors.GetValueOrDefault(kind) + 1;
    }

    /// <summary>
    /// A worker's latencies in fixed chunks: appending never copies what is already kept, so a long run has no
    /// growing-array copy stalling the thread that completes requests.
    /// </summary>
    private sealed class LatencyLog : IEnumerable<long>
    {
        private const int ChunkSize = 1 << 16;
        private readonly List<long[]> _chunks = [];
        private long[] _current = new long[ChunkSize];
        private int _used;

        public long Count => (_chunks.Count * (long)ChunkSize) + _used;

        public void Add(long ticks)
        {
            if (_used == ChunkSize)
            {
                _chunks.Add(_current);
                _current = new long[ChunkSize];
                _used = 0;
            }

            _current[_used++] = ticks;
        }

        public IEnumerator<long> GetEnumerator()
        {
            foreach (var chunk in _chunks)
            {
                foreach (var ticks in chunk)
                {
                    yield return ticks;
                }
            }

            for (var i = 0; i < _used; i++)
            {
                yield return _current[i];
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
