using Vanus.Cli.Commands;

namespace Vanus.Cli.Tests;

/// <summary>What one in-process run of the <c>vanus</c> command tree printed and answered.</summary>
internal sealed record CliRun(int ExitCode, string Out, string Error)
{
    public string[] OutLines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
}

/// <summary>Runs the real command tree with captured stdout and stderr, a given stdin and clock.</summary>
internal static class CliRunner
{
    public static async Task<CliRun> RunAsync(IEnumerable<string> args, byte[]? stdin = null, TimeProvider? time = null)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var env = new CliEnvironment(output, error, () => new MemoryStream(stdin ?? []), time ?? TimeProvider.System);
        var root = VanusCommandLine.CreateRoot(env);
        var code = await VanusCommandLine.InvokeAsync(root, [.. args], env);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    public static Task<CliRun> RunAsync(FakeNode node, params string[] args) => RunAsync([.. args, "--endpoint", node.Endpoint.AbsoluteUri]);

    /// <summary>Runs a command line the CLI must refuse before sending anything: exit 2, <paramref name="message"/> on stderr, no request at the node.</summary>
    public static async Task<CliRun> RunUsageErrorAsync(FakeNode node, string message, params string[] args)
    {
        var run = await RunAsync(node, args);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Error);
        Assert.Empty(node.Requests);
        return run;
    }
}
