using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;

namespace Vanus.Cli.Commands;

/// <summary>Options whose values are checked while parsing, so that a bad flag fails with exit code 2 before any request.</summary>
internal static class OptionParsers
{
    public const string DefaultEndpoint = "http://127.0.0.1:8080";

    /// <summary>The node's base URL: absolute http or https.</summary>
    public static Option<Uri> Endpoint() => new("--endpoint")
    {
        Description = "The node's HTTP endpoint",
        HelpName = "URL",
        DefaultValueFactory = _ => new Uri(DefaultEndpoint),
        CustomParser = r =>
        {
            var text = r.Tokens[0].Value;
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.Host.Length > 0)
            {
                return uri;
            }

            r.AddError($"--endpoint must be an absolute http:// or https:// URL such as {DefaultEndpoint}, not '{text}'");
            return null;
        },
    };

    /// <summary>
    /// The nodes' base URLs, comma-separated (each absolute http or https): a client verb moves to the next on a connection
    /// failure or a 503, so it works while a node of the cluster is down.
    /// </summary>
    public static Option<Uri[]> Endpoints() => new("--endpoint")
    {
        Description = "The node's HTTP endpoint; several, comma-separated, to use the next when one is down or answers 503",
        HelpName = "URL[,URL...]",
        DefaultValueFactory = _ => [new Uri(DefaultEndpoint)],
        CustomParser = r =>
        {
            var text = r.Tokens[0].Value;
            var endpoints = new List<Uri>();
            foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
            {
                if (Uri.TryCreate(part, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.Host.Length > 0)
                {
                    endpoints.Add(uri);
                    continue;
                }

                r.AddError(part.Length == 0
                    ? $"--endpoint has an empty entry in '{text}': give URLs separated by single commas"
                    : $"--endpoint must be an absolute http:// or https:// URL such as {DefaultEndpoint}, not '{part}'");
                return null;
            }

            return [.. endpoints];
        },
    };

    /// <summary>An RFC 3339 timestamp, checked with the runtime's strict parser.</summary>
    public static Option<DateTimeOffset?> Timestamp(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "RFC3339",
        CustomParser = r =>
        {
            var text = r.Tokens[0].Value;
            if (Rfc3339.TryParse(text, out var value, out var why))
            {
                return value;
            }

            r.AddError($"{name} must be an RFC 3339 timestamp such as 2026-11-27T16:00:00Z: '{text}' {why}");
            return null;
        },
    };

    /// <summary>A duration such as <c>30s</c> or <c>7d</c>; the value is the canonical text and the span.</summary>
    public static Option<Duration?> Duration(string name, string description, bool allowZero = true) => new(name)
    {
        Description = description,
        HelpName = "DURATION",
        CustomParser = r =>
        {
            var text = r.Tokens[0].Value;
            if (Units.TryParseDuration(text, out var value, out var error))
            {
                if (allowZero || value > TimeSpan.Zero)
                {
                    return new Duration(value, Units.FormatDuration(value));
                }

                error = $"'{text}' must be longer than zero";
            }

            r.AddError($"{name}: {error}");
            return null;
        },
    };

    /// <summary>A size such as <c>512KB</c> or <c>10GB</c> (powers of 1000); the value is the canonical text.</summary>
    public static Option<string?> Size(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "SIZE",
        CustomParser = r =>
        {
            var text = r.Tokens[0].Value;
            if (Units.TryParseSize(text, out var bytes, out var error))
            {
                if (bytes > 0)
                {
                    return Units.FormatSize(bytes);
                }

                error = $"'{text}' must be more than zero bytes";
            }

            r.AddError($"{name}: {error}");
            return null;
        },
    };

    /// <summary>A number that must lie in [<paramref name="min"/>, <paramref name="max"/>]; null when not given.</summary>
    public static Option<T?> Bounded<T>(string name, string description, T min, T max)
        where T : struct, INumber<T> => new(name)
        {
            Description = description,
            HelpName = "N",
            CustomParser = r => ParseNumber(r, name, min, max),
        };

    /// <summary>A number that must lie in [<paramref name="min"/>, <paramref name="max"/>], with a default.</summary>
    public static Option<T> Bounded<T>(string name, string description, T min, T max, T defaultValue)
        where T : struct, INumber<T> => new(name)
        {
            Description = description,
            HelpName = "N",
            DefaultValueFactory = _ => defaultValue,
            CustomParser = r => ParseNumber(r, name, min, max) ?? defaultValue,
        };

    // Range checks live in the parser rather than in a validator: a validator that reads a value which failed to
    // convert throws instead of reporting.
    private static T? ParseNumber<T>(ArgumentResult r, string name, T min, T max)
        where T : struct, INumber<T>
    {
        var text = r.Tokens[0].Value;
        var integral = typeof(T) == typeof(int) || typeof(T) == typeof(long);
        if (!T.TryParse(text, integral ? NumberStyles.AllowLeadingSign : NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            r.AddError(integral ? $"{name} must be a whole number, not '{text}'" : $"{name} must be a number, not '{text}'");
            return null;
        }

        if (value < min || value > max)
        {
            r.AddError(string.Create(CultureInfo.InvariantCulture, $"{name} must be from {min} to {max}, not {text}"));
            return null;
        }

        return value;
    }

    /// <summary>A string that must not be empty when given.</summary>
    public static void NonEmpty(Option<string?> option)
    {
        option.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && r.Tokens[0].Value.Length == 0)
            {
                r.AddError($"{option.Name} must not be empty");
            }
        });
    }

    /// <summary>True when the user wrote the option (defaults do not count).</summary>
    public static bool Given(this CommandResult result, Option option) => result.GetResult(option) is { Implicit: false };
}

/// <summary>A parsed duration with the text sent to the node.</summary>
internal readonly record struct Duration(TimeSpan Value, string Text);
