using System.Text.Json;
using System.Text.Json.Nodes;
using Vanus.Runtime.Events;

namespace Vanus.Operators.Transform;

/// <summary>What an argument position accepts, as Vanus's argument type lists do.</summary>
[Flags]
internal enum ArgKinds : byte
{
    /// <summary>Nothing.</summary>
    None = 0,
    /// <summary>A literal value: any JSON value that is not a path or a variable reference.</summary>
    Constant = 1,
    /// <summary><c>$.name</c>: an event attribute.</summary>
    Attribute = 2,
    /// <summary><c>$.data</c>, <c>$.data.path</c> or <c>@.path</c>: a place in the JSON data.</summary>
    Data = 4,
    /// <summary><c>&lt;name&gt;</c>: a define variable.</summary>
    Define = 8,
    /// <summary>An attribute or a data path: what Vanus calls an event JSON path.</summary>
    Target = Attribute | Data,
    /// <summary>Every kind of argument.</summary>
    Any = Constant | Attribute | Data | Define,
}

/// <summary>One compiled action argument; evaluation returns null when there is no value (absent, or JSON null, as in Vanus).</summary>
internal abstract class Arg(string original)
{
    /// <summary>The argument as written in the document, for messages.</summary>
    public string Original { get; } = original;

    /// <summary>Which kind of argument this is.</summary>
    public abstract ArgKinds Kind { get; }

    /// <summary>The value, possibly a node that belongs to the data tree or to the compiled transformer: read it, do not attach it.</summary>
    public abstract JsonNode? Evaluate(TransformContext ctx);

    /// <summary>The value as a node with no parent, safe to attach to the data.</summary>
    public virtual JsonNode? EvaluateCopy(TransformContext ctx) => Evaluate(ctx)?.DeepClone();

    /// <summary>The value, or a failure saying that the argument has none.</summary>
    public JsonNode Require(TransformContext ctx) => Evaluate(ctx) ?? throw new TransformFailure(MissingMessage);

    /// <summary>The value as a detached copy, or a failure saying that the argument has none.</summary>
    public JsonNode RequireCopy(TransformContext ctx) => EvaluateCopy(ctx) ?? throw new TransformFailure(MissingMessage);

    /// <summary>The value converted to text.</summary>
    public string Text(TransformContext ctx) => Values.ToText(Require(ctx));

    /// <summary>The value converted to a float.</summary>
    public double Double(TransformContext ctx) => Values.ToDouble(Require(ctx), Original);

    /// <summary>The value converted to an integer.</summary>
    public long Integer(TransformContext ctx) => Values.ToInteger(Require(ctx), Original);

    /// <inheritdoc />
    public override string ToString() => Original;

    /// <summary>The failure message when the argument has no value.</summary>
    protected virtual string MissingMessage => $"{Original} has no value";
}

/// <summary>A literal argument; its node is shared by every event, so it is copied before it is attached.</summary>
internal sealed class ConstantArg(JsonNode? value, string original) : Arg(original)
{
    /// <summary>The literal value.</summary>
    public JsonNode? Value => value;

    /// <inheritdoc />
    public override ArgKinds Kind => ArgKinds.Constant;

    /// <inheritdoc />
    public override JsonNode? Evaluate(TransformContext ctx) => value;

    /// <inheritdoc />
    protected override string MissingMessage => "the constant is null, which counts as no value";
}

/// <summary>A reference to a define variable.</summary>
internal sealed class DefineArg(string name, int slot) : Arg("<" + name + ">")
{
    /// <inheritdoc />
    public override ArgKinds Kind => ArgKinds.Define;

    /// <inheritdoc />
    public override JsonNode? Evaluate(TransformContext ctx) => ctx.Defines[slot];

    /// <inheritdoc />
    protected override string MissingMessage => $"define variable <{name}> has no value for this event";
}

