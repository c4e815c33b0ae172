using System.Net.Http.Headers;
using System.Text;
using Vanus.Runtime.Codecs;
using Vanus.Runtime.Events;

namespace Vanus.Runtime.Tests.Codecs;

public class HttpBindingTests
{
    private static readonly Event Sample = new Event("id-1", "/shop", "order.created")
    {
        DataContentType = "application/json",
        Subject = "orders/42",
        Time = new DateTimeOffset(2026, 11, 27, 16, 0, 0, 123, TimeSpan.Zero),
        Data = Encoding.UTF8.GetBytes("""{"amount":150}"""),
    }.WithExtension("amount", AttributeValue.FromInteger(150)).WithExtension("partitionkey", AttributeValue.FromString("k1"));

    [Theory]
    [InlineData(ContentMode.Binary)]
    [InlineData(ContentMode.Structured)]
    [InlineData(ContentMode.Batch)]
    public async Task Every_mode_round_trips_through_HttpContent(ContentMode mode)
    {
        using var content = HttpBinding.ToHttpContent(Sample, mode);
        var events = await HttpBinding.ReadEventsAsync(content);
        var e = Assert.Single(events);
        // Binary mode carries extensions as strings: the integer comes back as the text "150".
        var expected = mode == ContentMode.Binary ? Sample.WithExtension("amount", AttributeValue.FromString("150")) : Sample;
        Assert.Equal(expected, e);
    }

    [Fact]
    public async Task Binary_mode_with_known_extension_types_keeps_the_types()
    {
        using var content = HttpBinding.ToHttpContent(Sample, ContentMode.Binary);
        var options = new EventReadOptions { ExtensionTypes = new Dictionary<string, AttributeKind> { ["amount"] = AttributeKind.Integer } };
        Assert.Equal(Sample, Assert.Single(await HttpBinding.ReadEventsAsync(content, options: options)));
    }

    [Theory]
    [InlineData("with space", "with%20space")]
    [InlineData("100%", "100%25")]
    [InlineData("say \"hi\"", "say%20%22hi%22")]
    [InlineData("Bjørn ☃", "Bj%C3%B8rn%20%E2%98%83")]
    [InlineData("plain-ascii_~!", "plain-ascii_~!")]
    public void Header_values_are_percent_encoded_per_the_spec(string value, string encoded)
    {
        Assert.Equal(encoded, HeaderValueEncoding.Encode(value));
        Assert.True(HeaderValueEncoding.TryDecode(encoded, out var decoded, out var error), error);
        Assert.Equal(value, decoded);
    }

    [Theory]
    [InlineData("%C3%28", "not valid UTF-8")]
    [InlineData("%FF", "not valid UTF-8")]
    [InlineData("abc%2", "malformed percent-escape")]
    [InlineData("abc%zz", "malformed percent-escape")]
    [InlineData("raw \u00f8", "not valid UTF-8")]
    [InlineData("raw \u20ac", "not a byte")]
    public void Bad_header_encodings_are_rejected(string raw, string reason)
    {
        Assert.False(HeaderValueEncoding.TryDecode(raw, out _, out var error));
        Assert.Contains(reason, error);
    }

    [Theory]
    [InlineData("Bj\u00c3\u00b8rn", "Bj\u00f8rn")]
    [InlineData("Bj\u00c3\u00b8rn %C3%B8", "Bj\u00f8rn \u00f8")]
    [InlineData("\u00e2\u0082\u00ac", "\u20ac")]
    public void Raw_utf8_header_bytes_decode_as_text(string latin1, string text)
    {
        // A server reads raw header bytes one character per byte (Latin-1); UTF-8 sent that way is read back as text.
        Assert.True(HeaderValueEncoding.TryDecode(latin1, out var decoded, out var error), error);
        Assert.Equal(text, decoded);
    }

    [Fact]
    public void Binary_mode_decodes_percent_encoded_attributes()
    {
        var e = HttpBinding.DecodeBinary(Headers(("ce-specversion", "1.0"), ("CE-ID", "a%20b"), ("ce-source", "/s"), ("ce-type", "t"), ("ce-subject", "Bj%C3%B8rn")), "text/plain", "x"u8.ToArray());
        Assert.Equal("a b", e.Id);
        Assert.Equal("Bjørn", e.Subject);
        Assert.Equal("text/plain", e.DataContentType);
        Assert.Equal("x", e.DataText);
    }

