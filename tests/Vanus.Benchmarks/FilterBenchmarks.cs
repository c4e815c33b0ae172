using System.Text;
using BenchmarkDotNet.Attributes;
using Vanus.Operators.Cel;
using Vanus.Operators.Filters;
using Vanus.Runtime.Events;

namespace Vanus.Benchmarks;

/// <summary>Filter evaluation per event: the exact and prefix dialects on attributes, and CEL over attributes and over JSON data.</summary>
[MemoryDiagnoser]
public class FilterBenchmarks
{
    private Event _event = null!;
    private SubscriptionFilter _exact = null!;
    private SubscriptionFilter _prefix = null!;
    private CelExpression _cel = null!;
    private CelExpression _celData = null!;

    [GlobalSetup]
    public void Setup()
    {
        _event = new Event("4d2b3c9e", "/shop/eu/orders", "order.created")
        {
            Subject = "orders/42",
            DataContentType = "application/json",
            Data = Encoding.UTF8.GetBytes("""{"id":"o-42","customer":{"tier":"gold"},"amount":150,"items":[{"sku":"a-1"},{"sku":"b-2"}]}"""),
        }.WithExtension("amount", AttributeValue.FromInteger(150));
        _exact = SubscriptionFilter.Parse("""[{"exact": {"type": "order.created", "source": "/shop/eu/orders"}}]""");
        _prefix = SubscriptionFilter.Parse("""[{"prefix": {"type": "order.", "source": "/shop/"}}]""");
        _cel = CelExpression.Parse("type == 'order.created' && amount > 100 && source.startsWith('/shop/')");
        _celData = CelExpression.Parse("$customer.tier.(string) == 'gold' && $amount.(int64) > 100");
    }

    /// <summary>An exact filter with two attributes, both matching.</summary>
    [Benchmark(Baseline = true)]
    public bool Exact() => _exact.Matches(_event);

    /// <summary>A prefix filter with two attributes, both matching.</summary>
    [Benchmark]
    public bool Prefix() => _prefix.Matches(_event);

    /// <summary>A three-clause CEL expression over attributes (an integer extension among them).</summary>
    [Benchmark]
    public bool CelAttributes() => _cel.Matches(_event);

    /// <summary>A CEL expression over two <c>$path.(type)</c> data variables, read from the JSON bytes.</summary>
    [Benchmark]
    public bool CelData() => _celData.Matches(_event);
}
