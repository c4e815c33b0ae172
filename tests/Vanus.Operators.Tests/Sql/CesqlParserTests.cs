using Vanus.Operators.Sql;
using static Vanus.Operators.Tests.Sql.CesqlTestEvents;

namespace Vanus.Operators.Tests.Sql;

public sealed class CesqlParserTests
{
    [Theory]
    [InlineData("", 0, "an expression", "end of input")]
    [InlineData("   ", 3, "an expression", "end of input")]
    [InlineData("ABC(", 4, "an expression", "end of input")]
    [InlineData("a = ", 4, "an expression", "end of input")]
    [InlineData("(a = 1", 6, "')' to close the '(' at position 0", "end of input")]
    [InlineData("LEFT('abc' 2)", 11, "',' or ')' to close the arguments of LEFT", "'2'")]
    [InlineData("x LIKE 123", 7, "a string literal (the LIKE pattern)", "'123'")]
    [InlineData("x LIKE y", 7, "a string literal (the LIKE pattern)", "'y'")]
    [InlineData("x IN ()", 6, "an expression (an IN set must not be empty)", "')'")]
    [InlineData("x IN 1", 5, "'(' to open the IN set", "'1'")]
    [InlineData("x IN (1, 2", 10, "',' or ')' to close the IN set", "end of input")]
    [InlineData("EXISTS 1", 7, "an attribute name after EXISTS", "'1'")]
    [InlineData("EXISTS my_ext", 7, "an attribute name after EXISTS", "'my_ext'")]
    [InlineData("a NOT b", 6, "LIKE or IN after NOT", "'b'")]
    [InlineData("a b", 2, "an operator or the end of the expression", "'b'")]
    [InlineData("1 == 1", 3, "an expression", "'='")]
    [InlineData("+ 5", 0, "an expression", "'+'")]
    [InlineData("CONCAT_WS", 9, "'(' after the function name CONCAT_WS", "end of input")]
    [InlineData("abc1(2)", 4, "an operator or the end of the expression", "'('")]
    [InlineData("a # b", 2, "an operator, a literal, an identifier or a parenthesis", "'#'")]
    [InlineData("a ! b", 2, "'!=' ('!' alone is not an operator)", "'!'")]
    [InlineData("a = 'abc", 4, "a closing ' for the string literal that starts here", "end of input")]
    [InlineData("a = \"abc\\\"", 4, "a closing \" for the string literal that starts here", "end of input")]
    [InlineData("2147483648", 0, "an integer literal between -2147483648 and 2147483647", "'2147483648'")]
    [InlineData("1 + -2147483649", 4, "an integer literal between -2147483648 and 2147483647", "'-2147483649'")]
    [InlineData("- 2147483648", 2, "an integer literal between -2147483648 and 2147483647", "'2147483648'")]
    [InlineData("99999999999999999999999", 0, "an integer literal between -2147483648 and 2147483647", "'99999999999999999999999'")]
    [InlineData("a\u00A0= 1", 1, "an operator, a literal, an identifier or a parenthesis", "'\u00A0'")]
    public void Parse_error_names_position_expected_and_found(string text, int position, string expected, string found)
    {
        var error = Assert.Throws<CesqlParseException>(() => CesqlExpression.Parse(text));
        Assert.Equal(position, error.Position);
        Assert.Equal(expected, error.Expected);
        Assert.Equal(found, error.Found);
        Assert.Equal(CesqlErrorKind.Parse, error.Kind);
        Assert.Contains($"position {position}", error.Message);
        Assert.Contains($"expected {expected}", error.Message);
        Assert.Contains(text, error.Message);
    }

    [Fact]
    public void A_lexical_error_after_a_syntax_error_does_not_hide_it()
    {
        var error = Assert.Throws<CesqlParseException>(() => CesqlExpression.Parse("a = = #"));
        Assert.Equal(4, error.Position);
        Assert.Equal("an expression", error.Expected);
    }

    [Fact]
    public void TryParse_returns_the_error_instead_of_throwing()
    {
        Assert.False(CesqlExpression.TryParse("type LIKE", out var expression, out var error));
        Assert.Null(expression);
        Assert.Equal(9, error!.Position);

        Assert.True(CesqlExpression.TryParse("type LIKE 'a%'", out expression, out error));
        Assert.Null(error);
        Assert.Equal("type LIKE 'a%'", expression!.Text);
    }

    [Fact]
    public void Parse_rejects_null() => Assert.Throws<ArgumentNullException>(() => CesqlExpression.Parse(null!));

