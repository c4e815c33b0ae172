using static Vanus.Operators.Tests.Transform.TransformKit;

namespace Vanus.Operators.Tests.Transform;

public sealed class DateTimeActionsTests
{
    [Theory]
    [InlineData(null, "2022-11-15 15:41:25")]
    [InlineData("EST", "2022-11-15 10:41:25")]
    [InlineData("Asia/Kolkata", "2022-11-15 21:11:25")]
    public void Date_format_reformats_an_rfc3339_time_in_a_zone(string? zone, string expected)
    {
        // Vanus date_format_test: "2022-11-15T15:41:25Z" with "Y-m-d H:i:s", in UTC and in EST.
        object[] command = zone is null ? ["date_format", "$.test", "Y-m-d H:i:s"] : ["date_format", "$.test", "Y-m-d H:i:s", zone];
        var e = RunCommands(Event(null, ("test", "2022-11-15T15:41:25Z")), command);
        Assert.Equal(expected, Extension(e, "test"));
    }

    [Fact]
    public void Date_format_letters_cover_twelve_hour_clock_two_digit_year_and_escapes()
    {
        var e = RunCommands(Event("""{"t": "2009-03-07T20:05:09.5+01:00"}"""), ["date_format", "$.data.t", @"d/m/y h:i:s \Y"]);
        AssertData("""{"t": "07/03/09 07:05:09 Y"}""", e);
    }

    [Fact]
    public void Date_format_reads_the_event_time()
    {
        var input = Event() with { Time = new DateTimeOffset(2022, 2, 21, 7, 32, 44, TimeSpan.Zero) };
        var e = RunCommands(input, ["duplicate", "$.time", "$.data.day"], ["date_format", "$.data.day", "Y-m-d"]);
        AssertData("""{"day": "2022-02-21"}""", e);
    }

    [Fact]
    public void Date_format_takes_the_zone_from_the_event()
    {
        var e = RunCommands(Event("""{"t": "2022-11-15T15:41:25Z", "tz": "Europe/Paris"}"""), ["date_format", "$.data.t", "H:i", "$.data.tz"]);
        AssertData("""{"t": "16:41", "tz": "Europe/Paris"}""", e);

        var ex = Fails(Event("""{"t": "2022-11-15T15:41:25Z", "tz": "Mars/Olympus"}"""), ["date_format", "$.data.t", "H:i", "$.data.tz"]);
        Assert.Contains("unknown time zone 'Mars/Olympus'", ex.Reason);
    }

    [Fact]
    public void Date_format_of_text_that_is_not_a_time_fails()
    {
        var ex = Fails(Event("""{"t": "15/11/2022"}"""), ["date_format", "$.data.t", "Y-m-d"]);
        Assert.Equal("DATE_FORMAT", ex.Action);
        Assert.Contains("not an RFC 3339 time", ex.Reason);
    }

    [Fact]
    public void Date_format_with_an_unknown_constant_zone_is_rejected()
    {
        var ex = Rejects(["date_format", "$.data.t", "Y-m-d", "Nowhere/City"]);
        Assert.Contains("argument 3 ('Nowhere/City') is not a known time zone", ex.Reason);
        Assert.Contains("2 to 3 arguments", Rejects(["date_format", "$.data.t", "Y", "UTC", "extra"]).Reason);
    }

    [Theory]
    [InlineData(null, "2022-11-15 07:44:45")]
    [InlineData("EST", "2022-11-15 02:44:45")]
    public void Unix_time_format_formats_seconds_since_the_epoch(string? zone, string expected)
    {
        // Vanus unixtime_format_test: 1668498285 with "Y-m-d H:i:s".
        object[] command = zone is null ? ["unix_time_format", "$.data.time", "Y-m-d H:i:s"] : ["unix_time_format", "$.data.time", "Y-m-d H:i:s", zone];
        var e = RunCommands(Event("""{"time": 1668498285}"""), command);
        AssertData($$"""{"time": "{{expected}}"}""", e);
    }

    [Fact]
    public void Unix_time_format_accepts_seconds_as_text_and_refuses_words()
    {
        var e = RunCommands(Event("""{"time": "0"}"""), ["unix_time_format", "$.data.time", "Y"]);
        AssertData("""{"time": "1970"}""", e);
        Assert.Contains("not a whole number", Fails(Event("""{"time": "now"}"""), ["unix_time_format", "$.data.time", "Y"]).Reason);
    }

    [Theory]
    [InlineData("2021-08-29 12:01:10", "UTC", null, "2021-08-29 10:01:10")]
    [InlineData("2021-08-29 12:01:10", "Asia/Kolkata", null, "2021-08-29 15:31:10")]
    [InlineData("2021-08-29T12:01:10", "Asia/Kolkata", "2006-01-02T15:04:05", "2021-08-29T15:31:10")]
    [InlineData("2021-08-29 12:01:10", "Asia/Kolkata", "yyyy-mm-dd HH:MM:SS", "2021-08-29 15:31:10")]
    [InlineData("21-08-29 12:01:10", "Asia/Kolkata", "yy-mm-dd HH:MM:SS", "21-08-29 15:31:10")]
    public void Convert_timezone_matches_the_vanus_examples(string input, string to, string? format, string expected)
    {
        // Every case of Vanus's convert_timezone_test, from CET.
        object[] command = format is null ? ["convert_timezone", "$.data.time", "CET", to] : ["convert_timezone", "$.data.time", "CET", to, format];
        var e = RunCommands(Event($$"""{"time": "{{input}}"}"""), command);
        AssertData($$"""{"time": "{{expected}}"}""", e);
    }

    [Fact]
    public void Convert_timezone_of_text_in_another_format_fails()
    {
        var ex = Fails(Event("""{"time": "29/08/2021"}"""), ["convert_timezone", "$.data.time", "CET", "UTC"]);
        Assert.Equal("CONVERT_TIMEZONE", ex.Action);
        Assert.Contains("does not match layout '2006-01-02 15:04:05'", ex.Reason);
    }

    [Fact]
    public void Convert_timezone_needs_constant_known_zones()
    {
        Assert.Contains("argument 2 ('$.data.zone') must be a constant value", Rejects(["convert_timezone", "$.data.time", "$.data.zone", "UTC"]).Reason);
        Assert.Contains("argument 3 ('Atlantis') is not a known time zone", Rejects(["convert_timezone", "$.data.time", "UTC", "Atlantis"]).Reason);
    }
}
