using CloudNative.CloudEvents;
using Vanus.Runtime.Events;

namespace Vanus.Runtime.Codecs;

/// <summary>Converts between the runtime's <see cref="Event"/> and the CloudEvents SDK's <see cref="CloudEvent"/> at the edges.</summary>
public static class CloudEventConversions
{
    /// <summary>Builds an SDK <see cref="CloudEvent"/> with the same attributes, extensions (typed) and data bytes.</summary>
    public static CloudEvent ToCloudEvent(this Event e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var extensionAttributes = e.Extensions.Select(x => CloudEventAttribute.CreateExtension(x.Key, ToSdkType(x.Value.Kind))).ToList();
        var ce = new CloudEvent(CloudEventsSpecVersion.V1_0, extensionAttributes)
        {
            Id = e.Id,
            Source = new Uri(e.Source, UriKind.RelativeOrAbsolute),
            Type = e.Type,
            DataContentType = e.DataContentType,
            DataSchema = e.DataSchema is null ? null : new Uri(e.DataSchema, UriKind.Absolute),
            Subject = e.Subject,
            Time = e.Time,
            Data = e.Data?.ToArray(),
        };
        foreach (var (name, value) in e.Extensions)
        {
            ce[name] = value.Kind switch
            {
                AttributeKind.Integer => value.AsInteger,
                AttributeKind.Boolean => value.AsBoolean,
                AttributeKind.Binary => value.AsBinary.ToArray(),
                AttributeKind.Timestamp => value.AsTimestamp,
                AttributeKind.Uri or AttributeKind.UriReference => new Uri(value.AsText!, UriKind.RelativeOrAbsolute),
                _ => value.AsText,
            };
        }

        return ce;
    }

    /// <summary>Builds an <see cref="Event"/> from an SDK <see cref="CloudEvent"/>; data must be bytes, a string, or absent.</summary>
    public static Event ToEvent(this CloudEvent ce)
    {
        ArgumentNullException.ThrowIfNull(ce);
        if (ce.Id is null || ce.Source is null || ce.Type is null)
        {
            throw new CloudEventFormatException(ce.Id is null ? "id" : ce.Source is null ? "source" : "type", "is required");
        }

        var extensions = new List<KeyValuePair<string, AttributeValue>>();
        foreach (var (attribute, value) in ce.GetPopulatedAttributes())
        {
            if (attribute.IsExtension)
            {
                extensions.Add(new(attribute.Name, FromSdkValue(attribute, value)));
            }
        }

        ReadOnlyMemory<byte>? data = ce.Data switch
        {
            null => null,
            byte[] bytes => bytes,
            ReadOnlyMemory<byte> memory => memory.ToArray(),
            string text => System.Text.Encoding.UTF8.GetBytes(text),
            _ => throw new CloudEventFormatException("data", $"is a {ce.Data.GetType().Name}; convert it to bytes or a string with a formatter first"),
        };

        return new Event(ce.Id, ce.Source.OriginalString, ce.Type)
        {
            DataContentType = ce.DataContentType,
            DataSchema = ce.DataSchema?.OriginalString,
            Subject = ce.Subject,
            Time = ce.Time,
            Extensions = ExtensionAttributes.From(extensions),
            Data = data,
        };
    }

    private static AttributeValue FromSdkValue(CloudEventAttribute attribute, object value) => value switch
    {
        int i => AttributeValue.FromInteger(i),
        bool b => AttributeValue.FromBoolean(b),
        byte[] bytes => AttributeValue.FromBinary(bytes),
        DateTimeOffset t => AttributeValue.FromTimestamp(t),
        Uri u when attribute.Type == CloudEventAttributeType.Uri => AttributeValue.FromUri(u.OriginalString),
        Uri u => AttributeValue.FromUriReference(u.OriginalString),
        _ => AttributeValue.FromString(attribute.Format(value)),
    };

    private static CloudEventAttributeType ToSdkType(AttributeKind kind) => kind switch
    {
        AttributeKind.Integer => CloudEventAttributeType.Integer,
        AttributeKind.Boolean => CloudEventAttributeType.Boolean,
        AttributeKind.Binary => CloudEventAttributeType.Binary,
        AttributeKind.Uri => CloudEventAttributeType.Uri,
        AttributeKind.UriReference => CloudEventAttributeType.UriReference,
        AttributeKind.Timestamp => CloudEventAttributeType.Timestamp,
        _ => CloudEventAttributeType.String,
    };
}
