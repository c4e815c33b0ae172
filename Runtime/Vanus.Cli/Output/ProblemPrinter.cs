using System.Globalization;
using System.Text.Json;
using Vanus.Cli.Client;
using Vanus.Client;

namespace Vanus.Cli.Output;

/// <summary>Prints a refusal of the node: its RFC 9457 problem document (every member), or the status and body when it sent none.</summary>
internal static class ProblemPrinter
{
    public static void Print(ApiAnswer reply, TextWriter error, OutputFormat format)
    {
        var problem = ContractReader.TryReadProblem(reply);
        if (format == OutputFormat.Json && problem is not null)
        {
            // Scripts asked for JSON: the document as the node sent it, one line.
            error.WriteLine(reply.BodyText.TrimEnd());
            return;
        }

        var status = string.Create(CultureInfo.InvariantCulture, $"{reply.Status}{(string.IsNullOrEmpty(reply.Reason) ? "" : " " + reply.Reason)}");
        if (problem is null)
        {
            error.WriteLine($"error: the node answered {status}");
            if (reply.Body.Length > 0)
            {
                error.WriteLine($"  body: {Table.Fit(reply.BodyText.Trim(), 500)}");
            }

            return;
        }

        error.WriteLine($"error: {problem.Title ?? status}");
        var members = new List<KeyValuePair<string, string>>();
        if (problem.Detail is { } detail)
        {
            members.Add(new("detail", detail));
        }

        members.Add(new("status", problem.Status is { } s ? s.ToString(CultureInfo.InvariantCulture) : status));
        if (problem.Type is { } type && type != "about:blank")
        {
            members.Add(new("type", type));
        }

        if (problem.Instance is { } instance)
        {
            members.Add(new("instance", instance));
        }

        foreach (var (name, value) in problem.Extensions ?? [])
        {
            members.Add(new(name, Render(value)));
        }

        var width = members.Max(m => m.Key.Length) + 1;
        foreach (var (name, value) in members)
        {
            error.WriteLine($"  {(name + ":").PadRight(width)} {value}");
        }
    }

    private static string Render(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        _ => value.GetRawText(),
    };
}
