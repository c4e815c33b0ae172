using Vanus.Operators.Cel;
using static Vanus.Operators.Tests.Cel.CelConformanceTests;

namespace Vanus.Operators.Tests.Cel;

/// <summary>The parts of cel-spec's langdef the conformance cases above do not reach: lexis, macros' parse rules, the checker's rejections.</summary>
public sealed class CelLanguageTests
{
    private static CelValue Eval(string expr, bool check = true) => CelProgram.Compile(expr, NoDeclarations.Instance, check).Evaluate(null);

    [Theory]
    [InlineData("'''x''x'''", "\"x''x\"")]
    [InlineData("\"\"\"two\nlines\"\"\"", "\"two\nlines\"")]
    [InlineData(@"r""\\""", @"""\\\\""")]
    [InlineData(@"""\\""", @"""\\""")]
    [InlineData(@"""\303\277""", "\"Ã¿\"")]
    [InlineData(@"""\377""", "\"ÿ\"")]
    [InlineData(@"b""\377""", @"b""\xff""")]
    [InlineData(@"""\xFF""", "\"ÿ\"")]
    [InlineData(@"'\a\b\f\n\r\t\v\?\`'", "\"\a\b\f\n\r\t\v?`\"")]
    [InlineData("rb'\\x00'", @"b""\x5cx00""")]
    [InlineData("0x1F", "31")]
    [InlineData("0xFFu", "255u")]
    [InlineData(".5", "0.5")]
    [InlineData("1e3", "1000.0")]
    [InlineData("1 // a comment\n + 2", "3")]
    [InlineData("18446744073709551615u", "18446744073709551615u")]
    public void Literals_follow_the_lexis(string expr, string expected) => AssertResult(expected, Eval(expr), expr);

    [Theory]
    [InlineData("bool('true')", "true")]
    [InlineData("bool('T')", "true")]
    [InlineData("bool('0')", "false")]
    [InlineData("bool('FALSE')", "false")]
    [InlineData("bool('TrUe')", "error")]
    [InlineData("string(true)", "\"true\"")]
    [InlineData("string(1e21)", "\"1e+21\"")]
    [InlineData("string(123456.0)", "\"123456\"")]
    [InlineData("string(1234567.0)", "\"1.234567e+06\"")]
    [InlineData("string(0.0001)", "\"0.0001\"")]
    [InlineData("string(duration('1m1ms'))", "\"60.001s\"")]
    [InlineData("string(duration('-1.5h'))", "\"-5400s\"")]
    [InlineData("duration('1h30m') == duration('5400s')", "true")]
    [InlineData("duration('1.5us') == duration('1500ns')", "true")]
    [InlineData("duration('1x')", "error:unknown unit")]
    [InlineData("duration('12')", "error:missing unit")]
    [InlineData("timestamp('2009-02-13T23:31:30+01:00') == timestamp('2009-02-13T22:31:30Z')", "true")]
    [InlineData("timestamp('2009-02-13 23:31:30Z')", "error")]
    [InlineData("timestamp('2009-02-30T00:00:00Z')", "error")]
    [InlineData("timestamp(1234567890) == timestamp('2009-02-13T23:31:30Z')", "true")]
    [InlineData("timestamp('2009-02-13T23:31:30Z').getHours('Mars/Olympus')", "error:unknown timezone")]
    [InlineData("int('12x')", "error")]
    [InlineData("int('+5')", "5")]
    [InlineData("uint('-1')", "error")]
    [InlineData("double('1e400')", "error")]
    [InlineData("double('-Infinity') < 0.0", "true")]
    [InlineData("bytes('abc') == b'abc'", "true")]
    public void Conversions_follow_the_standard_definitions(string expr, string expected) => AssertResult(expected, Eval(expr), expr);

