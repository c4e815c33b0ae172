using Vanus.Cli;
using Vanus.Cli.Commands;

var env = CliEnvironment.FromConsole();
var root = VanusCommandLine.CreateRoot(env);
return await VanusCommandLine.InvokeAsync(root, args, env);
