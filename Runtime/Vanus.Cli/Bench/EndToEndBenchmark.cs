using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Vanus.Cli.Client;
using Vanus.Cli.Commands;
using Vanus.Client;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Codecs;
using Vanus.Runtime.Events;

namespace Vanus.Cli.Bench;

/// <summary>
/// Measures delivery end to end: a fresh eventbus and a subscription (from latest, binary mode) whose sink is a
/// <see cref="DeliveryReceiver"/> in this process; single binary-mode events are ingested on a fixed schedule (open
/// loop: a slow answer never delays the next send), and each event's latency runs from just before its ingest request
/// is sent to its first arrival at the sink. A warm-up at the same rate comes first and is not counted. The bus and
/// subscription are deleted at the end, whatever happened.
/// </summary>
internal static class EndToEndBenchmark
{
    public sealed record Settings(Uri Endpoint, string Namespace, double Rate, TimeSpan Duration, int Size, int Eventlogs, TimeSpan Wait, TimeSpan Warmup)
    {
        /// <summary>Events the measured part of the schedule sends: one every 1/rate seconds during the duration.</summary>
        public long Events => Math.Max(1, (long)Math.Ceiling(Rate * Duration.TotalSeconds));

        /// <summary>Events sent before the measured ones, on the same schedule, to start connections, triggers and JIT.</summary>
        public long WarmupEvents => (long)Math.Ceiling(Rate * Warmup.TotalSeconds);
    }

    /// <summary>How long one ingest request may take before it counts as an error.</summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Runs the benchmark. Management refusals surface as <see cref="ServerRefusedException"/>; cleanup problems are written to <paramref name="warnings"/>.</summary>
    public static async Task<EndToEndResult> RunAsync(Settings settings, TextWriter warnings, CancellationToken cancellationToken)
    {
        var run = Guid.NewGuid().ToString("N")[..12];
        var name = $"bench-e2e-{run}";
        using var connection = NodeApi.Connect(settings.Endpoint, settings.Namespace, TimeSpan.FromSeconds(30));
        var client = connection.Client;
        var receiver = await DeliveryReceiver.StartAsync(run, settings.WarmupEvents + settings.Events, cancellationToken).ConfigureAwait(false);
        await using (receiver.ConfigureAwait(false))
        {
            var busCreated = false;
            var subscribed = false;
            var cleaned = true;
            EndToEndResult result;
            try
            {
                ClientCall.Accept(await client.CreateEventbusAsync(new CreateEventbusRequest(name) { Eventlogs = settings.Eventlogs }, cancellationToken).ConfigureAwait(false));
                busCreated = true;
                var subscription = new JsonObject
                {
                    ["name"] = name,
                    ["eventbus"] = name,
                    [SubscriptionFields.Sink] = receiver.Sink.AbsoluteUri,
                    [SubscriptionFields.Protocol] = "http",
                    [SubscriptionFields.Mode] = "binary",
                    [SubscriptionFields.From] = "latest",
                };
                ClientCall.Accept(await client.CreateSubscriptionAsync(DocumentFile.ToBody(subscription), cancellationToken).ConfigureAwait(false));
                subscribed = true;

                var ingest = await IngestAsync(settings, name, run, cancellationToken).ConfigureAwait(false);
                // Warm-up events are waited for too, so that none is still on its way when the subscription goes.
                var complete = await receiver.WaitForAsync(ingest.Acknowledged.Count(a => a), settings.Wait, cancellationToken).ConfigureAwait(false);
                result = Summarise(settings, name, ingest, receiver, complete);
            }
            finally
            {
                // Cleanup runs even after Ctrl-C or a refusal: a benchmark must not leave its bus and subscription behind.
                if (subscribed)
                {
                    cleaned &= await BenchCleanup.DeleteAsync(warnings, $"subscription {settings.Namespace}/{name}", () => client.DeleteSubscriptionAsync(name, CancellationToken.None)).ConfigureAwait(false);
                }

                if (busCreated)
                {
                    cleaned &= await BenchCleanup.DeleteAsync(warnings, $"eventbus {settings.Namespace}/{name}", () => client.DeleteEventbusAsync(name, CancellationToken.None)).ConfigureAwait(false);
                }
            }

            return result with { CleanedUp = cleaned };
        }
    }

    /// <summary>What the ingest side did, per event (warm-up first): when it was sent, whether it was acknowledged, and the errors.</summary>
    private sealed record IngestOutcome(long[] SendTimes, bool[] Acknowledged, long Sent, double SendSeconds, IReadOnlyDictionary<string, long> Errors, long WarmupErrors);

    private static async Task<IngestOutcome> IngestAsync(Settings settings, string eventbus, string run, CancellationToken cancellationToken)
    {
        var baseUri = settings.Endpoint.AbsoluteUri.EndsWith('/') ? settings.Endpoint : new Uri(settings.Endpoint.AbsoluteUri + "/");
        var uri = new Uri(baseUri, VanusClient.IngestPath(settings.Namespace, eventbus));
        var data = new byte[settings.Size];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (byte)('a' + (i % 26));
        }

