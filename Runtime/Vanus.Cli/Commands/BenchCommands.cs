using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using System.Globalization;
using Vanus.Cli.Bench;
using Vanus.Cli.Client;
using Vanus.Cli.Output;
using Vanus.Runtime.Broker;

namespace Vanus.Cli.Commands;

/// <summary>
/// The <c>vanus bench</c> verbs: storage benchmarks modelled on Kafka's producer-perf-test and <c>nats bench</c>, an
/// HTTP ingest load generator modelled on wrk, delivery end to end, and the timer service.
/// </summary>
internal static class BenchCommands
{
    public static Command Create(CliEnvironment env)
    {
        var bench = new Command("bench", "Measure the storage engine on this machine, or a node over HTTP");
        bench.Subcommands.Add(CreateAppend(env));
        bench.Subcommands.Add(CreateFsync(env));
        bench.Subcommands.Add(CreateIngest(env));
        bench.Subcommands.Add(CreateEndToEnd(env));
        bench.Subcommands.Add(CreateTimer(env));
        bench.Subcommands.Add(CreateBareHttp(env));
        return bench;
    }

    private static Option<string> DirectoryOption(string description) => new("--dir") { Description = description, Required = true };

    private static Option<long> CountOption(string name, string description, long defaultValue) =>
        OptionParsers.Bounded(name, description, 1L, long.MaxValue, defaultValue);

    private static Option<int> SizeOption(string description, int defaultValue) =>
        OptionParsers.Bounded("--size", description, 1, int.MaxValue, defaultValue);

