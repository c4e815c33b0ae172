using System.Text;
using System.Text.RegularExpressions;
using Vanus.Operators.Sql;
using static Vanus.Operators.Tests.Sql.CesqlTestEvents;

namespace Vanus.Operators.Tests.Sql;

public sealed class LikePatternTests
{
    [Theory]
    [InlineData("abc", "abc", true)]
    [InlineData("abc", "abd", false)]
    [InlineData("abc", "ABC", false)]
    [InlineData("/shop/orders", "/shop/%", true)]
    [InlineData("/shop", "/shop/%", false)]
    [InlineData("com.github.error", "%.error", true)]
    [InlineData("a.error.b", "%.error", false)]
    [InlineData("xxerroryy", "%error%", true)]
    [InlineData("abc", "a%c", true)]
    [InlineData("ac", "a%c", true)]
    [InlineData("a", "a%a", false)]
    [InlineData("aa", "a%a", true)]
    [InlineData("ab", "a%b%", true)]
    [InlineData("", "%", true)]
    [InlineData("", "", true)]
    [InlineData("", "_", false)]
    [InlineData("abc", "%%%", true)]
    [InlineData("abcabc", "%b_a%c", true)]
    [InlineData("abcab", "%b_a%c", false)]
    [InlineData("100%", "100\\%", true)]
    [InlineData("1000", "100\\%", false)]
    [InlineData("a_c", "a\\_c", true)]
    [InlineData("abc", "a\\_c", false)]
    [InlineData("a\\c", "a\\c", true)]
    [InlineData("a\\", "a\\", true)]
    [InlineData("a\\x", "a\\%", false)]
    [InlineData("a\\%", "a\\\\%", true)]
    [InlineData("😀", "_", true)]
    [InlineData("😀", "__", false)]
    [InlineData("a😀b", "a_b", true)]
    [InlineData("a😀b", "%_b", true)]
    [InlineData("😀😀x", "%_x", true)]
    [InlineData("x😀", "x%_", true)]
    [InlineData("x😀y😀", "_%_y_", true)]
    public void Matches_like_the_spec_describes(string text, string pattern, bool expected) =>
        Assert.Equal(expected, LikePattern.Compile(pattern).IsMatch(text));

    [Fact]
    public void Agrees_with_a_regular_expression_reading_of_the_spec_on_random_patterns()
    {
        // A fixed seed keeps the run reproducible; the small alphabet makes wildcards, escapes and literals collide often.
        const string alphabet = "ab%_\\";
        var random = new Random(20240613);
        string Next() => new([.. Enumerable.Range(0, random.Next(0, 9)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
        for (var i = 0; i < 20_000; i++)
        {
            var (pattern, text) = (Next(), Next());
            Assert.True(LikePattern.Compile(pattern).IsMatch(text) == ReferenceMatch(pattern, text), $"'{text}' LIKE '{pattern}'");
        }
    }

    [Fact]
    public void The_pattern_must_be_a_literal_and_the_operand_is_cast_to_string()
    {
        AssertValue(Eval("234 LIKE '23_'"), true);
        AssertValue(Eval("TRUE LIKE 'tr%'"), true);
        Assert.Throws<CesqlParseException>(() => CesqlExpression.Parse("'a' LIKE 'a' || 'b'"));
        Assert.Throws<CesqlParseException>(() => CesqlExpression.Parse("'a' LIKE CONCAT('a')"));
    }

    // The spec's rules, written the obvious way: '%' is '.*', '_' is one character, '\%' and '\_' are literal,
    // any other backslash is itself.
    private static bool ReferenceMatch(string pattern, string text)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] == '\\' && i + 1 < pattern.Length && pattern[i + 1] is '%' or '_')
            {
                regex.Append(Regex.Escape(pattern[++i].ToString()));
            }
            else
            {
                regex.Append(pattern[i] switch
                {
                    '%' => ".*",
                    '_' => ".",
                    var c => Regex.Escape(c.ToString()),
                });
            }
        }

        return Regex.IsMatch(text, regex.Append('$').ToString(), RegexOptions.Singleline | RegexOptions.CultureInvariant);
    }
}
