using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Vanus.Operators.Transform;

/// <summary>
/// The conversions Vanus applies to action arguments (its <c>common.Cast</c>): to text, to a float, to an integer,
/// to a list of strings and to an array. JSON numbers keep their original text when converted to text.
/// </summary>
internal static class Values
{
    /// <summary>The JSON kind of a value as a word for error messages.</summary>
    public static string Describe(JsonNode? node) => node?.GetValueKind() switch
    {
        null or JsonValueKind.Null => "null",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        _ => "an unknown value",
    };

    /// <summary>True when the node is a JSON string, with its value.</summary>
    public static bool TryGetString(JsonNode? node, out string text)
    {
        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.TryGetValue(out string? s))
        {
            text = s;
            return true;
        }

        text = "";
        return false;
    }

    /// <summary>Converts to text: strings as they are, numbers in their JSON form, booleans as true/false, objects and arrays as compact JSON.</summary>
    public static string ToText(JsonNode? node)
    {
        switch (node?.GetValueKind())
        {
            case null or JsonValueKind.Null:
                return "null";
            case JsonValueKind.String:
                return node.GetValue<string>();
            case JsonValueKind.Number:
                return NumberText((JsonValue)node);
            case JsonValueKind.True:
                return "true";
            case JsonValueKind.False:
                return "false";
            default:
                return node.ToJsonString(Json.Compact);
        }
    }

    /// <summary>Converts to a float: numbers, and strings that parse as one.</summary>
    public static double ToDouble(JsonNode node, string what)
    {
        switch (node.GetValueKind())
        {
            case JsonValueKind.Number:
                return NumberValue((JsonValue)node);
            case JsonValueKind.String:
                var s = node.GetValue<string>();
                if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
                {
                    return d;
                }

                throw new TransformFailure($"{what} is the string '{s}', which is not a number");
            default:
                throw new TransformFailure($"{what} is {Describe(node)}, not a number");
        }
    }

    /// <summary>Converts to an integer: whole-number strings, and numbers (truncated toward zero, as Go's int(float64) does).</summary>
    public static long ToInteger(JsonNode node, string what)
    {
        if (TryToInteger(node, out var value, out var error))
        {
            return value;
        }

        throw new TransformFailure($"{what} {error}");
    }

    /// <summary>Converts to an integer or says why not.</summary>
    public static bool TryToInteger(JsonNode? node, out long value, out string? error)
    {
        value = 0;
        error = null;
        switch (node?.GetValueKind())
        {
            case JsonValueKind.Number:
                var number = (JsonValue)node;
                if (number.TryGetValue(out long l))
                {
                    value = l;
                    return true;
                }

                var d = NumberValue(number);
                if (double.IsFinite(d) && d is >= long.MinValue and <= long.MaxValue)
                {
                    value = (long)Math.Truncate(d);
                    return true;
                }

                error = $"is the number {NumberText(number)}, which is out of the integer range";
                return false;
            case JsonValueKind.String:
                var s = node.GetValue<string>();
                if (long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
                {
                    return true;
                }

                error = $"is the string '{s}', which is not a whole number";
                return false;
            default:
                error = $"is {Describe(node)}, not an integer";
                return false;
        }
    }

    /// <summary>Converts to a list of strings: a string or number becomes a list of one, an array has each element converted to text.</summary>
    public static List<string> ToStringList(JsonNode node, string what)
    {
        switch (node.GetValueKind())
        {
            case JsonValueKind.String:
            case JsonValueKind.Number:
                return [ToText(node)];
            case JsonValueKind.Array:
                var array = node.AsArray();
                var list = new List<string>(array.Count);
                foreach (var item in array)
                {
                    list.Add(ToText(item));
                }

                return list;
            default:
                throw new TransformFailure($"{what} is {Describe(node)}, not a string or an array");
        }
    }

    /// <summary>Converts to an array: arrays as they are, a scalar becomes an array of one (detached copy); objects are refused.</summary>
    public static JsonArray ToArray(JsonNode node, string what)
    {
        switch (node.GetValueKind())
        {
            case JsonValueKind.Array:
                return node.AsArray();
            case JsonValueKind.Object:
                throw new TransformFailure($"{what} is an object, not an array");
            default:
                return [node.DeepClone()];
        }
    }

    /// <summary>A JSON number for a computed float; JSON has no NaN or infinity, so those fail.</summary>
    public static JsonValue Number(double value, string what) =>
        double.IsFinite(value) ? JsonValue.Create(value) : throw new TransformFailure($"{what} is {value.ToString(CultureInfo.InvariantCulture)}, which JSON cannot hold");

    /// <summary>A JSON array of strings.</summary>
    public static JsonArray StringArray(IEnumerable<string> items)
    {
        var array = new JsonArray();
        foreach (var item in items)
        {
            array.Add(JsonValue.Create(item));
        }

        return array;
    }

    /// <summary>The text of a JSON number: its source text when it came from parsed JSON, otherwise its shortest round-trip form.</summary>
    public static string NumberText(JsonValue number)
    {
        if (number.TryGetValue(out JsonElement element))
        {
            return element.GetRawText();
        }

        if (number.TryGetValue(out long l))
        {
            return l.ToString(CultureInfo.InvariantCulture);
        }

        if (number.TryGetValue(out int i))
        {
            return i.ToString(CultureInfo.InvariantCulture);
        }

        return NumberValue(number).ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>The value of a JSON number as a float, whichever CLR type backs it.</summary>
    public static double NumberValue(JsonValue number)
    {
        if (number.TryGetValue(out double d))
        {
            return d;
        }

        if (number.TryGetValue(out long l))
        {
            return l;
        }

        if (number.TryGetValue(out int i))
        {
            return i;
        }

        return number.TryGetValue(out JsonElement e) ? e.GetDouble() : throw new TransformFailure("a number value has an unsupported representation");
    }
}
