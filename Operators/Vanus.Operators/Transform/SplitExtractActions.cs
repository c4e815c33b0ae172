using System.Text.Json.Nodes;

namespace Vanus.Operators.Transform;

/// <summary>SPLIT_WITH_INTERVALS(source, start, interval, target): the text before start, then pieces of interval characters; the target must not exist.</summary>
internal sealed class SplitWithIntervalsAction(Arg source, Arg start, Arg interval, TargetArg target) : TransformAction("SPLIT_WITH_INTERVALS")
{
    /// <summary>Splits as Vanus does; a start past the end gives the whole text as the only piece.</summary>
    public static List<string> Split(string text, long start, long interval)
    {
        if (start < 0)
        {
            throw new TransformFailure($"start position {start} must not be negative");
        }

        if (interval <= 0)
        {
            throw new TransformFailure($"split interval {interval} must be greater than zero");
        }

        if (start > text.Length)
        {
            return [text];
        }

        var pieces = new List<string> { text[..(int)start] };
        var step = (int)Math.Min(interval, text.Length + 1L);
        for (var i = (int)start; i < text.Length; i += step)
        {
            pieces.Add(text.Substring(i, Math.Min(step, text.Length - i)));
        }

        return pieces;
    }

    /// <inheritdoc />
    public override void Execute(TransformContext ctx)
    {
        var text = source.Text(ctx);
        var from = start.Integer(ctx);
        var step = interval.Integer(ctx);
        if (target.Evaluate(ctx) is not null)
        {
            throw new TransformFailure($"{target} already exists");
        }

        target.Set(ctx, Values.StringArray(Split(text, from, step)));
    }
}

/// <summary>SPLIT_WITH_DELIMITER(source, delimiter, target): splits the text at every delimiter (an empty one splits into characters).</summary>
internal sealed class SplitWithDelimiterAction(Arg source, string delimiter, TargetArg target) : TransformAction("SPLIT_WITH_DELIMITER")
{
    /// <inheritdoc />
    public override void Execute(TransformContext ctx)
    {
        var text = source.Text(ctx);
        IEnumerable<string> pieces = delimiter.Length == 0
            ? text.EnumerateRunes().Select(r => r.ToString()).ToList()
            : text.Split(delimiter);
        target.Set(ctx, Values.StringArray(pieces));
    }
}

/// <summary>SPLIT_BETWEEN_POSITIONS(source, start, end, target): three pieces — before start, from start to end, after end; the target must not exist.</summary>
internal sealed class SplitBetweenPositionsAction(Arg source, Arg start, Arg end, TargetArg target) : TransformAction("SPLIT_BETWEEN_POSITIONS")
{
    /// <inheritdoc />
    public override void Execute(TransformContext ctx)
    {
        var text = source.Text(ctx);
        var from = start.Integer(ctx);
        var to = end.Integer(ctx);
        if (target.Evaluate(ctx) is not null)
        {
            throw new TransformFailure($"{target} already exists");
        }

        if (from < 0)
        {
            throw new TransformFailure($"start position {from} must not be negative");
        }

        if (from >= to)
        {
            throw new TransformFailure($"start position {from} must be less than end position {to}");
        }

        string[] pieces;
        if (from >= text.Length)
        {
            pieces = [text, "", ""];
        }
        else if (to > text.Length)
        {
            pieces = [text[..(int)from], text[(int)from..], ""];
        }
        else
        {
            pieces = [text[..(int)from], text[(int)from..(int)to], text[(int)to..]];
        }

        target.Set(ctx, Values.StringArray(pieces));
    }
}

/// <summary>SPLIT_FROM_START(source, position, target): two pieces, before and from the position (a position past the end leaves the second empty).</summary>
internal sealed class SplitFromStartAction(Arg source, long position, TargetArg target) : TransformAction("SPLIT_FROM_START")
{
    /// <inheritdoc />
    public override void Execute(TransformContext ctx)
    {
        var text = source.Text(ctx);
        string[] pieces = position >= text.Length ? [text, ""] : [text[..(int)position], text[(int)position..]];
        target.Set(ctx, Values.StringArray(pieces));
    }
}

/// <summary>EXTRACT_BETWEEN_DELIMITERS(source, target, start, end): writes the text between the first start delimiter and the next end delimiter.</summary>
internal sealed class ExtractBetweenDelimitersAction(Arg source, TargetArg target, Arg startDelimiter, Arg endDelimiter) : TransformAction("EXTRACT_BETWEEN_DELIMITERS")
{
    /// <inheritdoc />
    public override void Execute(TransformContext ctx)
    {
        var text = source.Text(ctx);
        var (_, contentStart, contentEnd) = Delimiters.Find(text, startDelimiter.Text(ctx), endDelimiter.Text(ctx));
        target.Set(ctx, JsonValue.Create(text[contentStart..contentEnd]));
    }
}

/// <summary>EXTRACT_BETWEEN_POSITIONS(source, target, start, end): writes the characters from start to end, counted from 1 and both included.</summary>
internal sealed class ExtractBetweenPositionsAction(Arg source, TargetArg target, Arg start, Arg end) : TransformAction("EXTRACT_BETWEEN_POSITIONS")
{
    /// <inheritdoc />
    public override void Execute(TransformContext ctx)
    {
        var text = source.Text(ctx);
        var from = start.Integer(ctx);
        var to = end.Integer(ctx);
        if (from > text.Length)
        {
            throw new TransformFailure($"start position {from} must not exceed the length of the string ({text.Length})");
        }

        if (from <= 0)
        {
            throw new TransformFailure($"start position {from} must be greater than zero (positions count from 1)");
        }

        if (to > text.Length)
        {
            throw new TransformFailure($"end position {to} must not exceed the length of the string ({text.Length})");
        }

        if (from > to)
        {
            throw new TransformFailure($"start position {from} must not be greater than end position {to}");
        }

        target.Set(ctx, JsonValue.Create(text[((int)from - 1)..(int)to]));
    }
}

/// <summary>EXTRACT_MISSING_ACTION(source, target, trueValue, falseValue): writes the first constant when the source text is empty, the second otherwise.</summary>
internal sealed class ExtractMissingAction(Arg source, TargetArg target, Arg whenEmpty, Arg otherwise) : TransformAction("EXTRACT_MISSING_ACTION")
{
    /// <inheritdoc />
    public override void Execute(TransformContext ctx)
    {
        var empty = source.Text(ctx).Length == 0;
        var yes = whenEmpty.RequireCopy(ctx);
        var no = otherwise.RequireCopy(ctx);
        target.Set(ctx, empty ? yes : no);
    }
}
