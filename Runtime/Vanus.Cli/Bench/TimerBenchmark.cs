using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Vanus.Cli.Client;
using Vanus.Cli.Commands;
using Vanus.Client;
using Vanus.Runtime.Codecs;
using Vanus.Runtime.Events;

namespace Vanus.Cli.Bench;

/// <summary>
/// Measures a node's timer service: N events whose delivery times are spread evenly over a window that opens a lead
/// after the start are inserted in batches over concurrent connections (inserts/s counts acknowledged events); the node's
/// resident memory is read before and after, per pending timer; then, once the events have reached their bus (or a
/// bound has passed), every one is read back and its lateness — its store time minus its delivery time — summarised.
/// A bus made for the run is deleted at the end, whatever happened.
/// </summary>
internal static class TimerBenchmark
{
    public sealed record Settings(
        Uri Endpoint,
        string Namespace,
        string? Eventbus,
        long Timers,
        TimeSpan Window,
        TimeSpan Lead,
        TimeSpan Grace,
        int Batch,
        int Connections,
        int Size,
        int Eventlogs);

    /// <summary>How long one insert request may take before it counts as an error.</summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How often the bus is asked how many events it holds while the timers expire.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>Events per read request (the node's default limit).</summary>
    private const int ReadPage = 1000;

    /// <summary>Runs the benchmark; delivery times come from <paramref name="clock"/>. Refusals surface as <see cref="ServerRefusedException"/>.</summary>
    public static async Task<TimerResult> RunAsync(Settings settings, TimeProvider clock, TextWriter warnings, CancellationToken cancellationToken)
    {
        var run = Guid.NewGuid().ToString("N")[..12];
        var name = settings.Eventbus ?? $"bench-timer-{run}";
        using var connection = NodeApi.Connect(settings.Endpoint, settings.Namespace, TimeSpan.FromSeconds(30));
        var client = connection.Client;
        var created = false;
        var cleaned = true;
        TimerResult result;
        try
        {
            if (settings.Eventbus is null)
            {
                ClientCall.Accept(await client.CreateEventbusAsync(new CreateEventbusRequest(name) { Eventlogs = settings.Eventlogs }, cancellationToken).ConfigureAwait(false));
                created = true;
            }

            // Offsets from here on are the run's: a bus given with --eventbus may hold events already.
            var startOffsets = await NextOffsetsAsync(client, settings.Namespace, name, cancellationToken).ConfigureAwait(false);
            var before = await NodeMetrics.ScrapeAsync(client, cancellationToken).ConfigureAwait(false);

            var started = Stopwatch.GetTimestamp();
            var batch = new TimerBatch(run, settings.Timers, clock.GetUtcNow() + settings.Lead, settings.Window, settings.Size);
            var insert = await InsertAsync(settings, batch, name, cancellationToken).ConfigureAwait(false);
            var after = await NodeMetrics.ScrapeAsync(client, cancellationToken).ConfigureAwait(false);

            var bound = started + (long)((settings.Lead + settings.Window + settings.Grace).TotalSeconds * Stopwatch.Frequency);
            var complete = await WaitForAsync(client, settings.Namespace, name, startOffsets, insert.Acknowledged, bound, cancellationToken).ConfigureAwait(false);
            var read = await ReadBackAsync(client, settings.Namespace, name, startOffsets, batch, settings.Timers, cancellationToken).ConfigureAwait(false);

            result = new TimerResult(settings, name, insert.Acknowledged, insert.Held, insert.Errors, insert.Seconds, before, after, complete, read.Duplicates, read.Unexpected)
            {
                Lateness = read.Lateness,
            };
        }
        finally
        {
            // Cleanup runs even after Ctrl-C or a refusal: a benchmark must not leave its bus behind.
            if (created)
            {
                cleaned = await BenchCleanup.DeleteAsync(warnings, $"eventbus {settings.Namespace}/{name}", () => client.DeleteEventbusAsync(name, CancellationToken.None)).ConfigureAwait(false);
            }
        }

        return result with { CleanedUp = cleaned };
    }

    private sealed record InsertOutcome(long Acknowledged, long Held, double Seconds, IReadOnlyDictionary<string, long> Errors);

