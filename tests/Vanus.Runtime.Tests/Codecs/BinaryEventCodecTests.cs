using CsCheck;
using Vanus.Runtime.Codecs;
using Vanus.Runtime.Events;

namespace Vanus.Runtime.Tests.Codecs;

public class BinaryEventCodecTests
{
    internal static readonly Gen<string> Text = Gen.String[Gen.Char.AlphaNumeric, 1, 40];

    internal static readonly Gen<AttributeValue> Value = Gen.OneOf(
        Gen.Int.Select(AttributeValue.FromInteger),
        Gen.Bool.Select(AttributeValue.FromBoolean),
        Gen.String.Select(AttributeValue.FromString),
        Gen.Byte.Array[0, 20].Select(AttributeValue.FromBinary),
        Gen.Long[0, DateTime.MaxValue.Ticks].Select(t => AttributeValue.FromTimestamp(new DateTimeOffset(t, TimeSpan.Zero))),
        Text.Select(s => AttributeValue.FromUri("https://x/" + s)),
        Text.Select(s => AttributeValue.FromUriReference("/" + s)));

    internal static readonly Gen<Event> Events =
        from id in Text
        from source in Text
        from type in Text
        from subject in Text.Null()
        from contentType in Gen.Int[0, 2].Select(i => i switch { 0 => null, 1 => "application/json", _ => "text/plain" })
        from ticks in Gen.Long[0, DateTime.MaxValue.Ticks].Nullable()
        from names in Gen.String[Gen.Char['a', 'z'], 1, 8].HashSet[0, 5]
        from values in Value.Array[names.Count]
        from data in Gen.Byte.Array[0, 300].Null()
        select new Event(id, "/" + source, type)
        {
            Subject = subject,
            DataContentType = contentType,
            Time = ticks is { } t ? new DateTimeOffset(t, TimeSpan.Zero) : null,
            Extensions = ExtensionAttributes.From(names.Where(n => !EventRules.IsReserved(n)).Zip(values, (n, v) => new KeyValuePair<string, AttributeValue>(n, v))),
            Data = data,
        };

    [Fact]
    public void Any_event_round_trips() =>
        Events.Sample(e => Assert.Equal(e, BinaryEventCodec.Decode(BinaryEventCodec.Encode(e))), iter: 2000);

    [Fact]
    public void Empty_data_differs_from_no_data()
    {
        var withEmpty = new Event("1", "/s", "t") { Data = Array.Empty<byte>() };
        var decoded = BinaryEventCodec.Decode(BinaryEventCodec.Encode(withEmpty));
        Assert.True(decoded.HasData);
        Assert.False(BinaryEventCodec.Decode(BinaryEventCodec.Encode(new Event("1", "/s", "t"))).HasData);
    }

    [Fact]
    public void Truncated_or_damaged_input_is_a_format_error()
    {
        var bytes = BinaryEventCodec.Encode(new Event("1", "/s", "t") { Data = new byte[50] });
        for (var cut = 0; cut < bytes.Length; cut++)
        {
            Assert.Throws<CloudEventFormatException>(() => BinaryEventCodec.Decode(bytes.AsMemory(0, cut)));
        }

        var wrongVersion = (byte[])bytes.Clone();
        wrongVersion[1] = 9;
        Assert.Contains("layout version 9", Assert.Throws<CloudEventFormatException>(() => BinaryEventCodec.Decode(wrongVersion)).Message);
    }
}
