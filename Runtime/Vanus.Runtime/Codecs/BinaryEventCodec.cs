using System.Buffers;
using MessagePack;
using Vanus.Runtime.Events;

namespace Vanus.Runtime.Codecs;

/// <summary>
/// The compact storage form of an event: a MessagePack array written and read field by field (no reflection,
/// no intermediate objects). Layout version 1: [1, id, source, type, datacontenttype?, dataschema?, subject?,
/// time (UTC ticks)?, extensions [name, kind, value]*?, data?].
/// </summary>
public static class BinaryEventCodec
{
    private const int LayoutVersion = 1;
    private const int FieldCount = 10;

    /// <summary>Writes <paramref name="e"/> to <paramref name="output"/>.</summary>
    public static void Encode(Event e, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(e);
        var writer = new MessagePackWriter(output);
        Write(ref writer, e);
        writer.Flush();
    }

    /// <summary>Writes <paramref name="e"/> and returns the bytes.</summary>
    public static byte[] Encode(Event e)
    {
        var buffer = new ArrayBufferWriter<byte>(128 + (e?.Data?.Length ?? 0));
        Encode(e!, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes <paramref name="e"/> through an existing MessagePack writer.</summary>
    public static void Write(ref MessagePackWriter writer, Event e)
    {
        ArgumentNullException.ThrowIfNull(e);
        writer.WriteArrayHeader(FieldCount);
        writer.Write(LayoutVersion);
        writer.Write(e.Id);
        writer.Write(e.Source);
        writer.Write(e.Type);
        writer.Write(e.DataContentType);
        writer.Write(e.DataSchema);
        writer.Write(e.Subject);
        if (e.Time is { } time)
        {
            writer.Write(time.UtcTicks);
        }
        else
        {
            writer.WriteNil();
        }

        var extensions = e.Extensions;
        if (extensions.Count == 0)
        {
            writer.WriteNil();
        }
        else
        {
            writer.WriteArrayHeader(extensions.Count * 3);
            for (var i = 0; i < extensions.Count; i++)
            {
                var (name, value) = extensions[i];
                writer.Write(name);
                writer.Write((byte)value.Kind);
                switch (value.Kind)
                {
                    case AttributeKind.Integer or AttributeKind.Boolean or AttributeKind.Timestamp:
                        writer.Write(value.RawNumber);
                        break;
                    case AttributeKind.Binary:
                        writer.Write(((byte[])value.RawReference!).AsSpan());
                        break;
                    default:
                        writer.Write((string)value.RawReference!);
                        break;
                }
            }
        }

        if (e.Data is { } data)
        {
            writer.Write(data.Span);
        }
        else
        {
            writer.WriteNil();
        }
    }

    /// <summary>Reads an event written by <see cref="Encode(Event)"/>; throws <see cref="CloudEventFormatException"/> on damaged input.</summary>
    public static Event Decode(ReadOnlyMemory<byte> bytes)
    {
        var reader = new MessagePackReader(bytes);
        return Read(ref reader);
    }

    /// <summary>Reads an event from a MessagePack reader positioned at one.</summary>
    public static Event Read(ref MessagePackReader reader)
    {
        try
        {
            var count = reader.ReadArrayHeader();
            if (count < FieldCount)
            {
                throw new CloudEventFormatException(null, $"stored form has {count} fields, expected {FieldCount}");
            }

            var version = reader.ReadInt32();
            if (version != LayoutVersion)
            {
                throw new CloudEventFormatException(null, $"stored form has layout version {version}; this build reads {LayoutVersion}");
            }

            var id = reader.ReadString()!;
            var source = reader.ReadString()!;
            var type = reader.ReadString()!;
            var contentType = reader.ReadString();
            var schema = reader.ReadString();
            var subject = reader.ReadString();
            DateTimeOffset? time = reader.TryReadNil() ? null : new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero);
            var extensions = ExtensionAttributes.Empty;
            if (!reader.TryReadNil())
            {
                var n = reader.ReadArrayHeader() / 3;
                var items = new KeyValuePair<string, AttributeValue>[n];
                for (var i = 0; i < n; i++)
                {
                    var name = reader.ReadString()!;
                    var kind = (AttributeKind)reader.ReadByte();
                    var value = kind switch
                    {
                        AttributeKind.Integer or AttributeKind.Boolean or AttributeKind.Timestamp => AttributeValue.FromRaw(kind, reader.ReadInt64(), null),
                        AttributeKind.Binary => AttributeValue.FromRaw(kind, 0, ToArray(reader.ReadBytes())),
                        _ => AttributeValue.FromRaw(kind, 0, reader.ReadString()),
                    };
                    items[i] = new(name, value);
                }

                extensions = new ExtensionAttributes(items);
            }

            // The cast matters: a null array would otherwise convert to an empty (present) ReadOnlyMemory.
            ReadOnlyMemory<byte>? data = reader.TryReadNil() ? (ReadOnlyMemory<byte>?)null : ToArray(reader.ReadBytes());
            for (var i = FieldCount; i < count; i++)
            {
                // Fields a newer layout appends are skipped, so old readers keep working.
                reader.Skip();
            }

            return new Event(id, source, type)
            {
                DataContentType = contentType,
                DataSchema = schema,
                Subject = subject,
                Time = time,
                Extensions = extensions,
                Data = data,
            };
        }
        catch (MessagePackSerializationException ex)
        {
            throw new CloudEventFormatException(null, $"stored form is damaged ({ex.Message})", inner: ex);
        }
        catch (EndOfStreamException ex)
        {
            throw new CloudEventFormatException(null, "stored form is truncated", inner: ex);
        }
        catch (ArgumentException ex)
        {
            throw new CloudEventFormatException(null, $"stored form is damaged ({ex.Message})", inner: ex);
        }
    }

    private static byte[] ToArray(ReadOnlySequence<byte>? bytes) => bytes is { } b ? b.ToArray() : [];
}
