using System.Text;
using System.Text.Json;

namespace Vanus.Cli.Tests;

public sealed class ScheduleCommandsTests : FakeNodeTests
{
    private const string Schedules = "/api/v1/namespaces/default/schedules";

    protected override void Arrange(FakeNode node)
    {
        node.AddEventbus("orders");
    }

    private static string Squeeze(string line) => string.Join(' ', line.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    [Fact]
    public async Task Create_a_cron_schedule_from_flags_sends_the_document_and_prints_the_schedule()
    {
        var run = await CliRunner.RunAsync(Node,
            "schedule", "create", "tick", "--eventbus", "orders", "--cron", "*/5 * * * *", "--timezone", "America/New_York",
            "--type", "billing.run", "--source", "/billing", "--subject", "monthly", "--datacontenttype", "application/json",
            "--data", """{"job":"invoices"}""", "--attr", "team=payments", "--partition-key", "acct-7");

        Assert.Equal("", run.Error);
        Assert.Equal(0, run.ExitCode);
        var request = Assert.Single(Node.Requests);
        Assert.Equal(("POST", Schedules), (request.Method, request.Path));
        Assert.StartsWith("application/json", request.ContentType);
        Assert.Equal(
            """{"name":"tick","eventbus":"orders","cron":"*/5 * * * *","timezone":"America/New_York","event":{"specversion":"1.0","source":"/billing","type":"billing.run","datacontenttype":"application/json","subject":"monthly","team":"payments","partitionkey":"acct-7","data":{"job":"invoices"}}}""",
            request.BodyText);
        Assert.Equal("created schedule default/tick", run.OutLines[0]);
        var lines = run.OutLines.Select(Squeeze).ToArray();
        Assert.Contains("eventbus: orders", lines);
        Assert.Contains("cron: */5 * * * *", lines);
        Assert.Contains("timezone: America/New_York", lines);
        Assert.Contains("""event: {"specversion":"1.0","source":"/billing","type":"billing.run","datacontenttype":"application/json","subject":"monthly","team":"payments","partitionkey":"acct-7","data":{"job":"invoices"}}""", lines);
        Assert.Contains("state: active", lines);
        Assert.Contains("fired: 0", lines);
        Assert.Contains("lastError: -", lines);
        Assert.Equal(["tick"], Node.ScheduleNames());
    }

    [Fact]
    public async Task Create_an_interval_schedule_with_the_fewest_flags_and_json_output()
    {
        var run = await CliRunner.RunAsync(Node, "schedule", "create", "pulse", "--eventbus", "orders", "--interval", "90s", "--type", "pulse", "-o", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("""{"name":"pulse","eventbus":"orders","interval":"90s","event":{"specversion":"1.0","source":"vanus-cli","type":"pulse"}}""", Assert.Single(Node.Requests).BodyText);
        using var printed = JsonDocument.Parse(run.Out);
        Assert.Equal("pulse", printed.RootElement.GetProperty("name").GetString());
        Assert.Equal("90s", printed.RootElement.GetProperty("interval").GetString());
    }

    [Fact]
    public async Task Create_from_a_file_on_standard_input_takes_the_name_from_the_command_line()
    {
        var document = """{"eventbus":"orders","interval":"1m","event":{"source":"/a","type":"b"},"fired":3,"state":"active"}""";
        var run = await CliRunner.RunAsync(["schedule", "create", "fromfile", "--file", "-", "--endpoint", Node.Endpoint.AbsoluteUri], Encoding.UTF8.GetBytes(document));

        Assert.Equal("", run.Error);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("""{"name":"fromfile","eventbus":"orders","interval":"1m","event":{"source":"/a","type":"b"}}""", Assert.Single(Node.Requests).BodyText);
    }

    public static TheoryData<string[], string> UsageErrors() => new()
    {
        { ["tick", "--eventbus", "orders", "--type", "t"], "say when the schedule fires" },
        { ["tick", "--eventbus", "orders", "--type", "t", "--cron", "* * * * *", "--interval", "1m"], "--cron and --interval cannot be used together" },
        { ["tick", "--eventbus", "orders", "--type", "t", "--interval", "1m", "--timezone", "UTC"], "--timezone applies to --cron only" },
        { ["tick", "--eventbus", "orders", "--type", "t", "--cron", "* * * *"], "has 4 fields; expected 5" },
        { ["tick", "--eventbus", "orders", "--type", "t", "--interval", "500ms"], "--interval must be from 1s to 366d, not 500ms" },
        { ["tick", "--eventbus", "orders", "--type", "t", "--interval", "soon"], "--interval:" },
        { ["tick", "--eventbus", "orders", "--interval", "1m"], "--type is required" },
        { ["tick", "--type", "t", "--interval", "1m"], "--eventbus is required" },
        { ["--eventbus", "orders", "--type", "t", "--interval", "1m"], "give the schedule's NAME" },
        { ["tick", "--eventbus", "orders", "--type", "t", "--interval", "1m", "--attr", "time=now"], "each occurrence sets the event's time" },
        { ["tick", "--eventbus", "orders", "--type", "t", "--interval", "1m", "--attr", "id=x"], "each occurrence sets the event's id" },
        { ["tick", "--eventbus", "orders", "--type", "t", "--interval", "1m", "--attr", "xvanusmissed=3"], "set by the runtime" },
        { ["tick", "--eventbus", "orders", "--type", "t", "--interval", "1m", "--data", "a", "--data-file", "x"], "--data and --data-file cannot be used together" },
        { ["tick", "--file", "doc.json", "--interval", "1m"], "--file gives the whole document: leave out --interval" },
        { ["tick", "--eventbus", "orders", "--type", "t", "--interval", "1m", "--id", "x"], "--id" },
    };

    [Theory]
    [MemberData(nameof(UsageErrors))]
    public async Task Bad_flags_are_usage_errors_and_send_nothing(string[] args, string message)
    {
        var run = await CliRunner.RunAsync(Node, ["schedule", "create", .. args]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
        Assert.Contains("See 'vanus schedule create --help'.", run.Error, StringComparison.Ordinal);
        Assert.Empty(Node.Requests);
    }

    [Fact]
    public async Task A_refusal_exits_1_with_the_problem_on_stderr()
    {
        var run = await CliRunner.RunAsync(Node, "schedule", "create", "tick", "--eventbus", "nowhere", "--interval", "1m", "--type", "t");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Out);
        Assert.Contains("eventbus 'nowhere' does not exist in namespace 'default'", run.Error, StringComparison.Ordinal);
        Assert.Contains("404", run.Error, StringComparison.Ordinal);

        Node.AddSchedule("""{"name":"tick","eventbus":"orders","interval":"1m","event":{"source":"/a","type":"b"}}""");
        var twice = await CliRunner.RunAsync(Node, "schedule", "create", "tick", "--eventbus", "orders", "--interval", "1m", "--type", "t");
        Assert.Equal(1, twice.ExitCode);
        Assert.Contains("schedule 'tick' already exists", twice.Error, StringComparison.Ordinal);
        Assert.Contains("409", twice.Error, StringComparison.Ordinal);

        var json = await CliRunner.RunAsync(Node, "schedule", "info", "nope", "-o", "json");
        Assert.Equal(1, json.ExitCode);
        using var problem = JsonDocument.Parse(json.Error);
        Assert.Equal("schedule", problem.RootElement.GetProperty("field").GetString());
    }

    [Fact]
    public async Task List_prints_a_row_per_schedule_with_when_it_fires_and_its_counts()
    {
        Node.AddSchedule("""{"name":"tick","eventbus":"orders","cron":"*/5 * * * *","timezone":"Europe/Paris","event":{"source":"/a","type":"b"}}""");
        Node.AddSchedule("""{"name":"pulse","eventbus":"orders","interval":"30s","event":{"source":"/a","type":"b"}}""");
        Node.SetScheduleStatus("pulse", "2026-11-27T16:01:00Z", "2026-11-27T16:00:30Z", fired: 12, missed: 3, lastError: "appending failed: overloaded; retrying in 1 s", lastErrorTime: "2026-11-27T16:00:30Z");

        var run = await CliRunner.RunAsync(Node, "schedule", "list");

        Assert.Equal("", run.Error);
        Assert.Equal(0, run.ExitCode);
        var lines = run.OutLines.Select(Squeeze).ToArray();
        Assert.Equal("NAME EVENTBUS WHEN STATE NEXT LAST FIRED FIRED MISSED LAST ERROR", lines[0]);
        Assert.Equal("pulse orders every 30s active 2026-11-27T16:01:00Z 2026-11-27T16:00:30Z 12 3 appending failed: overloaded; retrying in 1 s", lines[1]);
        Assert.Equal("tick orders cron */5 * * * * (Europe/Paris) active - - 0 0 -", lines[2]);

        var empty = await CliRunner.RunAsync(Node, "schedule", "list", "--namespace", "default", "-o", "json");
        Assert.Equal(2, JsonDocument.Parse(empty.Out).RootElement.GetArrayLength());
    }

    [Fact]
    public async Task List_of_an_empty_namespace_says_so()
    {
        var run = await CliRunner.RunAsync(Node, "schedule", "list");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["no schedules in namespace default"], run.OutLines);
    }

    [Fact]
    public async Task Info_describes_a_schedule_and_delete_removes_it()
    {
        Node.AddSchedule("""{"name":"pulse","eventbus":"orders","interval":"30s","event":{"source":"/a","type":"b","data":"hi"}}""");
        Node.SetScheduleStatus("pulse", null, "2026-11-27T16:00:30Z", fired: 2, missed: 1, state: "stopped", lastError: "eventbus 'orders' no longer exists", lastErrorTime: "2026-11-27T16:01:00Z");

        var info = await CliRunner.RunAsync(Node, "schedule", "info", "pulse");
        Assert.Equal(0, info.ExitCode);
        var lines = info.OutLines.Select(Squeeze).ToArray();
        Assert.Contains("name: pulse", lines);
        Assert.Contains("interval: 30s", lines);
        Assert.Contains("""event: {"source":"/a","type":"b","data":"hi"}""", lines);
        Assert.Contains("state: stopped", lines);
        Assert.Contains("nextOccurrence: -", lines);
        Assert.Contains("lastFired: 2026-11-27T16:00:30Z", lines);
        Assert.Contains("fired: 2", lines);
        Assert.Contains("missed: 1", lines);
        Assert.Contains("lastError: eventbus 'orders' no longer exists (at 2026-11-27T16:01:00Z)", lines);

        var deleted = await CliRunner.RunAsync(Node, "schedule", "delete", "pulse");
        Assert.Equal(0, deleted.ExitCode);
        Assert.Equal(["deleted schedule default/pulse"], deleted.OutLines);
        Assert.Empty(Node.ScheduleNames());
        Assert.Equal("DELETE", Node.Requests.Last().Method);

        var again = await CliRunner.RunAsync(Node, "schedule", "delete", "pulse");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("has no schedule 'pulse'", again.Error, StringComparison.Ordinal);
    }
}
