using System.Text.Json;
using Vanus.Operators.Cel;
using Vanus.Operators.Sql;
using Vanus.Runtime.Events;

namespace Vanus.Operators.Filters;

/// <summary>
/// Compiles the <c>filters</c> array of a subscription (CloudEvents Subscriptions API dialects plus Vanus's <c>cel</c>)
/// into <see cref="FilterNode"/>s, rejecting anything it cannot compile with the JSON path of the offending part.
/// </summary>
internal static class FilterParser
{
    public const string Dialects = "exact, prefix, suffix, all, any, not, sql, cel";

    public static FilterNode ParseList(JsonElement filters, string path)
    {
        switch (filters.ValueKind)
        {
            case JsonValueKind.Undefined:
            case JsonValueKind.Null:
                return TrueFilter.Instance;
            case JsonValueKind.Array:
                var nodes = new List<FilterNode>();
                var i = 0;
                foreach (var item in filters.EnumerateArray())
                {
                    nodes.Add(ParseFilter(item, $"{path}[{i++}]"));
                }

                return nodes.Count switch
                {
                    0 => TrueFilter.Instance,
                    1 => nodes[0],
                    _ => new AllFilter([.. nodes]),
                };
            default:
                throw new FilterDefinitionException(path, $"must be an array of filters, not {Describe(filters)}");
        }
    }

    public static FilterNode ParseFilter(JsonElement filter, string path)
    {
        if (filter.ValueKind != JsonValueKind.Object)
        {
            throw new FilterDefinitionException(path, $"must be an object with one dialect ({Dialects}), not {Describe(filter)}");
        }

        string? dialect = null;
        JsonElement value = default;
        foreach (var member in filter.EnumerateObject())
        {
            if (!IsDialect(member.Name))
            {
                throw new FilterDefinitionException(path, $"has unknown dialect '{member.Name}'; expected one of {Dialects}");
            }

            if (dialect is not null)
            {
                throw new FilterDefinitionException(path, dialect == member.Name
                    ? $"names the dialect '{dialect}' twice; a filter object has exactly one dialect"
                    : $"has two dialects, '{dialect}' and '{member.Name}'; a filter object has exactly one (combine filters with all or any)");
            }

            dialect = member.Name;
            value = member.Value;
        }

        if (dialect is null)
        {
            throw new FilterDefinitionException(path, $"has no dialect; expected one of {Dialects}");
        }

        var at = $"{path}.{dialect}";
        return dialect switch
        {
            "exact" => Attributes(MatchMode.Exact, value, at),
            "prefix" => Attributes(MatchMode.Prefix, value, at),
            "suffix" => Attributes(MatchMode.Suffix, value, at),
            "all" => new AllFilter(Nested(value, at)),
            "any" => new AnyFilter(Nested(value, at)),
            "not" => new NotFilter(ParseFilter(value, at)),
            "sql" => Sql(value, at),
            _ => Cel(value, at),
        };
    }

    /// <summary>The data path of a key <c>data.&lt;path&gt;</c> or <c>data[...]</c>, or null for any other key.</summary>
    public static string? DataPathOf(string key) =>
        key.StartsWith("data.", StringComparison.Ordinal) ? key[5..] : key.StartsWith("data[", StringComparison.Ordinal) ? key[4..] : null;

    private static bool IsDialect(string name) => name is "exact" or "prefix" or "suffix" or "all" or "any" or "not" or "sql" or "cel";

    private static AttributeFilter Attributes(MatchMode mode, JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new FilterDefinitionException(path, $"must be an object of attribute names to strings, not {Describe(value)}");
        }

        var entries = new List<KeyValuePair<string, string>>();
        foreach (var member in value.EnumerateObject())
        {
            var name = member.Name;
            var at = Member(path, name);
            if (name.Length == 0)
            {
                throw new FilterDefinitionException(at, "the attribute name is empty");
            }

            if (entries.Exists(e => e.Key == name))
            {
                throw new FilterDefinitionException(at, $"names '{name}' twice");
            }

            if (member.Value.ValueKind != JsonValueKind.String)
            {
                throw new FilterDefinitionException(at, $"must be a string, not {Describe(member.Value)}");
            }

            var text = member.Value.GetString()!;
            if (text.Length == 0)
            {
                throw new FilterDefinitionException(at, "the value is empty");
            }

            if (DataPathOf(name) is { } pathText)
            {
                if (!DataPath.TryParse(pathText, out _, out var error))
                {
                    throw new FilterDefinitionException(at, $"'{name}' is not a valid data path: {error}");
                }
            }
            else if (name != "data" && EventRules.CheckAttributeName(name) is { } rule)
            {
                throw new FilterDefinitionException(at, $"'{name}' is not a CloudEvents attribute name: it {rule} (or use data / data.<path>)");
            }

            entries.Add(new(name, text));
        }

        if (entries.Count == 0)
        {
            throw new FilterDefinitionException(path, "names no attribute; give at least one attribute and the text to compare");
        }

        return new AttributeFilter(mode, entries);
    }

    private static FilterNode[] Nested(JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new FilterDefinitionException(path, $"must be an array of filters, not {Describe(value)}");
        }

        var nodes = new List<FilterNode>();
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            nodes.Add(ParseFilter(item, $"{path}[{i++}]"));
        }

        if (nodes.Count == 0)
        {
            throw new FilterDefinitionException(path, "must not be empty");
        }

        return [.. nodes];
    }

    private static SqlFilter Sql(JsonElement value, string path)
    {
        var text = Expression(value, path);
        try
        {
            return new SqlFilter(CesqlExpression.Parse(text));
        }
        catch (CesqlParseException ex)
        {
            throw new FilterDefinitionException(path, $"the CESQL expression does not parse: expected {ex.Expected} but found {ex.Found} at position {ex.Position}", ex);
        }
    }

    private static CelFilter Cel(JsonElement value, string path)
    {
        var text = Expression(value, path);
        try
        {
            return new CelFilter(CelExpression.Parse(text));
        }
        catch (CelParseException ex)
        {
            throw new FilterDefinitionException(path, $"the CEL expression is invalid at line {ex.Line}, column {ex.Column}: {ex.Reason}", ex);
        }
    }

    private static string Expression(JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            throw new FilterDefinitionException(path, $"must be a string holding the expression, not {Describe(value)}");
        }

        var text = value.GetString()!;
        return string.IsNullOrWhiteSpace(text) ? throw new FilterDefinitionException(path, "the expression is empty") : text;
    }

    private static string Member(string path, string name)
    {
        var simple = name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
        return simple ? $"{path}.{name}" : $"{path}['{name.Replace("'", "\\'", StringComparison.Ordinal)}']";
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
