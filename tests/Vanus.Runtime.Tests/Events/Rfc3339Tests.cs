using Vanus.Runtime.Events;

namespace Vanus.Runtime.Tests.Events;

public class Rfc3339Tests
{
    [Theory]
    [InlineData("2018-04-05T17:31:00Z", "2018-04-05T17:31:00+00:00")]
    [InlineData("2018-04-05t17:31:00z", "2018-04-05T17:31:00+00:00")]
    [InlineData("2018-04-05T18:31:00+01:00", "2018-04-05T17:31:00+00:00")]
    [InlineData("2018-04-05T16:31:00-01:00", "2018-04-05T17:31:00+00:00")]
    [InlineData("2018-04-05T17:31:00.123456789Z", "2018-04-05T17:31:00.1234567+00:00")]
    [InlineData("2016-12-31T23:59:60Z", "2017-01-01T00:00:00+00:00")]
    public void TryParse_accepts_RFC_3339_forms(string text, string expected)
    {
        Assert.True(Rfc3339.TryParse(text, out var value, out var error), error);
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value);
    }

    [Theory]
    [InlineData("lunchtime", "too short")]
    [InlineData("2018-04-05T18:31Z", "too short")]
    [InlineData("2018-04-05 18:31:00Z", "'T'")]
    [InlineData("2018-04-05T18:31:00X", "time offset")]
    [InlineData("2018-04-05T18:31:00+25:00", "out of range")]
    [InlineData("2018-04-05T18:31:00+xx:00", "±HH:mm")]
    [InlineData("2018-04-05T18:31:00+05", "±HH:mm")]
    [InlineData("2018-02-30T18:31:00Z", "does not exist")]
    [InlineData("2018-04-05T18:31:00.Z", "fraction")]
    [InlineData("2018-04-05T18:31:00", "too short")]
    [InlineData("2018-04-05T18:31:00.5", "time offset")]
    [InlineData("2018-04-05T18:31:00Zjunk", "after the time offset")]
    public void TryParse_rejects_with_the_reason(string text, string reason)
    {
        Assert.False(Rfc3339.TryParse(text, out _, out var error));
        Assert.Contains(reason, error);
    }

    [Fact]
    public void Format_is_UTC_with_only_the_needed_fraction_digits()
    {
        Assert.Equal("2018-04-05T17:31:00Z", Rfc3339.Format(new DateTimeOffset(2018, 4, 5, 18, 31, 0, TimeSpan.FromHours(1))));
        Assert.Equal("2018-04-05T17:31:00.25Z", Rfc3339.Format(new DateTimeOffset(2018, 4, 5, 17, 31, 0, 250, TimeSpan.Zero)));
        Assert.Equal("2018-04-05T17:31:00.250000Z", Rfc3339.FormatMicroseconds(new DateTimeOffset(2018, 4, 5, 17, 31, 0, 250, TimeSpan.Zero)));
    }
}
