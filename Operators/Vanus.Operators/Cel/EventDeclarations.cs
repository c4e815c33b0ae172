using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Vanus.Runtime.Events;

namespace Vanus.Operators.Cel;

/// <summary>
/// The names a Vanus CEL filter sees: the CloudEvents attributes of the event (<c>id</c>, <c>source</c>, <c>type</c>,
/// <c>specversion</c> and <c>subject</c>, <c>datacontenttype</c>, <c>dataschema</c> as strings; <c>time</c> as a timestamp;
/// any other valid attribute name as an extension of dynamic type) and data variables <c>$path.(type)</c> with Vanus's
/// types string, int64, uint64, bool and double. A missing attribute or data value is a runtime error, so the filter
/// does not match.
/// </summary>
internal sealed class EventDeclarations : ICelDeclarations
{
    public static EventDeclarations Instance { get; } = new();

    private static readonly Dictionary<string, CelVariable> Core = new(StringComparer.Ordinal)
    {
        ["id"] = new(CelType.String, static (ref CelFrame f) => CelValue.String(f.Event!.Id)),
        ["source"] = new(CelType.String, static (ref CelFrame f) => CelValue.String(f.Event!.Source)),
        ["type"] = new(CelType.String, static (ref CelFrame f) => CelValue.String(f.Event!.Type)),
        ["specversion"] = new(CelType.String, static (ref CelFrame f) => CelValue.String(f.Event!.SpecVersion)),
        ["subject"] = new(CelType.String, static (ref CelFrame f) => Optional(f.Event!.Subject, "subject")),
        ["datacontenttype"] = new(CelType.String, static (ref CelFrame f) => Optional(f.Event!.DataContentType, "datacontenttype")),
        ["dataschema"] = new(CelType.String, static (ref CelFrame f) => Optional(f.Event!.DataSchema, "dataschema")),
        ["time"] = new(CelType.Timestamp, static (ref CelFrame f) =>
            f.Event!.Time is { } t ? CelTime.FromDateTimeOffset(t) : CelValue.Error("the event has no attribute 'time'")),
    };

    private static readonly CelValue NotJson = CelValue.Error("the event's data is not JSON");

    public CelVariable? FindVariable(string name)
    {
        if (Core.TryGetValue(name, out var core))
        {
            return core;
        }

        // Any other valid attribute name is an extension; its type is known only per event.
        if (EventRules.CheckAttributeName(name) is not null || EventRules.IsReserved(name) || CelTypeValue.ByName(name) is not null)
        {
            return null;
        }

        var missing = CelValue.Error($"the event has no attribute '{name}'");
        return new CelVariable(CelType.Dyn, (ref CelFrame f) =>
            f.Event!.Extensions.TryGet(name, out var value) ? FromAttribute(value) : missing);
    }

    public CelVariable? FindDataVariable(string path, string typeName, out string? error)
    {
        if (!DataPath.TryParse(path, out var dataPath, out var pathError))
        {
            error = $"invalid data path '${path}': {pathError}";
            return null;
        }

        var missing = CelValue.Error($"the event's data has no value at '{path}'");
        CelVariable Make(CelType type, JsonConversion convert)
        {
            var p = dataPath!;
            return new CelVariable(type, (ref CelFrame f) =>
            {
                var e = f.Event!;
                if (e.Data is not { } data || !e.IsJsonData)
                {
                    return NotJson;
                }

                if (f.DataState == 0)
                {
                    f.DataState = DataPath.IsWellFormed(data.Span) ? (byte)1 : (byte)2;
                }

                if (f.DataState == 2)
                {
                    return NotJson;
                }

                var reader = new Utf8JsonReader(data.Span);
                return p.TrySeek(ref reader) ? convert(ref reader, path) : missing;
            });
        }

        error = null;
        switch (typeName)
        {
            case "string": return Make(CelType.String, AsString);
            case "int64": return Make(CelType.Int, AsInt);
            case "uint64": return Make(CelType.Uint, AsUint);
            case "bool": return Make(CelType.Bool, AsBool);
            case "double": return Make(CelType.Double, AsDouble);
            default:
                error = $"the data variable type '{typeName}' is not one of string, int64, uint64, bool, double";
                return null;
        }
    }

