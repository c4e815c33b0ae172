using System.Text.Json;
using Vanus.Runtime.Events;

namespace Vanus.Operators.Transform;

/// <summary>
/// A Vanus-compatible transformer compiled from its document
/// <c>{"define": {...}, "pipeline": [{"command": ["ACTION", args...]}, ...], "template": "..."}</c>:
/// define variables are read from the event first, then the pipeline edits the attributes and JSON data, then the
/// template (if any) replaces the data and its content type. Parse once; <see cref="Apply"/> is thread-safe.
/// </summary>
public sealed class Transformer
{
    private readonly Arg[] _defines;
    private readonly TransformAction[] _pipeline;
    private readonly Template? _template;
    private readonly string _definition;

    private Transformer(Arg[] defines, TransformAction[] pipeline, Template? template, string definition)
    {
        _defines = defines;
        _pipeline = pipeline;
        _template = template;
        _definition = definition;
    }

    /// <summary>Compiles a transformer document; throws <see cref="TransformerDefinitionException"/> naming the part that is wrong and why.</summary>
    public static Transformer Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new TransformerDefinitionException("document", $"is not valid JSON: {ex.Message}", inner: ex);
        }

        using (document)
        {
            return Parse(document.RootElement);
        }
    }

    /// <summary>Compiles a transformer document given as a JSON element (for example the <c>transformer</c> member of a subscription).</summary>
    public static Transformer Parse(JsonElement definition)
    {
        if (definition.ValueKind != JsonValueKind.Object)
        {
            throw new TransformerDefinitionException("document", $"must be a JSON object with define, pipeline and template, not {definition.ValueKind}");
        }

        JsonElement define = default, pipeline = default, template = default, templateType = default;
        foreach (var member in definition.EnumerateObject())
        {
            switch (member.Name)
            {
                case "define": define = member.Value; break;
                case "pipeline": pipeline = member.Value; break;
                case "template": template = member.Value; break;
                case "template_type": templateType = member.Value; break;
                default:
                    throw new TransformerDefinitionException("document", $"has unknown member '{member.Name}'; a transformer has define, pipeline, template and template_type");
            }
        }

        var (defineArgs, slots) = ParseDefines(define);
        var actions = ParsePipeline(pipeline, new CompileScope(slots, AllowAttributes: true));
        var compiled = ParseTemplate(template, templateType, slots);
        return new Transformer(defineArgs, actions, compiled, definition.GetRawText());
    }

    /// <summary>
    /// Transforms one event into the event(s) it becomes: today always one, the input with its attributes and data rewritten.
    /// Throws <see cref="TransformException"/> naming the action that failed.
    /// </summary>
    public IReadOnlyList<Event> Apply(Event e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var ctx = new TransformContext(e, _defines.Length);
        for (var i = 0; i < _defines.Length; i++)
        {
            try
            {
                ctx.Defines[i] = _defines[i].Evaluate(ctx);
            }
            catch (TransformFailure)
            {
                // Vanus leaves a variable it cannot read empty (the template then shows null) rather than failing the event.
                ctx.Defines[i] = null;
            }
        }

        for (var i = 0; i < _pipeline.Length; i++)
        {
            var action = _pipeline[i];
            try
            {
                action.Execute(ctx);
            }
            catch (TransformFailure failure)
            {
                throw new TransformException(action.Name, i, failure.Message, failure);
            }
            catch (CloudEventFormatException invalid)
            {
                throw new TransformException(action.Name, i, invalid.Message, invalid);
            }
        }

        Event result;
        if (_template is not null)
        {
            byte[] rendered;
            try
            {
                rendered = _template.Render(ctx);
            }
            catch (TransformFailure failure)
            {
                throw new TransformException("template", null, failure.Message, failure);
            }

            result = ctx.Event with { Data = rendered, DataContentType = _template.ContentType };
        }
        else if (ctx.DataChanged)
        {
            result = ctx.Event with { Data = Json.Serialize(ctx.ReadData()), DataContentType = "application/json" };
        }
        else
        {
            result = ctx.Event;
        }

        return [result];
    }

    /// <summary>The transformer document as it was given (its JSON text), for storing with a subscription.</summary>
    public override string ToString() => _definition;

    private static (Arg[] Args, Dictionary<string, int> Slots) ParseDefines(JsonElement define)
    {
        var slots = new Dictionary<string, int>(StringComparer.Ordinal);
        if (define.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return ([], slots);
        }

        if (define.ValueKind != JsonValueKind.Object)
        {
            throw new TransformerDefinitionException("define", $"must be an object of variable names to values, not {define.ValueKind}");
        }

        var args = new List<Arg>();
        var noVariables = new CompileScope(new Dictionary<string, int>(), AllowAttributes: true);
        foreach (var member in define.EnumerateObject())
        {
            var location = $"define.{member.Name}";
            if (member.Name.Length == 0 || !member.Name.All(c => char.IsLetterOrDigit(c) || c is '_' or '-'))
            {
                throw new TransformerDefinitionException(location, "is not a valid variable name (letters, digits, '_' and '-', as templates can refer to them)");
            }

            if (slots.ContainsKey(member.Name))
            {
                throw new TransformerDefinitionException(location, "is declared twice");
            }

            if (member.Value.ValueKind != JsonValueKind.String)
            {
                throw new TransformerDefinitionException(location, $"must be a string ($.attribute, $.data.path or a constant), not {member.Value.ValueKind}");
            }

            var text = member.Value.GetString()!.Trim();
            if (text.Length >= 3 && text[0] == '<' && text[^1] == '>' && text[1] != '@')
            {
                throw new TransformerDefinitionException(location, $"'{text}' refers to a variable, but define values are read from the event before any variable exists");
            }

            slots[member.Name] = args.Count;
            args.Add(ArgParser.Parse(member.Value, noVariables, reason => new TransformerDefinitionException(location, $"'{text}' {reason}")));
        }

        return ([.. args], slots);
    }

    private static TransformAction[] ParsePipeline(JsonElement pipeline, CompileScope scope)
    {
        if (pipeline.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return [];
        }

        if (pipeline.ValueKind != JsonValueKind.Array)
        {
            throw new TransformerDefinitionException("pipeline", $"must be an array of {{\"command\": [...]}} objects, not {pipeline.ValueKind}");
        }

        var actions = new List<TransformAction>();
        var index = 0;
        foreach (var item in pipeline.EnumerateArray())
        {
            var location = $"pipeline[{index}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw new TransformerDefinitionException(location, $"must be an object {{\"command\": [\"ACTION\", arguments...]}}, not {item.ValueKind}", null, index);
            }

            JsonElement command = default;
            foreach (var member in item.EnumerateObject())
            {
                if (member.Name != "command")
                {
                    throw new TransformerDefinitionException(location, $"has unknown member '{member.Name}'; a pipeline step has only 'command'", null, index);
                }

                command = member.Value;
            }

            if (command.ValueKind == JsonValueKind.Undefined)
            {
                throw new TransformerDefinitionException(location, "has no 'command'", null, index);
            }

            actions.Add(ActionCatalog.Compile(command, location, index, scope));
            index++;
        }

        return [.. actions];
    }

    private static Template? ParseTemplate(JsonElement template, JsonElement templateType, Dictionary<string, int> slots)
    {
        string? type = null;
        if (templateType.ValueKind == JsonValueKind.String)
        {
            type = templateType.GetString();
            if (type is not ("" or "none" or "text" or "json"))
            {
                throw new TransformerDefinitionException("template_type", $"'{type}' is not a template type; use none, text or json");
            }
        }
        else if (templateType.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null))
        {
            throw new TransformerDefinitionException("template_type", $"must be a string (none, text or json), not {templateType.ValueKind}");
        }

        string text;
        switch (template.ValueKind)
        {
            case JsonValueKind.Undefined or JsonValueKind.Null:
                text = "";
                break;
            case JsonValueKind.String:
                text = template.GetString()!;
                break;
            default:
                throw new TransformerDefinitionException("template", $"must be a string (text, or JSON written as a string), not {template.ValueKind}");
        }

        // Vanus decides by the first character when no type is given: '{', '[' or '"' makes a JSON template.
        type = type is null or "" ? text.Length == 0 ? "none" : text[0] is '{' or '[' or '"' ? "json" : "text" : type;
        if (type == "none")
        {
            return null;
        }

        try
        {
            return Template.Compile(text, type == "json", slots);
        }
        catch (FormatException ex)
        {
            throw new TransformerDefinitionException("template", ex.Message, inner: ex);
        }
    }
}
