using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;

namespace Vanus.Cluster.Tests;

public sealed class EventRoutingTests
{
    // Pinned: a key must map to the same eventlog in every version. These are FNV-1a 64 of the UTF-8 bytes.
    [Theory]
    [InlineData("", 0xcbf29ce484222325UL)]
    [InlineData("a", 0xaf63dc4c8601ec8cUL)]
    [InlineData("order-42", 0x7d1deb86a05662d4UL)]
    [InlineData("customer-7", 0x660308ab83c6fdf1UL)]
    [InlineData("é", 0x0ac21707b7181e01UL)]
    [InlineData("tenant/α/β", 0x221d4155d5b3d2d4UL)]
    public void Fnv1a64_matches_the_documented_hash(string key, ulong expected) => Assert.Equal(expected, EventRouting.Fnv1a64(key));

    [Theory]
    [InlineData("a", 4, 0)]
    [InlineData("a", 7, 5)]
    [InlineData("a", 64, 12)]
    [InlineData("order-42", 4, 0)]
    [InlineData("order-42", 64, 20)]
    [InlineData("customer-7", 4, 1)]
    [InlineData("customer-7", 64, 49)]
    [InlineData("é", 7, 2)]
    [InlineData("tenant/α/β", 7, 4)]
    public void EventlogFor_is_the_hash_modulo_the_eventlog_count(string key, int eventlogs, int expected) =>
        Assert.Equal(expected, EventRouting.EventlogFor(key, eventlogs));

    [Fact]
    public void A_long_key_hashes_like_its_bytes()
    {
        var key = new string('k', 5000);
        Assert.Equal(EventRouting.Fnv1a64(System.Text.Encoding.UTF8.GetBytes(key)), EventRouting.Fnv1a64(key));
    }

    [Fact]
    public void PartitionKeyOf_reads_the_extension_in_its_string_form()
    {
        var e = new Event("1", "/s", "t");
        Assert.Null(EventRouting.PartitionKeyOf(e));
        Assert.Equal("k", EventRouting.PartitionKeyOf(e.WithExtension("partitionkey", AttributeValue.FromString("k"))));
        Assert.Equal("42", EventRouting.PartitionKeyOf(e.WithExtension("partitionkey", AttributeValue.FromInteger(42))));
    }

    [Fact]
    public void EventlogFor_refuses_a_bus_without_eventlogs() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => EventRouting.EventlogFor("k", 0));
}
