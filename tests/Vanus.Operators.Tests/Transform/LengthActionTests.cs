using Vanus.Runtime.Events;
using static Vanus.Operators.Tests.Transform.TransformKit;

namespace Vanus.Operators.Tests.Transform;

public sealed class LengthActionTests
{
    private const string Sample = """{"array": ["123", 4, true], "string": "string", "map": {"key1": "value1", "key2": "value2"}, "number": 10, "bool": false}""";

    [Theory]
    [InlineData("$.data.array", 3)]
    [InlineData("$.data.string", 6)]
    [InlineData("$.data.map", 2)]
    public void Length_counts_characters_elements_or_members(string path, int expected)
    {
        // The cases of Vanus's length_test.
        var e = RunCommands(Event(Sample), ["length", "$.data.length", path]);
        Assert.Equal(expected, Data(e)!["length"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("$.data.bool")]
    [InlineData("$.data.number")]
    public void Length_of_a_boolean_or_number_fails(string path)
    {
        var ex = Fails(Event(Sample), ["length", "$.data.length", path]);
        Assert.Equal("LENGTH", ex.Action);
        Assert.Contains("needs a string, an array or an object", ex.Reason);
    }

    [Fact]
    public void Length_of_an_attribute_into_an_attribute()
    {
        var e = RunCommands(Event(null, ("name", "vanus")), ["length", "$.namelength", "$.name"]);
        Assert.Equal(AttributeValue.FromInteger(5), ExtensionValue(e, "namelength"));
    }
}
