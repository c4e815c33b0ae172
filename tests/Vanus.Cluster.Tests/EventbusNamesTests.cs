using Vanus.Runtime.Broker;

namespace Vanus.Cluster.Tests;

public sealed class EventbusNamesTests
{
    [Theory]
    [InlineData("orders")]
    [InlineData("Orders.v2")]
    [InlineData("0rders_2-b")]
    [InlineData("a")]
    public void Check_accepts_letters_digits_dot_underscore_dash(string name) => Assert.Null(EventbusNames.Check(name));

    [Theory]
    [InlineData("", "must not be empty")]
    [InlineData("__dl_orders", "reserved")]
    [InlineData("_orders", "must start with a letter or a digit")]
    [InlineData(".orders", "must start with a letter or a digit")]
    [InlineData("or ders", "has ' ' at position 2")]
    [InlineData("or/ders", "has '/' at position 2")]
    public void Check_says_what_is_wrong(string name, string expected) => Assert.Contains(expected, EventbusNames.Check(name));

    [Fact]
    public void Check_refuses_names_over_the_length_limit()
    {
        Assert.Null(EventbusNames.Check(new string('a', EventbusNames.MaxLength)));
        Assert.Contains("at most 128", EventbusNames.Check(new string('a', EventbusNames.MaxLength + 1)));
    }

    [Fact]
    public void Dead_letter_bus_is_named_like_vanus_names_it()
    {
        Assert.Equal("__dl_orders", EventbusNames.DeadLetterOf("orders"));
        Assert.True(EventbusNames.IsDeadLetter("__dl_orders"));
        Assert.False(EventbusNames.IsDeadLetter("orders"));
    }
}
