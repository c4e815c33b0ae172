using System.Text;
using Vanus.Runtime.Codecs;
using Vanus.Runtime.Events;

namespace Vanus.Runtime.Tests.Codecs;

public class JsonEventFormatTests
{
    private static Event Decode(string json) => JsonEventFormat.Decode(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Json_data_round_trips_as_a_JSON_value()
    {
        var e = Decode("""{"specversion":"1.0","id":"1","source":"/s","type":"t","datacontenttype":"application/json","data":{"a":[1,2]}}""");
        Assert.Equal("""{"a":[1,2]}""", e.DataText);
        var json = Encoding.UTF8.GetString(JsonEventFormat.Encode(e));
        Assert.Contains("\"data\":{\"a\":[1,2]}", json);
        Assert.Equal(e, JsonEventFormat.Decode(Encoding.UTF8.GetBytes(json)));
    }

    [Theory]
    [InlineData("null")]
    [InlineData(" null ")]
    public void Json_data_that_is_a_json_null_round_trips_as_base64(string data)
    {
        // "data": null would read back as no data at all (found by the gateway fuzz suite, seed bmY0L79ipbE3).
        var e = new Event("1", "/s", "t") { DataContentType = "application/json", Data = Encoding.UTF8.GetBytes(data) };
        var json = Encoding.UTF8.GetString(JsonEventFormat.Encode(e));
        Assert.Contains("\"data_base64\"", json);
        Assert.Equal(e, Decode(json));
    }

    [Fact]
    public void Text_data_is_a_string_and_binary_data_is_base64()
    {
        var text = Decode("""{"specversion":"1.0","id":"1","source":"/s","type":"t","datacontenttype":"text/plain","data":"héllo"}""");
        Assert.Equal("héllo", text.DataText);
        Assert.Contains("\"data\":\"h", Encoding.UTF8.GetString(JsonEventFormat.Encode(text)));

        var binary = new Event("1", "/s", "t") { DataContentType = "application/octet-stream", Data = new byte[] { 0xFF, 0, 1 } };
        var json = Encoding.UTF8.GetString(JsonEventFormat.Encode(binary));
        Assert.Contains("\"data_base64\":\"/wAB\"", json);
        Assert.Equal(binary, Decode(json));
    }

    [Fact]
    public void Typed_extensions_round_trip()
    {
        var e = new Event("1", "/s", "t")
            .WithExtension("n", AttributeValue.FromInteger(-7))
            .WithExtension("b", AttributeValue.FromBoolean(true))
            .WithExtension("s", AttributeValue.FromString("x"));
        Assert.Equal(e, Decode(Encoding.UTF8.GetString(JsonEventFormat.Encode(e))));
    }

    [Fact]
    public void Known_extension_types_are_parsed_and_checked()
    {
        var options = new EventReadOptions { ExtensionTypes = new Dictionary<string, AttributeKind> { ["due"] = AttributeKind.Timestamp } };
        var e = JsonEventFormat.Decode("""{"specversion":"1.0","id":"1","source":"/s","type":"t","due":"2026-01-01T00:00:00Z"}"""u8, options);
        Assert.True(e.Extensions.TryGet("due", out var due));
        Assert.Equal(AttributeKind.Timestamp, due.Kind);
        var error = Assert.Throws<CloudEventFormatException>(() => JsonEventFormat.Decode("""{"specversion":"1.0","id":"1","source":"/s","type":"t","due":"soon"}"""u8, options));
        Assert.Equal("due", error.Attribute);
    }

    [Theory]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s"}""", "type", "is required")]
    [InlineData("""{"specversion":"1.0","id":"1","id":"2","source":"/s","type":"t"}""", "id", "appears twice")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","time":"noon"}""", "time", "RFC 3339")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","ext":{"a":1}}""", "ext", "string, number or boolean")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","datacontenttype":"text/plain","data":{"a":1}}""", "data", "JSON string")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","data_base64":"***"}""", "data_base64", "base64")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","big":3000000000}""", "big", "32-bit integer")]
    public void Errors_name_the_attribute_and_the_rule(string json, string attribute, string rule)
    {
        var error = Assert.Throws<CloudEventFormatException>(() => Decode(json));
        Assert.Equal(attribute, error.Attribute);
        Assert.Contains(rule, error.Message);
    }

    [Fact]
    public void Malformed_json_is_a_format_error_not_a_crash()
    {
        var error = Assert.Throws<CloudEventFormatException>(() => Decode("""{"specversion":"1.0","id":"""));
        Assert.Contains("JSON", error.Message);
        Assert.Throws<CloudEventFormatException>(() => Decode("""{"specversion":"1.0","id":"1","source":"/s","type":"t"} x"""));
    }

    [Fact]
    public void Batch_round_trips_and_errors_name_the_index()
    {
        var events = new[] { new Event("1", "/s", "t"), new Event("2", "/s", "t") { Subject = "x" } };
        var bytes = JsonEventFormat.EncodeBatch(events);
        Assert.Equal(events, JsonEventFormat.DecodeBatch(bytes));
        Assert.Empty(JsonEventFormat.DecodeBatch("[]"u8));

        var error = Assert.Throws<CloudEventFormatException>(() => JsonEventFormat.DecodeBatch("""[{"specversion":"1.0","id":"1","source":"/s","type":"t"},{"specversion":"1.0","id":"2","source":"/s"}]"""u8));
        Assert.Equal(1, error.Index);
        Assert.Equal("type", error.Attribute);
        Assert.Contains("event [1]", error.Message);
        Assert.Throws<CloudEventFormatException>(() => JsonEventFormat.DecodeBatch("""{"specversion":"1.0"}"""u8));
    }
}
