using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using Vanus.Operators.Sql;
using Vanus.Runtime.Events;

namespace Vanus.Benchmarks;

/// <summary>
/// Compiled CESQL filter evaluation per event (issue 3's goal: at least 10 million evaluations per second on one core,
/// with no allocation) for <c>type = 'order.created' AND amount &gt; 100 AND source LIKE '/shop/%'</c> over an event
/// whose <c>amount</c> is an Integer extension.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(OperationsPerSecondConfig))]
public class CesqlBenchmarks
{
    private const string Filter = "type = 'order.created' AND amount > 100 AND source LIKE '/shop/%'";

    private readonly CesqlExpression _expression = CesqlExpression.Parse(Filter);

    // amount sits between two other extensions, as it would in a real event, so the lookup is not the first slot.
    private readonly Event _match = new Event("b0a2", "/shop/eu/orders", "order.created")
    {
        Extensions = ExtensionAttributes.From(
        [
            new("tenant", AttributeValue.FromString("acme")),
            new("amount", AttributeValue.FromInteger(250)),
            new("region", AttributeValue.FromString("eu-west")),
        ]),
    };

    private readonly Event _otherType = new Event("b0a3", "/shop/eu/orders", "order.cancelled")
    {
        Extensions = ExtensionAttributes.From([new("amount", AttributeValue.FromInteger(250))]),
    };

    private readonly Event _smallAmount = new Event("b0a4", "/shop/eu/orders", "order.created")
    {
        Extensions = ExtensionAttributes.From([new("amount", AttributeValue.FromInteger(50))]),
    };

    /// <summary>All three clauses evaluated and true.</summary>
    [Benchmark(Baseline = true)]
    public bool Matches_all_clauses_true() => _expression.Matches(_match);

    /// <summary>The first clause is false, so AND short-circuits.</summary>
    [Benchmark]
    public bool Matches_first_clause_false() => _expression.Matches(_otherType);

    /// <summary>The second clause is false.</summary>
    [Benchmark]
    public bool Matches_second_clause_false() => _expression.Matches(_smallAmount);

    /// <summary>The full result (value and error kind) rather than the filter verdict.</summary>
    [Benchmark]
    public CesqlValue Evaluate_all_clauses_true() => _expression.Evaluate(_match);

    /// <summary>Parsing and compiling the expression: what a subscription pays once, when it is created.</summary>
    [Benchmark]
    public CesqlExpression Parse_and_compile() => CesqlExpression.Parse(Filter);

    private sealed class OperationsPerSecondConfig : ManualConfig
    {
        public OperationsPerSecondConfig() => AddColumn(StatisticColumn.OperationsPerSecond);
    }
}
