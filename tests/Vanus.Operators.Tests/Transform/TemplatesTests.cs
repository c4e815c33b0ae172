using System.Text.Json;
using Vanus.Operators.Transform;
using static Vanus.Operators.Tests.Transform.TransformKit;

namespace Vanus.Operators.Tests.Transform;

public sealed class TemplatesTests
{
    // The event and define of Vanus's transformer_test.
    private const string Define = """{"keyTest": "keyValue", "ctxId": "$.id", "ctxKey": "$.vanuskey", "data": "$.data", "dataKey": "$.data.key"}""";

    private static Vanus.Runtime.Events.Event Sample(string data = """{"key": "value", "key1": "value1"}""") =>
        Event(data, ("vanuskey", "vanusValue")) with { Id = "testId" };

    private static string Render(string template, string define = Define, string? data = null)
    {
        var document = $$"""{"define": {{define}}, "template": {{JsonSerializer.Serialize(template)}}}""";
        var e = Run(document, data is null ? Sample() : Sample(data));
        return e.DataText!;
    }

    [Fact]
    public void Text_template_renders_variables_and_paths()
    {
        var e = Run($$"""{"define": {{Define}}, "template": "<dataKey> \"<$.data.key1>\" <$.data.noExist>"}""", Sample());
        Assert.Equal("text/plain", e.DataContentType);
        Assert.Equal("value \"value1\" ", e.DataText);
    }

    [Fact]
    public void Json_template_with_single_values_leaves_out_members_whose_path_finds_nothing()
    {
        var json = Render("""{ "define": <dataKey>, "data": <$.data.key>, "attribute": <$.id>, "noExist": <$.data.noExist>, "noExistStr": "<$.data.noExist>" }""");
        Assert.Equal("""{"define":"value","data":"value","attribute":"testId","noExistStr":""}""", json);
    }

    [Theory]
    [InlineData("""{ "data": "source is <dataKey>", "data2": "source is <$.data.noExist>" }""", """{"data":"source is value","data2":"source is "}""")]
    [InlineData("""{ "data": ":<dataKey>", "data2": "\":<dataKey>\"", "data3": "::<dataKey> other:<ctxId>" }""", """{"data":":value","data2":"\":value\"","data3":"::value other:testId"}""")]
    [InlineData("""{ "data": "source is \"<dataKey>\"", "data2": "source is \"<$.data.noExist>\"" }""", """{"data":"source is \"value\"","data2":"source is \"\""}""")]
    public void Json_template_dynamic_strings_match_vanus(string template, string expected)
    {
        Assert.Equal(expected, Render(template));
    }

    [Fact]
    public void Json_template_with_escaped_brackets_matches_vanus()
    {
        var json = Render(
            """{ "type": "mrkdwn", "text": "Hi <login>, GitHub user just left a comment in the *\<<$.data.issue.html_url>|<$.data.issue.title> #<$.data.issue.number>\>*.\n *Comment: *<comment>" }""",
            """{"login": "abc", "comment": "comments"}""",
            """{"issue": {"html_url": "issue_html_url", "title": "issue_title", "number": 123}}""");
        Assert.Equal("""{"type":"mrkdwn","text":"Hi abc, GitHub user just left a comment in the *<issue_html_url|issue_title #123>*.\n *Comment: *comments"}""", json);
    }

    [Fact]
    public void Json_template_escapes_line_breaks_from_values()
    {
        var json = Render(
            """{"content": "Hi <login>, **[<sender>](<url>)** opened **[<title> #<number>](<issue>)**.\n **Issue body: **<body> "}""",
            """{"login": "login_user", "issue": "$.data.issue.html_url", "title": "$.data.issue.title", "body": "$.data.issue.body", "number": "$.data.issue.number", "url": "$.data.sender.html_url", "sender": "$.data.sender.login"}""",
            """{"issue": {"html_url": "issue_html_url", "title": "issue_title", "number": 123, "body": "first line\r\nsecond line"}, "sender": {"html_url": "send_html_url", "login": "sender_login"}}""");
        Assert.Equal("""{"content":"Hi login_user, **[sender_login](send_html_url)** opened **[issue_title #123](issue_html_url)**.\n **Issue body: **first line\r\nsecond line "}""", json);
    }

    [Fact]
    public void Json_template_values_keep_their_json_types()
    {
        var json = Render("""{"all": <data>, "n": <$.data.n>, "list": [<$.data.n>, <$.data.none>, true, null, -1.5e3], "flag": <$.data.f>, "missing": <nothing>}""",
            """{"data": "$.data", "nothing": "$.data.none"}""", """{"n": 12.50, "f": false}""");
        Assert.Equal("""{"all":{"n":12.50,"f":false},"n":12.50,"list":[12.50,true,null,-1.5e3],"flag":false,"missing":null}""", json);
    }

