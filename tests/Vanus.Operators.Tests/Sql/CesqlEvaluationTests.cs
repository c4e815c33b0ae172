using Vanus.Operators.Sql;
using Vanus.Runtime.Events;
using static Vanus.Operators.Tests.Sql.CesqlTestEvents;

namespace Vanus.Operators.Tests.Sql;

public sealed class CesqlEvaluationTests
{
    private static readonly Event Typed = With(("myint", 10), ("flag", true), ("mystr", "2"), ("word", "abc"), ("yes", "TRUE"));

    [Theory]
    [InlineData("2147483647 + 1")]
    [InlineData("-2147483648 - 1")]
    [InlineData("65536 * 65536")]
    [InlineData("-2147483648 / -1")]
    [InlineData("-(-2147483648)")]
    [InlineData("5 / 0")]
    [InlineData("5 % 0")]
    public void Integer_overflow_and_division_by_zero_give_zero_and_a_math_error(string text) =>
        AssertValue(Eval(text), 0, CesqlErrorKind.Math);

    [Theory]
    [InlineData("-2147483648 % -1", 0)]
    [InlineData("-7 / 2", -3)]
    [InlineData("7 / -2", -3)]
    [InlineData("-7 % 2", -1)]
    [InlineData("7 % -3", 1)]
    [InlineData("2147483647 + 0", int.MaxValue)]
    [InlineData("-2147483647 - 1", int.MinValue)]
    public void Division_truncates_and_the_remainder_takes_the_dividend_sign(string text, int expected) =>
        AssertValue(Eval(text), expected);

    [Fact]
    public void Errors_carry_a_message_naming_the_operator_or_attribute_and_its_position()
    {
        var math = Eval("1 + 10 / 0");
        Assert.Contains("'/' at position 7", math.ErrorMessage);
        var missing = Eval("type = 'x' OR amount > 1");
        Assert.Equal(CesqlErrorKind.MissingAttribute, missing.Error);
        Assert.Equal("attribute 'amount' at position 14 is not in the event", missing.ErrorMessage);
        var cast = Eval("1 + 'abc'");
        Assert.Equal("the string 'abc' at position 4 cannot be cast to Integer", cast.ErrorMessage);
        Assert.Null(Eval("1 + 1").ErrorMessage);
    }

    [Theory]
    [InlineData("'abc' + missing", CesqlErrorKind.MissingAttribute)]
    [InlineData("missing + 'abc'", CesqlErrorKind.MissingAttribute)]
    [InlineData("word + missing", CesqlErrorKind.MissingAttribute)]
    [InlineData("word + 1 / 0", CesqlErrorKind.Math)]
    [InlineData("'abc' + 1", CesqlErrorKind.Cast)]
    [InlineData("1 + 'abc'", CesqlErrorKind.Cast)]
    [InlineData("word + 1", CesqlErrorKind.Cast)]
    [InlineData("1 / missing", CesqlErrorKind.MissingAttribute)]
    [InlineData("ABS(-2147483648) + missing", CesqlErrorKind.Math)]
    public void Operands_are_evaluated_left_to_right_before_they_are_cast_and_the_first_error_wins(string text, CesqlErrorKind error) =>
        AssertValue(Eval(text, Typed), 0, error);

    [Fact]
    public void A_cast_failure_of_the_left_operand_is_reported_before_one_of_the_right()
    {
        var result = Eval("'x' + 'y'");
        Assert.Equal(CesqlErrorKind.Cast, result.Error);
        Assert.Contains("'x' at position 0", result.ErrorMessage);
    }

    [Theory]
    [InlineData("FALSE AND missing", false, CesqlErrorKind.None)]
    [InlineData("TRUE OR missing", true, CesqlErrorKind.None)]
    [InlineData("TRUE AND missing", false, CesqlErrorKind.MissingAttribute)]
    [InlineData("FALSE OR missing", false, CesqlErrorKind.MissingAttribute)]
    [InlineData("TRUE XOR missing", false, CesqlErrorKind.MissingAttribute)]
    [InlineData("missing AND FALSE", false, CesqlErrorKind.MissingAttribute)]
    [InlineData("TRUE AND 'maybe'", false, CesqlErrorKind.Cast)]
    [InlineData("'maybe' OR TRUE", false, CesqlErrorKind.Cast)]
    [InlineData("'true' AND 1", true, CesqlErrorKind.None)]
    [InlineData("myint = 10 AND (flag OR missing)", true, CesqlErrorKind.None)]
    [InlineData("NOT (1 / 0 = 0)", false, CesqlErrorKind.Math)]
    [InlineData("NOT missing", false, CesqlErrorKind.MissingAttribute)]
    [InlineData("missing NOT LIKE 'x'", false, CesqlErrorKind.MissingAttribute)]
    [InlineData("missing NOT IN (1)", false, CesqlErrorKind.MissingAttribute)]
    [InlineData("1 NOT IN (missing)", false, CesqlErrorKind.MissingAttribute)]
    public void Logic_short_circuits_and_errors_yield_false(string text, bool expected, CesqlErrorKind error) =>
        AssertValue(Eval(text, Typed), expected, error);

