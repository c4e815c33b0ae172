using Vanus.Operators.Filters;

namespace Vanus.Client;

/// <summary>
/// Builds subscription filters in Vanus's JSON dialects; each is checked when built (a CESQL or CEL expression that does
/// not compile throws <see cref="ArgumentException"/> saying why), and serialises to the document's <c>filters</c>.
/// </summary>
public static class Filter
{
    /// <summary>The attribute (or <c>data</c>, <c>data.&lt;path&gt;</c>) must equal <paramref name="value"/>: <c>{"exact":{attribute:value}}</c>.</summary>
    public static SubscriptionFilter Exact(string attribute, string value) => Build(() => SubscriptionFilter.Exact(Key(attribute), Value(value)), nameof(attribute));

    /// <summary>The attribute (or <c>data</c>, <c>data.&lt;path&gt;</c>) must start with <paramref name="value"/>: <c>{"prefix":{attribute:value}}</c>.</summary>
    public static SubscriptionFilter Prefix(string attribute, string value) => Build(() => SubscriptionFilter.Prefix(Key(attribute), Value(value)), nameof(attribute));

    /// <summary>The attribute (or <c>data</c>, <c>data.&lt;path&gt;</c>) must end with <paramref name="value"/>: <c>{"suffix":{attribute:value}}</c>.</summary>
    public static SubscriptionFilter Suffix(string attribute, string value) => Build(() => SubscriptionFilter.Suffix(Key(attribute), Value(value)), nameof(attribute));

    /// <summary>The CloudEvents SQL expression must be true: <c>{"sql":expression}</c>.</summary>
    public static SubscriptionFilter Sql(string expression) => Build(() => SubscriptionFilter.Sql(Expression(expression)), nameof(expression));

    /// <summary>The CEL expression must be true: <c>{"cel":expression}</c>.</summary>
    public static SubscriptionFilter Cel(string expression) => Build(() => SubscriptionFilter.Cel(Expression(expression)), nameof(expression));

    /// <summary>Every one of the filters must match: <c>{"all":[...]}</c> semantics, written as one conjunction.</summary>
    public static SubscriptionFilter All(params SubscriptionFilter[] filters) => Build(() => SubscriptionFilter.All(filters), nameof(filters));

    /// <summary>At least one of the filters must match: <c>{"any":[...]}</c>.</summary>
    public static SubscriptionFilter Any(params SubscriptionFilter[] filters) => Build(() => SubscriptionFilter.Any(filters), nameof(filters));

    /// <summary>The filter must not match: <c>{"not":{...}}</c>.</summary>
    public static SubscriptionFilter Not(SubscriptionFilter filter) => Build(() => SubscriptionFilter.Not(filter), nameof(filter));

    /// <summary>A <c>filters</c> array written as JSON text, such as <c>[{"exact":{"type":"order.created"}}]</c>.</summary>
    public static SubscriptionFilter FromJson(string filtersJson)
    {
        ArgumentNullException.ThrowIfNull(filtersJson);
        return Build(() => SubscriptionFilter.Parse(filtersJson), nameof(filtersJson));
    }

    private static SubscriptionFilter Build(Func<SubscriptionFilter> build, string parameter)
    {
        try
        {
            return build();
        }
        catch (FilterDefinitionException e)
        {
            throw new ArgumentException(e.Message, parameter, e);
        }
    }

    private static string Key(string attribute)
    {
        ArgumentException.ThrowIfNullOrEmpty(attribute);
        return attribute;
    }

    private static string Value(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value;
    }

    private static string Expression(string expression)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(expression);
        return expression;
    }
}
