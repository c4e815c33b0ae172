using System.Text;
using System.Text.Json;
using Vanus.Operators.Transform;
using Vanus.Runtime.Events;
using static Vanus.Operators.Tests.Transform.TransformKit;

namespace Vanus.Operators.Tests.Transform;

public sealed class TransformerTests
{
    // The event of the Vanus transformer guide.
    private static Event GitHubStar() =>
        new Event("080e28a0-b437-11ed-9250-18275c0cc45b", "https://api.github.com/repos/vanus-demo/test-repo", "com.github.star.created")
        {
            DataContentType = "application/json",
            Time = new DateTimeOffset(2022, 2, 21, 7, 32, 44, 190, TimeSpan.Zero),
            Data = Encoding.UTF8.GetBytes("""{"action": "created", "sender": {"login": "vanus-demo", "type": "User"}}"""),
        }.WithExtension("vanusattr", AttributeValue.FromString("vanus"));

    private const string GuideDefine = """{"source": "$.source", "vanusattr": "$.vanusattr", "login": "$.data.sender.login", "sender": "$.data.sender", "action": "$.data.action"}""";

    private const string GuidePipeline = """
        [
            {"command":["create","$.data.source","$.source"]},
            {"command":["create","$.login","<login>"]},
            {"command":["move","$.data.sender.type","$.data.type"]},
            {"command":["delete","$.vanusattr"]},
            {"command":["delete","$.data.sender"]},
            {"command":["upper_case","$.data.action"]}
        ]
        """;

    [Fact]
    public void The_pipeline_example_of_the_vanus_guide()
    {
        var e = Run($$"""{"define": {{GuideDefine}}, "pipeline": {{GuidePipeline}}}""", GitHubStar());
        Assert.Equal("vanus-demo", Extension(e, "login"));
        Assert.Null(Extension(e, "vanusattr"));
        Assert.Equal("com.github.star.created", e.Type);
        AssertData("""{"source": "https://api.github.com/repos/vanus-demo/test-repo", "type": "User", "action": "CREATED"}""", e);
    }

    [Fact]
    public void The_string_template_example_of_the_vanus_guide()
    {
        var e = Run($$"""{"define": {{GuideDefine}}, "pipeline": {{GuidePipeline}}, "template": "user <login> at <$.time> stared the repository <$.data.source>"}""", GitHubStar());
        Assert.Equal("text/plain", e.DataContentType);
        Assert.Equal("user vanus-demo at 2022-02-21T07:32:44.19Z stared the repository https://api.github.com/repos/vanus-demo/test-repo", e.DataText);
    }

    [Fact]
    public void The_json_template_example_of_the_vanus_guide()
    {
        var template = JsonSerializer.Serialize("""{"user": "<login>","content": "stared the repository <$.data.source>"}""");
        var e = Run($$"""{"define": {{GuideDefine}}, "pipeline": {{GuidePipeline}}, "template": {{template}}}""", GitHubStar());
        Assert.Equal("application/json", e.DataContentType);
        Assert.Equal("""{"user":"vanus-demo","content":"stared the repository https://api.github.com/repos/vanus-demo/test-repo"}""", e.DataText);
    }

    [Fact]
    public void The_subscription_example_of_the_design()
    {
        var e = Run("""{ "define": {"id": "$.data.id"}, "template": "{\"order\":\"<id>\"}" }""", Event("""{"id": "o-42", "amount": 250}"""));
        Assert.Equal("""{"order":"o-42"}""", e.DataText);
    }

    [Fact]
    public void Define_values_are_read_before_the_pipeline_runs()
    {
        var document = """{"define": {"before": "$.data.n", "constant": "fixed"}, "pipeline": [{"command": ["math_add", "$.data.n", "$.data.n", 1]}], "template": "<before> <$.data.n> <constant>"}""";
        Assert.Equal("1 2 fixed", Run(document, Event("""{"n": 1}""")).DataText);
    }

    [Fact]
    public void Action_names_are_case_insensitive()
    {
        var e = RunCommands(Event("""{"a": "x"}"""), ["Upper_Case", "$.data.a"], ["ADD_suffix", "$.data.a", "!"]);
        AssertData("""{"a": "X!"}""", e);
    }

    [Fact]
    public void Attribute_names_in_paths_are_lower_cased_as_in_vanus()
    {
        var e = RunCommands(Event(null, ("region", "eu")), ["upper_case", "$.Region"]);
        Assert.Equal("EU", Extension(e, "region"));
    }

