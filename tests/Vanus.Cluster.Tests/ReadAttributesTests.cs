using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;

namespace Vanus.Cluster.Tests;

public sealed class ReadAttributesTests
{
    private static readonly DateTimeOffset StoreTime = new DateTimeOffset(2026, 11, 27, 16, 0, 5, TimeSpan.Zero).AddTicks(1234567);

    [Fact]
    public void WithReadAttributes_adds_store_time_bus_eventlog_and_offset()
    {
        var e = new Event("1", "/s", "t").WithExtension("partitionkey", AttributeValue.FromString("k"));
        var read = new EventRecord("orders", 3, 42, StoreTime, e).WithReadAttributes();

        Assert.True(read.Extensions.TryGet(ReadAttributes.StoreTime, out var stime));
        Assert.Equal(AttributeKind.String, stime.Kind);
        Assert.Equal("2026-11-27T16:00:05.123456Z", stime.AsText);
        Assert.True(read.Extensions.TryGet(ReadAttributes.Eventbus, out var bus));
        Assert.Equal("orders", bus.AsText);
        Assert.True(read.Extensions.TryGet(ReadAttributes.Eventlog, out var log));
        Assert.Equal(3, log.AsInteger);
        Assert.True(read.Extensions.TryGet(ReadAttributes.Offset, out var offset));
        Assert.Equal(42, offset.AsInteger);

        // The event's own attributes are kept.
        Assert.True(read.Extensions.TryGet("partitionkey", out var key));
        Assert.Equal("k", key.AsText);
        Assert.Equal(e.Id, read.Id);
    }

    [Fact]
    public void WithReadAttributes_replaces_attributes_of_the_same_name()
    {
        var e = new Event("1", "/s", "t").WithExtension(ReadAttributes.Offset, AttributeValue.FromInteger(7));
        var read = new EventRecord("orders", 0, 8, StoreTime, e).WithReadAttributes();
        Assert.True(read.Extensions.TryGet(ReadAttributes.Offset, out var offset));
        Assert.Equal(8, offset.AsInteger);
        Assert.Equal(4, read.Extensions.Count);
    }

    [Fact]
    public void An_offset_past_the_32_bit_range_is_written_as_a_decimal_string()
    {
        var read = new EventRecord("orders", 0, 5_000_000_000, StoreTime, new Event("1", "/s", "t")).WithReadAttributes();
        Assert.True(read.Extensions.TryGet(ReadAttributes.Offset, out var offset));
        Assert.Equal(AttributeKind.String, offset.Kind);
        Assert.Equal("5000000000", offset.AsText);
    }
}
