using Vanus.Cluster;
using Vanus.Runtime.Events;

namespace Vanus.Gateway.Management;

/// <summary>
/// Adds the attributes the runtime sets on read (DESIGN §2): <c>xvanusstime</c> (RFC 3339, six fraction digits),
/// <c>xvanuseventbus</c>, <c>xvanuseventlog</c> and <c>xvanusoffset</c>.
/// </summary>
internal static class ReadAttributes
{
    public const string StoreTime = "xvanusstime";
    public const string Eventbus = "xvanuseventbus";
    public const string Eventlog = "xvanuseventlog";
    public const string Offset = "xvanusoffset";

    public static Event Annotate(EventRecord record)
    {
        var e = record.Event;
        var items = new List<KeyValuePair<string, AttributeValue>>(e.Extensions.Count + 4);
        foreach (var item in e.Extensions)
        {
            if (item.Key is not (StoreTime or Eventbus or Eventlog or Offset))
            {
                items.Add(item);
            }
        }

        // A string, not a Timestamp: the timestamp form drops trailing zeros, and the contract promises six fraction digits.
        items.Add(new(StoreTime, AttributeValue.FromString(Rfc3339.FormatMicroseconds(record.StoreTime))));
        items.Add(new(Eventbus, AttributeValue.FromString(record.Eventbus)));
        items.Add(new(Eventlog, AttributeValue.FromInteger(record.Eventlog)));

        // CloudEvents integers are 32-bit; an offset past that range travels as its decimal string.
        items.Add(new(Offset, record.Offset <= int.MaxValue
            ? AttributeValue.FromInteger((int)record.Offset)
            : AttributeValue.FromString(record.Offset.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        return e with { Extensions = ExtensionAttributes.From(items) };
    }
}
