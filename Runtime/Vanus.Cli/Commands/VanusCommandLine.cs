using System.CommandLine;

namespace Vanus.Cli.Commands;

/// <summary>Builds the <c>vanus</c> command tree and runs it, mapping a bad command line to exit code 2.</summary>
internal static class VanusCommandLine
{
    public static RootCommand CreateRoot(CliEnvironment env) => new("vanus: the Vanus for .NET command line")
    {
        NodeCommand.Create(env),
        EventbusCommands.Create(env),
        EventCommands.Create(env),
        SubscriptionCommands.Create(env),
        ScheduleCommands.Create(env),
        DeadletterCommands.Create(env),
        TokenCommands.Create(env),
        BenchCommands.Create(env),
    };

    public static async Task<int> InvokeAsync(RootCommand root, IReadOnlyList<string> args, CliEnvironment env, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(env);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // System.CommandLine would answer 1 and print the whole help; scripts need usage errors told apart from refusals.
            foreach (var error in parse.Errors)
            {
                env.Error.WriteLine($"error: {error.Message}");
            }

            env.Error.WriteLine($"See '{string.Join(' ', CommandPath(parse.CommandResult.Command))} --help'.");
            return ExitCodes.Usage;
        }

        var configuration = new InvocationConfiguration { Output = env.Out, Error = env.Error };
        if (parse.CommandResult.Command.Name == "node")
        {
            // The node's host handles Ctrl-C and SIGTERM itself and takes as long as draining requests and syncing
            // eventlogs needs; System.CommandLine would otherwise end the process after a short grace period.
            configuration.ProcessTerminationTimeout = null;
        }

        return await parse.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }

    private static Stack<string> CommandPath(Command command)
    {
        var path = new Stack<string>();
        for (Symbol? s = command; s is not null; s = s.Parents.OfType<Command>().FirstOrDefault())
        {
            path.Push(s is RootCommand ? "vanus" : s.Name);
        }

        return path;
    }
}
