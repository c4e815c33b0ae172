using Vanus.Runtime.Events;

namespace Vanus.Operators.Sql;

/// <summary>
/// The error side of an evaluation, passed by reference through the compiled delegates. CESQL evaluation is
/// fail-fast: once an error is set every enclosing operator returns its zero value without evaluating further,
/// so the first error is the only one and is never overwritten.
/// </summary>
internal struct EvalState
{
    public CesqlErrorKind Kind;
    public string? Message;

    public readonly bool Failed => Kind != CesqlErrorKind.None;

    public void Fail(CesqlErrorKind kind, string message)
    {
        if (Kind == CesqlErrorKind.None)
        {
            Kind = kind;
            Message = message;
        }
    }
}

/// <summary>A compiled (sub)expression producing a value of type <typeparamref name="T"/>; on error it sets <paramref name="state"/> and returns the value the spec defines for that error.</summary>
internal delegate T Eval<T>(Event e, ref EvalState state);
