using Vanus.Operators.Sql;
using static Vanus.Operators.Tests.Sql.CesqlTestEvents;

namespace Vanus.Operators.Tests.Sql;

public sealed class CesqlFunctionTests
{
    [Theory]
    [InlineData("LENGTH('😀')", 1)]
    [InlineData("LENGTH('a😀b')", 3)]
    [InlineData("LENGTH('')", 0)]
    [InlineData("ABS(-5)", 5)]
    [InlineData("abs(7)", 7)]
    [InlineData("INT('+7')", 7)]
    [InlineData("INT('-2147483648')", int.MinValue)]
    [InlineData("INT(FALSE)", 0)]
    public void Integer_results(string text, int expected) => AssertValue(Eval(text), expected);

    [Theory]
    [InlineData("LEFT('a😀b', 2)", "a😀")]
    [InlineData("RIGHT('a😀b', 2)", "😀b")]
    [InlineData("SUBSTRING('a😀b', 2, 1)", "😀")]
    [InlineData("SUBSTRING('a😀b', -1)", "b")]
    [InlineData("SUBSTRING('abc', 2, 2147483647)", "bc")]
    [InlineData("SUBSTRING('abc', -3, 1)", "a")]
    [InlineData("SUBSTRING('abc', 3)", "c")]
    [InlineData("SUBSTRING('', 0)", "")]
    [InlineData("LEFT('abc', 0)", "")]
    [InlineData("RIGHT('abc', 3)", "abc")]
    [InlineData("CONCAT('a', 1, TRUE, 'b', -2)", "a1trueb-2")]
    [InlineData("CONCAT('a', 'b')", "ab")]
    [InlineData("CONCAT_WS(', ', 'a', 'b', 'c', 'd')", "a, b, c, d")]
    [InlineData("CONCAT_WS(1, 2, 3)", "213")]
    [InlineData("LOWER('ÀBC')", "àbc")]
    [InlineData("UPPER('àbc')", "ÀBC")]
    [InlineData("TRIM('\u2003\t x y \n\u00A0')", "x y")]
    [InlineData("TRIM('\u0001x')", "\u0001x")]
    [InlineData("STRING(-0)", "0")]
    [InlineData("STRING(2147483647)", "2147483647")]
    public void String_results(string text, string expected) => AssertValue(Eval(text), expected);

    [Theory]
    [InlineData("IS_INT('12')", true)]
    [InlineData("IS_INT('-12')", true)]
    [InlineData("IS_INT('1.5')", false)]
    [InlineData("IS_INT(' 1')", false)]
    [InlineData("IS_INT('2147483648')", false)]
    [InlineData("IS_INT(TRUE)", true)]
    [InlineData("IS_INT(7)", true)]
    [InlineData("IS_BOOL('TRUE')", true)]
    [InlineData("IS_BOOL('false')", true)]
    [InlineData("IS_BOOL('yes')", false)]
    [InlineData("IS_BOOL(5)", true)]
    [InlineData("BOOL('True')", true)]
    [InlineData("BOOL(0)", false)]
    public void Boolean_results(string text, bool expected) => AssertValue(Eval(text), expected);

    [Theory]
    [InlineData("INT(' 7')", 0, CesqlErrorKind.Cast)]
    [InlineData("INT('7 ')", 0, CesqlErrorKind.Cast)]
    [InlineData("INT('2147483648')", 0, CesqlErrorKind.Cast)]
    [InlineData("INT('')", 0, CesqlErrorKind.Cast)]
    [InlineData("INT('-')", 0, CesqlErrorKind.Cast)]
    [InlineData("BOOL('yes')", false, CesqlErrorKind.Cast)]
    [InlineData("LEFT('abc', -1)", "abc", CesqlErrorKind.FunctionEvaluation)]
    [InlineData("RIGHT('abc', -1)", "abc", CesqlErrorKind.FunctionEvaluation)]
    [InlineData("SUBSTRING('abc', 0, -1)", "", CesqlErrorKind.FunctionEvaluation)]
    [InlineData("SUBSTRING('abc', 1, -1)", "", CesqlErrorKind.FunctionEvaluation)]
    [InlineData("SUBSTRING('abc', 4)", "", CesqlErrorKind.FunctionEvaluation)]
    [InlineData("SUBSTRING('abc', -4)", "", CesqlErrorKind.FunctionEvaluation)]
    [InlineData("ABS(-2147483648)", int.MaxValue, CesqlErrorKind.Math)]
    [InlineData("LENGTH(LEFT('abc', -1))", 0, CesqlErrorKind.FunctionEvaluation)]
    [InlineData("ABS(-2147483648) = 2147483647", false, CesqlErrorKind.Math)]
    [InlineData("LEFT('abc', 'x')", "", CesqlErrorKind.Cast)]
    [InlineData("IS_INT(missing)", false, CesqlErrorKind.MissingAttribute)]
    [InlineData("INT(missing)", 0, CesqlErrorKind.MissingAttribute)]
    [InlineData("UPPER(missing)", "", CesqlErrorKind.MissingAttribute)]
    [InlineData("CONCAT_WS(missing, 'a')", "", CesqlErrorKind.MissingAttribute)]
    [InlineData("CONCAT('a', 'b', 'c', 'd', missing)", "", CesqlErrorKind.MissingAttribute)]
    public void Function_errors_give_the_value_the_spec_defines_and_the_error(string text, object expected, CesqlErrorKind error) =>
        AssertValue(Eval(text), expected, error);

    [Theory]
    [InlineData("FOO(1)", "there is no function FOO (FOO at position 0)")]
    [InlineData("foo_bar()", "there is no function FOO_BAR (FOO_BAR at position 0)")]
    [InlineData("ABS(1, 2)", "ABS takes 1 argument(s), not 2 (ABS at position 0)")]
    [InlineData("SUBSTRING('a')", "SUBSTRING takes 2 or 3 argument(s), not 1 (SUBSTRING at position 0)")]
    [InlineData("CONCAT_WS()", "CONCAT_WS takes at least 1 argument(s), not 0 (CONCAT_WS at position 0)")]
    [InlineData("FOO(missing)", "there is no function FOO (FOO at position 0)")]
    public void A_call_that_cannot_be_dispatched_is_false_with_a_missing_function_error(string text, string message)
    {
        var result = Eval(text);
        AssertValue(result, false, CesqlErrorKind.MissingFunction);
        Assert.Equal(message, result.ErrorMessage);
    }

    [Fact]
    public void A_missing_function_is_raised_where_it_is_evaluated()
    {
        AssertValue(Eval("FALSE AND FOO()"), false);
        AssertValue(Eval("missing = 1 AND FOO()"), false, CesqlErrorKind.MissingAttribute);
        AssertValue(Eval("TRUE AND FOO()"), false, CesqlErrorKind.MissingFunction);
    }

    [Fact]
    public void Functions_over_attributes_are_evaluated_per_event()
    {
        var expression = CesqlExpression.Parse("UPPER(CONCAT_WS('/', region, tenant))");
        AssertValue(expression.Evaluate(With(("region", "eu"), ("tenant", "acme"))), "EU/ACME");
        AssertValue(expression.Evaluate(With(("region", "us"), ("tenant", "beta"))), "US/BETA");
    }
}
