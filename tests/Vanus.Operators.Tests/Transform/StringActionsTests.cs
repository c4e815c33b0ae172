using static Vanus.Operators.Tests.Transform.TransformKit;

namespace Vanus.Operators.Tests.Transform;

public sealed class StringActionsTests
{
    private const string Array = """{"array": [{"key1": "value1"}, {"key1": "value11"}, {"key1": "value111"}]}""";

    [Fact]
    public void Join_joins_values_and_arrays_with_the_separator()
    {
        // Vanus join_test: one value, several values, an array path and a mixture.
        var e = RunCommands(Event(Array),
            ["join", "$.test1", ",", "abc"],
            ["join", "$.test2", ",", "abc", "123"],
            ["join", "$.array1", ",", "$.data.array[:].key1"],
            ["join", "$.array2", ",", "$.data.array[:].key1", "abc"]);
        Assert.Equal("abc", Extension(e, "test1"));
        Assert.Equal("abc,123", Extension(e, "test2"));
        Assert.Equal("value1,value11,value111", Extension(e, "array1"));
        Assert.Equal("value1,value11,value111,abc", Extension(e, "array2"));
    }

    [Fact]
    public void Join_as_in_the_vanus_docs()
    {
        var e = RunCommands(Event("""{"name": "vanus"}"""), ["join", "$.data.desc", "-", "$.data.name", "abc"]);
        AssertData("""{"name": "vanus", "desc": "vanus-abc"}""", e);
    }

    [Fact]
    public void Join_of_an_object_fails()
    {
        Assert.Contains("not a string or an array", Fails(Event("""{"o": {}}"""), ["join", "$.data.j", ",", "$.data.o"]).Reason);
    }

    [Fact]
    public void Upper_and_lower_case()
    {
        var e = RunCommands(Event("""{"action": "created", "name": "ÉCOLE"}"""), ["upper_case", "$.data.action"], ["LOWER_CASE", "$.data.name"]);
        AssertData("""{"action": "CREATED", "name": "école"}""", e);
    }

    [Fact]
    public void Upper_case_of_an_absent_value_fails()
    {
        var ex = Fails(Event("{}"), ["upper_case", "$.data.action"]);
        Assert.Equal("UPPER_CASE", ex.Action);
        Assert.Contains("$.data.action does not exist", ex.Reason);
    }

    [Fact]
    public void Add_prefix_and_suffix_as_in_the_vanus_docs()
    {
        var e = RunCommands(Event("""{"name": "x", "n": 5}"""), ["add_prefix", "$.data.name", "btest_"], ["add_suffix", "$.data.name", "_ntest"], ["add_suffix", "$.data.n", "px"]);
        AssertData("""{"name": "btest_x_ntest", "n": "5px"}""", e);
    }

    [Fact]
    public void Replace_with_regex_replaces_every_match()
    {
        // Vanus replace_with_regex_test: "a-a" with pattern "a" and value "value".
        var e = RunCommands(Event(null, ("test", "a-a")), ["replace_with_regex", "$.test", "a", "value"]);
        Assert.Equal("value-value", Extension(e, "test"));
    }

    [Fact]
    public void Replace_with_regex_expands_go_group_references()
    {
        var e = RunCommands(Event("""{"d": "2023-04-05", "n": "abab"}"""),
            ["replace_with_regex", "$.data.d", @"(?P<y>\d+)-(\d+)-(\d+)", "$3/$2/${y} $$ $9"],
            ["replace_with_regex", "$.data.n", "ab?", "test"]);
        AssertData("""{"d": "05/04/2023 $ ", "n": "testtest"}""", e);
    }

    [Fact]
    public void Replace_with_regex_takes_the_value_from_the_event()
    {
        var e = RunCommands(Event("""{"phone": "555-1234", "mask": "[$1]"}"""), ["replace_with_regex", "$.data.phone", @"(\d+)", "$.data.mask"]);
        AssertData("""{"phone": "[555]-[1234]", "mask": "[$1]"}""", e);
    }

    [Fact]
    public void Replace_with_regex_rejects_a_bad_or_non_constant_pattern()
    {
        Assert.Contains("not a valid regular expression", Rejects(["replace_with_regex", "$.data.a", "(unclosed", "x"]).Reason);
        Assert.Contains("RE2", Rejects(["replace_with_regex", "$.data.a", @"(a)\1", "x"]).Reason);
        Assert.Contains("must be a constant value", Rejects(["replace_with_regex", "$.data.a", "$.data.pattern", "x"]).Reason);
    }

    [Fact]
    public void Replace_string_replaces_every_occurrence()
    {
        var e = RunCommands(Event("""{"name": "ab-ab", "e": "abc"}"""), ["replace_string", "$.data.name", "ab", "abc"], ["replace_string", "$.data.e", "", "-"]);
        AssertData("""{"name": "abc-abc", "e": "-a-b-c-"}""", e);
    }