        var template = new Event("-", "/vanus/bench", "vanus.bench.e2e") { DataContentType = "text/plain", Data = data };
        var headers = HttpBinding.EncodeBinaryHeaders(template).Where(h => h.Key != "ce-id").ToArray();
        var contentType = new MediaTypeHeaderValue("text/plain");
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            AutomaticDecompression = DecompressionMethods.None,
            ActivityHeadersPropagator = null,
            // Enough connections that a fixed rate is kept while answers are slow; beyond them requests queue in the
            // handler, which the latencies then show.
            MaxConnectionsPerServer = 512,
        });

        var warmup = settings.WarmupEvents;
        var total = warmup + settings.Events;
        var sendTimes = new long[total];
        var acknowledged = new bool[total];
        var errors = new Dictionary<string, long>(StringComparer.Ordinal);
        var warmupErrors = 0L;
        void Count(long sequence, string kind)
        {
            lock (errors)
            {
                if (sequence < warmup)
                {
                    warmupErrors++;
                }
                else
                {
                    errors[kind] = errors.GetValueOrDefault(kind) + 1;
                }
            }
        }

        async Task SendAsync(long sequence)
        {
            using var content = new ByteArrayContent(data);
            content.Headers.ContentType = contentType;
            using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = content, Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            request.Headers.TryAddWithoutValidation("ce-id", string.Create(CultureInfo.InvariantCulture, $"{run}-{sequence}"));
            foreach (var (header, value) in headers)
            {
                request.Headers.TryAddWithoutValidation(header, value);
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(RequestTimeout);
            try
            {
                sendTimes[sequence] = Stopwatch.GetTimestamp();
                using var response = await invoker.SendAsync(request, timeout.Token).ConfigureAwait(false);
                await response.Content.LoadIntoBufferAsync(timeout.Token).ConfigureAwait(false);
                var status = (int)response.StatusCode;
                if (status is >= 200 and < 300)
                {
                    acknowledged[sequence] = true;
                }
                else
                {
                    Count(sequence, status.ToString(CultureInfo.InvariantCulture));
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                Count(sequence, "timeout");
            }
            catch (HttpRequestException e)
            {
                Count(sequence, e.InnerException is SocketException s ? $"socket:{s.SocketErrorCode}" : $"http:{e.HttpRequestError}");
            }
            catch (IOException e)
            {
                Count(sequence, e.InnerException is SocketException s ? $"socket:{s.SocketErrorCode}" : "io");
            }
        }

        var pending = new List<Task>((int)Math.Min(total, 1 << 20));
        var period = Stopwatch.Frequency / settings.Rate;
        var origin = Stopwatch.GetTimestamp();
        var sent = 0L;
        var lastSend = origin;
        try
        {
            for (long i = 0; i < total; i++)
            {
                // Open loop: every send keeps to the schedule, so a stalled node shows as latency, not as a lower rate.
                // Unlike Pacer this sleeps to the next due time and then sends whatever is due: Pacer spins within 2 ms
                // of each send, which from 500 events/s on keeps a core busy that the node under test needs (the
                // machine may have two). Sends are then up to a timer tick late, but each latency is measured from
                // its actual send, so the figures stay honest.
                var wait = origin + (long)(i * period) - Stopwatch.GetTimestamp();
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(1, Math.Ceiling(wait * 1000.0 / Stopwatch.Frequency))), cancellationToken).ConfigureAwait(false);
                }

                pending.Add(SendAsync(i));
                sent++;
            }

            lastSend = Stopwatch.GetTimestamp();
        }
        finally
        {
            // The sends' own tasks record everything; awaiting them here also makes their writes visible to the caller.
            await Task.WhenAll(pending).ConfigureAwait(false);
        }

        // The time the measured sends took to issue: above the duration when the sender could not keep the rate.
        var measuredStart = warmup < sent ? sendTimes[warmup] : lastSend;
        return new IngestOutcome(sendTimes, acknowledged, sent, (lastSend - measuredStart) / (double)Stopwatch.Frequency, errors, warmupErrors);
    }

    private static EndToEndResult Summarise(Settings settings, string name, IngestOutcome ingest, DeliveryReceiver receiver, bool complete)
    {
        var first = settings.WarmupEvents;
        var latencies = new List<long>();
        long acknowledged = 0, duplicates = 0;
        var start = first < ingest.Sent ? ingest.SendTimes[first] : 0;
        var last = start;
        for (var i = first; i < ingest.Sent; i++)
        {
            if (ingest.Acknowledged[i])
            {
                acknowledged++;
            }

            var arrived = receiver.ArrivalOf(i);
            if (arrived != 0)
            {
                latencies.Add(arrived - ingest.SendTimes[i]);
                duplicates += Math.Max(0, receiver.CopiesOf(i) - 1);
                last = Math.Max(last, arrived);
            }
        }

        var latency = new LatencyRecorder(latencies.Count);
        foreach (var ticks in latencies)
        {
            latency.RecordTicks(ticks);
        }

        return new EndToEndResult(
            settings,
            name,
            ingest.Sent - first,
            acknowledged,
            ingest.Errors,
            latency.Count,
            duplicates,
            receiver.Foreign,
            complete,
            ingest.SendSeconds,
            (last - start) / (double)Stopwatch.Frequency)
        {
            Latency = latency,
            WarmupSent = Math.Min(first, ingest.Sent),
            WarmupErrors = ingest.WarmupErrors,
        };
    }
}
