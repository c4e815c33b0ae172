using Vanus.Gateway.Http;

namespace Vanus.Gateway.Management;

/// <summary>A management request refused for one field of its document or one parameter, with the reason.</summary>
internal sealed class FieldException(ProblemKind kind, string? field, string reason) : Exception(field is null ? $"The document {reason}." : $"'{field}' {reason}.")
{
    public ProblemKind Kind { get; } = kind;

    public string? Field { get; } = field;

    public string Reason { get; } = reason;

    public static FieldException Document(string? field, string reason) => new(ProblemKind.InvalidDocument, field, reason);

    public static FieldException Parameter(string field, string reason) => new(ProblemKind.InvalidParameter, field, reason);
}
