using System.CommandLine;
using Vanus.Cli.Node;

namespace Vanus.Cli.Commands;

/// <summary>The <c>vanus node</c> verb: runs a node with embedded defaults until Ctrl-C or SIGTERM.</summary>
internal static class NodeCommand
{
    public static Command Create(CliEnvironment env)
    {
        var config = new Option<string?>("--config") { Description = "A JSON file of settings, keyed by flag name (flags and VANUS_* variables take precedence)", HelpName = "FILE" };
        var command = new Command("node", "Run a Vanus node: the HTTP gateway and management API, the controller and the eventlogs") { config };
        var options = new List<(NodeSettings.Setting Setting, Option<string?> Option)>();
        var switches = new List<(NodeSettings.Setting Setting, Option<bool> Option)>();
        foreach (var setting in NodeSettings.All)
        {
            var description = $"{setting.Description} [env {setting.EnvironmentVariable}]{(setting.Default is { } d ? $" (default: {d})" : "")}";
            if (setting.Switch)
            {
                var flag = new Option<bool>($"--{setting.Name}") { Description = description };
                switches.Add((setting, flag));
                command.Options.Add(flag);
                continue;
            }

            var option = new Option<string?>($"--{setting.Name}") { Description = description };
            options.Add((setting, option));
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var flags = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (setting, option) in options)
            {
                if (parse.GetValue(option) is { } value)
                {
                    flags[setting.Name] = value;
                }
            }

            foreach (var (setting, flag) in switches)
            {
                if (parse.GetValue(flag))
                {
                    flags[setting.Name] = "true";
                }
            }

            try
            {
                var settings = NodeSettings.Resolve(flags, Environment.GetEnvironmentVariable, parse.GetValue(config));
                return await NodeHost.RunAsync(settings, env.Out, cancellationToken).ConfigureAwait(false);
            }
            catch (NodeSettingsException ex)
            {
                await env.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }
        });
        return command;
    }
}
