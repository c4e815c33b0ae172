using System.CommandLine;
using Vanus.Cli.Commands;

var root = new RootCommand("vanus: the Vanus for .NET command line")
{
    BenchCommands.Create(),
};

return await root.Parse(args).InvokeAsync();
