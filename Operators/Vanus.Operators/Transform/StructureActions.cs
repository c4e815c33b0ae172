namespace Vanus.Operators.Transform;

/// <summary>CREATE(path, value): sets a value at a place that does not exist yet.</summary>
internal sealed class CreateAction(TargetArg target, Arg value) : TransformAction("CREATE")
{
    /// <inheritdoc />
    public override void Execute(TransformContext ctx)
    {
        if (target.Evaluate(ctx) is not null)
        {
            throw new TransformFailure($"{target} already exists");
        }

        target.Set(ctx, value.RequireCopy(ctx));
    }
}

/// <summary>DELETE(path): removes an attribute or a data member; nothing happens when it is absent.</summary>
internal sealed class DeleteAction(TargetArg target) : TransformAction("DELETE")
{
    /// <inheritdoc />
    public override void Execute(TransformContext ctx) => target.Delete(ctx);
}

/// <summary>REPLACE(path, value): sets a value at a place that must already exist.</summary>
internal sealed class ReplaceAction(TargetArg target, Arg value) : TransformAction("REPLACE")
{
    /// <inheritdoc />
    public override void Execute(TransformContext ctx)
    {
        if (target.Evaluate(ctx) is null)
        {
            throw new TransformFailure($"{target} does not exist");
        }

        target.Set(ctx, value.RequireCopy(ctx));
    }
}

/// <summary>MOVE(from, to) and RENAME(from, to): moves a value to a place that does not exist yet and removes it from where it was.</summary>
internal sealed class MoveAction(string name, TargetArg from, TargetArg to) : TransformAction(name)
{
    /// <inheritdoc />
    public override void Execute(TransformContext ctx)
    {
        if (to.Evaluate(ctx) is not null)
        {
            throw new TransformFailure($"{to} already exists");
        }

        from.Require(ctx);
        to.Set(ctx, from.Take(ctx));
    }
}

/// <summary>DUPLICATE(from, to): copies a value to a place that does not exist yet.</summary>
internal sealed class DuplicateAction(TargetArg from, TargetArg to) : TransformAction("DUPLICATE")
{
    /// <inheritdoc />
    public override void Execute(TransformContext ctx)
    {
        if (to.Evaluate(ctx) is not null)
        {
            throw new TransformFailure($"{to} already exists");
        }

        to.Set(ctx, from.RequireCopy(ctx));
    }
}
