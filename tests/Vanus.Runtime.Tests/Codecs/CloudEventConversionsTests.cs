using System.Net.Mime;
using System.Text;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using Vanus.Runtime.Codecs;
using Vanus.Runtime.Events;

namespace Vanus.Runtime.Tests.Codecs;

public class CloudEventConversionsTests
{
    [Fact]
    public void Converts_both_ways_with_typed_extensions()
    {
        var e = new Event("1", "https://src", "t")
        {
            Subject = "s",
            DataSchema = "https://schema",
            DataContentType = "text/plain",
            Time = DateTimeOffset.UnixEpoch,
            Data = "hi"u8.ToArray(),
        }.WithExtension("n", AttributeValue.FromInteger(3)).WithExtension("flag", AttributeValue.FromBoolean(false));
        var ce = e.ToCloudEvent();
        Assert.Equal(3, ce["n"]);
        Assert.Equal(e, ce.ToEvent());
    }

    [Fact]
    public void Our_structured_JSON_reads_in_the_SDK_and_back()
    {
        var e = new Event("1", "/s", "t") { DataContentType = "application/json", Data = """{"a":1}"""u8.ToArray() }.WithExtension("k", AttributeValue.FromString("v"));
        var formatter = new JsonEventFormatter();
        var ce = formatter.DecodeStructuredModeMessage(JsonEventFormat.Encode(e), new ContentType(JsonEventFormat.StructuredMediaType), null);
        Assert.Equal("1", ce.Id);
        Assert.Equal("v", ce["k"]);
        var back = JsonEventFormat.Decode(formatter.EncodeStructuredModeMessage(ce, out _).Span);
        Assert.Equal("""{"a":1}""", Encoding.UTF8.GetString(back.Data!.Value.Span).Replace(" ", "", StringComparison.Ordinal));
        Assert.Equal(e.Id, back.Id);
    }

    [Fact]
    public void Data_the_runtime_cannot_hold_is_refused_with_a_reason()
    {
        var ce = new CloudEvent { Id = "1", Source = new Uri("/s", UriKind.Relative), Type = "t", Data = new { a = 1 } };
        Assert.Equal("data", Assert.Throws<CloudEventFormatException>(() => ce.ToEvent()).Attribute);
    }
}
