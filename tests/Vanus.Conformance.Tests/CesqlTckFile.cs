using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Vanus.Operators.Sql;
using Vanus.Runtime.Codecs;
using Vanus.Runtime.Events;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Vanus.Conformance.Tests;

/// <summary>One YAML file of the CloudEvents SQL TCK (the schema is in the TCK's README.md): a suite name and its cases.</summary>
public sealed class CesqlTckFile
{
    private static readonly ConcurrentDictionary<string, CesqlTckFile> Cache = new(StringComparer.Ordinal);

    private CesqlTckFile(string name, IReadOnlyList<CesqlTckCase> cases)
    {
        Name = name;
        Cases = cases;
    }

    /// <summary>The suite's <c>name</c>.</summary>
    public string Name { get; }

    /// <summary>The cases in file order; each <see cref="CesqlTckCase.Key"/> is unique within the file.</summary>
    public IReadOnlyList<CesqlTckCase> Cases { get; }

    /// <summary>Loads (once per process) and parses a TCK file; throws <see cref="InvalidDataException"/> naming the file and the fault.</summary>
    public static CesqlTckFile Load(string path) => Cache.GetOrAdd(Path.GetFullPath(path), static p => Read(p));

    private static CesqlTckFile Read(string path)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = File.OpenText(path);
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw new InvalidDataException($"{path}: not valid YAML: {e.Message}", e);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new InvalidDataException($"{path}: the document is not a mapping with 'name' and 'tests'.");
        }

        var name = Scalar(root, "name")?.Value ?? Path.GetFileNameWithoutExtension(path);
        if (Child(root, "tests") is not YamlSequenceNode tests)
        {
            throw new InvalidDataException($"{path}: 'tests' is missing or is not a list.");
        }

        var cases = new List<CesqlTckCase>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < tests.Children.Count; i++)
        {
            if (tests.Children[i] is not YamlMappingNode test)
            {
                throw new InvalidDataException($"{path}: tests[{i}] is not a mapping.");
            }

            var caseName = Scalar(test, "name")?.Value ?? $"tests[{i}]";
            // Case names should be unique, but a TCK file that repeats one must still run every case as its own row.
            var count = seen[caseName] = seen.GetValueOrDefault(caseName) + 1;
            var key = count == 1 ? caseName : $"{caseName} #{count}";
            cases.Add(new CesqlTckCase(
                key,
                // The upstream TCK spells the key "expresion" in a few cases; they are still cases to run.
                (Scalar(test, "expression") ?? Scalar(test, "expresion"))?.Value,
                Scalar(test, "result"),
                Scalar(test, "error")?.Value,
                Child(test, "event"),
                Child(test, "eventOverrides") as YamlMappingNode));
        }

        return new CesqlTckFile(name, cases);
    }

    internal static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

    private static YamlScalarNode? Scalar(YamlMappingNode map, string key) => Child(map, key) as YamlScalarNode;
}

/// <summary>One TCK case: the expression as raw text, the expected result and error kind, and the input event.</summary>
public sealed record CesqlTckCase(string Key, string? Expression, YamlScalarNode? Result, string? Error, YamlNode? Event, YamlMappingNode? EventOverrides)
{
    /// <summary>The error kind the case expects (<see cref="CesqlErrorKind.None"/> when it names none); throws for a name the TCK README does not define.</summary>
    public CesqlErrorKind ExpectedError => Error switch
    {
        null or "" => CesqlErrorKind.None,
        "parse" => CesqlErrorKind.Parse,
        "math" => CesqlErrorKind.Math,
        "cast" => CesqlErrorKind.Cast,
        "missingFunction" => CesqlErrorKind.MissingFunction,
        "functionEvaluation" => CesqlErrorKind.FunctionEvaluation,
        "missingAttribute" => CesqlErrorKind.MissingAttribute,
        "generic" => CesqlErrorKind.Generic,
        _ => throw new InvalidDataException($"Case '{Key}': unknown error kind '{Error}'."),
    };

    /// <summary>The expected value as a CESQL value (YAML plain scalars resolve to Boolean or Integer by the core schema), or null when the case gives none.</summary>
    public CesqlValue? ExpectedResult => Result is null ? null : CesqlTckValues.ToCesql(CesqlTckValues.Resolve(Result));

    /// <summary>The input event: <c>event</c> when given (a mapping, or JSON text), otherwise a minimal valid event; then <c>eventOverrides</c> applied.</summary>
    public Event BuildEvent()
    {
        var e = Event switch
        {
            null => new Event("tck-event", "/cesql/tck", "io.cloudevents.cesql.tck"),
            YamlScalarNode json => JsonEventFormat.Decode(Encoding.UTF8.GetBytes(json.Value ?? "")),
            YamlMappingNode map => CesqlTckValues.Apply(FromRequired(map), map),
            _ => throw new InvalidDataException($"Case '{Key}': 'event' is neither a mapping nor JSON text."),
        };
        return EventOverrides is null ? e : CesqlTckValues.Apply(e, EventOverrides);
    }

    private Event FromRequired(YamlMappingNode map)
    {
        string Required(string name) => (CesqlTckFile.Child(map, name) as YamlScalarNode)?.Value
            ?? throw new InvalidDataException($"Case '{Key}': the event has no '{name}'.");
        return new Event(Required("id"), Required("source"), Required("type"));
    }
}

/// <summary>YAML scalars as typed values, and attributes set on an event from them.</summary>
internal static class CesqlTckValues
{
    /// <summary>A scalar as the YAML 1.2 core schema resolves it: plain true/false as bool, plain integers as int, everything else (quoted included) as string.</summary>
    public static object Resolve(YamlScalarNode node)
    {
        var text = node.Value ?? "";
        if (node.Style is ScalarStyle.Plain or ScalarStyle.Any)
        {
            if (text is "true" or "True" or "TRUE")
            {
                return true;
            }

            if (text is "false" or "False" or "FALSE")
            {
                return false;
            }

            if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
            {
                return number;
            }
        }

        return text;
    }

    public static CesqlValue ToCesql(object value) => value switch
    {
        bool b => CesqlValue.FromBoolean(b),
        int i => CesqlValue.FromInteger(i),
        _ => CesqlValue.FromString((string)value),
    };

    /// <summary>Sets every attribute of <paramref name="map"/> on the event: the spec's own attributes by name, the rest as typed extensions.</summary>
    public static Event Apply(Event e, YamlMappingNode map)
    {
        foreach (var (keyNode, valueNode) in map.Children)
        {
            var name = ((YamlScalarNode)keyNode).Value ?? "";
            if (valueNode is not YamlScalarNode scalar)
            {
                throw new InvalidDataException($"Event attribute '{name}' is not a scalar.");
            }

            var text = scalar.Value ?? "";
            e = name switch
            {
                "specversion" when text == EventRules.SpecVersion => e,
                "specversion" => throw new InvalidDataException($"Event specversion '{text}' is not 1.0."),
                "id" => e with { Id = text },
                "source" => e with { Source = text },
                "type" => e with { Type = text },
                "subject" => e with { Subject = text },
                "datacontenttype" => e with { DataContentType = text },
                "dataschema" => e with { DataSchema = text },
                "time" => e with { Time = Rfc3339.Parse(text) },
                // CESQL cannot address data (spec section 1), so the event's data does not matter to a case.
                "data" or "data_base64" => e,
                _ => e.WithExtension(name, Resolve(scalar) switch
                {
                    bool b => AttributeValue.FromBoolean(b),
                    int i => AttributeValue.FromInteger(i),
                    _ => AttributeValue.FromString(text),
                }),
            };
        }

        return e;
    }
}