    [Fact]
    public void Every_vanus_action_is_known()
    {
        string[] names =
        [
            "CREATE", "DELETE", "REPLACE", "MOVE", "RENAME", "DUPLICATE", "MATH_ADD", "MATH_SUB", "MATH_MUL", "MATH_DIV",
            "DATE_FORMAT", "UNIX_TIME_FORMAT", "CONVERT_TIMEZONE", "JOIN", "UPPER_CASE", "LOWER_CASE", "ADD_PREFIX", "ADD_SUFFIX",
            "REPLACE_WITH_REGEX", "REPLACE_STRING", "REPLACE_BETWEEN_POSITIONS", "REPLACE_BETWEEN_DELIMITERS", "CAPITALIZE_SENTENCE",
            "CAPITALIZE_WORD", "CHECK_CUSTOM_VALUES", "SPLIT_WITH_INTERVALS", "SPLIT_WITH_DELIMITER", "SPLIT_BETWEEN_POSITIONS",
            "SPLIT_FROM_START", "EXTRACT_BETWEEN_DELIMITERS", "EXTRACT_BETWEEN_POSITIONS", "EXTRACT_MISSING_ACTION", "CONDITION_IF",
            "RENDER_ARRAY", "ARRAY_FOREACH", "UNFOLD_ARRAY", "LENGTH",
        ];
        Assert.Equal(names.Order(), ActionCatalog.Names.Order());
    }

    [Fact]
    public void A_pipeline_that_only_edits_attributes_leaves_the_data_bytes_alone()
    {
        var input = Event("""{ "spaced" :  1 }""");
        var e = RunCommands(input, ["create", "$.flag", true]);
        Assert.Equal(input.Data!.Value.ToArray(), e.Data!.Value.ToArray());
        Assert.Equal(AttributeValue.FromBoolean(true), ExtensionValue(e, "flag"));
    }

    [Fact]
    public void Data_that_is_not_json_can_still_have_its_attributes_transformed()
    {
        var input = Event() with { Data = "plain words"u8.ToArray(), DataContentType = "text/plain" };
        var e = RunCommands(input, ["create", "$.kind", "text"]);
        Assert.Equal("text", Extension(e, "kind"));
        Assert.Equal("plain words", e.DataText);

        var ex = Fails(input, ["create", "$.data.x", 1]);
        Assert.Contains("is not JSON", ex.Reason);
    }

    [Fact]
    public void Data_that_claims_json_but_is_not_fails_the_action_that_reads_it()
    {
        var input = Event() with { Data = "{broken"u8.ToArray(), DataContentType = "application/json" };
        var ex = Fails(input, ["create", "$.ok", 1], ["upper_case", "$.data.a"]);
        Assert.Equal("UPPER_CASE", ex.Action);
        Assert.Equal(1, ex.PipelineIndex);
        Assert.Contains("not valid JSON", ex.Reason);
        Assert.Contains("pipeline[1] (UPPER_CASE)", ex.Message);
    }

    [Fact]
    public void Apply_is_safe_on_many_threads()
    {
        var transformer = Transformer.Parse(Pipeline(["create", "$.data.tags", new[] { "a" }], ["math_mul", "$.data.total", "$.data.price", "$.data.qty"], ["date_format", "$.data.at", "$.data.fmt"]));
        Parallel.For(0, 2000, i =>
        {
            var fmt = i % 2 == 0 ? "Y" : "H";
            var e = Assert.Single(transformer.Apply(Event($$"""{"price": {{i}}, "qty": 2, "at": "2021-01-02T03:04:05Z", "fmt": "{{fmt}}"}""")));
            var data = Data(e)!;
            Assert.Equal(i * 2, data["total"]!.GetValue<double>());
            Assert.Equal(i % 2 == 0 ? "2021" : "03", data["at"]!.GetValue<string>());
            Assert.Equal("a", data["tags"]![0]!.GetValue<string>());
        });
    }

    [Fact]
    public void ToString_returns_the_document()
    {
        const string document = """{"pipeline":[{"command":["delete","$.data.x"]}]}""";
        Assert.Equal(document, Transformer.Parse(document).ToString());
    }

