using Vanus.Runtime.Events;

namespace Vanus.Runtime.Tests.Events;

public class EventTests
{
    [Fact]
    public void Required_attributes_must_not_be_empty()
    {
        var e = Assert.Throws<CloudEventFormatException>(() => new Event("", "/src", "t"));
        Assert.Equal("id", e.Attribute);
        Assert.Throws<CloudEventFormatException>(() => new Event("1", "", "t"));
        Assert.Throws<CloudEventFormatException>(() => new Event("1", "/s", ""));
        Assert.Throws<CloudEventFormatException>(() => new Event("1", "/s", "t") { Subject = "" });
    }

    [Fact]
    public void Extensions_reject_bad_and_reserved_names()
    {
        var e = new Event("1", "/s", "t");
        Assert.Equal("MyExt", Assert.Throws<CloudEventFormatException>(() => e.WithExtension("MyExt", AttributeValue.FromString("x"))).Attribute);
        Assert.Throws<CloudEventFormatException>(() => e.WithExtension("my.ext", AttributeValue.FromString("x")));
        Assert.Throws<CloudEventFormatException>(() => e.WithExtension("type", AttributeValue.FromString("x")));
        Assert.Throws<CloudEventFormatException>(() => ExtensionAttributes.From([new("a", AttributeValue.FromInteger(1)), new("a", AttributeValue.FromInteger(2))]));
    }

    [Fact]
    public void Equality_covers_attributes_data_and_instants()
    {
        var a = new Event("1", "/s", "t") { Time = new DateTimeOffset(2020, 1, 1, 1, 0, 0, TimeSpan.FromHours(1)), Data = new byte[] { 1, 2 } }
            .WithExtension("n", AttributeValue.FromInteger(5));
        var b = new Event("1", "/s", "t") { Time = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero), Data = new byte[] { 1, 2 } }
            .WithExtension("n", AttributeValue.FromInteger(5));
        Assert.Equal(a, b);
        Assert.NotEqual(a, b with { Data = new byte[] { 1, 3 } });
        Assert.NotEqual(a, b with { Data = null });
        Assert.NotEqual(a, b.WithExtension("n", AttributeValue.FromString("5")));
    }

    [Fact]
    public void TryGetAttribute_reads_core_and_extension_attributes_typed()
    {
        var e = new Event("1", "/s", "t") { DataSchema = "https://x/schema" }.WithExtension("amount", AttributeValue.FromInteger(150));
        Assert.True(e.TryGetAttribute("amount", out var amount));
        Assert.Equal(150, amount.AsInteger);
        Assert.True(e.TryGetAttribute("dataschema", out var schema));
        Assert.Equal(AttributeKind.Uri, schema.Kind);
        Assert.False(e.TryGetAttribute("subject", out _));
        Assert.True(e.TryGetAttribute("specversion", out var sv));
        Assert.Equal("1.0", sv.AsText);
    }
}
