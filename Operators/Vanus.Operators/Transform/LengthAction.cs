using System.Text.Json;
using System.Text.Json.Nodes;

namespace Vanus.Operators.Transform;

/// <summary>LENGTH(target, value): the length of a string, or the number of elements or members of an array or object.</summary>
internal sealed class LengthAction(TargetArg target, Arg value) : TransformAction("LENGTH")
{
    /// <inheritdoc />
    public override void Execute(TransformContext ctx)
    {
        var node = value.Require(ctx);
        var length = node.GetValueKind() switch
        {
            JsonValueKind.String => node.GetValue<string>().Length,
            JsonValueKind.Array => node.AsArray().Count,
            JsonValueKind.Object => node.AsObject().Count,
            _ => throw new TransformFailure($"{value} is {Values.Describe(node)}; LENGTH needs a string, an array or an object"),
        };
        target.Set(ctx, JsonValue.Create(length));
    }
}
