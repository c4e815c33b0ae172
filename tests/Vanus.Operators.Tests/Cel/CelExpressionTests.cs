using System.Text;
using Vanus.Operators.Cel;
using Vanus.Runtime.Events;

namespace Vanus.Operators.Tests.Cel;

/// <summary>The <c>cel</c> dialect as Vanus has it: attributes by name and <c>$path.(type)</c> variables over JSON data.</summary>
public sealed class CelExpressionTests
{
    private static readonly Event Order = new Event("1", "/shop/eu", "order.created")
    {
        Subject = "orders/42",
        Time = new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero),
        Data = Encoding.UTF8.GetBytes("""{"key":"value","num":10,"price":3.14,"big":18446744073709551615,"neg":-5,"flag":true,"text":"12","items":[{"sku":"a-1"},{"sku":"b-2"}],"nested":{"a.b":"dotted"},"nothing":null}"""),
        DataContentType = "application/json",
    }
        .WithExtension("amount", AttributeValue.FromInteger(150))
        .WithExtension("priority", AttributeValue.FromBoolean(true))
        .WithExtension("region", AttributeValue.FromString("eu-west"))
        .WithExtension("blob", AttributeValue.FromBinary([1, 2]));

    [Theory]
    // Vanus's own examples (server/trigger/filter/cel_filter_test.go and pkg/cel/cel_test.go).
    [InlineData("$key.(string) == 'value' && $num.(uint64) == 10u", true)]
    [InlineData("$key.(string) == 'value' && $num.(int64) < 10", false)]
    [InlineData("$price.(double) >= 3.1", true)]
    [InlineData("$num.(int64) >= 3", true)]
    // Attributes.
    [InlineData("type == 'order.created'", true)]
    [InlineData("type.startsWith('order.') && source.endsWith('/eu')", true)]
    [InlineData("id == '1' && specversion == '1.0'", true)]
    [InlineData("subject == 'orders/42'", true)]
    [InlineData("datacontenttype == 'application/json'", true)]
    [InlineData("time > timestamp('2024-01-01T00:00:00Z') && time.getFullYear() == 2024", true)]
    [InlineData("amount > 100 && priority && region.matches('^eu-')", true)]
    [InlineData("amount + 1 == 151", true)]
    [InlineData("blob == b'\\x01\\x02'", true)]
    [InlineData("type(amount) == int", true)]
    // Missing attributes are errors, so the filter does not match; && and || still absorb them.
    [InlineData("dataschema == 'x'", false)]
    [InlineData("missing == 'x'", false)]
    [InlineData("missing == 'x' || type == 'order.created'", true)]
    [InlineData("[1, 2].exists(x, x == amount - 149)", true)]
    // Data variables: nested paths, array indexes, quoted names, conversions as Vanus does them.
    [InlineData("$items[1].sku.(string) == 'b-2'", true)]
    [InlineData("$nested['a.b'].(string) == 'dotted'", true)]
    [InlineData("$num.(string) == '10'", true)]
    [InlineData("$flag.(string) == 'true'", true)]
    [InlineData("$text.(int64) == 12", true)]
    [InlineData("$text.(double) == 12.0", true)]
    [InlineData("$price.(int64) == 3", true)]
    [InlineData("$big.(uint64) == 18446744073709551615u", true)]
    [InlineData("$big.(int64) > 0", false)]
    [InlineData("$neg.(uint64) == 0u", false)]
    [InlineData("$flag.(bool)", true)]
    [InlineData("$nothing.(string) == ''", false)]
    [InlineData("$items.(string) == ''", false)]
    [InlineData("$absent.(string) == ''", false)]
    [InlineData("$key.(int64) == 0", false)]
    [InlineData("$items[5].sku.(string) == 'x'", false)]
    public void Evaluates_over_attributes_and_data(string expression, bool expected)
    {
        Assert.Equal(expected, CelExpression.Parse(expression).Matches(Order));
    }

    [Fact]
    public void Data_variables_need_json_data()
    {
        var expression = CelExpression.Parse("$key.(string) == 'value'");
        var text = Order with { DataContentType = "text/plain" };
        var none = Order with { Data = null };
        var broken = Order with { Data = Encoding.UTF8.GetBytes("{\"key\": ") };
        Assert.True(expression.Matches(Order));
        Assert.False(expression.Matches(text));
        Assert.False(expression.Matches(none));
        Assert.False(expression.Matches(broken));
        Assert.Contains("not JSON", expression.Explain(text), StringComparison.Ordinal);
    }

    [Fact]
    public void Only_a_true_result_matches()
    {
        var expression = CelExpression.Parse("region");
        Assert.False(expression.Matches(Order));
        Assert.Equal("\"eu-west\"", expression.Explain(Order));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("$key", "$path.(type)")]
    [InlineData("$key.(string", "not closed")]
    [InlineData("$key.(float) == 1.0", "not one of string, int64, uint64, bool, double")]
    [InlineData("$.(string) == ''", "has no path")]
    [InlineData("$a..b.(string) == ''", "empty name")]
    [InlineData("$a[*].(string) == ''", "wildcards")]
    [InlineData("type", "must yield a bool")]
    [InlineData("amount", "dyn")]
    [InlineData("amount + 1", "must yield a bool, but this one yields int")]
    [InlineData("1 + 2", "must yield a bool, but this one yields int")]
    [InlineData("Type == 'x'", "undeclared reference to 'Type'")]
    [InlineData("my_ext == 'x'", "undeclared reference to 'my_ext'")]
    [InlineData("type == 1", "'_==_'")]
    [InlineData("$num.(int64) == 'x'", "'_==_'")]
    [InlineData("time > 5", "'_>_'")]
    public void Rejects_bad_expressions_at_creation(string expression, string reason)
    {
        if (reason == "dyn")
        {
            // A dynamic result is allowed (it may be a bool at runtime); it only matches when it is true.
            Assert.False(CelExpression.Parse(expression).Matches(Order));
            return;
        }

        var ex = Assert.Throws<CelParseException>(() => CelExpression.Parse(expression));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_attribute_type_shadows_the_type_denotation_but_type_of_still_works()
    {
        Assert.True(CelExpression.Parse("type == 'order.created' && type(type) == string").Matches(Order));
    }

    [Fact]
    public void Parse_keeps_the_expression_text()
    {
        var expression = CelExpression.Parse("type == 'order.created'");
        Assert.Equal("type == 'order.created'", expression.Expression);
        Assert.Equal("type == 'order.created'", expression.ToString());
    }
}
