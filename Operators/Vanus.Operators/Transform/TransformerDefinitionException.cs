namespace Vanus.Operators.Transform;

/// <summary>Thrown by <see cref="Transformer.Parse(string)"/> when a transformer document cannot be compiled; says where (the action and its pipeline index, or the define or template part) and why.</summary>
public sealed class TransformerDefinitionException : Exception
{
    internal TransformerDefinitionException(string location, string reason, string? action = null, int? pipelineIndex = null, Exception? inner = null)
        : base($"Invalid transformer: {location}: {reason}", inner)
    {
        (Location, Reason, Action, PipelineIndex) = (location, reason, action, pipelineIndex);
    }

    /// <summary>Where the fault is, for example <c>pipeline[2] (MATH_ADD)</c>, <c>define.amount</c> or <c>template</c>.</summary>
    public string Location { get; }

    /// <summary>What is wrong, as a sentence fragment.</summary>
    public string Reason { get; }

    /// <summary>The action name in upper case when the fault is in a pipeline command, otherwise null.</summary>
    public string? Action { get; }

    /// <summary>The zero-based index of the command in <c>pipeline</c> when the fault is in one, otherwise null.</summary>
    public int? PipelineIndex { get; }
}
