using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vanus.Operators.Transform;
using Vanus.Runtime.Events;

namespace Vanus.Operators.Tests.Transform;

/// <summary>Builds events and transformer documents for the transformer tests.</summary>
internal static class TransformKit
{
    /// <summary>An event with JSON data (or none) and the given extensions.</summary>
    public static Event Event(string? json = null, params (string Name, object Value)[] extensions)
    {
        var e = new Event("id-1", "/shop", "order.created");
        if (json is not null)
        {
            e = e with { Data = Encoding.UTF8.GetBytes(json), DataContentType = "application/json" };
        }

        foreach (var (name, value) in extensions)
        {
            e = e.WithExtension(name, value switch
            {
                int i => AttributeValue.FromInteger(i),
                bool b => AttributeValue.FromBoolean(b),
                _ => AttributeValue.FromString((string)value),
            });
        }

        return e;
    }

    /// <summary>A transformer document whose pipeline is the given commands (each an array: name, then arguments).</summary>
    public static string Pipeline(params object[][] commands) =>
        JsonSerializer.Serialize(new { pipeline = commands.Select(c => new { command = c }).ToArray() });

    /// <summary>Runs a document on an event and returns the one event it produces.</summary>
    public static Event Run(string document, Event e) => Assert.Single(Transformer.Parse(document).Apply(e));

    /// <summary>Runs the commands as a pipeline on an event.</summary>
    public static Event RunCommands(Event e, params object[][] commands) => Run(Pipeline(commands), e);

    /// <summary>Runs the commands and returns the failure.</summary>
    public static TransformException Fails(Event e, params object[][] commands) =>
        Assert.Throws<TransformException>(() => Transformer.Parse(Pipeline(commands)).Apply(e));

    /// <summary>Parses the commands and returns the rejection.</summary>
    public static TransformerDefinitionException Rejects(params object[][] commands) =>
        Assert.Throws<TransformerDefinitionException>(() => Transformer.Parse(Pipeline(commands)));

    /// <summary>The event's data as a JSON tree.</summary>
    public static JsonNode? Data(Event e) => JsonNode.Parse(e.Data!.Value.Span);

    /// <summary>Asserts that the event's data is the given JSON (compared as JSON, not as text).</summary>
    public static void AssertData(string expected, Event e)
    {
        var actual = Data(e);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"expected {expected}\n  actual {actual?.ToJsonString()}");
    }

    /// <summary>The extension's value in its canonical string form.</summary>
    public static string? Extension(Event e, string name) => e.Extensions.TryGet(name, out var v) ? v.ToString() : null;

    /// <summary>The extension's typed value.</summary>
    public static AttributeValue ExtensionValue(Event e, string name) => e.Extensions.TryGet(name, out var v) ? v : throw new Xunit.Sdk.XunitException($"no extension {name}");
}