    [Fact]
    public void Binary_mode_rejects_invalid_UTF8_after_decoding_naming_the_attribute()
    {
        var error = Assert.Throws<CloudEventFormatException>(() =>
            HttpBinding.DecodeBinary(Headers(("ce-specversion", "1.0"), ("ce-id", "1"), ("ce-source", "/s"), ("ce-type", "t"), ("ce-subject", "%C3%28")), null, default));
        Assert.Equal("subject", error.Attribute);
        Assert.Contains("UTF-8", error.Message);
    }

    [Theory]
    [InlineData("specversion", "ce-id", "1")]
    [InlineData("datacontenttype", "ce-datacontenttype", "text/plain")]
    [InlineData("time", "ce-time", "yesterday")]
    [InlineData("my_ext", "ce-my_ext", "x")]
    public void Binary_mode_errors_name_the_attribute(string attribute, string header, string value)
    {
        var headers = new List<(string, string)> { ("ce-id", "1"), ("ce-source", "/s"), ("ce-type", "t") };
        if (attribute != "specversion")
        {
            headers.Add(("ce-specversion", "1.0"));
        }

        headers.RemoveAll(h => h.Item1 == header);
        headers.Add((header, value));
        var error = Assert.Throws<CloudEventFormatException>(() => HttpBinding.DecodeBinary(Headers([.. headers]), null, default));
        Assert.Equal(attribute, error.Attribute);
    }

    [Fact]
    public void Repeated_attribute_headers_are_rejected()
    {
        var headers = new[] { new KeyValuePair<string, IEnumerable<string>>("ce-specversion", ["1.0"]), new("ce-id", ["1", "2"]), new("ce-source", ["/s"]), new("ce-type", ["t"]) };
        Assert.Contains("more than once", Assert.Throws<CloudEventFormatException>(() => HttpBinding.DecodeBinary(headers, null, default)).Message);
    }

    [Fact]
    public void Mode_detection_follows_the_content_type()
    {
        Assert.Equal(ContentMode.Structured, HttpBinding.DetectMode("application/cloudevents+json; charset=utf-8"));
        Assert.Equal(ContentMode.Batch, HttpBinding.DetectMode("Application/CloudEvents-Batch+JSON"));
        Assert.Equal(ContentMode.Binary, HttpBinding.DetectMode("application/json"));
        Assert.Equal(ContentMode.Binary, HttpBinding.DetectMode(null));
        Assert.Contains("only JSON", Assert.Throws<CloudEventFormatException>(() => HttpBinding.DetectMode("application/cloudevents+avro")).Message);
        Assert.Contains("charset 'latin1'", Assert.Throws<CloudEventFormatException>(() => HttpBinding.DetectMode("application/cloudevents+json; charset=latin1")).Message);
        Assert.Contains("charset 'utf-16'", Assert.Throws<CloudEventFormatException>(() => HttpBinding.DetectMode("application/cloudevents-batch+json;charset=\"utf-16\"")).Message);
    }

    [Fact]
    public async Task Batch_content_carries_many_events()
    {
        var events = Enumerable.Range(0, 5).Select(i => new Event($"e{i}", "/s", "t") { Data = Encoding.UTF8.GetBytes($"{{\"i\":{i}}}") }).ToList();
        using var content = HttpBinding.ToHttpContent(events);
        Assert.Equal(JsonEventFormat.BatchMediaType, content.Headers.ContentType!.MediaType);
        Assert.Equal(events, await HttpBinding.ReadEventsAsync(content));
    }

    [Fact]
    public async Task Structured_content_ignores_ce_headers_and_reads_the_body()
    {
        using var content = new ByteArrayContent(JsonEventFormat.Encode(Sample));
        content.Headers.ContentType = new MediaTypeHeaderValue(JsonEventFormat.StructuredMediaType);
        content.Headers.TryAddWithoutValidation("ce-id", "other");
        Assert.Equal(Sample, Assert.Single(await HttpBinding.ReadEventsAsync(content)));
    }

    private static IEnumerable<KeyValuePair<string, IEnumerable<string>>> Headers(params (string Name, string Value)[] headers) =>
        headers.Select(h => new KeyValuePair<string, IEnumerable<string>>(h.Name, [h.Value]));
}
