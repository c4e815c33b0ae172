using Vanus.Operators.Sql;
using Vanus.Runtime.Events;
using static Vanus.Operators.Tests.Sql.CesqlTestEvents;

namespace Vanus.Operators.Tests.Sql;

public sealed class CesqlCompilationTests
{
    private const string BenchmarkFilter = "type = 'order.created' AND amount > 100 AND source LIKE '/shop/%'";

    private static CompiledNode Compile(string text) => CesqlCompiler.Compile(CesqlParser.Parse(text));

    [Theory]
    [InlineData("1 + 2 * 3")]
    [InlineData("CONCAT('a', UPPER('b'))")]
    [InlineData("'abc' LIKE 'a%'")]
    [InlineData("3 IN (1, 2, 3)")]
    [InlineData("FALSE AND missing = 1")]
    [InlineData("TRUE OR missing")]
    [InlineData("1 / 0")]
    [InlineData("FOO(missing)")]
    [InlineData("EXISTS id")]
    [InlineData("specversion = '1.0'")]
    public void Subexpressions_that_read_no_attribute_are_folded_to_constants(string text) =>
        Assert.True(Compile(text).IsConstant, text);

    [Theory]
    [InlineData("amount + 1")]
    [InlineData("TRUE AND missing")]
    [InlineData("EXISTS subject")]
    [InlineData("type LIKE 'a%'")]
    [InlineData("1 IN (1, amount)")]
    public void Subexpressions_that_read_the_event_are_not_folded(string text) =>
        Assert.False(Compile(text).IsConstant, text);

    [Fact]
    public void A_folded_error_keeps_its_kind_and_message()
    {
        var node = (ConstantNode)Compile("2 * (1 / 0)");
        Assert.Equal(CesqlErrorKind.Math, node.Value.Error);
        Assert.Contains("'/' at position 7", node.Value.ErrorMessage);
    }

    [Fact]
    public void The_benchmark_filter_allocates_nothing_per_evaluation()
    {
        var expression = CesqlExpression.Parse(BenchmarkFilter);
        var match = With(("tenant", "acme"), ("amount", 250), ("region", "eu-west")) with { Source = "/shop/eu/orders" };
        var small = match.WithExtension("amount", AttributeValue.FromInteger(5));
        var other = match with { Type = "order.cancelled" };
        Assert.True(expression.Matches(match));
        Assert.False(expression.Matches(small));
        Assert.False(expression.Matches(other));

        var hits = 0;
        var bytes = AllocatedBy(() =>
        {
            for (var i = 0; i < 100_000; i++)
            {
                hits += expression.Matches(match) ? 1 : 0;
                hits += expression.Matches(small) ? 1 : 0;
                hits += expression.Matches(other) ? 1 : 0;
                hits += expression.Evaluate(match).IsTrue ? 1 : 0;
            }
        });
        Assert.Equal(400_000, hits);
        Assert.Equal(0, bytes);
    }

    [Theory]
    [InlineData("missing = 'x'")]
    [InlineData("amount > 'abc'")]
    [InlineData("amount / 0 = 1")]
    [InlineData("NOT flag")]
    [InlineData("amount IN (1, 2, 3, 250)")]
    [InlineData("region IN ('us', 'eu-west')")]
    [InlineData("flag = TRUE XOR amount <> 5 OR region LIKE '%west'")]
    [InlineData("ABS(amount - 300) >= 50")]
    [InlineData("EXISTS tenant AND tenant = region")]
    public void Errors_and_integer_boolean_paths_allocate_nothing_either(string text)
    {
        var expression = CesqlExpression.Parse(text);
        var e = With(("amount", 250), ("flag", true), ("region", "eu-west"), ("tenant", "acme"));
        var first = expression.Evaluate(e);
        var differing = 0;
        var bytes = AllocatedBy(() =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                differing += expression.Evaluate(e) == first && expression.Matches(e) == first.IsTrue ? 0 : 1;
            }
        });
        Assert.Equal(0, differing);
        Assert.Equal(0, bytes);
    }

    private static long AllocatedBy(Action action)
    {
        // Run once first so that lazy initialisation and JIT work are not counted; assertions stay outside, as
        // xunit's own comparisons allocate.
        action();
        var before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
