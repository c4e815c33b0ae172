namespace Vanus.Operators.Transform;

/// <summary>Thrown by <see cref="Transformer.Apply"/> when an event cannot be transformed; names the action that failed and why, so the event can be dead-lettered with that reason.</summary>
public sealed class TransformException : Exception
{
    internal TransformException(string action, int? pipelineIndex, string reason, Exception? inner = null)
        : base(Describe(action, pipelineIndex, reason), inner)
    {
        Action = action;
        PipelineIndex = pipelineIndex;
        Reason = reason;
    }

    /// <summary>The failing action in upper case (for example <c>MATH_DIV</c>), or <c>template</c> when rendering the template failed.</summary>
    public string Action { get; }

    /// <summary>The zero-based index of the failing command in <c>pipeline</c>, or null outside the pipeline.</summary>
    public int? PipelineIndex { get; }

    /// <summary>What went wrong, as a sentence fragment.</summary>
    public string Reason { get; }

    private static string Describe(string action, int? index, string reason) =>
        index is { } i ? $"Transform failed at pipeline[{i}] ({action}): {reason}" : $"Transform failed in {action}: {reason}";
}
