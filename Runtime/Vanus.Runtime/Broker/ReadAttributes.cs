using System.Globalization;
using Vanus.Runtime.Events;

namespace Vanus.Runtime.Broker;

/// <summary>
/// The attributes the runtime adds to an event it reads back or delivers (DESIGN §2): <c>xvanusstime</c> (store time,
/// RFC 3339 with microseconds, a string), <c>xvanuseventbus</c>, <c>xvanuseventlog</c> and <c>xvanusoffset</c> (integers).
/// </summary>
public static class ReadAttributes
{
    /// <summary>The store time, RFC 3339 in UTC with exactly six fraction digits.</summary>
    public const string StoreTime = "xvanusstime";

    /// <summary>The eventbus's name.</summary>
    public const string Eventbus = "xvanuseventbus";

    /// <summary>The eventlog (partition) index.</summary>
    public const string Eventlog = "xvanuseventlog";

    /// <summary>The offset within the eventlog.</summary>
    public const string Offset = "xvanusoffset";

    /// <summary>
    /// Returns the record's event with the four read attributes set (replacing any of the same name). The offset is a
    /// CloudEvents Integer, which is 32-bit: past 2,147,483,647 it is written as its decimal string instead.
    /// </summary>
    public static Event WithReadAttributes(this EventRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var offset = record.Offset <= int.MaxValue
            ? AttributeValue.FromInteger((int)record.Offset)
            : AttributeValue.FromString(record.Offset.ToString(CultureInfo.InvariantCulture));
        var extensions = record.Event.Extensions
            .With(StoreTime, AttributeValue.FromString(Rfc3339.FormatMicroseconds(record.StoreTime)))
            .With(Eventbus, AttributeValue.FromString(record.Eventbus))
            .With(Eventlog, AttributeValue.FromInteger(record.Eventlog))
            .With(Offset, offset);
        return record.Event with { Extensions = extensions };
    }
}
