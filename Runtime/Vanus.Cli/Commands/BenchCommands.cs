using System.CommandLine;
using System.CommandLine.Parsing;
using Vanus.Cli.Bench;
using Vanus.Storage;

namespace Vanus.Cli.Commands;

/// <summary>The <c>vanus bench</c> verbs: storage benchmarks modelled on Kafka's producer-perf-test and <c>nats bench</c>.</summary>
internal static class BenchCommands
{
    public static Command Create()
    {
        var bench = new Command("bench", "Measure the storage engine on this machine");
        bench.Subcommands.Add(CreateAppend());
        bench.Subcommands.Add(CreateFsync());
        return bench;
    }

    private static Option<string> DirectoryOption(string description) => new("--dir") { Description = description, Required = true };

    private static Option<long> CountOption(string name, string description, long defaultValue)
    {
        var option = new Option<long>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(r => Positive(r, r.GetValueOrDefault<long>(), name));
        return option;
    }

    private static Option<int> SizeOption(string description, int defaultValue)
    {
        var option = new Option<int>("--size") { Description = description, DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(r => Positive(r, r.GetValueOrDefault<int>(), "--size"));
        return option;
    }

    private static Option<double?> RateOption(string description)
    {
        var option = new Option<double?>("--rate") { Description = description };
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double?>() is { } rate && !(rate > 0))
            {
                r.AddError($"--rate must be a positive number of operations per second, not {rate}");
            }
        });
        return option;
    }

    private static void Positive(OptionResult result, long value, string name)
    {
        if (value <= 0)
        {
            result.AddError($"{name} must be positive, not {value}");
        }
    }

    private static Command CreateAppend()
    {
        var dir = DirectoryOption("The log directory (created; appends go after any events already there)");
        var events = CountOption("--events", "How many events to append", 1_000_000);
        var size = SizeOption("The size of each event's data in bytes (the attributes come on top)", 263);
        var sync = new Option<string>("--sync") { Description = "Sync policy: always, interval or none", DefaultValueFactory = _ => "interval" };
        sync.AcceptOnlyFromAmong("always", "interval", "none");
        var rate = RateOption("Appends per second (default: as fast as the log takes them)");
        var json = new Option<bool>("--json") { Description = "Print one line of JSON instead of text" };
        var progress = new Option<bool>("--report-completed") { Description = "Print 'completed N' lines as appends complete (for crash tests)", Hidden = true };
        var command = new Command("append", "Append events to a log and report events/s, MB/s and append latency percentiles")
        {
            dir, events, size, sync, rate, json, progress,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = new AppendBenchmark.Settings(
                parse.GetValue(dir)!,
                parse.GetValue(events),
                parse.GetValue(size),
                Enum.Parse<SyncPolicy>(parse.GetValue(sync)!, ignoreCase: true),
                parse.GetValue(rate),
                parse.GetValue(progress) ? Console.Out : null);
            var result = await AppendBenchmark.RunAsync(settings, cancellationToken).ConfigureAwait(false);
            Console.WriteLine(parse.GetValue(json) ? result.ToJson() : result.ToText());
            return 0;
        });
        return command;
    }

    private static Command CreateFsync()
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
            Console.WriteLine(parse.GetValue(json) ? result.ToJson() : result.ToText());
            return 0;
        });
        return command;
    }
}
