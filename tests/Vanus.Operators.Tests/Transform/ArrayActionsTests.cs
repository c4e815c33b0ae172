using static Vanus.Operators.Tests.Transform.TransformKit;

namespace Vanus.Operators.Tests.Transform;

public sealed class ArrayActionsTests
{
    private const string Items = """{"array": [{"name": "name1", "number": 1}, {"name": "name2", "number": "2"}, {"name": "name3", "number": "3"}]}""";

    [Theory]
    [InlineData("abc", """["abc"]""")]
    [InlineData("<@.name><@.number>", """["name11", "name22", "name33"]""")]
    [InlineData("<@.name> and <@.number>", """["name1 and 1", "name2 and 2", "name3 and 3"]""")]
    [InlineData("NodeName: <@.name> Num: <@.number> <@abc", """["NodeName: name1 Num: 1 <@abc", "NodeName: name2 Num: 2 <@abc", "NodeName: name3 Num: 3 <@abc"]""")]
    public void Render_array_matches_the_vanus_examples(string template, string expected)
    {
        var e = RunCommands(Event(Items), ["render_array", "$.data.render", "$.data.array", template]);
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(expected), Data(e)!["render"]));
    }

    [Fact]
    public void Render_array_fails_when_placeholders_have_different_counts()
    {
        // Vanus render_test "render param not same": the third element has no number.
        var ex = Fails(Event("""{"array": [{"name": "name1", "number": 1}, {"name": "name2", "number": "2"}, {"name": "name3"}]}"""),
            ["render_array", "$.data.render", "$.data.array", "begin <@.name> <@.number> end"]);
        Assert.Equal("RENDER_ARRAY", ex.Action);
        Assert.Contains("<@.number> has 2 values but <@.name> has 3", ex.Reason);
    }

    [Fact]
    public void Render_array_of_a_single_element()
    {
        var e = RunCommands(Event("""{"array": [{"name": "name1", "number": 1}]}"""), ["render_array", "$.data.render", "$.data.array", "NodeName: <@.name> Num: <@.number> <@abc"]);
        AssertData("""{"array": [{"name": "name1", "number": 1}], "render": ["NodeName: name1 Num: 1 <@abc"]}""", e);
    }

    [Fact]
    public void Render_array_rejects_attribute_targets_and_bad_placeholders()
    {
        Assert.Contains("must be a $.data path", Rejects(["render_array", "$.render", "$.data.array", "<@.name>"]).Reason);
        Assert.Contains("placeholder <@name>", Rejects(["render_array", "$.data.render", "$.data.array", "<@name>"]).Reason);
        Assert.Contains("must be a constant value", Rejects(["render_array", "$.data.render", "$.data.array", "$.data.template"]).Reason);
    }

    [Fact]
    public void Array_foreach_runs_nested_commands_on_each_element()
    {
        // Vanus foreach_test: ["array_foreach", "$.data.array", ["add_prefix", "@.name", "prefix"]].
        var e = RunCommands(Event(Items), ["array_foreach", "$.data.array", new object[] { "add_prefix", "@.name", "prefix" }]);
        AssertData("""{"array": [{"name": "prefixname1", "number": 1}, {"name": "prefixname2", "number": "2"}, {"name": "prefixname3", "number": "3"}]}""", e);
    }

    [Fact]
    public void Array_foreach_runs_several_commands_and_can_replace_scalar_elements()
    {
        var e = RunCommands(Event("""{"tags": ["a", "b"], "users": [{"n": "x"}]}"""),
            ["array_foreach", "$.data.tags", new object[] { "upper_case", "$.data" }],
            ["array_foreach", "$.data.users", new object[] { "create", "@.id", 1 }, new object[] { "rename", "@.n", "@.name" }]);
        AssertData("""{"tags": ["A", "B"], "users": [{"id": 1, "name": "x"}]}""", e);
    }

    [Fact]
    public void Array_foreach_names_the_element_and_command_that_failed()
    {
        var ex = Fails(Event("""{"users": [{"n": "x"}, {"m": "y"}]}"""), ["array_foreach", "$.data.users", new object[] { "upper_case", "@.n" }]);
        Assert.Equal("ARRAY_FOREACH", ex.Action);
        Assert.Contains("element 1: UPPER_CASE: @.n does not exist", ex.Reason);
    }

    [Fact]
    public void Array_foreach_rejects_attributes_and_missing_commands()
    {
        Assert.Contains("inside ARRAY_FOREACH cannot reach", Rejects(["array_foreach", "$.data.a", new object[] { "create", "@.x", "$.source" }]).Reason);
        Assert.Contains("at least one nested command", Rejects(["array_foreach", "$.data.a"]).Reason);
        Assert.Contains("nested command array", Rejects(["array_foreach", "$.data.a", "upper_case"]).Reason);
        var nested = Rejects(["array_foreach", "$.data.a", new object[] { "no_such_action" }]);
        Assert.Contains("command 1", nested.Location);
        Assert.Contains("unknown action 'no_such_action'", nested.Reason);
    }

    [Fact]
    public void Unfold_array_writes_each_element_under_a_numbered_name()
    {
        // Vanus unfold_array_test: the elements go to target-0, target-1, target-2 in the same event.
        var e = RunCommands(Event("""{"array": ["one", 2, ["three"]]}"""), ["unfold_array", "$.data.array", "$.data.target"]);
        AssertData("""{"array": ["one", 2, ["three"]], "target-0": "one", "target-1": 2, "target-2": ["three"]}""", e);
    }

    [Fact]
    public void Unfold_array_of_a_scalar_writes_one_member()
    {
        var e = RunCommands(Event("""{"array": "one"}"""), ["unfold_array", "$.data.array", "$.data.target"]);
        AssertData("""{"array": "one", "target-0": "one"}""", e);
    }

    [Fact]
    public void Unfold_array_rejects_a_prefix_that_is_not_a_member_name()
    {
        Assert.Contains("must end in a member name", Rejects(["unfold_array", "$.data.array", "$.data.list[0]"]).Reason);
        Assert.Contains("must be a data path", Rejects(["unfold_array", "$.data.array", "$.target"]).Reason);
        Assert.Contains("an object, not an array", Fails(Event("""{"array": {"a": 1}}"""), ["unfold_array", "$.data.array", "$.data.t"]).Reason);
    }
}