    private static async Task<InsertOutcome> InsertAsync(Settings settings, TimerBatch batch, string eventbus, CancellationToken cancellationToken)
    {
        var baseUri = settings.Endpoint.AbsoluteUri.EndsWith('/') ? settings.Endpoint : new Uri(settings.Endpoint.AbsoluteUri + "/");
        var uri = new Uri(baseUri, VanusClient.IngestPath(settings.Namespace, eventbus));
        var contentType = new MediaTypeHeaderValue(JsonEventFormat.BatchMediaType);
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            AutomaticDecompression = DecompressionMethods.None,
            ActivityHeadersPropagator = null,
            MaxConnectionsPerServer = settings.Connections,
        });

        var batches = (settings.Timers + settings.Batch - 1) / settings.Batch;
        long next = -1, acknowledged = 0, held = 0;
        var errors = new Dictionary<string, long>(StringComparer.Ordinal);
        void Count(string kind)
        {
            lock (errors)
            {
                errors[kind] = errors.GetValueOrDefault(kind) + 1;
            }
        }

        async Task WorkAsync()
        {
            while (true)
            {
                var b = Interlocked.Increment(ref next);
                if (b >= batches)
                {
                    return;
                }

                var first = b * settings.Batch;
                var count = (int)Math.Min(settings.Batch, settings.Timers - first);
                using var content = new ByteArrayContent(batch.Encode(first, count));
                content.Headers.ContentType = contentType;
                using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = content, Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(RequestTimeout);
                try
                {
                    using var response = await invoker.SendAsync(request, timeout.Token).ConfigureAwait(false);
                    var answer = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
                    var status = (int)response.StatusCode;
                    if (status is >= 200 and < 300)
                    {
                        Interlocked.Add(ref acknowledged, count);
                        Interlocked.Add(ref held, CountHeld(answer));
                    }
                    else
                    {
                        Count(status.ToString(CultureInfo.InvariantCulture));
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    Count("timeout");
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

        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, settings.Connections).Select(_ => Task.Run(WorkAsync, CancellationToken.None))).ConfigureAwait(false);
        return new InsertOutcome(acknowledged, held, Stopwatch.GetElapsedTime(started).TotalSeconds, errors);
    }

    /// <summary>Counts the entries of an ingest answer that were held for later (those with a <c>deliverytime</c>).</summary>
    internal static long CountHeld(byte[] answer)
    {
        var reader = new Utf8JsonReader(answer);
        long held = 0;
        try
        {
            while (reader.Read())
            {
                // {"events":[{..."deliverytime":...}]}: the entries' members sit at depth 3.
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 3 && reader.ValueTextEquals("deliverytime"u8))
                {
                    held++;
                }
            }
        }
        catch (JsonException e)
        {
            throw new UnexpectedReplyException($"error: the node acknowledged an insert with a body that is not JSON: {e.Message}");
        }

        return held;
    }

    private static async Task<long[]> NextOffsetsAsync(VanusClient client, string ns, string eventbus, CancellationToken cancellationToken)
    {
        var bus = ContractReader.ReadEventbus(ClientCall.Accept(await client.GetEventbusAsync(eventbus, cancellationToken).ConfigureAwait(false)));
        var logs = bus.Eventlogs ?? throw new UnexpectedReplyException($"error: the node's document for eventbus '{eventbus}' lists no eventlogs");
        var next = new long[logs.Count == 0 ? 0 : logs.Max(l => l.Id) + 1];
        foreach (var log in logs)
        {
            next[log.Id] = log.Next;
        }

        return next;
    }

    /// <summary>Waits until the bus holds <paramref name="expected"/> events more than at the start, or the bound passes; true when they all came.</summary>
    private static async Task<bool> WaitForAsync(VanusClient client, string ns, string eventbus, long[] startOffsets, long expected, long bound, CancellationToken cancellationToken)
    {
        while (true)
        {
            var next = await NextOffsetsAsync(client, ns, eventbus, cancellationToken).ConfigureAwait(false);
            long arrived = 0;
            for (var i = 0; i < next.Length; i++)
            {
                arrived += next[i] - (i < startOffsets.Length ? startOffsets[i] : 0);
            }

            if (arrived >= expected)
            {
                return true;
            }

            var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), bound);
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            await Task.Delay(left < PollInterval ? left : PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed record ReadOutcome(TimerLateness Lateness, long Duplicates, long Unexpected);

    private static async Task<ReadOutcome> ReadBackAsync(VanusClient client, string ns, string eventbus, long[] startOffsets, TimerBatch batch, long timers, CancellationToken cancellationToken)
    {
        // One store time per event of the run, 0 until it is found: the index alone gives its delivery time.
        var stored = new long[timers];
        var scan = new ScanState(batch, stored);
        var logs = (await NextOffsetsAsync(client, ns, eventbus, cancellationToken).ConfigureAwait(false)).Length;
        for (var log = 0; log < logs; log++)
        {
            var offset = log < startOffsets.Length ? startOffsets[log] : 0;
            while (true)
            {
                var reply = ClientCall.Accept(await client.ReadEventsAsync(eventbus, log, offset, ReadPage, cancellationToken).ConfigureAwait(false));
                var read = Scan(reply, scan);
                if (read == 0)
                {
                    break;
                }

                offset += read;
            }
        }

        // Packs the found events' store times to the front and pairs each with its delivery time.
        var dues = new long[scan.Found];
        var k = 0;
        for (long i = 0; i < timers; i++)
        {
            if (stored[i] != 0)
            {
                dues[k] = batch.DueTicks(i);
                stored[k++] = stored[i];
            }
        }

        Array.Resize(ref stored, k);
        return new ReadOutcome(TimerLateness.Summarise(dues, stored), scan.Duplicates, scan.Unexpected);
    }

    private sealed class ScanState(TimerBatch batch, long[] stored)
    {
        public TimerBatch Batch { get; } = batch;

        public long[] Stored { get; } = stored;

        public long Found { get; set; }

        public long Duplicates { get; set; }

        public long Unexpected { get; set; }
    }

    /// <summary>Reads one page of events (the batch format), noting each of the run's by its store time; answers how many events the page held.</summary>
    private static int Scan(ApiAnswer reply, ScanState state)
    {
        var reader = new Utf8JsonReader(reply.Body);
        var events = 0;
        Span<char> text = stackalloc char[64];
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                throw Unexpected(reply, "a JSON array of events");
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw Unexpected(reply, "a JSON array of events");
                }

                events++;
                long index = -1;
                long? storeTicks = null;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("id"u8))
                    {
                        reader.Read();
                        index = reader.TokenType == JsonTokenType.String && Chars(ref reader, text, out var id) ? state.Batch.IndexOf(text[..id]) : -1;
                    }
                    else if (reader.ValueTextEquals(ReadAttributesStoreTime))
                    {
                        reader.Read();
                        if (reader.TokenType != JsonTokenType.String || !Chars(ref reader, text, out var length) || !Rfc3339.TryParse(text[..length], out var time, out _))
                        {
                            throw Unexpected(reply, "events whose xvanusstime is an RFC 3339 timestamp");
                        }

                        storeTicks = time.UtcTicks;
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }

                if (index < 0)
                {
                    state.Unexpected++;
                }
                else if (storeTicks is not { } ticks)
                {
                    throw Unexpected(reply, "events read back with their store time (xvanusstime)");
                }
                else if (state.Stored[index] != 0)
                {
                    state.Duplicates++;
                }
                else
                {
                    state.Stored[index] = ticks;
                    state.Found++;
                }
            }
        }
        catch (JsonException e)
        {
            throw Unexpected(reply, $"a JSON array of events ({e.Message})");
        }

        return events;
    }

    private static ReadOnlySpan<byte> ReadAttributesStoreTime => "xvanusstime"u8;

    private static bool Chars(ref Utf8JsonReader reader, scoped Span<char> buffer, out int length)
    {
        length = 0;
        var size = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (size > buffer.Length)
        {
            return false;
        }

        length = reader.CopyString(buffer);
        return true;
    }

    private static UnexpectedReplyException Unexpected(ApiAnswer reply, string expected) =>
        new(string.Create(CultureInfo.InvariantCulture, $"error: the node answered {reply.Status} to a read but its body is not {expected}"));
}
