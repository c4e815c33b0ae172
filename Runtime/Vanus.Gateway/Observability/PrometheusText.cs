using System.Globalization;
using System.Text;

namespace Vanus.Gateway.Observability;

/// <summary>Writes the Prometheus text exposition format 0.0.4: HELP and TYPE lines, then samples with escaped labels.</summary>
internal static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static void Header(StringBuilder output, string name, string help, string type)
    {
        output.Append("# HELP ").Append(name).Append(' ');
        foreach (var c in help)
        {
            _ = c switch
            {
                '\\' => output.Append(@"\\"),
                '\n' => output.Append(@"\n"),
                _ => output.Append(c),
            };
        }

        output.Append('\n').Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
    }

    public static void Sample(StringBuilder output, string name, ReadOnlySpan<string> labelNames, ReadOnlySpan<string> labelValues, double value, string? extraLabel = null, string? extraValue = null)
    {
        output.Append(name);
        if (labelNames.Length > 0 || extraLabel is not null)
        {
            output.Append('{');
            var first = true;
            for (var i = 0; i < labelNames.Length; i++)
            {
                Label(output, labelNames[i], labelValues[i], ref first);
            }

            if (extraLabel is not null)
            {
                Label(output, extraLabel, extraValue!, ref first);
            }

            output.Append('}');
        }

        output.Append(' ').Append(Number(value)).Append('\n');
    }

    /// <summary>Formats a sample value or bucket bound as Prometheus reads it (Go float syntax, <c>+Inf</c>).</summary>
    public static string Number(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static void Label(StringBuilder output, string name, string value, ref bool first)
    {
        if (!first)
        {
            output.Append(',');
        }

        first = false;
        output.Append(name).Append("=\"");
        foreach (var c in value)
        {
            _ = c switch
            {
                '\\' => output.Append(@"\\"),
                '"' => output.Append("\\\""),
                '\n' => output.Append(@"\n"),
                _ => output.Append(c),
            };
        }

        output.Append('"');
    }
}
