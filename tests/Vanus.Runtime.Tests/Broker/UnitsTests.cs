using Vanus.Runtime.Broker;

namespace Vanus.Runtime.Tests.Broker;

public sealed class UnitsTests
{
    [Theory]
    [InlineData("250ms", 250)]
    [InlineData("5s", 5_000)]
    [InlineData("30m", 1_800_000)]
    [InlineData("12h", 43_200_000)]
    [InlineData("7d", 604_800_000)]
    [InlineData("0s", 0)]
    public void TryParseDuration_reads_each_unit(string text, long milliseconds)
    {
        Assert.True(Units.TryParseDuration(text, out var value, out var error), error);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
        Assert.Null(error);
    }

    [Theory]
    [InlineData("7x", "unit must be ms, s, m, h or d")]
    [InlineData("7", "has no unit")]
    [InlineData("", "empty")]
    [InlineData("s", "must start with a whole, non-negative number")]
    [InlineData("-5s", "must start with a whole, non-negative number")]
    [InlineData("1.5h", "unit must be ms, s, m, h or d")]
    [InlineData(" 5s", "must start with a whole")]
    [InlineData("5 s", "unit must be")]
    [InlineData("5S", "unit must be")]
    [InlineData("99999999999999999999d", "number too large")]
    [InlineData("99999999999d", "too long a duration")]
    public void TryParseDuration_refuses_with_the_reason(string text, string reason)
    {
        Assert.False(Units.TryParseDuration(text, out _, out var error));
        Assert.Contains(reason, error);
        Assert.Contains(reason, Assert.Throws<FormatException>(() => Units.ParseDuration(text)).Message);
    }

    [Theory]
    [InlineData("512KB", 512_000)]
    [InlineData("64MB", 64_000_000)]
    [InlineData("10GB", 10_000_000_000)]
    [InlineData("2TB", 2_000_000_000_000)]
    [InlineData("17B", 17)]
    public void TryParseSize_reads_powers_of_1000(string text, long bytes)
    {
        Assert.True(Units.TryParseSize(text, out var value, out var error), error);
        Assert.Equal(bytes, value);
    }

    [Theory]
    [InlineData("10XB", "unit must be B, KB, MB, GB or TB")]
    [InlineData("10kb", "unit must be B, KB, MB, GB or TB")]
    [InlineData("10KiB", "unit must be B, KB, MB, GB or TB")]
    [InlineData("10", "has no unit")]
    [InlineData("GB", "must start with a whole")]
    [InlineData("99999999999TB", "too large a size")]
    public void TryParseSize_refuses_with_the_reason(string text, string reason)
    {
        Assert.False(Units.TryParseSize(text, out _, out var error));
        Assert.Contains(reason, error);
        Assert.Contains(reason, Assert.Throws<FormatException>(() => Units.ParseSize(text)).Message);
    }

    [Theory]
    [InlineData(604_800_000, "7d")]
    [InlineData(5_400_000, "90m")]
    [InlineData(1_500, "1500ms")]
    [InlineData(3_600_000, "1h")]
    [InlineData(0, "0s")]
    public void FormatDuration_uses_the_largest_exact_unit(long milliseconds, string text)
    {
        Assert.Equal(text, Units.FormatDuration(TimeSpan.FromMilliseconds(milliseconds)));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), Units.ParseDuration(text));
    }

    [Theory]
    [InlineData(10_000_000_000, "10GB")]
    [InlineData(1_500_000, "1500KB")]
    [InlineData(17, "17B")]
    [InlineData(0, "0B")]
    public void FormatSize_uses_the_largest_exact_unit(long bytes, string text)
    {
        Assert.Equal(text, Units.FormatSize(bytes));
        Assert.Equal(bytes, Units.ParseSize(text));
    }

    [Fact]
    public void Format_refuses_negative_values()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Units.FormatDuration(TimeSpan.FromSeconds(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Units.FormatSize(-1));
    }
}