    [Fact]
    public void Json_template_renders_several_path_results_as_an_array()
    {
        var json = Render("""{"names": <$.data.items[*].name>, "joined": "<$.data.items[*].name>"}""", "{}", """{"items": [{"name": "a"}, {"name": "b"}]}""");
        Assert.Equal("""{"names":["a","b"],"joined":"[\"a\",\"b\"]"}""", json);
    }

    [Fact]
    public void Template_examples_of_the_vanus_docs()
    {
        const string define = """{"source": "$.source", "date": "$.data.date", "amount": "$.data.amount", "unit": "$.data.unit", "service": "$.data.service"}""";
        const string data = """{"date": "2022-06-13", "service": "Amazon Elastic Compute Cloud - Compute", "amount": "12.294", "unit": "USD"}""";
        Assert.Equal("Billing 2022-06-13 amount 12.294 USD", Render("Billing <date> amount <amount> <unit>", define, data));
        Assert.Equal("Billing 2022-06-13 service \"Amazon Elastic Compute Cloud - Compute\" amount 12.294 USD", Render("Billing <date> service \"<service>\" amount <amount> <unit>", define, data));
        Assert.Equal("""{"service":"Amazon Elastic Compute Cloud - Compute","amount":"12.294"}""", Render("{\n  \"service\": <service>,\n  \"amount\":<amount>\n}", define, data));
    }

    [Fact]
    public void A_path_from_the_root_of_the_event_sees_attributes_and_data()
    {
        var json = Render("""{"logins": <$..login>, "ext": <$.vanuskey>, "spec": "<$.specversion>"}""", "{}", """{"a": {"login": "x"}, "b": [{"login": "y"}]}""");
        Assert.Equal("""{"logins":["x","y"],"ext":"vanusValue","spec":"1.0"}""", json);
        Assert.Equal("""["x","y"] testId""", Render("<$..login> <$['id']>", "{}", """{"a": {"login": "x"}, "b": [{"login": "y"}]}"""));
    }

    [Fact]
    public void A_define_variable_without_a_value_renders_as_null()
    {
        Assert.Equal("x=null", Render("x=<gone>", """{"gone": "$.data.nope"}"""));
        Assert.Equal("""{"v":null,"s":"null"}""", Render("""{"v": <gone>, "s": "<gone>"}""", """{"gone": "$.missing"}"""));
    }

    [Fact]
    public void Text_template_escapes()
    {
        Assert.Equal("a<b>\\\t\u00e9A\n", Render(@"a\<b\>\\\t\u00e9\x41\012", "{}"));
    }

    [Fact]
    public void Template_type_can_be_forced()
    {
        var e = Run("""{"template": "{<$.id>}", "template_type": "text"}""", Sample());
        Assert.Equal("{testId}", e.DataText);
        Assert.Equal("text/plain", e.DataContentType);

        var none = Sample();
        Assert.Same(none, Run("""{"template": "ignored <x>", "template_type": "none"}""", none));
    }

    [Fact]
    public void Template_reads_attributes_after_the_pipeline()
    {
        var document = """{"pipeline": [{"command": ["create", "$.region", "eu"]}, {"command": ["upper_case", "$.data.key"]}], "template": "<$.region>:<$.data.key>:<$.vanuskey>"}""";
        Assert.Equal("eu:VALUE:vanusValue", Run(document, Sample()).DataText);
    }

    [Theory]
    [InlineData("a < b", "cannot be part of a variable name")]
    [InlineData("<unclosed", "not closed with '>'")]
    [InlineData("<undeclared>", "define does not declare")]
    [InlineData("<>", "has no variable name")]
    [InlineData("bad \\q escape", "not a valid escape")]
    [InlineData("<$.data[>", "not a valid JSON path")]
    [InlineData("{\"a\": }", "expected a JSON value")]
    [InlineData("{\"a\" 1}", "expected ':'")]
    [InlineData("[1, 2", "expected ',' or ']'")]
    [InlineData("{\"a\": 1} extra", "after the end of the JSON template")]
    [InlineData("{\"a\": 01}", "invalid number")]
    [InlineData("\"<$.data.x\"", "not closed")]
    public void Bad_templates_are_rejected_with_the_position(string template, string reason)
    {
        var ex = Assert.Throws<TransformerDefinitionException>(() => Transformer.Parse($$"""{"define": {"x": "y"}, "template": {{JsonSerializer.Serialize(template)}}}"""));
        Assert.Equal("template", ex.Location);
        Assert.Contains(reason, ex.Reason);
    }
}
