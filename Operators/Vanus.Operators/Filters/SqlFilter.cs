using Vanus.Operators.Sql;
using Vanus.Runtime.Events;

namespace Vanus.Operators.Filters;

/// <summary>The <c>sql</c> dialect: a CloudEvents SQL expression that passes only on Boolean true; an evaluation error does not pass.</summary>
internal sealed class SqlFilter(CesqlExpression expression) : FilterNode
{
    public CesqlExpression Expression { get; } = expression;

    public override bool Matches(Event e) => Expression.Matches(e);
}
