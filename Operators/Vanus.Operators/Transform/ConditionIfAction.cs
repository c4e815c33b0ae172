namespace Vanus.Operators.Transform;

/// <summary>CONDITION_IF(target, left, op, right, trueValue, falseValue): compares with ==, &gt;=, &gt;, &lt;= or &lt; and writes one of two values.</summary>
internal sealed class ConditionIfAction(TargetArg target, Arg left, Arg op, Arg right, Arg whenTrue, Arg whenFalse) : TransformAction("CONDITION_IF")
{
    /// <summary>The operators Vanus supports.</summary>
    public static bool IsOperator(string op) => op is "==" or ">=" or ">" or "<=" or "<";

    /// <inheritdoc />
    public override void Execute(TransformContext ctx)
    {
        var opNode = op.Require(ctx);
        if (!Values.TryGetString(opNode, out var symbol))
        {
            throw new TransformFailure($"the operator {op} is {Values.Describe(opNode)}; it must be a string");
        }

        bool result;
        if (symbol == "==")
        {
            result = string.Equals(left.Text(ctx), right.Text(ctx), StringComparison.Ordinal);
        }
        else if (IsOperator(symbol))
        {
            var l = left.Double(ctx);
            var r = right.Double(ctx);
            result = symbol switch
            {
                ">=" => l >= r,
                ">" => l > r,
                "<=" => l <= r,
                _ => l < r,
            };
        }
        else
        {
            throw new TransformFailure($"operator '{symbol}' is not supported; use ==, >=, >, <= or <");
        }

        // Vanus evaluates both outcomes, so a missing one fails whichever way the comparison goes.
        var yes = whenTrue.RequireCopy(ctx);
        var no = whenFalse.RequireCopy(ctx);
        target.Set(ctx, result ? yes : no);
    }
}
