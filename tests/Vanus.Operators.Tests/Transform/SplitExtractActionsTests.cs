using static Vanus.Operators.Tests.Transform.TransformKit;

namespace Vanus.Operators.Tests.Transform;

public sealed class SplitExtractActionsTests
{
    private const string Hello = """{"appinfoA": "hello world!"}""";

    [Theory]
    [InlineData(2, 2, """["he", "ll", "o ", "wo", "rl", "d!"]""")]
    [InlineData(100, 2, """["hello world!"]""")]
    [InlineData(1, 3, """["h", "ell", "o w", "orl", "d!"]""")]
    [InlineData(0, 5, """["", "hello", " worl", "d!"]""")]
    public void Split_with_intervals_matches_the_vanus_examples(int start, int interval, string expected)
    {
        var e = RunCommands(Event(Hello), ["split_with_intervals", "$.data.appinfoA", start, interval, "$.data.appinfoB"]);
        AssertData($$"""{"appinfoA": "hello world!", "appinfoB": {{expected}}}""", e);
    }

    [Fact]
    public void Split_with_intervals_refuses_an_existing_target_and_a_bad_interval()
    {
        var ex = Fails(Event("""{"appinfoA": "hello world!", "appinfoB": ""}"""), ["split_with_intervals", "$.data.appinfoA", 2, 2, "$.data.appinfoB"]);
        Assert.Contains("$.data.appinfoB already exists", ex.Reason);
        Assert.Contains("must be greater than zero", Rejects(["split_with_intervals", "$.data.a", 0, 0, "$.data.b"]).Reason);
        Assert.Contains("split interval 0 must be greater than zero", Fails(Event("""{"a": "abc", "n": 0}"""), ["split_with_intervals", "$.data.a", 0, "$.data.n", "$.data.b"]).Reason);
        Assert.Contains("must be a data path", Rejects(["split_with_intervals", "$.data.a", 0, 2, "$.b"]).Reason);
    }

    [Fact]
    public void Split_with_delimiter_splits_at_every_delimiter()
    {
        var e = RunCommands(Event("""{"name1": "a-b--c", "w": "héllo"}"""), ["split_with_delimiter", "$.data.name1", "-", "$.data.name2"], ["split_with_delimiter", "$.data.w", "", "$.data.chars"]);
        AssertData("""{"name1": "a-b--c", "name2": ["a", "b", "", "c"], "w": "héllo", "chars": ["h", "é", "l", "l", "o"]}""", e);
    }

    [Theory]
    [InlineData(2, 4, """["he", "ll", "o world!"]""")]
    [InlineData(100, 200, """["hello world!", "", ""]""")]
    [InlineData(4, 200, """["hell", "o world!", ""]""")]
    public void Split_between_positions_matches_the_vanus_examples(int start, int end, string expected)
    {
        var e = RunCommands(Event(Hello), ["split_between_positions", "$.data.appinfoA", start, end, "$.data.appinfoB"]);
        AssertData($$"""{"appinfoA": "hello world!", "appinfoB": {{expected}}}""", e);
    }

    [Fact]
    public void Split_between_positions_refuses_reversed_positions_and_an_existing_target()
    {
        Assert.Contains("must be less than the end position 6", Rejects(["split_between_positions", "$.data.appinfoA", 7, 6, "$.data.appinfoB"]).Reason);
        Assert.Contains("already exists", Fails(Event("""{"appinfoA": "hello world!", "appinfoB": ""}"""), ["split_between_positions", "$.data.appinfoA", 2, 3, "$.data.appinfoB"]).Reason);
        Assert.Contains("start position 7 must be less than end position 6", Fails(Event("""{"a": "abc", "s": 7}"""), ["split_between_positions", "$.data.a", "$.data.s", 6, "$.data.b"]).Reason);
    }

    [Theory]
    [InlineData(5, """["hello", " world!"]""")]
    [InlineData(12, """["hello world!", ""]""")]
    [InlineData(50, """["hello world!", ""]""")]
    public void Split_from_start_splits_in_two(int position, string expected)
    {
        var e = RunCommands(Event(Hello), ["split_from_start", "$.data.appinfoA", position, "$.data.appinfoB"]);
        AssertData($$"""{"appinfoA": "hello world!", "appinfoB": {{expected}}}""", e);
    }

    [Fact]
    public void Split_from_start_needs_a_positive_constant_position()
    {
        Assert.Contains("must be greater than zero", Rejects(["split_from_start", "$.data.a", 0, "$.data.b"]).Reason);
        Assert.Contains("must be a constant value", Rejects(["split_from_start", "$.data.a", "$.data.n", "$.data.b"]).Reason);
    }

    [Fact]
    public void Extract_between_delimiters_matches_the_vanus_examples()
    {
        var e = RunCommands(Event("{}", ("test", "Hi welcome to &&Vanus&")), ["extract_between_delimiters", "$.test", "$.data.target", "&&", "&"]);
        AssertData("""{"target": "Vanus"}""", e);

        var ex = Fails(Event("{}", ("test", "Hi welcome to &Vanus friend")), ["extract_between_delimiters", "$.test", "$.data.target", "&", "&"]);
        Assert.Equal("EXTRACT_BETWEEN_DELIMITERS", ex.Action);
        Assert.Contains("end delimiter '&' does not occur", ex.Reason);
    }

    [Theory]
    [InlineData(2, 4, "ell")]
    [InlineData(1, 12, "hello world!")]
    [InlineData(1, 1, "h")]
    public void Extract_between_positions_counts_from_one_inclusive(int start, int end, string expected)
    {
        var e = RunCommands(Event(Hello), ["extract_between_positions", "$.data.appinfoA", "$.data.appinfoB", start, end]);
        AssertData($$"""{"appinfoA": "hello world!", "appinfoB": "{{expected}}"}""", e);
    }

    [Theory]
    [InlineData(13, 13, "start position 13 must not exceed the length")]
    [InlineData(5, 13, "end position 13 must not exceed the length")]
    public void Extract_between_positions_outside_the_text_fails(int start, int end, string reason)
    {
        Assert.Contains(reason, Fails(Event(Hello), ["extract_between_positions", "$.data.appinfoA", "$.data.appinfoB", start, end]).Reason);
    }

    [Fact]
    public void Extract_between_positions_rejects_positions_known_to_be_wrong()
    {
        Assert.Contains("must be greater than zero (positions count from 1)", Rejects(["extract_between_positions", "$.data.a", "$.data.b", 0, 13]).Reason);
        Assert.Contains("must not be greater than the end position 3", Rejects(["extract_between_positions", "$.data.a", "$.data.b", 5, 3]).Reason);
    }

    [Theory]
    [InlineData("Vanus", "\"false\"")]
    [InlineData("", "\"true\"")]
    public void Extract_missing_flags_an_empty_source(string source, string expected)
    {
        // Vanus extract_missing_test.
        var e = RunCommands(Event($$"""{"source": "{{source}}"}"""), ["extract_missing_action", "$.data.source", "$.data.target", "true", "false"]);
        AssertData($$"""{"source": "{{source}}", "target": {{expected}}}""", e);
    }

    [Fact]
    public void Extract_missing_keeps_number_flags_and_needs_constants()
    {
        var e = RunCommands(Event("""{"source": "Vanus"}"""), ["EXTRACT_MISSING_ACTION", "$.data.source", "$.data.target", 1, 0]);
        AssertData("""{"source": "Vanus", "target": 0}""", e);
        Assert.Contains("must be a constant value", Rejects(["extract_missing_action", "$.data.source", "$.data.target", "$.data.x", "false"]).Reason);
    }
}