    [Theory]
    [InlineData("{'a': 1}.a", "1")]
    [InlineData("{'a': 1}.b", "error:no such key")]
    [InlineData("{'a': 1}['b']", "error:no such key")]
    [InlineData("has({'a': 1}.a)", "true")]
    [InlineData("has({'a': 1}.b)", "false")]
    [InlineData("{'a': {'b': [1, {'c': true}]}}.a.b[1].c", "true")]
    [InlineData("{1: 'one'}[1u]", "\"one\"")]
    [InlineData("{1: 'one'}[1.0]", "\"one\"")]
    [InlineData("{1u: 'one'}[dyn(1)]", "\"one\"")]
    [InlineData("{'a': 1, 'a': 2}", "error:repeated key")]
    [InlineData("{1: 1, 1u: 2}", "error:repeated key")]
    [InlineData("[1, 2, 3].map(x, x > 1, x * 10)", "[20, 30]")]
    [InlineData("{'a': 1, 'b': 2}.map(k, k + k)", "[\"aa\", \"bb\"]")]
    [InlineData("{'a': 1, 'b': 2}.filter(k, k == 'b')", "[\"b\"]")]
    [InlineData("[[1, 2], [3]].exists(l, l.exists(x, x == 3))", "true")]
    [InlineData("[1, 2].all(x, [3, 4].all(x, x > 2))", "true")]
    [InlineData("'abc'.size() + size(b'ab') + size([1]) + {'a': 1}.size()", "7")]
    [InlineData("size('\U0001F431a')", "2")]
    [InlineData("'\U0001F431' > '\uFFFF'", "true")]
    [InlineData("'abc'.matches('^b')", "false")]
    [InlineData("matches('abc', 'b')", "true")]
    [InlineData("1 in {1: 'x'}", "true")]
    [InlineData("2 in [1, 2.0]", "true")]
    public void Aggregates_macros_and_strings_work(string expr, string expected) => AssertResult(expected, Eval(expr), expr);

    [Theory]
    [InlineData("'abc'[0]", "error:no such overload")]
    [InlineData("1 + 1u", "error:no such overload")]
    [InlineData("1 + 1.0", "error:no such overload")]
    [InlineData("'a' + 1", "error:no such overload")]
    [InlineData("'a' * 2", "error:no such overload")]
    [InlineData("{1.5: 'a'}", "error:unsupported key type")]
    [InlineData("1.size()", "error:no such overload")]
    [InlineData("(1).f", "error:does not support field selection")]
    [InlineData("x", "error:undeclared reference")]
    [InlineData("foo(1)", "error:no such overload")]
    [InlineData("'abc'.matches(dyn('('))", "error:invalid regular expression")]
    [InlineData("[1, 'a'].all(x, x)", "error:no such overload")]
    public void Runtime_errors_without_the_checker(string expr, string expected) => AssertResult(expected, Eval(expr, check: false), expr);

    [Theory]
    [InlineData("1 + 1u", 2, "no matching overload for '_+_' applied to (int, uint)")]
    [InlineData("1 + 1.0", 2, "(int, double)")]
    [InlineData("'a' < 1", 4, "no matching overload for '_<_'")]
    [InlineData("1 == 'a'", 2, "'_==_'")]
    [InlineData("x == 1", 0, "undeclared reference to 'x'")]
    [InlineData("foo(1)", 0, "undeclared reference to function 'foo'")]
    [InlineData("size(1)", 0, "no matching overload for 'size' applied to (int)")]
    [InlineData("'abc'.contains(1)", 6, "'contains'")]
    [InlineData("true ? 1 : 'a'", 5, "different types")]
    [InlineData("1 ? 2 : 3", 2, "must be a bool")]
    [InlineData("[1, 2].all(x, x + 1)", 16, "must be a bool")]
    [InlineData("1.all(x, true)", 2, "needs a list or a map")]
    [InlineData("{[1]: 2}", 1, "map key must be int, uint, bool or string")]
    [InlineData("(1).f", 4, "does not support field selection")]
    [InlineData("'abc'.matches('(')", 6, "invalid regular expression")]
    [InlineData("Msg{a: 1}", 3, "message construction")]
    [InlineData("!1", 0, "'!_'")]
    public void The_checker_rejects_ill_typed_expressions(string expr, int position, string reason)
    {
        var ex = Assert.Throws<CelParseException>(() => CelProgram.Compile(expr, NoDeclarations.Instance));
        Assert.Contains(reason, ex.Reason, StringComparison.Ordinal);
        Assert.Equal(position, ex.Position);
        Assert.Equal(expr, ex.Expression);
    }

