using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Vanus.Node.Tests;

/// <summary>The <c>vanus</c> client verbs, run as a user runs them, against a running node.</summary>
public sealed class CliTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private async Task<(int Exit, string Out, string Error)> VanusAsync(string? stdin, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null };
        start.ArgumentList.Add(NodeProcess.Executable);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.ArgumentList.Add("--endpoint");
        start.ArgumentList.Add(fixture.Node.Endpoint.ToString().TrimEnd('/'));
        using var process = Process.Start(start)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }

        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await output, await error);
    }

    [Fact]
    public async Task Eventbus_verbs_manage_buses_on_the_node()
    {
        var created = await VanusAsync(null, "eventbus", "create", "cli-orders", "--eventlogs", "2", "--sync", "always", "--retention-age", "7d");
        Assert.True(created.Exit == 0, created.Error);
        Assert.Contains("cli-orders", created.Out);

        var list = await VanusAsync(null, "eventbus", "list", "--output", "json");
        Assert.Equal(0, list.Exit);
        Assert.Contains(JsonNode.Parse(list.Out)!.AsArray(), b => (string)b!["name"]! == "cli-orders");

        var info = await VanusAsync(null, "eventbus", "info", "cli-orders");
        Assert.Equal(0, info.Exit);
        Assert.Contains("always", info.Out);

        var again = await VanusAsync(null, "eventbus", "create", "cli-orders");
        Assert.Equal(1, again.Exit);
        Assert.Contains("409", again.Error);

        var deleted = await VanusAsync(null, "eventbus", "delete", "cli-orders");
        Assert.Equal(0, deleted.Exit);
        var gone = await VanusAsync(null, "eventbus", "info", "cli-orders");
        Assert.Equal(1, gone.Exit);
        Assert.Contains("404", gone.Error);
    }

    [Fact]
    public async Task Event_verbs_put_get_and_query_events()
    {
        var bus = await fixture.NewBusAsync();
        var put = await VanusAsync(null, "event", "put", bus, "--id", "cli-1", "--type", "cli.test", "--data", "hello from the cli", "--attr", "tenant=acme", "--output", "json");
        Assert.True(put.Exit == 0, put.Error);
        var placed = JsonNode.Parse(put.Out)!["events"]![0]!;
        Assert.Equal("cli-1", (string)placed["id"]!);

        var fromStdin = await VanusAsync("piped data", "event", "put", bus, "--id", "cli-2", "--type", "cli.test", "--datacontenttype", "text/plain", "--data-file", "-");
        Assert.True(fromStdin.Exit == 0, fromStdin.Error);

        var byOffset = await VanusAsync(null, "event", "get", bus, "--eventlog", "0", "--offset", "0", "--count", "5", "--output", "json");
        Assert.Equal(0, byOffset.Exit);
        var events = JsonNode.Parse(byOffset.Out)!.AsArray();
        Assert.Equal(["cli-1", "cli-2"], events.Select(e => (string)e!["id"]!));
        Assert.Equal("acme", (string)events[0]!["tenant"]!);
        Assert.Equal("piped data", (string)events[1]!["data"]!);

        var byId = await VanusAsync(null, "event", "get", bus, "--id", (string)placed["eventId"]!);
        Assert.Equal(0, byId.Exit);
        Assert.Contains("cli-1", byId.Out);

        var query = await VanusAsync(null, "event", "query", bus, "--time", "2000-01-01T00:00:00Z", "--output", "json");
        Assert.Equal(0, query.Exit);
        Assert.Contains("\"offset\":0", query.Out.Replace(" ", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Refusals_print_the_problem_and_exit_non_zero()
    {
        var unknown = await VanusAsync(null, "event", "put", "no-such-bus", "--type", "t", "--data", "x");
        Assert.Equal(1, unknown.Exit);
        Assert.Contains("no-such-bus", unknown.Error);

        var reserved = await VanusAsync(null, "event", "put", await fixture.NewBusAsync(), "--type", "t", "--attr", "xvanusoffset=1");
        Assert.Equal(1, reserved.Exit);
        Assert.Contains("xvanusoffset", reserved.Error);
    }
}
