using System.Text;
using BenchmarkDotNet.Attributes;
using Vanus.Operators.Transform;
using Vanus.Runtime.Events;

namespace Vanus.Benchmarks;

/// <summary>Transformer throughput: a five-action pipeline, with and without a JSON template, over an order event with 263 bytes of JSON data.</summary>
[MemoryDiagnoser]
public class TransformerBenchmarks
{
    private const string Data =
        """{"orderId":"o-1004201","customer":{"id":"c-77","name":"ada lovelace","email":"ada@example.com"},"items":[{"sku":"A-1","qty":2,"price":9.5},{"sku":"B-7","qty":1,"price":24}],"amount":"43.00","currency":"eur","createdAt":"2023-04-05T10:11:12Z","status":"confirmed"}""";

    private const string Pipeline = """
        [
            {"command": ["create", "$.data.source", "$.source"]},
            {"command": ["upper_case", "$.data.currency"]},
            {"command": ["math_mul", "$.data.total", "$.data.amount", 1.2]},
            {"command": ["rename", "$.data.orderId", "$.data.order_id"]},
            {"command": ["capitalize_word", "$.data.customer.name"]}
        ]
        """;

    private Transformer _pipeline = null!;
    private Transformer _templated = null!;
    private Event _event = null!;

    /// <summary>Compiles the transformers once and builds the input event.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _pipeline = Transformer.Parse($$"""{"pipeline": {{Pipeline}}}""");
        _templated = Transformer.Parse($$"""
            {"define": {"customer": "$.data.customer.name"}, "pipeline": {{Pipeline}},
             "template": "{\"order\": <$.data.order_id>, \"customer\": \"<customer>\", \"total\": <$.data.total>, \"currency\": <$.data.currency>}"}
            """);
        var bytes = Encoding.UTF8.GetBytes(Data);
        if (bytes.Length != 263)
        {
            throw new InvalidOperationException($"The benchmark event should carry 263 bytes of data, not {bytes.Length}.");
        }

        _event = new Event("e-1", "/shop/eu", "order.created") { DataContentType = "application/json", Data = bytes };
    }

    /// <summary>Five actions; the changed data is serialised back to JSON.</summary>
    [Benchmark(Baseline = true)]
    public Event FiveActions() => _pipeline.Apply(_event)[0];

    /// <summary>The same five actions, then a JSON template replaces the data.</summary>
    [Benchmark]
    public Event FiveActionsWithJsonTemplate() => _templated.Apply(_event)[0];
}
