using Vanus.Cli.Output;

namespace Vanus.Cli.Tests;

public sealed class TableTests
{
    [Fact]
    public void WriteTo_aligns_columns_two_spaces_apart_without_trailing_blanks()
    {
        var output = new StringWriter { NewLine = "\n" };

        new Table("A", "LONGER", "C").Add("xxxx", "y", "z").Add("1", "2", "333").WriteTo(output);

        Assert.Equal("A     LONGER  C\nxxxx  y       z\n1     2       333\n", output.ToString());
    }

    [Fact]
    public void Add_refuses_a_row_of_the_wrong_width()
    {
        Assert.Throws<ArgumentException>(() => new Table("A", "B").Add("only one"));
    }

    [Theory]
    [InlineData("short", 10, "short")]
    [InlineData("a\nb\tc", 10, "a b c")]
    [InlineData("0123456789abc", 10, "012345678…")]
    public void Fit_keeps_a_cell_on_one_line_and_within_width(string text, int max, string expected)
    {
        Assert.Equal(expected, Table.Fit(text, max));
    }
}