    /// <summary>Converts a CloudEvents attribute value to CEL: integers to int, booleans, strings and URIs to string, binary to bytes, timestamps.</summary>
    public static CelValue FromAttribute(in AttributeValue value) => value.Kind switch
    {
        AttributeKind.Integer => CelValue.Int(value.AsInteger),
        AttributeKind.Boolean => CelValue.Bool(value.AsBoolean),
        AttributeKind.Binary => CelValue.Bytes(MemoryMarshal.TryGetArray(value.AsBinary, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : value.AsBinary.ToArray()),
        AttributeKind.Timestamp => CelTime.FromDateTimeOffset(value.AsTimestamp),
        _ => CelValue.String(value.AsText!),
    };

    private static CelValue Optional(string? value, string name) =>
        value is null ? CelValue.Error($"the event has no attribute '{name}'") : CelValue.String(value);

    private static CelValue AsString(ref Utf8JsonReader r, string path) => r.TokenType switch
    {
        JsonTokenType.String => CelValue.String(r.GetString()!),
        JsonTokenType.Number => CelValue.String(System.Text.Encoding.UTF8.GetString(r.ValueSpan)),
        JsonTokenType.True => CelValue.String("true"),
        JsonTokenType.False => CelValue.String("false"),
        _ => Unconvertible(ref r, path, "string"),
    };

    private static CelValue AsInt(ref Utf8JsonReader r, string path)
    {
        switch (r.TokenType)
        {
            case JsonTokenType.Number:
                if (r.TryGetInt64(out var l))
                {
                    return CelValue.Int(l);
                }

                var d = r.GetDouble();
                return d > -9223372036854775808.0 && d < 9223372036854775807.0 ? CelValue.Int((long)d) : OutOfRange(path, "int64");
            case JsonTokenType.String:
                return long.TryParse(r.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed)
                    ? CelValue.Int(parsed)
                    : CelValue.Error($"the data value at '{path}' is not an int64");
            default:
                return Unconvertible(ref r, path, "int64");
        }
    }

    private static CelValue AsUint(ref Utf8JsonReader r, string path)
    {
        switch (r.TokenType)
        {
            case JsonTokenType.Number:
                if (r.TryGetUInt64(out var u))
                {
                    return CelValue.Uint(u);
                }

                var d = r.GetDouble();
                return d >= 0 && d < 18446744073709551616.0 ? CelValue.Uint((ulong)d) : OutOfRange(path, "uint64");
            case JsonTokenType.String:
                return ulong.TryParse(r.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
                    ? CelValue.Uint(parsed)
                    : CelValue.Error($"the data value at '{path}' is not a uint64");
            default:
                return Unconvertible(ref r, path, "uint64");
        }
    }

    private static CelValue AsBool(ref Utf8JsonReader r, string path) => r.TokenType switch
    {
        JsonTokenType.True => CelValue.True,
        JsonTokenType.False => CelValue.False,
        JsonTokenType.String => CelRuntime.ToBool(CelValue.String(r.GetString()!)),
        _ => Unconvertible(ref r, path, "bool"),
    };

    private static CelValue AsDouble(ref Utf8JsonReader r, string path) => r.TokenType switch
    {
        JsonTokenType.Number => CelValue.Double(r.GetDouble()),
        JsonTokenType.String => CelRuntime.TryParseDouble(r.GetString()!, out var d) ? CelValue.Double(d) : CelValue.Error($"the data value at '{path}' is not a double"),
        _ => Unconvertible(ref r, path, "double"),
    };

    private delegate CelValue JsonConversion(ref Utf8JsonReader reader, string path);

    private static CelValue OutOfRange(string path, string type) => CelValue.Error($"the data value at '{path}' is out of the {type} range");

    private static CelValue Unconvertible(ref Utf8JsonReader r, string path, string type) =>
        CelValue.Error($"the data value at '{path}' is a JSON {r.TokenType.ToString().ToLowerInvariant()}, which does not convert to {type}");
}