    [Theory]
    [InlineData(300, "(", ")")]
    [InlineData(300, "NOT ", "")]
    [InlineData(300, "-", "")]
    [InlineData(300, "ABS(", ")")]
    public void Nesting_deeper_than_the_limit_is_a_parse_error_not_a_stack_overflow(int depth, string open, string close)
    {
        var text = string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth));
        var error = Assert.Throws<CesqlParseException>(() => CesqlExpression.Parse(text));
        Assert.Equal($"at most {CesqlParser.MaxDepth} levels of nesting", error.Expected);
    }

    [Fact]
    public void A_left_associative_chain_deeper_than_the_limit_is_a_parse_error()
    {
        var text = "1" + string.Concat(Enumerable.Repeat(" + 1", 300));
        var error = Assert.Throws<CesqlParseException>(() => CesqlExpression.Parse(text));
        Assert.Equal($"at most {CesqlParser.MaxDepth} levels of nesting", error.Expected);
        AssertValue(Eval("1" + string.Concat(Enumerable.Repeat(" + 1", 150))), 151);
    }

    [Fact]
    public void Long_AND_OR_chains_parse_and_evaluate_without_recursion()
    {
        var anyOf = string.Join(" OR ", Enumerable.Range(0, 5000).Select(i => $"n = {i}"));
        var expression = CesqlExpression.Parse(anyOf);
        Assert.True(expression.Matches(With(("n", 4999))));
        Assert.False(expression.Matches(With(("n", 5000))));

        var mixed = string.Join(" ", Enumerable.Range(0, 3000).Select(i => $"n = {i} {(i % 3 == 0 ? "AND" : i % 3 == 1 ? "OR" : "XOR")}")) + " TRUE";
        Assert.Equal(CesqlType.Boolean, CesqlExpression.Parse(mixed).Evaluate(With(("n", 7))).Type);
    }

    [Theory]
    [InlineData("true and TRUE", true)]
    [InlineData("tRuE Or fAlSe", true)]
    [InlineData("NoT fAlSe", true)]
    [InlineData("1 iN (1)", true)]
    [InlineData("'ab' lIkE 'a%'", true)]
    [InlineData("exists ID", true)]
    [InlineData("EXISTS SOURCE", true)]
    [InlineData("length('abc') = 3", true)]
    [InlineData("concat_ws('-', 'a', 'b') = 'a-b'", true)]
    [InlineData("Concat_Ws('-', 'a') = 'a'", true)]
    public void Keywords_function_names_and_attribute_names_are_case_insensitive(string text, bool expected) =>
        AssertValue(Eval(text), expected);

    [Theory]
    [InlineData("'it''s'", "it's")]
    [InlineData("\"say \"\"hi\"\"\"", "say \"hi\"")]
    [InlineData("'a\\'b'", "a'b")]
    [InlineData("\"a\\\"b\"", "a\"b")]
    [InlineData("'a\"b'", "a\"b")]
    [InlineData("\"a'b\"", "a'b")]
    [InlineData("'a\\nb'", "a\\nb")]
    [InlineData("'a\\\\'", "a\\\\")]
    [InlineData("'tab\there'", "tab\there")]
    [InlineData("''", "")]
    [InlineData("'😀'", "😀")]
    public void String_literals_unescape_only_their_own_quote(string text, string expected) => AssertValue(Eval(text), expected);

    [Theory]
    [InlineData("-2147483648", int.MinValue)]
    [InlineData("2147483647", int.MaxValue)]
    [InlineData("+5", 5)]
    [InlineData("- 5", -5)]
    [InlineData("--5", 5)]
    [InlineData("-(-5)", 5)]
    [InlineData("007", 7)]
    [InlineData("1-1", 0)]
    [InlineData("5 -3", 2)]
    [InlineData("5 +3", 8)]
    [InlineData("5 - -3", 8)]
    [InlineData("2+-3", -1)]
    public void A_sign_before_digits_is_part_of_the_literal_only_where_an_operand_is_expected(string text, int expected) =>
        AssertValue(Eval(text), expected);

    [Fact]
    public void Identifiers_may_mix_letters_and_digits_and_start_with_a_digit()
    {
        var e = With(("abc123", "x"), ("123abc", "y"));
        AssertValue(Eval("abc123", e), "x");
        AssertValue(Eval("123abc", e), "y");
        AssertValue(Eval("ABC123 = 'x'", e), true);
        AssertValue(Eval("amount-1", With(("amount", 5))), 4);
    }

    [Theory]
    [InlineData("2 + 3 * 4", 14)]
    [InlineData("(2 + 3) * 4", 20)]
    [InlineData("10 - 4 - 3", 3)]
    [InlineData("100 / 10 / 5", 2)]
    [InlineData("2 * 3 % 4", 2)]
    [InlineData("-2 * 3", -6)]
    [InlineData("1 + 1 IN (2)", 1)]
    [InlineData("1 + (1 IN (1))", 2)]
    public void Arithmetic_precedence_and_associativity(string text, int expected) => AssertValue(Eval(text), expected);

    [Theory]
    [InlineData("NOT TRUE = FALSE", true)]
    [InlineData("NOT (TRUE = FALSE)", true)]
    [InlineData("1 + 2 = 3", true)]
    [InlineData("'a' LIKE 'a' = TRUE", true)]
    [InlineData("1 < 2 = TRUE", true)]
    [InlineData("TRUE OR FALSE AND FALSE", true)]
    [InlineData("FALSE AND FALSE OR TRUE", false)]
    [InlineData("(FALSE AND FALSE) OR TRUE", true)]
    [InlineData("TRUE XOR TRUE XOR TRUE", true)]
    [InlineData("FALSE XOR TRUE AND FALSE", false)]
    [InlineData("TRUE XOR FALSE OR TRUE", false)]
    public void Logic_operators_share_one_level_and_associate_to_the_right_as_the_grammar_says(string text, bool expected) =>
        AssertValue(Eval(text), expected);

    [Fact]
    public void Text_and_ToString_give_the_expression_as_written()
    {
        var expression = CesqlExpression.Parse("  type = 'x'  ");
        Assert.Equal("  type = 'x'  ", expression.Text);
        Assert.Equal("  type = 'x'  ", expression.ToString());
    }
}