    [Theory]
    [InlineData("[]", "document", "must be a JSON object")]
    [InlineData("{\"pipeline\": [], \"filters\": 1}", "document", "unknown member 'filters'")]
    [InlineData("{\"define\": []}", "define", "must be an object")]
    [InlineData("{\"define\": {\"a b\": \"$.id\"}}", "define.a b", "not a valid variable name")]
    [InlineData("{\"define\": {\"a\": 1}}", "define.a", "must be a string")]
    [InlineData("{\"define\": {\"a\": \"<b>\"}}", "define.a", "refers to a variable")]
    [InlineData("{\"define\": {\"a\": \"$.Bad_Name\"}}", "define.a", "lower-case ASCII letters and digits")]
    [InlineData("{\"define\": {\"a\": \"$.data[\"}}", "define.a", "not a valid path")]
    [InlineData("{\"pipeline\": {}}", "pipeline", "must be an array")]
    [InlineData("{\"pipeline\": [[\"create\"]]}", "pipeline[0]", "must be an object")]
    [InlineData("{\"pipeline\": [{\"cmd\": []}]}", "pipeline[0]", "unknown member 'cmd'")]
    [InlineData("{\"pipeline\": [{}]}", "pipeline[0]", "has no 'command'")]
    [InlineData("{\"pipeline\": [{\"command\": []}]}", "pipeline[0]", "the command is empty")]
    [InlineData("{\"pipeline\": [{\"command\": [1]}]}", "pipeline[0]", "action name must be a string")]
    [InlineData("{\"template\": 5}", "template", "must be a string")]
    [InlineData("{\"template\": \"x\", \"template_type\": \"xml\"}", "template_type", "not a template type")]
    [InlineData("not json", "document", "not valid JSON")]
    public void Malformed_documents_are_rejected_with_the_place_and_reason(string document, string location, string reason)
    {
        var ex = Assert.Throws<TransformerDefinitionException>(() => Transformer.Parse(document));
        Assert.Equal(location, ex.Location);
        Assert.Contains(reason, ex.Reason);
        Assert.Contains(location, ex.Message);
    }

    [Fact]
    public void An_unknown_action_is_rejected_with_its_name_and_index()
    {
        var ex = Rejects(["create", "$.data.a", 1], ["explode", "$.data.a"]);
        Assert.Equal("EXPLODE", ex.Action);
        Assert.Equal(1, ex.PipelineIndex);
        Assert.Equal("pipeline[1]", ex.Location);
        Assert.Contains("unknown action 'explode'", ex.Reason);
    }

    [Theory]
    [InlineData(new object[] { "create", "$.data.a" }, "takes exactly 2 arguments CREATE(path, value), but has 1")]
    [InlineData(new object[] { "delete", "$.data.a", "$.data.b" }, "takes exactly 1 argument DELETE(path), but has 2")]
    [InlineData(new object[] { "math_add", "$.data.a", 1 }, "takes at least 3 arguments")]
    [InlineData(new object[] { "convert_timezone", "$.data.a", "UTC", "UTC", "Y", "extra" }, "takes 3 to 4 arguments")]
    public void A_wrong_argument_count_is_rejected(object[] command, string reason)
    {
        var ex = Rejects(command);
        Assert.Equal(((string)command[0]).ToUpperInvariant(), ex.Action);
        Assert.Equal(0, ex.PipelineIndex);
        Assert.Contains(reason, ex.Reason);
    }

    [Theory]
    [InlineData(new object[] { "create", "plain", 1 }, "argument 1 ('plain') must be an event attribute ($.name) or a data path ($.data.path), not a constant value")]
    [InlineData(new object[] { "upper_case", "<nope>" }, "argument 1 ('<nope>') refers to <nope>, which define does not declare")]
    [InlineData(new object[] { "create", "$.data.a[", 1 }, "argument 1 ('$.data.a[') is not a valid path")]
    [InlineData(new object[] { "create", "$.data.a[?(@.x)]", 1 }, "filter and script expressions")]
    [InlineData(new object[] { "create", "$.bad-name", 1 }, "lower-case ASCII letters and digits")]
    public void A_bad_argument_is_rejected(object[] command, string reason)
    {
        var ex = Rejects(command);
        Assert.Contains(reason, ex.Reason);
    }

    [Fact]
    public void A_null_value_argument_is_rejected()
    {
        var ex = Assert.Throws<TransformerDefinitionException>(() => Transformer.Parse("""{"pipeline": [{"command": ["create", "$.data.a", null]}]}"""));
        Assert.Contains("argument 2 ('null') is null", ex.Reason);
    }

    [Fact]
    public void A_failure_names_the_action_and_its_index()
    {
        var ex = Fails(Event("""{"a": 1}"""), ["upper_case", "$.data.a"], ["math_div", "$.data.c", "$.data.a", "$.data.zero"]);
        Assert.Equal("MATH_DIV", ex.Action);
        Assert.Equal(1, ex.PipelineIndex);
        Assert.Equal("Transform failed at pipeline[1] (MATH_DIV): $.data.zero does not exist", ex.Message);
    }
}
