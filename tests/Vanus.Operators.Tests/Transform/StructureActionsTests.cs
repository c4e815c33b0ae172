using Vanus.Runtime.Events;
using static Vanus.Operators.Tests.Transform.TransformKit;

namespace Vanus.Operators.Tests.Transform;

public sealed class StructureActionsTests
{
    [Fact]
    public void Create_sets_an_extension_attribute()
    {
        // Vanus create_test: ["create", "$.test", "testValue"].
        var e = RunCommands(Event(), ["create", "$.test", "testValue"]);
        Assert.Equal("testValue", Extension(e, "test"));
    }

    [Fact]
    public void Create_copies_an_attribute_into_the_data_as_in_the_vanus_docs()
    {
        var e = RunCommands(Event("""{"amount": 3}"""), ["create", "$.data.source", "$.source"]);
        AssertData("""{"amount": 3, "source": "/shop"}""", e);
        Assert.Equal("application/json", e.DataContentType);
    }

    [Fact]
    public void Create_builds_missing_objects_and_arrays_on_the_way()
    {
        var e = RunCommands(Event("{}"), ["create", "$.data.a.b[2].c", 1]);
        AssertData("""{"a": {"b": [null, null, {"c": 1}]}}""", e);
    }

    [Fact]
    public void Create_on_an_event_without_data_creates_json_data()
    {
        var e = RunCommands(Event(), ["create", "$.data.greeting", "hello"]);
        AssertData("""{"greeting": "hello"}""", e);
        Assert.Equal("application/json", e.DataContentType);
    }

    [Fact]
    public void Create_and_delete_work_on_data_that_is_an_array()
    {
        var e = RunCommands(Event("""[1, {"a": 2}]"""), ["create", "$.data[3]", "x"], ["delete", "$.data[1].a"], ["create", "$.first", "$.data[0]"]);
        AssertData("""[1, {}, null, "x"]""", e);
        Assert.Equal(Vanus.Runtime.Events.AttributeValue.FromInteger(1), ExtensionValue(e, "first"));
    }

    [Fact]
    public void Create_fails_when_the_key_exists()
    {
        var ex = Fails(Event(null, ("test", "abc")), ["create", "$.test", "newValue"]);
        Assert.Equal("CREATE", ex.Action);
        Assert.Equal(0, ex.PipelineIndex);
        Assert.Contains("$.test already exists", ex.Reason);
    }

    [Fact]
    public void Create_of_an_object_in_an_attribute_fails()
    {
        var ex = Fails(Event(), ["create", "$.test", new Dictionary<string, string> { ["a"] = "b" }]);
        Assert.Contains("cannot hold an object", ex.Reason);
    }

    [Fact]
    public void Create_treats_a_json_null_as_absent()
    {
        var e = RunCommands(Event("""{"a": null}"""), ["create", "$.data.a", "x"]);
        AssertData("""{"a": "x"}""", e);
    }

    [Fact]
    public void Create_of_a_constant_gives_each_event_its_own_copy()
    {
        var transformer = Vanus.Operators.Transform.Transformer.Parse(Pipeline(["create", "$.data.list", new[] { 1, 2 }], ["ADD_SUFFIX", "$.data.list[0]", "x"]));
        var first = Assert.Single(transformer.Apply(Event("{}")));
        var second = Assert.Single(transformer.Apply(Event("{}")));
        AssertData("""{"list": ["1x", 2]}""", first);
        AssertData("""{"list": ["1x", 2]}""", second);
    }

    [Fact]
    public void Delete_removes_a_data_member_and_an_extension()
    {
        var e = RunCommands(Event("""{"date": "2022-06-13", "keep": 1}""", ("vanuskey", "vanusValue")),
            ["delete", "$.data.date"], ["delete", "$.vanuskey"]);
        AssertData("""{"keep": 1}""", e);
        Assert.Null(Extension(e, "vanuskey"));
    }

    [Fact]
    public void Delete_of_an_absent_member_changes_nothing()
    {
        var input = Event("""{"a": 1}""");
        var e = RunCommands(input, ["delete", "$.data.b.c"]);
        Assert.Same(input, e);
    }

    [Fact]
    public void Delete_removes_optional_core_attributes_and_array_elements()
    {
        var input = Event("""{"list": [1, 2, 3]}""") with { Subject = "s", Time = DateTimeOffset.UnixEpoch };
        var e = RunCommands(input, ["delete", "$.subject"], ["delete", "$.time"], ["delete", "$.data.list[1]"]);
        Assert.Null(e.Subject);
        Assert.Null(e.Time);
        AssertData("""{"list": [1, 3]}""", e);
    }

    [Fact]
    public void Delete_of_the_whole_data_leaves_an_empty_object()
    {
        var e = RunCommands(Event("""{"a": 1}"""), ["delete", "$.data"]);
        AssertData("{}", e);
    }