/// <summary>An argument that names a place in the event, which can also be written and deleted.</summary>
internal abstract class TargetArg(string original) : Arg(original)
{
    /// <summary>Writes a value with no parent at this place.</summary>
    public abstract void Set(TransformContext ctx, JsonNode? value);

    /// <summary>Removes the value at this place; nothing happens when there is none.</summary>
    public abstract void Delete(TransformContext ctx);

    /// <summary>Removes the value and returns it detached (null when there was none), for MOVE and RENAME.</summary>
    public virtual JsonNode? Take(TransformContext ctx)
    {
        var value = EvaluateCopy(ctx);
        Delete(ctx);
        return value;
    }

    /// <inheritdoc />
    protected override string MissingMessage => $"{Original} does not exist";
}

/// <summary><c>$.data</c> or a path below it; inside ARRAY_FOREACH the root is the current element.</summary>
internal sealed class DataArg(JsonPath path, string original) : TargetArg(original)
{
    /// <summary>The path below the data root.</summary>
    public JsonPath Path => path;

    /// <inheritdoc />
    public override ArgKinds Kind => ArgKinds.Data;

    /// <inheritdoc />
    public override JsonNode? Evaluate(TransformContext ctx) => path.Evaluate(ctx.ReadData());

    /// <inheritdoc />
    public override void Set(TransformContext ctx, JsonNode? value)
    {
        if (path.IsRoot)
        {
            ctx.SetData(value);
            return;
        }

        var root = ctx.DataForWrite();
        var written = path.Set(root, value);
        if (ReferenceEquals(written, root))
        {
            ctx.MarkDataChanged();
        }
        else
        {
            ctx.SetData(written);
        }
    }

    /// <inheritdoc />
    public override void Delete(TransformContext ctx)
    {
        if (path.IsRoot)
        {
            // Vanus leaves an empty object when the whole data is deleted.
            ctx.SetData(new JsonObject());
            return;
        }

        if (path.Remove(ctx.ReadData()))
        {
            ctx.MarkDataChanged();
        }
    }

    /// <inheritdoc />
    public override JsonNode? Take(TransformContext ctx)
    {
        if (path.IsRoot)
        {
            var data = ctx.ReadData();
            ctx.SetData(new JsonObject());
            return data;
        }

        var value = Evaluate(ctx);
        if (value is null || !path.Remove(ctx.ReadData()))
        {
            return value?.DeepClone();
        }

        ctx.MarkDataChanged();

        // Removal detached the node from its parent, so it can move without a copy.
        return value.Parent is null ? value : value.DeepClone();
    }
}

/// <summary><c>$.name</c>: a core or extension attribute of the event.</summary>
internal sealed class AttributeArg(string name, string original) : TargetArg(original)
{
    /// <summary>The lower-case attribute name.</summary>
    public string Name => name;

    /// <inheritdoc />
    public override ArgKinds Kind => ArgKinds.Attribute;

    /// <summary>Why this attribute cannot be written, or null when it can.</summary>
    public string? WriteProblem => name switch
    {
        "specversion" or "datacontenttype" => $"attribute {name} cannot be modified by a transformer",
        _ when IsReserved(name) => $"attribute {name} is reserved for the runtime (names starting with 'xvanus')",
        _ => null,
    };

    /// <summary>Why this attribute cannot be deleted, or null when it can.</summary>
    public string? DeleteProblem => name switch
    {
        "id" or "source" or "type" or "specversion" => $"attribute {name} is required by CloudEvents and cannot be deleted",
        _ when IsReserved(name) => $"attribute {name} is reserved for the runtime (names starting with 'xvanus')",
        _ => null,
    };

