using Vanus.Runtime.Events;
using static Vanus.Operators.Tests.Transform.TransformKit;

namespace Vanus.Operators.Tests.Transform;

public sealed class ConditionIfActionTests
{
    [Fact]
    public void Equality_compares_as_text()
    {
        // Vanus condition_if_test: "test" == "test", and the number 123 equals the attribute 123.
        var e = RunCommands(Event(null, ("test", "test"), ("num", 123)),
            ["condition_if", "$.test2", "$.test", "==", "test", true, false],
            ["condition_if", "$.test3", "$.num", "==", 123, true, false]);
        Assert.Equal(AttributeValue.FromBoolean(true), ExtensionValue(e, "test2"));
        Assert.Equal(AttributeValue.FromBoolean(true), ExtensionValue(e, "test3"));
    }

    [Theory]
    [InlineData(">=", "456", true)]
    [InlineData(">", "456", true)]
    [InlineData("<=", "456", false)]
    [InlineData("<", "456", false)]
    [InlineData("<", "99", true)]
    public void Ordering_operators_compare_as_numbers(string op, string value, bool expected)
    {
        var e = RunCommands(Event(null, ("test", value)), ["condition_if", "$.test2", "$.test", op, "123", true, false]);
        Assert.Equal(AttributeValue.FromBoolean(expected), ExtensionValue(e, "test2"));
    }

    [Fact]
    public void The_chosen_value_keeps_its_json_type_in_the_data()
    {
        var e = RunCommands(Event("""{"amount": 150}"""), ["condition_if", "$.data.tier", "$.data.amount", ">", 100, new { level = "gold" }, "basic"]);
        AssertData("""{"amount": 150, "tier": {"level": "gold"}}""", e);
    }

    [Fact]
    public void An_unsupported_constant_operator_is_rejected()
    {
        var ex = Rejects(["condition_if", "$.test2", "$.test", "<==", "123", true, false]);
        Assert.Equal("CONDITION_IF", ex.Action);
        Assert.Contains("argument 3 ('<==')", ex.Reason);
    }

    [Fact]
    public void An_unsupported_operator_read_from_the_event_fails_the_event()
    {
        var ex = Fails(Event("""{"op": "!="}""", ("test", "1")), ["condition_if", "$.test2", "$.test", "$.data.op", "1", true, false]);
        Assert.Contains("operator '!=' is not supported", ex.Reason);
    }

    [Fact]
    public void A_comparison_of_text_with_an_ordering_operator_fails()
    {
        Assert.Contains("not a number", Fails(Event(null, ("test", "abc")), ["condition_if", "$.x", "$.test", ">", 1, true, false]).Reason);
    }
}
