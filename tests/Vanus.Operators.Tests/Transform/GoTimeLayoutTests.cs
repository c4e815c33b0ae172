using Vanus.Operators.Transform;

namespace Vanus.Operators.Tests.Transform;

public sealed class GoTimeLayoutTests
{
    // Go's reference time is Mon Jan 2 15:04:05 MST 2006; this instant is a Tuesday afternoon in 2009 with a fraction.
    private static readonly DateTimeOffset Instant = new DateTimeOffset(2009, 2, 3, 16, 5, 7, TimeSpan.Zero).AddTicks(1_234_500);

    [Theory]
    [InlineData("2006-01-02 15:04:05", "2009-02-03 16:05:07")]
    [InlineData("Mon Jan _2 3:4:5 PM 06", "Tue Feb  3 4:5:7 PM 09")]
    [InlineData("Monday, January 2", "Tuesday, February 3")]
    [InlineData("002 __2", "034  34")]
    [InlineData("03pm", "04pm")]
    [InlineData("05.000 05,999999 05.9", "07.123 07,12345 07.1")]
    [InlineData("Z07:00 -0700 -07 Z0700", "Z +0000 +00 Z")]
    [InlineData("MST", "UTC")]
    [InlineData("Janet Mondays", "Janet Tuesdays")]
    [InlineData("_2006", "_2009")]
    [InlineData("Y-m-d", "Y-m-d")]
    public void Format_follows_go_layout_rules(string layout, string expected)
    {
        Assert.Equal(expected, GoTimeLayout.Compile(layout).Format(Instant, TimeZoneInfo.Utc));
    }

    [Fact]
    public void Format_in_a_zone_uses_its_offset()
    {
        var kolkata = TimeZoneInfo.FindSystemTimeZoneById("Asia/Kolkata");
        Assert.Equal("21:35 +05:30", GoTimeLayout.Compile("15:04 -07:00").Format(Instant, kolkata));
    }

    [Fact]
    public void Format_of_MST_writes_the_zone_abbreviation()
    {
        var paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
        var layout = GoTimeLayout.Compile("15:04 MST");
        Assert.Equal("17:05 CET", layout.Format(Instant, paris));
        Assert.Equal("14:00 CEST", layout.Format(new DateTimeOffset(2009, 7, 1, 12, 0, 0, TimeSpan.Zero), paris));
    }

    [Theory]
    [InlineData("Y-m-d H:i:s", "2006-01-02 15:04:05")]
    [InlineData(@"\Y\m y h", "Ym 06 03")]
    public void Vanus_date_format_letters_become_a_go_layout(string format, string layout)
    {
        Assert.Equal(layout, GoTimeLayout.FromDateFormat(format));
    }

    [Theory]
    [InlineData("yyyy-mm-dd HH:MM:SS", "2006-01-02 15:04:05")]
    [InlineData("yy-mm-dd HH:MM:ss", "06-01-02 15:04:05")]
    [InlineData("dddd, mmmm dd yyyy", "Monday, January dd 2006")]
    [InlineData("2006-01-02T15:04:05", "2006-01-02T15:04:05")]
    public void GoDateFormat_tokens_become_a_go_layout(string format, string layout)
    {
        Assert.Equal(layout, GoTimeLayout.FromGoDateFormat(format));
    }

    [Theory]
    [InlineData("2006-01-02 15:04:05", "2009-02-03 16:05:07", "2009-02-03T16:05:07Z")]
    [InlineData("2006-01-02 15:04:05", "2009-02-03 16:05:07.25", "2009-02-03T16:05:07.25Z")]
    [InlineData("Jan 2 06 3:04PM", "feb 3 09 4:05PM", "2009-02-03T16:05:00Z")]
    [InlineData("2006-01-02T15:04:05Z07:00", "2009-02-03T16:05:07+02:00", "2009-02-03T14:05:07Z")]
    [InlineData("2006-01-02   15:04", "2009-02-03 16:04", "2009-02-03T16:04:00Z")]
    [InlineData("2006-002", "2009-034", "2009-02-03T00:00:00Z")]
    public void TryParse_reads_what_format_writes(string layout, string value, string expectedUtc)
    {
        Assert.True(GoTimeLayout.Compile(layout).TryParse(value, TimeZoneInfo.Utc, out var parsed, out var error), error);
        Assert.Equal(DateTimeOffset.Parse(expectedUtc, System.Globalization.CultureInfo.InvariantCulture), parsed);
    }

    [Theory]
    [InlineData("2006-01-02", "2009-02-30", "day 30 is out of range")]
    [InlineData("2006-01-02", "2009-13-01", "month 13 is out of range")]
    [InlineData("2006-01-02", "2009-02-03 extra", "extra text")]
    [InlineData("2006-01-02", "09-02-03", "expected a four-digit year")]
    [InlineData("15:04", "25:00", "hour 25 is out of range")]
    public void TryParse_says_why_a_value_does_not_fit(string layout, string value, string reason)
    {
        Assert.False(GoTimeLayout.Compile(layout).TryParse(value, TimeZoneInfo.Utc, out _, out var error));
        Assert.Contains(reason, error);
    }

    [Fact]
    public void TryParse_reads_local_time_in_the_given_zone()
    {
        var cet = TimeZoneInfo.FindSystemTimeZoneById("CET");
        Assert.True(GoTimeLayout.Compile("2006-01-02 15:04").TryParse("2021-01-10 12:00", cet, out var winter, out _));
        Assert.True(GoTimeLayout.Compile("2006-01-02 15:04").TryParse("2021-08-10 12:00", cet, out var summer, out _));
        Assert.Equal(TimeSpan.FromHours(1), winter.Offset);
        Assert.Equal(TimeSpan.FromHours(2), summer.Offset);
    }
}
