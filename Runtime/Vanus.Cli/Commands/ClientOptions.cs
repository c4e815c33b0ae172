using System.CommandLine;
using Vanus.Cli.Output;

namespace Vanus.Cli.Commands;

/// <summary>The options every client verb of a group shares, added once to the group as recursive options.</summary>
internal sealed class ClientOptions
{
    public Option<Uri[]> Endpoint { get; } = OptionParsers.Endpoints();

    public Option<string> Output { get; } = OutputOption();

    public Option<string> Namespace { get; } = new("--namespace")
    {
        Description = "The namespace of the eventbus",
        HelpName = "NAME",
        DefaultValueFactory = _ => "default",
    };

    public Option<string?> Token { get; } = new("--token")
    {
        Description = "The bearer token a node with tokens on needs [env VANUS_TOKEN]",
        HelpName = "TOKEN",
    };

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The token of this run: --token, else VANUS_TOKEN, else none.</summary>
    public string? TokenOf(ParseResult parse) =>
        parse.GetValue(Token) is { Length: > 0 } token ? token : Environment.GetEnvironmentVariable("VANUS_TOKEN") is { Length: > 0 } env ? env.Trim() : null;

    /// <summary>Adds the options to a command group; its subcommands inherit them.</summary>
    public Command AddTo(Command group)
    {
        foreach (var option in new Option[] { Endpoint, Output, Namespace, Token })
        {
            option.Recursive = true;
            group.Options.Add(option);
        }

        return group;
    }

    private static Option<string> OutputOption()
    {
        var option = new Option<string>("--output", "-o")
        {
            Description = "Print a table, or the node's JSON as it sent it",
            HelpName = "table|json",
            DefaultValueFactory = _ => "table",
        };
        option.AcceptOnlyFromAmong("table", "json");
        return option;
    }

    public OutputFormat FormatOf(ParseResult parse) => parse.GetValue(Output) == "json" ? OutputFormat.Json : OutputFormat.Table;
}