    private static Option<double?> RateOption(string description) => new("--rate")
    {
        Description = description,
        CustomParser = r =>
        {
            var text = r.Tokens[0].Value;
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && rate > 0 && double.IsFinite(rate))
            {
                return rate;
            }

            r.AddError($"--rate must be a positive number of operations per second, not '{text}'");
            return null;
        },
    };

    private static Command CreateAppend(CliEnvironment env)
    {
        var dir = DirectoryOption("The log directory (created; appends go after any events already there)");
        var events = CountOption("--events", "How many events to append", 1_000_000);
        var size = SizeOption("The size of each event's data in bytes (the attributes come on top)", 263);
        var sync = new Option<string>("--sync") { Description = "Sync policy: always, interval or none", DefaultValueFactory = _ => "interval" };
        sync.AcceptOnlyFromAmong("always", "interval", "none");
        var rate = RateOption("Appends per second (default: as fast as the log takes them)");
        var json = new Option<bool>("--json") { Description = "Print one line of JSON instead of text" };
        var progress = new Option<bool>("--report-completed") { Description = "Print 'completed N' lines as appends complete (for crash tests)", Hidden = true };
        var segmentSize = new Option<long?>("--segment-size") { Description = "Segment size in bytes (crash tests use small ones so that runs cross seals)", Hidden = true };
        var batch = new Option<int>("--batch") { Description = "Events per append call (AppendBatchAsync when above 1; latency is then per batch)", DefaultValueFactory = _ => 1 };
        batch.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 100_000)
            {
                r.AddError("--batch must be from 1 to 100000 events");
            }
        });
        var command = new Command("append", "Append events to a log and report events/s, MB/s and append latency percentiles")
        {
            dir, events, size, sync, rate, batch, json, progress, segmentSize,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = new AppendBenchmark.Settings(
                parse.GetValue(dir)!,
                parse.GetValue(events),
                parse.GetValue(size),
                Enum.Parse<SyncPolicy>(parse.GetValue(sync)!, ignoreCase: true),
                parse.GetValue(rate),
                parse.GetValue(progress) ? env.Out : null)
            {
                Batch = parse.GetValue(batch),
                SegmentSize = parse.GetValue(segmentSize),
            };
            if (settings.Batch > 1 && settings.Rate is not null)
            {
                await env.Error.WriteLineAsync("error: --rate paces single appends; it cannot be combined with --batch").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var result = await AppendBenchmark.RunAsync(settings, cancellationToken).ConfigureAwait(false);
            env.Out.WriteLine(parse.GetValue(json) ? result.ToJson() : result.ToText());
            return 0;
        });
        return command;
    }

    private static Command CreateFsync(CliEnvironment env)
    {
        var dir = DirectoryOption("The directory for the scratch file");
        var count = CountOption("--count", "How many write + fdatasync operations", 10_000);
        var size = SizeOption("Bytes per write", 4096);
        var rate = RateOption("Operations per second (default: back to back)");
        var json = new Option<bool>("--json") { Description = "Print one line of JSON instead of text" };
        var command = new Command("fsync", "The floor for synced appends: a bare write + fdatasync loop on the same disk")
        {
            dir, count, size, rate, json,
        };
        command.Hidden = true;
        command.SetAction(async (parse, cancellationToken) =>
        {
            var result = await FsyncBenchmark.RunAsync(parse.GetValue(dir)!, parse.GetValue(count), parse.GetValue(size), parse.GetValue(rate), cancellationToken).ConfigureAwait(false);
            env.Out.WriteLine(parse.GetValue(json) ? result.ToJson() : result.ToText());
            return 0;
        });
        return command;
    }

    private static Command CreateIngest(CliEnvironment env)
    {
        var endpoint = OptionParsers.Endpoint();
        var eventbus = new Option<string>("--eventbus") { Description = "The eventbus to ingest into (it must exist)", HelpName = "NAME", Required = true };
        var ns = new Option<string>("--namespace") { Description = "The eventbus's namespace", HelpName = "NAME", DefaultValueFactory = _ => "default" };
        var batch = OptionParsers.Bounded("--batch", "Events per request: 1 sends one binary-mode event, more send one application/cloudevents-batch+json request", 1, 100_000, 1);
        var connections = OptionParsers.Bounded("--connections", "Concurrent connections, each a worker sending its next request when the last is answered", 1, 10_000, 64);
        var duration = OptionParsers.Bounded("--duration", "How long to send, in seconds", 0.001, 86_400, 10.0);
        duration.HelpName = "SECONDS";
        var size = OptionParsers.Bounded("--size", "Bytes of data per event (attributes come on top)", 1, 16_000_000, 263);
        size.HelpName = "BYTES";
        var timeout = OptionParsers.Duration("--timeout", "How long past the end an unanswered request may take before it counts as an error (default 10s)", allowZero: false);
        var json = new Option<bool>("--json") { Description = "Print one line of JSON instead of text" };
        var command = new Command("ingest", "Load a node's ingest endpoint over HTTP (as wrk does) and report events/s, requests/s, latency percentiles and errors")
        {
            endpoint, eventbus, ns, batch, connections, duration, size, timeout, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            IngestBenchmark.PreferInlineSocketCompletions();
            var settings = new IngestBenchmark.Settings(
                parse.GetValue(endpoint)!,
                parse.GetValue(ns)!,
                parse.GetValue(eventbus)!,
                parse.GetValue(batch),
                parse.GetValue(connections),
                TimeSpan.FromSeconds(parse.GetValue(duration)),
                parse.GetValue(size),
                parse.GetValue(timeout)?.Value ?? TimeSpan.FromSeconds(10));

            // One management call first, so that a wrong endpoint or eventbus fails at once instead of as a run of errors.
            using (var connection = NodeApi.Connect(settings.Endpoint, settings.Namespace, TimeSpan.FromSeconds(10)))
            {
                try
                {
                    var check = await connection.Client.GetEventbusAsync(settings.Eventbus, cancellationToken).ConfigureAwait(false);
                    if (!check.IsSuccess)
                    {
                        ProblemPrinter.Print(check, env.Error, parse.GetValue(json) ? OutputFormat.Json : OutputFormat.Table);
                        return ExitCodes.Refused;
                    }
                }
                catch (NodeUnreachableException e)
                {
                    env.Error.WriteLine(e.Message);
                    return ExitCodes.Unreachable;
                }
            }

            var result = await IngestBenchmark.RunAsync(settings, cancellationToken).ConfigureAwait(false);
            env.Out.WriteLine(parse.GetValue(json) ? result.ToJson() : result.ToText());
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateEndToEnd(CliEnvironment env)
    {
        var endpoint = OptionParsers.Endpoint();
        var ns = new Option<string>("--namespace") { Description = "The namespace to create the run's eventbus and subscription in", HelpName = "NAME", DefaultValueFactory = _ => "default" };
        var rate = RateOption("Events per second, sent on a fixed schedule (default 1000)");
        rate.HelpName = "N";
        var duration = OptionParsers.Bounded("--duration", "How long to send, in seconds", 0.001, 86_400, 10.0);
        duration.HelpName = "SECONDS";
        var size = OptionParsers.Bounded("--size", "Bytes of data per event (attributes come on top)", 1, 16_000_000, 263);
        size.HelpName = "BYTES";
        var eventlogs = OptionParsers.Bounded("--eventlogs", "Eventlogs of the run's eventbus", 1, 64, 1);
        var warmup = OptionParsers.Bounded("--warmup", "Seconds of sending at the same rate before the measured part, delivered but not counted (connections, triggers and JIT start)", 0.0, 3600, 1.0);
        warmup.HelpName = "SECONDS";
        var wait = OptionParsers.Duration("--wait", "How long to wait after the last send for deliveries still on their way (default 30s)", allowZero: false);
        var json = new Option<bool>("--json") { Description = "Print one line of JSON instead of text" };
        var command = new Command(
            "e2e",
            "Measure delivery end to end: ingest at a fixed rate into a fresh eventbus whose subscription delivers to a receiver this command runs on loopback; report delivered events/s and ingest-to-sink latency")
        {
            endpoint, ns, rate, duration, size, eventlogs, warmup, wait, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = new EndToEndBenchmark.Settings(
                parse.GetValue(endpoint)!,
                parse.GetValue(ns)!,
                parse.GetValue(rate) ?? 1000,
                TimeSpan.FromSeconds(parse.GetValue(duration)),
                parse.GetValue(size),
                parse.GetValue(eventlogs),
                parse.GetValue(wait)?.Value ?? TimeSpan.FromSeconds(30),
                TimeSpan.FromSeconds(parse.GetValue(warmup)));
            if (settings.Events + settings.WarmupEvents > MaxEndToEndEvents)
            {
                // Every event's send and arrival times are kept (about 30 bytes each) for exact percentiles.
                env.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"error: --rate × (--warmup + --duration) is {settings.Events + settings.WarmupEvents:N0} events; a run sends at most {MaxEndToEndEvents:N0}"));
                return ExitCodes.Usage;
            }

            EndToEndResult result;
            try
            {
                result = await EndToEndBenchmark.RunAsync(settings, env.Error, cancellationToken).ConfigureAwait(false);
            }
            catch (ServerRefusedException e)
            {
                ProblemPrinter.Print(e.Reply, env.Error, parse.GetValue(json) ? OutputFormat.Json : OutputFormat.Table);
                return ExitCodes.Refused;
            }
            catch (NodeUnreachableException e)
            {
                env.Error.WriteLine(e.Message);
                return ExitCodes.Unreachable;
            }

            env.Out.WriteLine(parse.GetValue(json) ? result.ToJson() : result.ToText());
            return result.CleanedUp ? ExitCodes.Ok : ExitCodes.Refused;
        });
        return command;
    }

    private const long MaxEndToEndEvents = 20_000_000;

    // The run keeps one store time per timer (8 bytes) plus one delivery time per found one while it summarises.
    private const long MaxTimers = 20_000_000;

    private static Command CreateTimer(CliEnvironment env)
    {
        var endpoint = OptionParsers.Endpoint();
        var ns = new Option<string>("--namespace") { Description = "The namespace of the run's eventbus", HelpName = "NAME", DefaultValueFactory = _ => "default" };
        var eventbus = new Option<string?>("--eventbus") { Description = "The eventbus the delayed events go to (it must exist; default: a fresh one made for the run and deleted after it)", HelpName = "NAME" };
        OptionParsers.NonEmpty(eventbus);
        var timers = OptionParsers.Bounded("--timers", "How many delayed events to insert", 1L, MaxTimers, 100_000L);
        var window = OptionParsers.Bounded("--window", "Seconds the delivery times are spread over, evenly", 0.0, 86_400, 10.0);
        window.HelpName = "SECONDS";
        var lead = OptionParsers.Bounded("--lead", "Seconds from the start to the first delivery time: the time the inserts have before timers fire", 0.0, 86_400, 5.0);
        lead.HelpName = "SECONDS";
        var grace = OptionParsers.Bounded("--grace", "Seconds past the last delivery time to wait for events still on their way", 0.001, 86_400, 30.0);
        grace.HelpName = "SECONDS";
        var batch = OptionParsers.Bounded("--batch", "Events per insert request (application/cloudevents-batch+json)", 1, 100_000, 500);
        var connections = OptionParsers.Bounded("--connections", "Concurrent insert requests, each sending the next batch when the last is answered", 1, 1024, 8);
        var size = OptionParsers.Bounded("--size", "Bytes of data per event (attributes come on top)", 1, 16_000_000, 64);
        size.HelpName = "BYTES";
        var eventlogs = OptionParsers.Bounded("--eventlogs", "Eventlogs of the run's eventbus (not with --eventbus)", 1, 64, 1);
        var json = new Option<bool>("--json") { Description = "Print one line of JSON instead of text" };
        var command = new Command(
            "timer",
            "Measure a node's timer service: insert delayed events spread over a window, report inserts/s, node memory per pending timer, lateness (store time - delivery time) and expirations/s; exit 1 if any event is early or missing")
        {
            endpoint, ns, eventbus, timers, window, lead, grace, batch, connections, size, eventlogs, json,
        };
        command.Validators.Add(r =>
        {
            if (r.Given(eventbus) && r.Given(eventlogs))
            {
                r.AddError("--eventlogs sizes the eventbus the run makes; it cannot be combined with --eventbus");
            }
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = new TimerBenchmark.Settings(
                parse.GetValue(endpoint)!,
                parse.GetValue(ns)!,
                parse.GetValue(eventbus),
                parse.GetValue(timers),
                TimeSpan.FromSeconds(parse.GetValue(window)),
                TimeSpan.FromSeconds(parse.GetValue(lead)),
                TimeSpan.FromSeconds(parse.GetValue(grace)),
                parse.GetValue(batch),
                parse.GetValue(connections),
                parse.GetValue(size),
                parse.GetValue(eventlogs));
            var format = parse.GetValue(json) ? OutputFormat.Json : OutputFormat.Table;
            TimerResult result;
            try
            {
                result = await TimerBenchmark.RunAsync(settings, env.Time, env.Error, cancellationToken).ConfigureAwait(false);
            }
            catch (ServerRefusedException e)
            {
                ProblemPrinter.Print(e.Reply, env.Error, format);
                return ExitCodes.Refused;
            }
            catch (UnexpectedReplyException e)
            {
                env.Error.WriteLine(e.Message);
                return ExitCodes.Refused;
            }
            catch (NodeUnreachableException e)
            {
                env.Error.WriteLine(e.Message);
                return ExitCodes.Unreachable;
            }

            env.Out.WriteLine(format == OutputFormat.Json ? result.ToJson() : result.ToText());
            if (result.Lateness.Early > 0)
            {
                env.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"error: {result.Lateness.Early:N0} of {settings.Timers:N0} events reached their bus before their delivery time"));
            }

            if (result.Missing > 0)
            {
                env.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"error: {result.Missing:N0} of {settings.Timers:N0} events never reached their bus ({result.Acknowledged:N0} were acknowledged)"));
            }

            return result.Passed && result.CleanedUp ? ExitCodes.Ok : ExitCodes.Refused;
        });
        return command;
    }

    private static Command CreateBareHttp(CliEnvironment env)
    {
        var port = new Option<int>("--port") { Description = "The port to listen on (127.0.0.1)", DefaultValueFactory = _ => 8090 };
        var command = new Command("bare-http", "Serve POST / with 204 on bare Kestrel and nothing else: the ceiling of any endpoint built on Kestrel, to load beside the node")
        {
            port,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(k =>
            {
                k.AddServerHeader = false;
                k.Listen(System.Net.IPAddress.Loopback, parse.GetValue(port));
            });
            await using var app = builder.Build();

            // Drains the body as the gateway would have to, then answers: the work any ingest endpoint cannot avoid.
            app.MapPost("/{**path}", static async (HttpContext context) =>
            {
                await DeliveryReceiver.DrainAsync(context).ConfigureAwait(false);

                context.Response.StatusCode = StatusCodes.Status204NoContent;
            });
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            await env.Out.WriteLineAsync($"bare Kestrel answering 204 on http://127.0.0.1:{parse.GetValue(port)}/").ConfigureAwait(false);
            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
