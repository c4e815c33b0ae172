namespace Vanus.Operators.Transform;

/// <summary>MATH_ADD, MATH_SUB, MATH_MUL and MATH_DIV(target, a, b, ...): float arithmetic on numbers or numeric strings, written as a JSON number.</summary>
internal sealed class MathAction(string name, TargetArg target, Arg[] operands) : TransformAction(name)
{
    /// <inheritdoc />
    public override void Execute(TransformContext ctx)
    {
        var result = operands[0].Double(ctx);
        for (var i = 1; i < operands.Length; i++)
        {
            var operand = operands[i].Double(ctx);
            result = Name switch
            {
                "MATH_ADD" => result + operand,
                "MATH_SUB" => result - operand,
                "MATH_MUL" => result * operand,
                _ => operand == 0 ? throw new TransformFailure($"division by zero ({operands[i]} is 0)") : result / operand,
            };
        }

        target.Set(ctx, Values.Number(result, "the result"));
    }
}
