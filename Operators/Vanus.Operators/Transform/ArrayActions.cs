using System.Text;
using System.Text.Json.Nodes;

namespace Vanus.Operators.Transform;

/// <summary>
/// RENDER_ARRAY(target, root, template): renders the template once per element of the array at root, where each
/// <c>&lt;@.path&gt;</c> is that path in the element; writes the strings as an array. Every path must give as many values.
/// </summary>
internal sealed class RenderArrayAction(TargetArg target, string[] literals, JsonPath[] paths, string[] placeholders) : TransformAction("RENDER_ARRAY")
{
    /// <summary>Splits a template into the text around its <c>&lt;@...&gt;</c> placeholders (an unclosed one is kept as text).</summary>
    public static (string[] Literals, string[] Placeholders) Split(string template)
    {
        var literals = new List<string>();
        var placeholders = new List<string>();
        var text = new StringBuilder();
        var pos = 0;
        while (true)
        {
            var open = template.IndexOf("<@", pos, StringComparison.Ordinal);
            var close = open < 0 ? -1 : template.IndexOf('>', open + 2);
            if (close < 0)
            {
                text.Append(template, pos, template.Length - pos);
                break;
            }

            text.Append(template, pos, open - pos);
            literals.Add(text.ToString());
            text.Clear();
            placeholders.Add(template[(open + 2)..close]);
            pos = close + 1;
        }

        literals.Add(text.ToString());
        return ([.. literals], [.. placeholders]);
    }

    /// <inheritdoc />
    public override void Execute(TransformContext ctx)
    {
        if (paths.Length == 0)
        {
            target.Set(ctx, Values.StringArray([literals[0]]));
            return;
        }

        var data = ctx.ReadData();
        var columns = new JsonArray[paths.Length];
        for (var p = 0; p < paths.Length; p++)
        {
            var value = paths[p].Evaluate(data) ?? throw new TransformFailure($"<@{placeholders[p]}> has no value in any element");
            columns[p] = Values.ToArray(value, "<@" + placeholders[p] + ">");
            if (columns[p].Count != columns[0].Count)
            {
                throw new TransformFailure($"<@{placeholders[p]}> has {columns[p].Count} values but <@{placeholders[0]}> has {columns[0].Count}; every placeholder needs one value per element");
            }
        }

        var rows = new string[columns[0].Count];
        var sb = new StringBuilder();
        for (var row = 0; row < rows.Length; row++)
        {
            sb.Clear().Append(literals[0]);
            for (var p = 0; p < paths.Length; p++)
            {
                sb.Append(Values.ToText(columns[p][row])).Append(literals[p + 1]);
            }

            rows[row] = sb.ToString();
        }

        target.Set(ctx, Values.StringArray(rows));
    }
}

/// <summary>
/// ARRAY_FOREACH(root, command, ...): runs the nested commands on every element of the array at root, with the element as
/// their data (<c>@.name</c> or <c>$.data.name</c>); a scalar at root is first wrapped in an array, as in Vanus.
/// </summary>
internal sealed class ArrayForeachAction : TransformAction
{
    private readonly DataArg _root;
    private readonly TransformAction[] _actions;
    private readonly Action<TransformContext> _run;

    public ArrayForeachAction(DataArg root, TransformAction[] actions)
        : base("ARRAY_FOREACH")
    {
        _root = root;
        _actions = actions;
        _run = RunNested;
    }

    /// <inheritdoc />
    public override void Execute(TransformContext ctx)
    {
        var node = _root.Require(ctx);
        var array = Values.ToArray(node, _root.Original);
        for (var i = 0; i < array.Count; i++)
        {
            var element = array[i];
            JsonNode? result;
            try
            {
                result = ctx.RunScoped(element, _run);
            }
            catch (TransformFailure failure)
            {
                throw new TransformFailure($"element {i}: {failure.Message}");
            }

            // A command that replaced the whole element (a scalar, say) left a new node; put it in the element's place.
            if (!ReferenceEquals(result, element))
            {
                array[i] = result;
            }
        }

        if (ReferenceEquals(array, node))
        {
            ctx.MarkDataChanged();
        }
        else
        {
            _root.Set(ctx, array);
        }
    }

    private void RunNested(TransformContext ctx)
    {
        foreach (var action in _actions)
        {
            try
            {
                action.Execute(ctx);
            }
            catch (TransformFailure failure)
            {
                throw new TransformFailure($"{action.Name}: {failure.Message}");
            }
        }
    }
}

/// <summary>UNFOLD_ARRAY(source, targetPrefix): writes each element of the array at source to its own member, named the prefix plus "-0", "-1", and so on.</summary>
internal sealed class UnfoldArrayAction(DataArg source, DataArg prefix) : TransformAction("UNFOLD_ARRAY")
{
    /// <inheritdoc />
    public override void Execute(TransformContext ctx)
    {
        var array = Values.ToArray(source.Require(ctx), source.Original);
        for (var i = 0; i < array.Count; i++)
        {
            var path = prefix.Path.WithLastNameSuffix("-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var root = ctx.DataForWrite();
            var written = path.Set(root, array[i]?.DeepClone());
            if (ReferenceEquals(written, root))
            {
                ctx.MarkDataChanged();
            }
            else
            {
                ctx.SetData(written);
            }
        }
    }
}
