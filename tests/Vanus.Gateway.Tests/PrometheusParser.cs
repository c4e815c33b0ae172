using System.Globalization;
using System.Text.RegularExpressions;

namespace Vanus.Gateway.Tests;

/// <summary>A strict reader of the Prometheus text format 0.0.4, enough to check what the gateway writes.</summary>
internal sealed partial class PrometheusParser
{
    private PrometheusParser()
    {
    }

    public Dictionary<string, string> Types { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Help { get; } = new(StringComparer.Ordinal);

    public List<Sample> Samples { get; } = [];

    public static PrometheusParser Parse(string text)
    {
        Assert.EndsWith("\n", text);
        var result = new PrometheusParser();
        foreach (var line in text[..^1].Split('\n'))
        {
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                var rest = line["# HELP ".Length..];
                var space = rest.IndexOf(' ');
                Assert.True(space > 0, $"HELP line without text: {line}");
                Assert.True(result.Help.TryAdd(rest[..space], rest[(space + 1)..]), $"second HELP for {rest[..space]}");
                continue;
            }

            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                Assert.Equal(4, parts.Length);
                Assert.Contains(parts[3], new[] { "counter", "gauge", "histogram", "summary", "untyped" });
                Assert.Matches(NameRegex(), parts[2]);
                Assert.True(result.Types.TryAdd(parts[2], parts[3]), $"second TYPE for {parts[2]}");
                Assert.DoesNotContain(result.Samples, s => s.Family == parts[2]);
                continue;
            }

            var match = SampleRegex().Match(line);
            Assert.True(match.Success, $"not a sample line: '{line}'");
            var name = match.Groups["name"].Value;
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match label in LabelRegex().Matches(match.Groups["labels"].Value))
            {
                Assert.True(labels.TryAdd(label.Groups["k"].Value, Unescape(label.Groups["v"].Value)));
            }

            var valueText = match.Groups["value"].Value;
            var value = valueText switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                _ => double.Parse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
            var family = result.FamilyOf(name);
            Assert.True(result.Types.ContainsKey(family), $"sample {name} has no TYPE line before it");
            result.Samples.Add(new Sample(name, family, labels, value));
        }

        return result;
    }

    public double Value(string name, params (string Key, string Value)[] labels)
    {
        var matches = Samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).ToList();
        return Assert.Single(matches).Value;
    }

    private string FamilyOf(string name)
    {
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal) && Types.TryGetValue(name[..^suffix.Length], out var type) && type == "histogram")
            {
                return name[..^suffix.Length];
            }
        }

        return name;
    }

    private static string Unescape(string value) => value.Replace("\\n", "\n").Replace("\\\"", "\"").Replace("\\\\", "\\");

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex NameRegex();

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*)\})? (?<value>\S+)$""")]
    private static partial Regex SampleRegex();

    [GeneratedRegex("(?<k>[a-zA-Z_][a-zA-Z0-9_]*)=\"(?<v>([^\"\\\\]|\\\\.)*)\"")]
    private static partial Regex LabelRegex();

    public sealed record Sample(string Name, string Family, Dictionary<string, string> Labels, double Value);
}