    [Theory]
    [InlineData("myint = '10'", true)]
    [InlineData("'10' = myint", true)]
    [InlineData("'010' = myint", true)]
    [InlineData("myint = '010'", false)]
    [InlineData("flag = 'TRUE'", false)]
    [InlineData("'TRUE' = flag", true)]
    [InlineData("yes = flag", true)]
    [InlineData("flag = yes", false)]
    [InlineData("mystr = 2", true)]
    [InlineData("2 = mystr", true)]
    [InlineData("myint <> '10'", false)]
    [InlineData("myint + mystr", 12)]
    [InlineData("myint > mystr", true)]
    [InlineData("flag + 1", 2)]
    [InlineData("LENGTH(myint)", 2)]
    [InlineData("myint LIKE '1_'", true)]
    [InlineData("flag LIKE 'tr%'", true)]
    public void The_right_operand_picks_the_overload_and_extensions_keep_their_types(string text, object expected) =>
        AssertValue(Eval(text, Typed), expected);

    [Theory]
    [InlineData("word = 1", CesqlErrorKind.Cast)]
    [InlineData("1 = word", CesqlErrorKind.None)]
    [InlineData("word = TRUE", CesqlErrorKind.Cast)]
    [InlineData("word = myint", CesqlErrorKind.Cast)]
    [InlineData("word < 'b'", CesqlErrorKind.Cast)]
    public void A_cast_that_fails_gives_false_and_a_cast_error(string text, CesqlErrorKind error) =>
        AssertValue(Eval(text, Typed), false, error);

    [Theory]
    [InlineData("myint IN ('10', 'x')", true, CesqlErrorKind.None)]
    [InlineData("myint IN ('x', '10')", false, CesqlErrorKind.Cast)]
    [InlineData("mystr IN (1, 2)", true, CesqlErrorKind.None)]
    [InlineData("flag IN ('false', 'TRUE')", true, CesqlErrorKind.None)]
    [InlineData("word IN (1)", false, CesqlErrorKind.None)]
    [InlineData("myint IN (missing, 10)", false, CesqlErrorKind.MissingAttribute)]
    [InlineData("myint IN (10, missing)", true, CesqlErrorKind.None)]
    [InlineData("myint NOT IN (1, 2, 3)", true, CesqlErrorKind.None)]
    [InlineData("type IN ('order.created', id)", true, CesqlErrorKind.None)]
    [InlineData("5 IN (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)", true, CesqlErrorKind.None)]
    [InlineData("myint IN (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)", true, CesqlErrorKind.None)]
    [InlineData("myint IN (1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13)", false, CesqlErrorKind.None)]
    [InlineData("word IN ('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'abc')", true, CesqlErrorKind.None)]
    [InlineData("1 IN ('a')", false, CesqlErrorKind.Cast)]
    public void In_compares_with_the_left_operand_type_in_order_and_stops_at_a_match(string text, bool expected, CesqlErrorKind error) =>
        AssertValue(Eval(text, Typed), expected, error);

    [Fact]
    public void Core_attributes_read_as_strings_and_time_keeps_its_offset()
    {
        var e = new Event("id-1", "https://example.com/src", "t.x")
        {
            Subject = "sub",
            DataContentType = "application/json",
            DataSchema = "https://example.com/schema",
            Time = new DateTimeOffset(2018, 4, 26, 14, 48, 9, TimeSpan.FromHours(2)).AddTicks(1_234_000),
        };
        AssertValue(Eval("specversion", e), "1.0");
        AssertValue(Eval("id", e), "id-1");
        AssertValue(Eval("source", e), "https://example.com/src");
        AssertValue(Eval("subject", e), "sub");
        AssertValue(Eval("datacontenttype", e), "application/json");
        AssertValue(Eval("dataschema", e), "https://example.com/schema");
        AssertValue(Eval("time", e), "2018-04-26T14:48:09.1234+02:00");
        AssertValue(Eval("time", e with { Time = new DateTimeOffset(2020, 1, 2, 3, 4, 5, TimeSpan.Zero) }), "2020-01-02T03:04:05Z");
        AssertValue(Eval("time LIKE '2018-%'", e), true);
    }

