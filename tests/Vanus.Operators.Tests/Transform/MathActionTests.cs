using Vanus.Runtime.Events;
using static Vanus.Operators.Tests.Transform.TransformKit;

namespace Vanus.Operators.Tests.Transform;

public sealed class MathActionTests
{
    [Fact]
    public void Math_add_sums_numeric_strings_into_an_integer_attribute()
    {
        // Vanus math_add_test: ["math_add", "$.test", "123", "456", "321"] gives the integer 900.
        var e = RunCommands(Event(), ["math_add", "$.test", "123", "456", "321"]);
        Assert.Equal(AttributeValue.FromInteger(900), ExtensionValue(e, "test"));
    }

    [Fact]
    public void Math_add_reads_numbers_from_data_attributes_and_defines()
    {
        var document = """
            {"define": {"bonus": "$.data.bonus"},
             "pipeline": [{"command": ["MATH_ADD", "$.data.total", "$.data.price", "$.level", "<bonus>", 0.5]}]}
            """;
        var e = Run(document, Event("""{"price": 10.25, "bonus": "2"}""", ("level", 3)));
        AssertData("""{"price": 10.25, "bonus": "2", "total": 15.75}""", e);
    }

    [Fact]
    public void Math_sub_mul_and_div_compute_floats()
    {
        var e = RunCommands(Event("""{"a": 7, "b": 2}"""),
            ["math_sub", "$.data.sub", "$.data.a", "$.data.b"],
            ["math_mul", "$.data.mul", "$.data.a", "$.data.b", 3],
            ["math_div", "$.data.div", "$.data.a", "$.data.b"]);
        AssertData("""{"a": 7, "b": 2, "sub": 5, "mul": 42, "div": 3.5}""", e);
    }

    [Fact]
    public void Math_div_by_a_zero_value_fails_the_event()
    {
        var ex = Fails(Event("""{"a": 7, "b": 0}"""), ["math_div", "$.data.c", "$.data.a", "$.data.b"]);
        Assert.Equal("MATH_DIV", ex.Action);
        Assert.Contains("division by zero", ex.Reason);
    }

    [Fact]
    public void Math_div_by_a_constant_zero_is_rejected()
    {
        var ex = Rejects(["math_div", "$.data.c", "$.data.a", 0]);
        Assert.Equal("MATH_DIV", ex.Action);
        Assert.Contains("argument 3", ex.Reason);
    }

    [Fact]
    public void Math_on_text_that_is_not_a_number_fails()
    {
        var ex = Fails(Event("""{"a": "seven"}"""), ["math_add", "$.data.c", "$.data.a", 1]);
        Assert.Contains("'seven', which is not a number", ex.Reason);
        Assert.Contains("must be a number", Rejects(["math_add", "$.data.c", "abc", 1]).Reason);
    }

    [Fact]
    public void Math_on_a_missing_operand_fails()
    {
        Assert.Contains("$.data.b does not exist", Fails(Event("""{"a": 1}"""), ["math_add", "$.data.c", "$.data.a", "$.data.b"]).Reason);
    }

    [Fact]
    public void Math_result_that_is_not_whole_cannot_go_into_an_attribute()
    {
        Assert.Contains("32-bit whole numbers", Fails(Event(), ["math_div", "$.ratio", 1, 3]).Reason);
    }

    [Fact]
    public void Math_sub_takes_exactly_two_operands()
    {
        var ex = Rejects(["math_sub", "$.data.c", 1, 2, 3]);
        Assert.Contains("exactly 3 arguments", ex.Reason);
        Assert.Contains("but has 4", ex.Reason);
    }
}
