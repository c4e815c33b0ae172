using Vanus.Operators.Sql;
using Xunit.Abstractions;

namespace Vanus.Conformance.Tests;

/// <summary>
/// Runs every case of every <c>*.yaml</c> in the CloudEvents SQL TCK folder (<c>VANUS_CESQL_TCK</c>, default
/// <c>../shared/conformance/cesql-tck</c> beside the repository) as its own theory row: the expression is parsed
/// from the raw YAML text, evaluated against the case's event, and its value and error kind compared.
/// </summary>
public sealed class CesqlTckTests(ITestOutputHelper output)
{
    private const string EnvironmentVariable = "VANUS_CESQL_TCK";
    private const string NoFilesMarker = "<no *.yaml files>";
    private const string LoadErrorMarker = "<file does not load>";

    // Cases where a TCK copy contradicts CloudEvents SQL 1.0. Each erratum names the case exactly (name, expression,
    // expected values and, where the name is shared by a corrected copy, the event), and the row then asserts the
    // specification's answer instead, so the case still runs and a corrected TCK bypasses the erratum.
    private static readonly Erratum[] Errata =
    [
        new(
            c => c.Expression?.Trim() == "NOT 10" && c.Result?.Value == "true" && c.Error == "cast",
            CesqlValue.FromBoolean(false),
            "CESQL 1.0 section 3.7 makes Integer -> Boolean a cast every engine MUST support (0 is false, anything else "
            + "true), so NOT 10 is NOT TRUE: FALSE without an error. The case predates that rule; the CloudEvents Go SDK's "
            + "copy of the TCK expects FALSE."),
        new(
            c => c.Key == "Conjunctive Normal Form (4)" && c.Result?.Value == "true" && c.Error is null
                && Override(c, "id") == "myId" && Override(c, "type") == "example.event.success" && Override(c, "source") == "http://localhost.localdomain",
            CesqlValue.FromBoolean(false),
            "With id=myId, type=example.event.success and source=http://..., the second clause (id = 'notmyId' OR source "
            + "LIKE 'https://%' OR type LIKE '%.warning') is FALSE, so the AND is FALSE; the Go SDK's copy expects FALSE."),
        new(
            c => c.Key == "Conjunctive Normal Form (5)" && c.Result is null && c.Error == "missingAttribute"
                && Override(c, "type") == "example.event.success",
            CesqlValue.FromBoolean(false),
            "With type=example.event.success the second clause is FALSE, and AND MUST short-circuit (section 3.4.2), so "
            + "(myext = 'customext') is never evaluated and no error is raised; the Go SDK's copy sets type=example.event.warning."),
    ];

    private static string Folder => ConformanceData.Folder(EnvironmentVariable, Path.Combine("..", "shared", "conformance", "cesql-tck"));

    /// <summary>One row per case: the file name and the case's unique key; a marker row when the folder is missing or empty.</summary>
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        if (!Directory.Exists(Folder))
        {
            data.Add(ConformanceData.MissingMarker, ConformanceData.MissingMarker);
            return data;
        }

        var files = Directory.GetFiles(Folder, "*.yaml").Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0)
        {
            data.Add(NoFilesMarker, NoFilesMarker);
        }

        foreach (var path in files)
        {
            CesqlTckFile file;
            try
            {
                file = CesqlTckFile.Load(path);
            }
            catch (InvalidDataException)
            {
                data.Add(Path.GetFileName(path), LoadErrorMarker);
                continue;
            }

            foreach (var c in file.Cases)
            {
                data.Add(Path.GetFileName(path), c.Key);
            }
        }

        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Case_passes(string file, string name)
    {
        if (file == ConformanceData.MissingMarker)
        {
            ConformanceData.SkipOrFailIfMissing(Folder, EnvironmentVariable);
        }

        Assert.False(file == NoFilesMarker, $"The CESQL TCK folder '{Folder}' has no *.yaml files.");
        var tck = CesqlTckFile.Load(Path.Combine(Folder, file));
        Assert.NotEqual(LoadErrorMarker, name);
        var c = tck.Cases.Single(x => x.Key == name);
        var where = $"{file} / {tck.Name} / {name}";
        Assert.False(c.Expression is null, $"{where}: the case has no 'expression'.");
        var text = c.Expression!;
        output.WriteLine($"expression: {text}");

        if (c.ExpectedError == CesqlErrorKind.Parse)
        {
            var parsed = CesqlExpression.TryParse(text, out var unexpected, out var error);
            Assert.False(parsed, $"{where}: `{text}` parsed (result type {unexpected?.ResultType}) but the TCK expects a parse error.");
            output.WriteLine($"parse error: {error!.Message}");
            Assert.Equal(CesqlErrorKind.Parse, error.Kind);
            return;
        }

        Assert.True(CesqlExpression.TryParse(text, out var expression, out var parseError), $"{where}: `{text}` does not parse: {parseError?.Message}");
        var actual = expression!.Evaluate(c.BuildEvent());
        output.WriteLine($"result: {actual}");

        var expectedError = c.ExpectedError;
        var expected = c.ExpectedResult;
        var erratum = Array.Find(Errata, x => x.AppliesTo(c));
        if (erratum is not null)
        {
            output.WriteLine($"TCK erratum applied: {erratum.Reason}");
            expectedError = erratum.SpecResult.Error;
            expected = erratum.SpecResult;
        }

        Assert.True(actual.Error == expectedError, $"{where}: `{text}` gave error {actual.Error} ({actual.ErrorMessage}) but the TCK expects {expectedError}; value {actual}.");
        if (expected is { } value)
        {
            var same = actual.Type == value.Type && actual.Type switch
            {
                CesqlType.Boolean => actual.AsBoolean == value.AsBoolean,
                CesqlType.Integer => actual.AsInteger == value.AsInteger,
                _ => actual.AsString == value.AsString,
            };
            Assert.True(same, $"{where}: `{text}` evaluated to {actual} ({actual.Type}) but the TCK expects {value} ({value.Type}).");
        }
    }

    private static string? Override(CesqlTckCase c, string attribute) =>
        c.EventOverrides is { } map && CesqlTckFile.Child(map, attribute) is YamlDotNet.RepresentationModel.YamlScalarNode scalar ? scalar.Value : null;

    private sealed record Erratum(Func<CesqlTckCase, bool> AppliesTo, CesqlValue SpecResult, string Reason);
}
