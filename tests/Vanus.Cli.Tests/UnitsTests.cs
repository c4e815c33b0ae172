using Vanus.Cli.Commands;

namespace Vanus.Cli.Tests;

public sealed class UnitsTests
{
    [Theory]
    [InlineData("250ms", 250 * TimeSpan.TicksPerMillisecond, "250ms")]
    [InlineData("5s", 5 * TimeSpan.TicksPerSecond, "5s")]
    [InlineData("30m", 30 * TimeSpan.TicksPerMinute, "30m")]
    [InlineData("12h", 12 * TimeSpan.TicksPerHour, "12h")]
    [InlineData("7d", 7 * TimeSpan.TicksPerDay, "7d")]
    [InlineData("007d", 7 * TimeSpan.TicksPerDay, "7d")]
    [InlineData("0s", 0, "0s")]
    public void TryParseDuration_reads_the_contract_units(string text, long ticks, string canonical)
    {
        Assert.True(Units.TryParseDuration(text, out var value, out var form, out var error), error);
        Assert.Equal(TimeSpan.FromTicks(ticks), value);
        Assert.Equal(canonical, form);
    }

    [Theory]
    [InlineData("", "is not a duration")]
    [InlineData("s", "is not a duration")]
    [InlineData("5", "has no unit")]
    [InlineData("5 s", "is not a duration")]
    [InlineData("1.5h", "is not a duration")]
    [InlineData("-1s", "is not a duration")]
    [InlineData("5S", "unknown unit 'S'")]
    [InlineData("5y", "unknown unit 'y'")]
    [InlineData("99999999999999999999d", "is not a duration")]
    [InlineData("9999999999999d", "too long a duration")]
    public void TryParseDuration_refuses_anything_else_saying_why(string text, string why)
    {
        Assert.False(Units.TryParseDuration(text, out _, out _, out var error));
        Assert.Contains(why, error);
    }

    [Theory]
    [InlineData("512KB", 512_000L, "512KB")]
    [InlineData("64MB", 64_000_000L, "64MB")]
    [InlineData("10GB", 10_000_000_000L, "10GB")]
    [InlineData("2TB", 2_000_000_000_000L, "2TB")]
    [InlineData("10gb", 10_000_000_000L, "10GB")]
    [InlineData("100B", 100L, "100B")]
    [InlineData("100", 100L, "100B")]
    public void TryParseSize_reads_powers_of_1000(string text, long bytes, string canonical)
    {
        Assert.True(Units.TryParseSize(text, out var value, out var form, out var error), error);
        Assert.Equal(bytes, value);
        Assert.Equal(canonical, form);
    }

    [Theory]
    [InlineData("GB", "is not a size")]
    [InlineData("1.5GB", "is not a size")]
    [InlineData("10GiB", "unknown unit 'GiB'")]
    [InlineData("10 GB", "is not a size")]
    [InlineData("99999999999TB", "too large a size")]
    public void TryParseSize_refuses_anything_else_saying_why(string text, string why)
    {
        Assert.False(Units.TryParseSize(text, out _, out _, out var error));
        Assert.Contains(why, error);
    }
}