    [Theory]
    [InlineData("$.id")]
    [InlineData("$.source")]
    [InlineData("$.type")]
    [InlineData("$.specversion")]
    [InlineData("$.xvanusoffset")]
    public void Delete_of_a_required_or_reserved_attribute_is_rejected(string path)
    {
        var ex = Rejects(["delete", path]);
        Assert.Equal("DELETE", ex.Action);
        Assert.Equal(0, ex.PipelineIndex);
        Assert.Contains("cannot be deleted", ex.Reason);
    }

    [Fact]
    public void Replace_sets_an_existing_value()
    {
        var e = RunCommands(Event("""{"a": {"b": 1}}""", ("level", 3)), ["replace", "$.data.a.b", "two"], ["replace", "$.level", 4]);
        AssertData("""{"a": {"b": "two"}}""", e);
        Assert.Equal(AttributeValue.FromInteger(4), ExtensionValue(e, "level"));
    }

    [Fact]
    public void Replace_fails_when_the_key_is_absent()
    {
        var ex = Fails(Event("{}"), ["replace", "$.data.a", 1]);
        Assert.Equal("REPLACE", ex.Action);
        Assert.Contains("$.data.a does not exist", ex.Reason);
    }

    [Fact]
    public void Move_takes_a_value_to_a_new_place_as_in_the_vanus_docs()
    {
        var e = RunCommands(Event("""{"action": "created", "sender": {"login": "vanus-demo", "type": "User"}}"""),
            ["move", "$.data.sender.type", "$.data.type"]);
        AssertData("""{"action": "created", "sender": {"login": "vanus-demo"}, "type": "User"}""", e);
    }

    [Fact]
    public void Move_between_an_attribute_and_the_data()
    {
        var e = RunCommands(Event("""{"a": "x"}""", ("tag", "blue")), ["move", "$.tag", "$.data.tag"], ["move", "$.data.a", "$.a"]);
        AssertData("""{"tag": "blue"}""", e);
        Assert.Null(Extension(e, "tag"));
        Assert.Equal("x", Extension(e, "a"));
    }

    [Fact]
    public void Move_fails_when_the_target_exists_or_the_source_is_absent()
    {
        Assert.Contains("$.data.b already exists", Fails(Event("""{"a": 1, "b": 2}"""), ["move", "$.data.a", "$.data.b"]).Reason);
        Assert.Contains("$.data.a does not exist", Fails(Event("{}"), ["move", "$.data.a", "$.data.b"]).Reason);
    }

    [Fact]
    public void Rename_gives_a_member_a_new_name()
    {
        var e = RunCommands(Event("""{"first_name": "Ada", "age": 36}"""), ["RENAME", "$.data.first_name", "$.data.firstName"]);
        AssertData("""{"age": 36, "firstName": "Ada"}""", e);
    }

    [Fact]
    public void Rename_fails_when_the_new_name_is_taken()
    {
        var ex = Fails(Event("""{"a": 1, "b": 2}"""), ["rename", "$.data.a", "$.data.b"]);
        Assert.Equal("RENAME", ex.Action);
    }

    [Fact]
    public void Duplicate_copies_and_keeps_the_source()
    {
        var e = RunCommands(Event("""{"user": {"name": "Ada"}}"""), ["duplicate", "$.data.user", "$.data.owner"], ["upper_case", "$.data.owner.name"]);
        AssertData("""{"user": {"name": "Ada"}, "owner": {"name": "ADA"}}""", e);
    }

    [Fact]
    public void Duplicate_fails_when_the_target_exists()
    {
        Assert.Contains("already exists", Fails(Event("""{"a": 1, "b": 2}"""), ["duplicate", "$.data.a", "$.data.b"]).Reason);
    }

    [Theory]
    [InlineData("$.specversion")]
    [InlineData("$.datacontenttype")]
    [InlineData("$.xvanusstime")]
    public void Writing_a_protected_attribute_is_rejected(string path)
    {
        Assert.Contains("cannot be written", Rejects(["create", path, "x"]).Reason);
    }

    [Fact]
    public void Writing_through_a_wildcard_path_is_rejected()
    {
        var ex = Rejects(["create", "$.data.items[*].x", 1]);
        Assert.Contains("selects several values", ex.Reason);
    }

    [Fact]
    public void Core_attributes_take_strings_and_keep_their_rules()
    {
        var e = RunCommands(Event(), ["replace", "$.type", "order.paid"], ["create", "$.subject", "o-1"], ["create", "$.time", "2022-02-21T07:32:44.190Z"]);
        Assert.Equal("order.paid", e.Type);
        Assert.Equal("o-1", e.Subject);
        Assert.Equal(new DateTimeOffset(2022, 2, 21, 7, 32, 44, 190, TimeSpan.Zero), e.Time);

        Assert.Contains("takes a string", Fails(Event(), ["replace", "$.type", 5]).Reason);
        Assert.Contains("RFC 3339", Fails(Event(), ["create", "$.time", "yesterday"]).Reason);
        Assert.Contains("non-empty", Fails(Event(), ["replace", "$.id", ""]).Reason);
    }
}
