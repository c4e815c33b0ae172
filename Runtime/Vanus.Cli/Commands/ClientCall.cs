using System.CommandLine;
using Vanus.Cli.Client;
using Vanus.Client;
using Vanus.Cli.Output;

namespace Vanus.Cli.Commands;

/// <summary>One run of a client verb: its parsed command line, console, output format and a client for its endpoint.</summary>
internal sealed class ClientCall : IDisposable
{
    private readonly Lazy<NodeConnection> _client;

    private ClientCall(ParseResult parse, CliEnvironment env, ClientOptions options)
    {
        Parse = parse;
        Env = env;
        Format = options.FormatOf(parse);
        Namespace = parse.GetValue(options.Namespace)!;
        Endpoints = parse.GetValue(options.Endpoint)!;
        var timeout = options.Timeout;
        var token = options.TokenOf(parse);
        _client = new Lazy<NodeConnection>(() =>
        {
            try
            {
                return NodeApi.Connect(Endpoints, Namespace, timeout, token);
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.ParamName == "token" ? $"--token (or VANUS_TOKEN): {e.Message}" : $"--namespace {e.Message}");
            }
        });
    }

    public ParseResult Parse { get; }

    public CliEnvironment Env { get; }

    public OutputFormat Format { get; }

    public string Namespace { get; }

    /// <summary>The nodes the verb may talk to, in the order given (--endpoint).</summary>
    public IReadOnlyList<Uri> Endpoints { get; }

    /// <summary>The .NET client for the verb's endpoint and namespace (a node that does not answer throws <see cref="NodeUnreachableException"/>).</summary>
    public VanusClient Client => _client.Value.Client;

    public TextWriter Out => Env.Out;

    /// <summary>Requires a 2xx answer; anything else is a refusal that ends the verb with its problem document.</summary>
    public static ApiAnswer Accept(ApiAnswer reply) => reply.IsSuccess ? reply : throw new ServerRefusedException(reply);

    /// <summary>Prints the node's body verbatim (for <c>--output json</c>).</summary>
    public void PrintJson(ApiAnswer reply)
    {
        if (reply.Body.Length > 0)
        {
            Out.WriteLine(reply.BodyText.TrimEnd('\n', '\r'));
        }
    }

    /// <summary>Prints what a verb did, then, when the node answered with a document, what <paramref name="describe"/> makes of it.</summary>
    public void PrintDone(string message, ApiAnswer reply, Action<TextWriter, ApiAnswer> describe)
    {
        Out.WriteLine(message);
        if (reply.Body.Length > 0)
        {
            describe(Out, reply);
        }
    }

    /// <summary>Writes a list as a table, or <paramref name="empty"/> when there is nothing to list.</summary>
    public void PrintList<T>(IReadOnlyCollection<T> items, string empty, Table table, Func<T, string[]> row)
    {
        if (items.Count == 0)
        {
            Out.WriteLine(empty);
            return;
        }

        foreach (var item in items)
        {
            table.Add(row(item));
        }

        table.WriteTo(Out);
    }

    /// <summary>A verb group whose verbs share the client options (endpoint, namespace, output), added once to the group.</summary>
    public static Command Group(string name, string description, CliEnvironment env, params ReadOnlySpan<Func<ClientOptions, CliEnvironment, Command>> verbs)
    {
        var options = new ClientOptions();
        var group = new Command(name, description);
        foreach (var verb in verbs)
        {
            group.Subcommands.Add(verb(options, env));
        }

        return options.AddTo(group);
    }

    /// <summary>A verb on one named thing (info, delete, pause…): its NAME argument, one request about it, and what to print of the answer.</summary>
    public static Command NamedVerb(
        ClientOptions options,
        CliEnvironment env,
        string verb,
        string description,
        Argument<string> name,
        Func<VanusClient, string, CancellationToken, Task<ApiAnswer>> send,
        Action<ClientCall, string, ApiAnswer> print)
    {
        var command = new Command(verb, description) { name };
        SetRequestAction(
            command,
            options,
            env,
            (call, cancellationToken) => send(call.Client, call.Parse.GetValue(name)!, cancellationToken),
            (call, reply) => print(call, call.Parse.GetValue(name)!, reply));
        return command;
    }

    /// <summary>
    /// Runs a verb that sends one request: a refusal ends it with the node's problem document, <c>--output json</c> prints
    /// the node's body as it came, and otherwise <paramref name="print"/> says what the node answered.
    /// </summary>
    public static void SetRequestAction(
        Command command, ClientOptions options, CliEnvironment env, Func<ClientCall, CancellationToken, Task<ApiAnswer>> send, Action<ClientCall, ApiAnswer> print) =>
        SetRequestAction(
            command,
            options,
            env,
            async (call, cancellationToken) => (await send(call, cancellationToken).ConfigureAwait(false), true),
            (call, reply, _) => print(call, reply));

    /// <summary>As <see cref="SetRequestAction(Command, ClientOptions, CliEnvironment, Func{ClientCall, CancellationToken, Task{ApiAnswer}}, Action{ClientCall, ApiAnswer})"/>, with what the request was built from (a document's name, say) handed to <paramref name="print"/>.</summary>
    public static void SetRequestAction<T>(
        Command command, ClientOptions options, CliEnvironment env, Func<ClientCall, CancellationToken, Task<(ApiAnswer Reply, T Sent)>> send, Action<ClientCall, ApiAnswer, T> print) =>
        SetAction(command, options, env, async (call, cancellationToken) =>
        {
            var (reply, sent) = await send(call, cancellationToken).ConfigureAwait(false);
            Accept(reply);
            if (call.Format == OutputFormat.Json)
            {
                call.PrintJson(reply);
            }
            else
            {
                print(call, reply, sent);
            }

            return ExitCodes.Ok;
        });

    /// <summary>Runs a verb and maps every way it can end to an exit code (see <see cref="ExitCodes"/>).</summary>
    public static void SetAction(Command command, ClientOptions options, CliEnvironment env, Func<ClientCall, CancellationToken, Task<int>> run)
    {
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var call = new ClientCall(parse, env, options);
            try
            {
                return await run(call, cancellationToken).ConfigureAwait(false);
            }
            catch (UsageException e)
            {
                env.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.Usage;
            }
            catch (NodeUnreachableException e)
            {
                env.Error.WriteLine(e.Message);
                return ExitCodes.Unreachable;
            }
            catch (ServerRefusedException e)
            {
                ProblemPrinter.Print(e.Reply, env.Error, call.Format);
                return ExitCodes.Refused;
            }
            catch (UnexpectedReplyException e)
            {
                env.Error.WriteLine(e.Message);
                return ExitCodes.Refused;
            }
        });
    }

    public void Dispose()
    {
        if (_client.IsValueCreated)
        {
            _client.Value.Dispose();
        }
    }
}

/// <summary>The command line asks for something the verb cannot do (found after parsing, such as an unreadable --data-file).</summary>
internal sealed class UsageException(string message) : Exception(message);
