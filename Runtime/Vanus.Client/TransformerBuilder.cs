using System.Text.Json.Nodes;
using Vanus.Client.Http;

namespace Vanus.Client;

/// <summary>How the node reads a transformer's template: guessed from its text, as plain text, or as JSON.</summary>
public enum TemplateType
{
    /// <summary>No <c>template_type</c> in the document: the node decides from the template's text.</summary>
    Auto,

    /// <summary><c>"template_type":"text"</c>: the result is text data.</summary>
    Text,

    /// <summary><c>"template_type":"json"</c>: the result is JSON data.</summary>
    Json,
}

/// <summary>
/// Builds a Vanus transformer document: <c>define</c> variables read from the event, a <c>pipeline</c> of commands that
/// edit attributes and data, and a <c>template</c> that replaces the data. Used through <see cref="SubscriptionPipeline.Transform(Action{TransformerBuilder})"/>.
/// </summary>
public sealed class TransformerBuilder
{
    private readonly List<KeyValuePair<string, string>> _defines = [];
    private readonly List<(string Action, JsonNode?[] Arguments)> _commands = [];
    private string? _template;
    private TemplateType _templateType;

    internal TransformerBuilder()
    {
    }

    /// <summary>Declares variable <paramref name="name"/> with a value read from the event (<c>$.type</c>, <c>$.data.id</c>) or a constant.</summary>
    public TransformerBuilder Define(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        if (_defines.Exists(d => d.Key == name))
        {
            throw new ArgumentException($"Variable '{name}' is already defined; each define name appears once.", nameof(name));
        }

        _defines.Add(new(name, value));
        return this;
    }

    /// <summary>Appends one pipeline command, <c>{"command":[action, arguments...]}</c>, such as <c>Command("create", "$.region", "eu")</c>.</summary>
    public TransformerBuilder Command(string action, params JsonNode?[] arguments)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(action);
        ArgumentNullException.ThrowIfNull(arguments);
        // The nodes are copied so later edits by the caller cannot change a document that has been built.
        _commands.Add((action, [.. arguments.Select(a => a?.DeepClone())]));
        return this;
    }

    /// <summary>Sets the template that replaces the event's data; <c>&lt;name&gt;</c> and <c>&lt;$.path&gt;</c> are filled in.</summary>
    public TransformerBuilder Template(string template, TemplateType type = TemplateType.Auto)
    {
        ArgumentNullException.ThrowIfNull(template);
        if (!Enum.IsDefined(type))
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "Use TemplateType.Auto, Text or Json.");
        }

        if (_template is not null)
        {
            throw new InvalidOperationException("The transformer already has a template; a transformer has one.");
        }

        _template = template;
        _templateType = type;
        return this;
    }

    /// <summary>Writes the transformer document; throws <see cref="InvalidOperationException"/> when nothing was set.</summary>
    internal string ToJson()
    {
        if (_defines.Count == 0 && _commands.Count == 0 && _template is null)
        {
            throw new InvalidOperationException("The transformer is empty: give it a Define, a Command or a Template.");
        }

        var root = new JsonObject();
        if (_defines.Count > 0)
        {
            var define = new JsonObject();
            foreach (var (name, value) in _defines)
            {
                define[name] = value;
            }

            root["define"] = define;
        }

        if (_commands.Count > 0)
        {
            var pipeline = new JsonArray();
            foreach (var (action, arguments) in _commands)
            {
                var command = new JsonArray { action };
                foreach (var argument in arguments)
                {
                    command.Add(argument?.DeepClone());
                }

                pipeline.Add(new JsonObject { ["command"] = command });
            }

            root["pipeline"] = pipeline;
        }

        if (_template is not null)
        {
            root["template"] = _template;
            if (_templateType != TemplateType.Auto)
            {
                root["template_type"] = _templateType == TemplateType.Json ? "json" : "text";
            }
        }

        return root.ToJsonString(DocumentJson.Options);
    }
}