    [Theory]
    [InlineData("", 0, "empty")]
    [InlineData("1 +", 3, "expected an operand")]
    [InlineData("(1", 2, "expected ')'")]
    [InlineData("'abc", 0, "unterminated string")]
    [InlineData("'a\nb'", 0, "newline in a string literal")]
    [InlineData(@"'\q'", 1, "invalid escape")]
    [InlineData(@"'\u12'", 1, "4 hexadecimal digits")]
    [InlineData(@"'\uD800'", 1, "invalid Unicode code point")]
    [InlineData(@"'\400'", 1, "octal escape")]
    [InlineData("var", 0, "reserved word")]
    [InlineData("a = 1", 2, "'=='")]
    [InlineData("1 & 2", 2, "'&&'")]
    [InlineData("9223372036854775808", 0, "out of range")]
    [InlineData("18446744073709551616u", 0, "out of range")]
    [InlineData("12abc", 0, "malformed number")]
    [InlineData("has(x)", 0, "has() takes one field selection")]
    [InlineData("[1].all(1, true)", 8, "simple variable name")]
    [InlineData("1 2", 2, "expected an operator or the end")]
    [InlineData("[1, 2", 5, "',' or ']'")]
    [InlineData("{1: 2", 5, "',' or '}'")]
    [InlineData("#", 0, "unexpected character '#'")]
    public void The_parser_reports_where_and_what(string expr, int position, string reason)
    {
        var ex = Assert.Throws<CelParseException>(() => CelProgram.Compile(expr, NoDeclarations.Instance));
        Assert.Contains(reason, ex.Reason, StringComparison.Ordinal);
        Assert.Equal(position, ex.Position);
    }

    [Fact]
    public void Parse_errors_give_line_and_column()
    {
        var ex = Assert.Throws<CelParseException>(() => CelProgram.Compile("true &&\n  (1 +", NoDeclarations.Instance));
        Assert.Equal(2, ex.Line);
        Assert.Equal(7, ex.Column);
        Assert.StartsWith("Invalid CEL expression at line 2, column 7:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_beyond_the_limit_is_a_parse_error_not_a_stack_overflow()
    {
        var deep = new string('(', 5000) + "1" + new string(')', 5000);
        var ex = Assert.Throws<CelParseException>(() => CelProgram.Compile(deep, NoDeclarations.Instance));
        Assert.Contains("nests deeper", ex.Reason, StringComparison.Ordinal);

        var longChain = string.Join(" + ", Enumerable.Repeat("1", 5000));
        Assert.Throws<CelParseException>(() => CelProgram.Compile(longChain, NoDeclarations.Instance));
    }

    [Fact]
    public void Constant_subexpressions_are_folded_but_keep_their_errors_lazy()
    {
        // The folded 1/0 is an error value, which && still absorbs.
        AssertResult("false", Eval("false && 1 / 0 == 0"), "false && 1 / 0 == 0");
        AssertResult("error:divide by zero", Eval("true && 1 / 0 == 0"), "true && 1 / 0 == 0");
    }

    [Fact]
    public void A_compiled_program_is_reusable_and_independent_per_evaluation()
    {
        var program = CelProgram.Compile("[1, 2, 3].filter(x, x > 1).map(y, y * 2)", NoDeclarations.Instance);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("[4, 6]", program.Evaluate(null).ToString());
        }
    }
}
