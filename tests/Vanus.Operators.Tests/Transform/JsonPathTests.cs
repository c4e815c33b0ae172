using System.Text.Json.Nodes;
using Vanus.Operators.Transform;

namespace Vanus.Operators.Tests.Transform;

public sealed class JsonPathTests
{
    private static readonly JsonNode Store = JsonNode.Parse("""
        {"book": [{"title": "A", "price": 8}, {"title": "B", "price": 12}, {"title": "C", "price": 9, "tags": {"price": 1}}], "name": "shop", "odd key": true}
        """)!;

    private static string Select(string path)
    {
        var results = new List<JsonNode?>();
        JsonPath.Parse(path).Select(Store, results);
        return new JsonArray([.. results.Select(r => r?.DeepClone())]).ToJsonString();
    }

    [Theory]
    [InlineData(".name", "[\"shop\"]")]
    [InlineData(".book[1].title", "[\"B\"]")]
    [InlineData(".book[-1].title", "[\"C\"]")]
    [InlineData(".book[*].title", "[\"A\",\"B\",\"C\"]")]
    [InlineData(".book[:].price", "[8,12,9]")]
    [InlineData(".book[1:].title", "[\"B\",\"C\"]")]
    [InlineData(".book[::-1].title", "[\"C\",\"B\",\"A\"]")]
    [InlineData(".book[0:3:2].title", "[\"A\",\"C\"]")]
    [InlineData("['odd key']", "[true]")]
    [InlineData("[\"name\"]", "[\"shop\"]")]
    [InlineData("..price", "[8,12,9,1]")]
    [InlineData(".book[5]", "[]")]
    [InlineData(".name.length", "[]")]
    public void Select_follows_jsonpath(string path, string expected)
    {
        Assert.Equal(expected, Select(path));
    }

    [Fact]
    public void Descendant_wildcard_visits_every_value()
    {
        Assert.Equal(14, JsonPath.Parse("..*").Evaluate(Store)!.AsArray().Count);
    }

    [Theory]
    [InlineData("name", "expected '.' or '['")]
    [InlineData(".", "expected a member name")]
    [InlineData("[", "not closed")]
    [InlineData("[1", "expected ']'")]
    [InlineData("[1,2]", "unions")]
    [InlineData("[?(@.a)]", "filter")]
    [InlineData("[::0]", "step of 0")]
    [InlineData("['open", "not closed")]
    public void Parse_rejects_bad_paths_with_the_position(string path, string reason)
    {
        var ex = Assert.Throws<FormatException>(() => JsonPath.Parse(path));
        Assert.Contains(reason, ex.Message);
    }

    [Fact]
    public void Set_creates_the_containers_it_needs_and_pads_arrays()
    {
        var path = JsonPath.Parse(".a.b[1].c");
        var root = path.Set(null, JsonValue.Create(1));
        Assert.Equal("""{"a":{"b":[null,{"c":1}]}}""", root!.ToJsonString());
        Assert.True(path.IsWritable);
        Assert.False(JsonPath.Parse(".a[-1]").IsWritable);
        Assert.False(JsonPath.Parse(".a[*]").IsWritable);
    }

    [Fact]
    public void Set_through_a_scalar_fails_naming_the_step()
    {
        var root = JsonNode.Parse("""{"a": "text"}""");
        var ex = Assert.Throws<TransformFailure>(() => JsonPath.Parse(".a.b").Set(root, JsonValue.Create(1)));
        Assert.Contains("'.a' is a string, not an object", ex.Message);
    }

    [Fact]
    public void Remove_deletes_members_and_elements()
    {
        var root = JsonNode.Parse("""{"a": {"b": 1, "c": 2}, "l": [1, 2, 3]}""");
        Assert.True(JsonPath.Parse(".a.b").Remove(root));
        Assert.True(JsonPath.Parse(".l[0]").Remove(root));
        Assert.False(JsonPath.Parse(".a.zzz").Remove(root));
        Assert.False(JsonPath.Parse(".q.b").Remove(root));
        Assert.Equal("""{"a":{"c":2},"l":[2,3]}""", root!.ToJsonString());
    }

    [Fact]
    public void Evaluate_treats_json_null_as_no_value_and_copies_several_results()
    {
        var root = JsonNode.Parse("""{"n": null, "l": [{"x": 1}, {"x": 2}]}""");
        Assert.Null(JsonPath.Parse(".n").Evaluate(root));
        var many = JsonPath.Parse(".l[*].x").Evaluate(root)!;
        Assert.Null(many.Parent);
        Assert.Equal("[1,2]", many.ToJsonString());
    }
}
