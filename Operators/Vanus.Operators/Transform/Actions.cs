using System.Text.Json;
using System.Text.Json.Nodes;
using Vanus.Runtime.Events;

namespace Vanus.Operators.Transform;

/// <summary>One compiled pipeline command; it edits the event in the context or throws <see cref="TransformFailure"/>.</summary>
internal abstract class TransformAction(string name)
{
    /// <summary>The action name in upper case.</summary>
    public string Name { get; } = name;

    /// <summary>Runs the action on one event.</summary>
    public abstract void Execute(TransformContext ctx);
}

/// <summary>An action's name, argument rules and factory, as listed in <see cref="ActionCatalog"/>.</summary>
/// <param name="Name">The action name in upper case.</param>
/// <param name="Usage">The argument list for messages, for example <c>(target, value)</c>.</param>
/// <param name="Fixed">What each required argument position accepts.</param>
/// <param name="Variadic">What each argument after the required ones accepts, or <see cref="ArgKinds.None"/> for none.</param>
/// <param name="MaxArgs">The most arguments the action takes.</param>
/// <param name="Create">Builds the action once its arguments are parsed and checked.</param>
/// <param name="Nested">True for ARRAY_FOREACH, whose arguments after the fixed ones are nested commands.</param>
internal sealed record ActionSpec(string Name, string Usage, ArgKinds[] Fixed, ArgKinds Variadic, int MaxArgs, Func<ActionBuilder, TransformAction> Create, bool Nested = false);

/// <summary>What an argument may refer to where it is compiled: the define variables, and whether event attributes are in reach.</summary>
internal sealed record CompileScope(IReadOnlyDictionary<string, int> Defines, bool AllowAttributes);

/// <summary>Hands a factory its parsed arguments and the checks that reject a bad document at parse time.</summary>
internal sealed class ActionBuilder(ActionSpec spec, string location, int? pipelineIndex, Arg[] args, JsonElement[] nested, CompileScope scope)
{
    /// <summary>The action's name.</summary>
    public string Name => spec.Name;

    /// <summary>The parsed arguments (after the action name).</summary>
    public Arg[] Args => args;

    /// <summary>How many arguments there are.</summary>
    public int Count => args.Length;

    /// <summary>The argument at a zero-based position.</summary>
    public Arg this[int index] => args[index];

    /// <summary>An exception that names the action, its place and, when given, the argument (1-based, as in Vanus).</summary>
    public TransformerDefinitionException Fail(int? argument, string reason) =>
        new(location, argument is { } i ? $"argument {i + 1} ('{args[i].Original}') {reason}" : reason, spec.Name, pipelineIndex);

    /// <summary>The argument as a place that this action reads and writes.</summary>
    public TargetArg Writable(int index)
    {
        var target = (TargetArg)args[index];
        if (target is AttributeArg { WriteProblem: { } problem })
        {
            throw Fail(index, $"cannot be written: {problem}");
        }

        if (target is DataArg { Path.IsWritable: false } data)
        {
            throw Fail(index, $"cannot be written: '{data.Path}' selects several values; a written path has only names and non-negative indexes");
        }

        return target;
    }

    /// <summary>The argument as a place that this action removes.</summary>
    public TargetArg Deletable(int index)
    {
        var target = (TargetArg)args[index];
        if (target is AttributeArg { DeleteProblem: { } problem })
        {
            throw Fail(index, $"cannot be deleted: {problem}");
        }

        if (target is DataArg { Path.IsWritable: false } data)
        {
            throw Fail(index, $"cannot be deleted: '{data.Path}' selects several values; only a path of names and non-negative indexes can be deleted");
        }

        return target;
    }

    /// <summary>The argument as a data path written with an array (attributes cannot hold arrays).</summary>
    public DataArg WritableData(int index)
    {
        if (args[index] is not DataArg)
        {
            throw Fail(index, "must be a $.data path, because the action writes an array there");
        }

        return (DataArg)Writable(index);
    }

