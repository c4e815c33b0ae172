namespace Vanus.Operators.Filters;

/// <summary>Thrown when a subscription's filters cannot be compiled; <see cref="Path"/> says which filter (for example <c>filters[1].all[0]</c>) and <see cref="Reason"/> what is wrong.</summary>
public sealed class FilterDefinitionException : Exception
{
    internal FilterDefinitionException(string path, string reason, Exception? inner = null)
        : base($"Invalid filter at {path}: {reason}", inner)
    {
        Path = path;
        Reason = reason;
    }

    /// <summary>The JSON path of the offending filter or value within the subscription document, such as <c>filters[0].exact.type</c>.</summary>
    public string Path { get; }

    /// <summary>What is wrong, as a sentence fragment.</summary>
    public string Reason { get; }
}