    /// <summary>The attribute's value as JSON: integers and booleans typed, everything else as its canonical text.</summary>
    public static JsonNode? Read(Event e, string attribute) => attribute switch
    {
        "id" => JsonValue.Create(e.Id),
        "source" => JsonValue.Create(e.Source),
        "type" => JsonValue.Create(e.Type),
        "specversion" => JsonValue.Create(e.SpecVersion),
        "subject" => e.Subject is { } s ? JsonValue.Create(s) : null,
        "datacontenttype" => e.DataContentType is { } c ? JsonValue.Create(c) : null,
        "dataschema" => e.DataSchema is { } d ? JsonValue.Create(d) : null,
        "time" => e.Time is { } t ? JsonValue.Create(Rfc3339.Format(t)) : null,
        _ => e.Extensions.TryGet(attribute, out var value) ? FromAttribute(value) : null,
    };

    /// <inheritdoc />
    public override JsonNode? Evaluate(TransformContext ctx) => Read(ctx.Event, name);

    /// <inheritdoc />
    public override JsonNode? EvaluateCopy(TransformContext ctx) => Evaluate(ctx);

    /// <inheritdoc />
    public override void Set(TransformContext ctx, JsonNode? value)
    {
        var e = ctx.Event;
        ctx.Event = name switch
        {
            "id" => e with { Id = StringValue(value) },
            "source" => e with { Source = CheckedUriReference(StringValue(value)) },
            "type" => e with { Type = StringValue(value) },
            "subject" => e with { Subject = StringValue(value) },
            "dataschema" => e with { DataSchema = CheckedUri(StringValue(value)) },
            "time" => e with { Time = TimeValue(value) },
            _ => e.WithExtension(name, ToAttribute(value)),
        };
    }

    /// <inheritdoc />
    public override void Delete(TransformContext ctx)
    {
        var e = ctx.Event;
        ctx.Event = name switch
        {
            "subject" => e with { Subject = null },
            "dataschema" => e with { DataSchema = null },
            "time" => e with { Time = null },
            "datacontenttype" => e with { DataContentType = null },
            _ when DeleteProblem is { } problem => throw new TransformFailure(problem),
            _ => e with { Extensions = e.Extensions.Without(name) },
        };
    }

    private static bool IsReserved(string attribute) => attribute.StartsWith("xvanus", StringComparison.Ordinal);

    private static JsonValue FromAttribute(AttributeValue value) => value.Kind switch
    {
        AttributeKind.Integer => JsonValue.Create(value.AsInteger),
        AttributeKind.Boolean => JsonValue.Create(value.AsBoolean),
        _ => JsonValue.Create(value.ToString()),
    };

    private string StringValue(JsonNode? value) =>
        Values.TryGetString(value, out var s) ? s : throw new TransformFailure($"attribute {name} takes a string, not {Values.Describe(value)}");

    private string CheckedUriReference(string value) =>
        EventRules.CheckUriReference(value) is { } problem ? throw new TransformFailure($"attribute {name} {problem}") : value;

    private string CheckedUri(string value) =>
        EventRules.CheckUri(value) is { } problem ? throw new TransformFailure($"attribute {name} {problem}") : value;

    private DateTimeOffset TimeValue(JsonNode? value)
    {
        var text = StringValue(value);
        return Rfc3339.TryParse(text, out var time, out var error) ? time : throw new TransformFailure($"attribute time: '{text}' {error}");
    }

    private AttributeValue ToAttribute(JsonNode? value)
    {
        switch (value?.GetValueKind())
        {
            case JsonValueKind.String:
                return AttributeValue.FromString(value.GetValue<string>());
            case JsonValueKind.True:
                return AttributeValue.FromBoolean(true);
            case JsonValueKind.False:
                return AttributeValue.FromBoolean(false);
            case JsonValueKind.Number:
                var d = Values.NumberValue((JsonValue)value);
                if (d == Math.Floor(d) && d is >= int.MinValue and <= int.MaxValue)
                {
                    return AttributeValue.FromInteger((int)d);
                }

                throw new TransformFailure($"attribute {name} cannot hold {Values.NumberText((JsonValue)value)}: CloudEvents integers are 32-bit whole numbers");
            default:
                throw new TransformFailure($"attribute {name} cannot hold {Values.Describe(value)}; attributes are strings, integers or booleans");
        }
    }
}
