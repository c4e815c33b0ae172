using System.Text;
using System.Text.Json;
using Vanus.Runtime.Codecs;
using Vanus.Runtime.Events;

namespace Vanus.Conformance.Tests;

/// <summary>Every case of the CloudEvents JSON format conformance data, one theory row each.</summary>
public class CloudEventsJsonFormatTests
{
    private const string Variable = "VANUS_CE_FORMAT_TESTS";

    private static string FolderPath => ConformanceData.Folder(Variable, "../shared/conformance/cloudevents-json");

    // The typed sample extensions the conformance README declares (tests flagged sampleExtensionAttributes use them).
    private static readonly EventReadOptions SampleExtensions = new()
    {
        ExtensionTypes = new Dictionary<string, AttributeKind>
        {
            ["extinteger"] = AttributeKind.Integer,
            ["extboolean"] = AttributeKind.Boolean,
            ["extstring"] = AttributeKind.String,
            ["extbinary"] = AttributeKind.Binary,
            ["exttimestamp"] = AttributeKind.Timestamp,
            ["exturi"] = AttributeKind.Uri,
            ["exturiref"] = AttributeKind.UriReference,
        },
    };

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        if (!Directory.Exists(FolderPath))
        {
            data.Add(ConformanceData.MissingMarker, "");
            return data;
        }

        foreach (var file in Directory.GetFiles(FolderPath, "*.json").Order(StringComparer.Ordinal))
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            foreach (var test in doc.RootElement.GetProperty("tests").EnumerateArray())
            {
                data.Add(Path.GetFileName(file), test.GetProperty("id").GetString()!);
            }
        }

        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Case(string file, string id)
    {
        ConformanceData.SkipOrFailIfMissing(FolderPath, Variable);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(FolderPath, file)));
        var testType = doc.RootElement.GetProperty("testType").GetString();
        var test = doc.RootElement.GetProperty("tests").EnumerateArray().Single(t => t.GetProperty("id").GetString() == id);
        var options = test.TryGetProperty("sampleExtensionAttributes", out var ext) && ext.GetBoolean() ? SampleExtensions : EventReadOptions.Default;
        switch (testType)
        {
            case "ValidSingleEvent":
                Assert.Equal(Sample(test.GetProperty("sampleId").GetString()!), JsonEventFormat.Decode(Raw(test.GetProperty("event")), options));
                break;
            case "InvalidSingleEvent":
                Assert.Throws<CloudEventFormatException>(() => JsonEventFormat.Decode(Raw(test.GetProperty("event")), options));
                break;
            case "ValidBatch":
                Assert.Equal(Batch(test.GetProperty("sampleId").GetString()!), JsonEventFormat.DecodeBatch(Raw(test.GetProperty("batch")), options));
                break;
            case "InvalidBatch":
                Assert.Throws<CloudEventFormatException>(() => JsonEventFormat.DecodeBatch(Raw(test.GetProperty("batch")), options));
                break;
            default:
                Assert.Fail($"{file}: unknown testType '{testType}' — cannot classify case '{id}'.");
                break;
        }
    }

    private static byte[] Raw(JsonElement e) => Encoding.UTF8.GetBytes(e.GetRawText());

    private static readonly Event Minimal = new("minimal", "https://cloudevents.io", "io.cloudevents.test");

    private static Event Sample(string sampleId) => sampleId switch
    {
        "minimal" => Minimal,
        "minimalWithTime" => Minimal with { Id = "minimalWithTime", Time = new DateTimeOffset(2018, 4, 5, 17, 31, 0, TimeSpan.Zero) },
        "minimalWithRelativeSource" => Minimal with { Id = "minimalWithRelativeSource", Source = "#fragment" },
        "allCore" => Minimal with
        {
            Id = "allCore",
            DataContentType = "text/plain",
            DataSchema = "https://cloudevents.io/dataschema",
            Subject = "tests",
            Time = new DateTimeOffset(2018, 4, 5, 17, 31, 0, TimeSpan.Zero),
        },
        // The README names this sample's id "simpleData", but its test data (the same upstream commit) uses "simpleTextData".
        "simpleTextData" => Minimal with { Id = "simpleTextData", DataContentType = "text/plain", Data = "Simple text"u8.ToArray() },
        "allExtensionTypes" => (Minimal with { Id = "allExtensionTypes" })
            .WithExtension("extinteger", AttributeValue.FromInteger(10))
            .WithExtension("extboolean", AttributeValue.FromBoolean(true))
            .WithExtension("extstring", AttributeValue.FromString("text"))
            .WithExtension("extbinary", AttributeValue.FromBinary([77, 97]))
            .WithExtension("exttimestamp", AttributeValue.FromTimestamp(new DateTimeOffset(2023, 3, 31, 15, 12, 0, TimeSpan.Zero)))
            .WithExtension("exturi", AttributeValue.FromUri("https://cloudevents.io"))
            .WithExtension("exturiref", AttributeValue.FromUriReference("//authority/path")),
        _ => throw new InvalidOperationException($"Unknown golden sample '{sampleId}': the conformance README defines it; add it here."),
    };

    private static IReadOnlyList<Event> Batch(string sampleId) => sampleId switch
    {
        "empty" => [],
        "minimal" => [Minimal],
        "minimal2" => [Minimal, Minimal],
        "minimalAndAllCore" => [Minimal, Sample("allCore")],
        "minimalAndAllExtensionTypes" => [Minimal, Sample("allExtensionTypes")],
        _ => throw new InvalidOperationException($"Unknown golden batch '{sampleId}'."),
    };
}
