using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace Vanus.Cluster.Tests.Replication;

/// <summary>The simulation runs alone: it keeps both cores busy for half a minute, which would starve tests that wait on real time.</summary>
[CollectionDefinition(nameof(ReplicationSimulationTests), DisableParallelization = true)]
public sealed class ReplicationSimulationCollection;

/// <summary>
/// Seeded simulations of replica groups of 3 and 5 (issue 14, part 3): each seed is a different run of loss, duplication,
/// reordering, partitions and crashes with power loss. <c>VANUS_SIM_SEEDS</c> sets how many seeds a batch runs.
/// </summary>
[Collection(nameof(ReplicationSimulationTests))]
public sealed class ReplicationSimulationTests(ITestOutputHelper output)
{
    private static readonly int SeedsPerBatch = int.TryParse(Environment.GetEnvironmentVariable("VANUS_SIM_SEEDS"), CultureInfo.InvariantCulture, out var n) ? n : 500;

    [Theory]
    [InlineData(3, 0)]
    [InlineData(3, 1)]
    [InlineData(3, 2)]
    [InlineData(3, 3)]
    [InlineData(5, 4)]
    [InlineData(5, 5)]
    public async Task Seeded_runs_keep_every_invariant(int replicas, int batch)
    {
        var watch = Stopwatch.StartNew();
        var (committed, acknowledged, leaders, crashes) = (0, 0, 0, 0);
        for (var i = 0; i < SeedsPerBatch; i++)
        {
            var seed = (batch * 100_000) + i;
            var simulation = new ReplicationSimulation(new SimulationOptions(seed) { Replicas = replicas });
            await simulation.RunAsync();
            var stats = simulation.Stats;
            committed += stats.Committed;
            acknowledged += stats.Acknowledged;
            leaders += stats.Leaders;
            crashes += stats.Crashes;
        }

        output.WriteLine($"{SeedsPerBatch} seeds of {replicas} replicas in {watch.Elapsed.TotalSeconds:0.0} s: {committed} entries committed, {acknowledged} acknowledged, {leaders} elections won, {crashes} crashes");
        Assert.True(acknowledged > SeedsPerBatch, $"only {acknowledged} appends were acknowledged in {SeedsPerBatch} runs");
    }

    [SkippableFact]
    public async Task Replay()
    {
        var seed = Environment.GetEnvironmentVariable("VANUS_SIM_SEED");
        Skip.If(seed is null, "set VANUS_SIM_SEED (and VANUS_SIM_REPLICAS) to replay one seed with its full trace");
        var replicas = int.TryParse(Environment.GetEnvironmentVariable("VANUS_SIM_REPLICAS"), CultureInfo.InvariantCulture, out var r) ? r : 3;
        var simulation = new ReplicationSimulation(new SimulationOptions(int.Parse(seed, CultureInfo.InvariantCulture)) { Replicas = replicas, FullTrace = true });
        await simulation.RunAsync();
        output.WriteLine($"seed {seed} passed: {simulation.Stats}");
    }
}
