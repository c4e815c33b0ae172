using Vanus.Runtime.Events;

namespace Vanus.Operators.Filters;

/// <summary>One compiled filter of a subscription: a dialect object of the filters array, or a combination of them.</summary>
internal abstract class FilterNode
{
    public abstract bool Matches(Event e);
}

/// <summary>No filters: every event passes.</summary>
internal sealed class TrueFilter : FilterNode
{
    public static TrueFilter Instance { get; } = new();

    public override bool Matches(Event e) => true;
}

/// <summary>The <c>all</c> dialect (and a filters array): every filter must match; stops at the first that does not.</summary>
internal sealed class AllFilter(FilterNode[] filters) : FilterNode
{
    public override bool Matches(Event e)
    {
        foreach (var filter in filters)
        {
            if (!filter.Matches(e))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>The <c>any</c> dialect: at least one filter must match; stops at the first that does.</summary>
internal sealed class AnyFilter(FilterNode[] filters) : FilterNode
{
    public override bool Matches(Event e)
    {
        foreach (var filter in filters)
        {
            if (filter.Matches(e))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>The <c>not</c> dialect: matches exactly when the inner filter does not.</summary>
internal sealed class NotFilter(FilterNode inner) : FilterNode
{
    public override bool Matches(Event e) => !inner.Matches(e);
}
