using System.Text.Json;

namespace Vanus.Node.Tests;

/// <summary>One logging pipeline: with <c>--log-format json</c>, the actors' lines are JSON too, under their class's category.</summary>
public sealed class LoggingTests : NodeDataTests
{
    [Fact]
    public async Task With_json_logs_every_line_the_node_prints_is_json_actor_lines_included()
    {
        string output;
        await using (var node = await NodeProcess.StartAsync(Data, "--log-format", "json"))
        {
            // Each timer actor logs what it recovered once it runs.
            await node.WaitForLineAsync(l => l.Contains("\"Vanus.Cluster.Timers.TimerActor\"", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            Assert.Equal(0, await node.TerminateAsync());
            output = node.Output;
        }

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var categories = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in lines.Where(l => l != "vanus node stopped"))
        {
            using var json = JsonDocument.Parse(line);
            Assert.True(json.RootElement.TryGetProperty("LogLevel", out _), line);
            categories.Add(json.RootElement.GetProperty("Category").GetString()!);
        }

        Assert.Contains("Vanus.Node", categories);
        Assert.Contains("Vanus.Cluster.Timers.TimerActor", categories);
        var actorLine = lines.First(l => l.Contains("\"Vanus.Cluster.Timers.TimerActor\"", StringComparison.Ordinal));
        Assert.Contains("akka.tcp://vanus@127.0.0.1:", JsonDocument.Parse(actorLine).RootElement.GetProperty("State").GetProperty("ActorPath").GetString(), StringComparison.Ordinal);
    }
}