    [Fact]
    public void Replace_between_positions_replaces_a_range()
    {
        // Vanus replace_between_positions_test: "Hello, World!" 7..12 with "Vanus".
        var e = RunCommands(Event(null, ("test", "Hello, World!")), ["replace_between_positions", "$.test", 7, 12, "Vanus"]);
        Assert.Equal("Hello, Vanus!", Extension(e, "test"));
    }

    [Theory]
    [InlineData(100, 200, "start position 100 must be less than the length")]
    [InlineData(8, 60, "end position 60 must be less than the length")]
    public void Replace_between_positions_outside_the_text_fails(int start, int end, string reason)
    {
        Assert.Contains(reason, Fails(Event(null, ("test", "Start position must be less")), ["replace_between_positions", "$.test", start, end, "x"]).Reason);
    }

    [Fact]
    public void Replace_between_positions_with_start_after_end_is_rejected()
    {
        Assert.Contains("must be less than the end position 5", Rejects(["replace_between_positions", "$.test", 12, 5, "Python"]).Reason);
        Assert.Contains("must not be negative", Rejects(["replace_between_positions", "$.test", -1, 5, "Python"]).Reason);
        Assert.Contains("must be an integer", Rejects(["replace_between_positions", "$.test", "one", 5, "Python"]).Reason);
    }

    [Fact]
    public void Replace_between_delimiters_replaces_delimiters_and_content()
    {
        var e = RunCommands(Event("""{"name1": "a-b&c"}"""), ["replace_between_delimiters", "$.data.name1", "-", "&", "abc"]);
        AssertData("""{"name1": "aabcc"}""", e);
        Assert.Contains("end delimiter '&' does not occur", Fails(Event("""{"name1": "a-b"}"""), ["replace_between_delimiters", "$.data.name1", "-", "&", "x"]).Reason);
        Assert.Contains("empty delimiter", Rejects(["replace_between_delimiters", "$.data.name1", "", "&", "x"]).Reason);
    }

    [Theory]
    [InlineData("hello world", "Hello world")]
    [InlineData("h", "H")]
    [InlineData("", "")]
    [InlineData("élan", "Élan")]
    public void Capitalize_sentence_upper_cases_the_first_character(string input, string expected)
    {
        var e = RunCommands(Event(null, ("test", input)), ["capitalize_sentence", "$.test"]);
        Assert.Equal(expected, Extension(e, "test"));
    }

    [Theory]
    [InlineData("one two three", "One Two Three")]
    [InlineData(" . one, two,   three q four 111 плюс минус  ", " . One, Two,   Three Q Four 111 Плюс Минус  ")]
    [InlineData("", "")]
    [InlineData("♬", "♬")]
    [InlineData("a", "A")]
    [InlineData("let 'em go", "Let 'em Go")]
    [InlineData("𝒶bc 😀 ąb", "𝒶bc 😀 Ąb")]
    public void Capitalize_word_matches_the_vanus_examples(string input, string expected)
    {
        // Every case of Vanus's capitalize_word_test.
        var e = RunCommands(Event(null, ("test", input)), ["capitalize_word", "$.test"]);
        Assert.Equal(expected, Extension(e, "test"));
    }

    [Fact]
    public void Capitalize_word_keeps_a_lone_surrogate()
    {
        Assert.Equal("Ab \ud800x Yz", Vanus.Operators.Transform.TextMapAction.CapitalizeWords("ab \ud800x yz"));
    }

    [Theory]
    [InlineData("value", "\"true\"")]
    [InlineData("Value", "\"false\"")]
    public void Check_custom_values_writes_one_of_two_flags(string custom, string expected)
    {
        // Vanus check_custom_values_test.
        var e = RunCommands(Event("""{"source": "value 2"}"""), ["check_custom_values", "$.data.source", custom, "$.data.target", "true", "false"]);
        AssertData($$"""{"source": "value 2", "target": {{expected}}}""", e);
    }

    [Fact]
    public void Check_custom_values_keeps_number_flags_and_fails_on_a_missing_source()
    {
        var e = RunCommands(Event("""{"source": "value 2"}"""), ["check_custom_values", "$.data.source", "value", "$.data.target", 1, 0]);
        AssertData("""{"source": "value 2", "target": 1}""", e);
        Assert.Contains("$.data.source2 does not exist", Fails(Event("""{"source": "value 2"}"""), ["check_custom_values", "$.data.source2", "value", "$.data.target", "true", "false"]).Reason);
        Assert.Contains("must be a constant value", Rejects(["check_custom_values", "$.data.source", "$.data.x", "$.data.target", "true", "false"]).Reason);
    }
}