    /// <summary>The integer value of a constant argument, checked at parse time; null when the argument is not a constant.</summary>
    public long? ConstantInteger(int index, long min = long.MinValue, string? rule = null)
    {
        if (args[index] is not ConstantArg constant)
        {
            return null;
        }

        if (!Values.TryToInteger(constant.Value, out var value, out var error))
        {
            throw Fail(index, $"must be an integer, but {error}");
        }

        if (value < min)
        {
            throw Fail(index, rule ?? $"must be at least {min}");
        }

        return value;
    }

    /// <summary>The text of a constant argument; null when the argument is not a constant.</summary>
    public string? ConstantText(int index)
    {
        if (args[index] is not ConstantArg constant)
        {
            return null;
        }

        if (constant.Value is null)
        {
            throw Fail(index, "is null, which counts as no value");
        }

        return Values.ToText(constant.Value);
    }

    /// <summary>Compiles ARRAY_FOREACH's nested commands; attributes are out of reach inside them, as in Vanus.</summary>
    public TransformAction[] NestedActions()
    {
        var inner = scope with { AllowAttributes = false };
        var actions = new TransformAction[nested.Length];
        for (var i = 0; i < nested.Length; i++)
        {
            if (nested[i].ValueKind != JsonValueKind.Array)
            {
                throw Fail(null, $"element {spec.Fixed.Length + i + 1} of the command must be a nested command array such as [\"add_prefix\", \"@.name\", \"x\"], not {nested[i].ValueKind}");
            }

            actions[i] = ActionCatalog.Compile(nested[i], $"{location} > command {i + 1}", pipelineIndex, inner);
        }

        return actions;
    }
}

/// <summary>Parses one argument the way Vanus's <c>arg.NewArg</c> classifies it.</summary>
internal static class ArgParser
{
    /// <summary>
    /// A string starting with <c>$.data</c> (or <c>@.</c>) is a data path, <c>$.name</c> an attribute (name lower-cased),
    /// <c>&lt;name&gt;</c> a define variable; every other value is a constant.
    /// </summary>
    public static Arg Parse(JsonElement element, CompileScope scope, Func<string, TransformerDefinitionException> fail)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            // Materialised once (DeepClone builds the containers eagerly) so that events on many threads can read it safely.
            return new ConstantArg(JsonNode.Parse(element.GetRawText())?.DeepClone(), element.GetRawText());
        }

        var raw = element.GetString()!;
        var s = raw.Trim();
        if (s == "$.data" || s.StartsWith("$.data.", StringComparison.Ordinal) || s.StartsWith("$.data[", StringComparison.Ordinal))
        {
            return new DataArg(ParsePath(s[6..], fail), s);
        }

        if (s.StartsWith("@.", StringComparison.Ordinal))
        {
            return new DataArg(ParsePath(s[1..], fail), s);
        }

        if (s.StartsWith("$.", StringComparison.Ordinal))
        {
            var name = s[2..].ToLowerInvariant();
            if (EventRules.CheckAttributeName(name) is { } rule)
            {
                throw fail($"names attribute '{name}', whose name {rule}");
            }

            if (!scope.AllowAttributes)
            {
                throw fail("refers to an event attribute, which commands inside ARRAY_FOREACH cannot reach (they see only the element, as @.path or $.data.path)");
            }

            return new AttributeArg(name, s);
        }

        if (s.Length >= 3 && s[0] == '<' && s[^1] == '>' && s[1] != '@')
        {
            var name = s[1..^1];
            if (!scope.Defines.TryGetValue(name, out var slot))
            {
                throw fail($"refers to <{name}>, which define does not declare");
            }

            return new DefineArg(name, slot);
        }

        return new ConstantArg(JsonValue.Create(raw), raw);
    }

    private static JsonPath ParsePath(string path, Func<string, TransformerDefinitionException> fail)
    {
        try
        {
            return JsonPath.Parse(path);
        }
        catch (FormatException ex)
        {
            throw fail($"is not a valid path: {ex.Message}");
        }
    }
}