    [Theory]
    [InlineData("subject")]
    [InlineData("time")]
    [InlineData("datacontenttype")]
    [InlineData("dataschema")]
    [InlineData("myext")]
    public void A_missing_attribute_alone_is_an_untyped_false_with_a_missing_attribute_error(string name)
    {
        var expression = CesqlExpression.Parse(name);
        Assert.Null(expression.ResultType);
        AssertValue(expression.Evaluate(Plain), false, CesqlErrorKind.MissingAttribute);
        Assert.False(expression.Matches(Plain));
    }

    [Theory]
    [InlineData("LENGTH(subject)", 0)]
    [InlineData("-myext", 0)]
    [InlineData("CONCAT('a', myext, 'b')", "")]
    [InlineData("myext = 'x'", false)]
    [InlineData("myext LIKE 'x%'", false)]
    public void A_missing_attribute_gives_the_zero_value_of_the_enclosing_operator(string text, object expected) =>
        AssertValue(Eval(text), expected, CesqlErrorKind.MissingAttribute);

    [Fact]
    public void Binary_timestamp_and_uri_extensions_read_as_their_canonical_strings()
    {
        var e = With(("bin", new byte[] { 1, 2, 3 }), ("at", new DateTimeOffset(2021, 5, 6, 7, 8, 9, TimeSpan.Zero)), ("link", new Uri("https://x.example/a")));
        AssertValue(Eval("bin", e), "AQID");
        AssertValue(Eval("at", e), "2021-05-06T07:08:09Z");
        AssertValue(Eval("link", e), "https://x.example/a");
        AssertValue(Eval("bin = 'AQID'", e), true);
    }

    [Fact]
    public void Exists_checks_optional_attributes_and_extensions_and_is_always_true_for_required_ones()
    {
        var full = Typed with { Subject = "s", DataContentType = "text/plain", DataSchema = "https://s", Time = DateTimeOffset.UnixEpoch };
        foreach (var name in new[] { "subject", "datacontenttype", "dataschema", "time", "myint", "flag" })
        {
            AssertValue(Eval($"EXISTS {name}", full), true);
            AssertValue(Eval($"EXISTS {name}", Plain), false);
        }

        foreach (var name in new[] { "specversion", "id", "source", "type" })
        {
            AssertValue(Eval($"EXISTS {name}", Plain), true);
        }

        AssertValue(Eval("EXISTS data", Plain.WithTextData("x")), false);
    }

    [Fact]
    public void Matches_is_true_only_for_a_boolean_true_without_an_error()
    {
        Assert.True(CesqlExpression.Parse("myint > 5").Matches(Typed));
        Assert.False(CesqlExpression.Parse("myint > 50").Matches(Typed));
        Assert.False(CesqlExpression.Parse("missing > 5").Matches(Typed));
        Assert.False(CesqlExpression.Parse("1").Matches(Typed));
        Assert.False(CesqlExpression.Parse("'true'").Matches(Typed));
        Assert.True(CesqlExpression.Parse("flag").Matches(Typed));
        Assert.False(CesqlExpression.Parse("yes").Matches(Typed));
        Assert.False(CesqlExpression.Parse("myint").Matches(Typed));
        Assert.False(CesqlExpression.Parse("TRUE AND 1 / 0 = 0").Matches(Typed));
        Assert.True(CesqlExpression.Parse("TRUE").Matches(Typed));
    }

    [Theory]
    [InlineData("1 + 1", CesqlType.Integer)]
    [InlineData("type", CesqlType.String)]
    [InlineData("specversion", CesqlType.String)]
    [InlineData("myint > 1", CesqlType.Boolean)]
    [InlineData("CONCAT(myint)", CesqlType.String)]
    [InlineData("FOO()", CesqlType.Boolean)]
    public void ResultType_is_known_when_it_does_not_depend_on_the_event(string text, CesqlType type) =>
        Assert.Equal(type, CesqlExpression.Parse(text).ResultType);

    [Fact]
    public void Evaluate_rejects_a_null_event()
    {
        var expression = CesqlExpression.Parse("TRUE");
        Assert.Throws<ArgumentNullException>(() => expression.Evaluate(null!));
        Assert.Throws<ArgumentNullException>(() => expression.Matches(null!));
    }

    [Fact]
    public void One_expression_is_safe_to_evaluate_from_many_threads()
    {
        var expression = CesqlExpression.Parse("n % 3 = 0 AND CONCAT('x', n) LIKE 'x%'");
        var failures = 0;
        Parallel.For(0, 20_000, i =>
        {
            if (expression.Matches(With(("n", i))) != (i % 3 == 0))
            {
                Interlocked.Increment(ref failures);
            }
        });
        Assert.Equal(0, failures);
    }
}
