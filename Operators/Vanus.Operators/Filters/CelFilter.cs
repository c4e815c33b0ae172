using Vanus.Operators.Cel;
using Vanus.Runtime.Events;

namespace Vanus.Operators.Filters;

/// <summary>The <c>cel</c> dialect (a Vanus extension): a CEL expression over attributes and <c>$path.(type)</c> data variables; only true passes.</summary>
internal sealed class CelFilter(CelExpression expression) : FilterNode
{
    public CelExpression Expression { get; } = expression;

    public override bool Matches(Event e) => Expression.Matches(e);
}
