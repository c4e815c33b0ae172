using System.CommandLine;
using Vanus.Cli.Client;
using Vanus.Cli.Output;
using Vanus.Runtime.Events;

namespace Vanus.Cli.Commands;

/// <summary>The <c>vanus token</c> verbs: create, list and revoke API tokens (an admin token is needed for each).</summary>
internal static class TokenCommands
{
    public static Command Create(CliEnvironment env) =>
        ClientCall.Group("token", "Create, list and revoke the API tokens of a node with tokens on", env, CreateCreate, CreateList, CreateDelete);

    private static Argument<string> NameArgument() => new("NAME") { Description = "The token's name" };

    private static Command CreateCreate(ClientOptions options, CliEnvironment env)
    {
        var name = NameArgument();
        var roles = new Option<string[]>("--role")
        {
            Description = "A role: admin, edit:{ns}, view:{ns}, write:{ns}/{bus} or read:{ns}/{bus} (* for any); repeat for more",
            HelpName = "ROLE",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
        };
        var expires = OptionParsers.Duration("--expires", "How long the token lives, such as 90d (default: until revoked)", allowZero: false);
        var command = new Command("create", "Create a token; its secret is printed once and never again") { name, roles, expires };
        ClientCall.SetRequestAction(command, options, env,
            (call, ct) => call.Client.CreateTokenAsync(new CreateTokenRequest(call.Parse.GetValue(name)!, call.Parse.GetValue(roles)!, call.Parse.GetValue(expires)?.Text), ct),
            (call, reply) =>
            {
                var token = ContractReader.ReadToken(reply);
                call.Out.WriteLine($"created token {token.Name}; keep its secret now, it is not shown again:");
                call.Out.WriteLine(token.Token);
            });
        return command;
    }

    private static Command CreateList(ClientOptions options, CliEnvironment env)
    {
        var command = new Command("list", "List the tokens: names, roles and expiry (never their secrets)");
        ClientCall.SetRequestAction(command, options, env,
            (call, ct) => call.Client.ListTokensAsync(ct),
            (call, reply) => call.PrintList(
                ContractReader.ReadTokenList(reply),
                "no tokens",
                new Table("NAME", "ROLES", "CREATED", "EXPIRES"),
                t => [t.Name ?? "-", string.Join(' ', t.Roles ?? []), t.CreatedAt is { } c ? Rfc3339.Format(c) : "-", t.Expires is { } e ? Rfc3339.Format(e) : "never"]));
        return command;
    }

    private static Command CreateDelete(ClientOptions options, CliEnvironment env) =>
        ClientCall.NamedVerb(options, env, "delete", "Revoke a token on every node", NameArgument(),
            (client, name, ct) => client.DeleteTokenAsync(name, ct), (call, name, _) => call.Out.WriteLine($"revoked token {name}"));
}
