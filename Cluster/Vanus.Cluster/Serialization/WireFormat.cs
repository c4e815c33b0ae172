using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Codecs;
using Vanus.Runtime.Events;

namespace Vanus.Cluster.Serialization;

/// <summary>The MessagePack options every cluster message is written with: attribute-keyed records plus formatters for our own types.</summary>
internal static class WireFormat
{
    public static readonly MessagePackSerializerOptions Options = MessagePackSerializerOptions.Standard.WithResolver(
        CompositeResolver.Create(
            [EventFormatter.Instance, RetentionFormatter.Instance, ReplicaMessageFormatter.Instance],
            [StandardResolverAllowPrivate.Instance]));

    /// <summary>Events travel in their storage form (<see cref="BinaryEventCodec"/>), so the wire and the segment files agree.</summary>
    private sealed class EventFormatter : IMessagePackFormatter<Event?>
    {
        public static readonly EventFormatter Instance = new();

        public void Serialize(ref MessagePackWriter writer, Event? value, MessagePackSerializerOptions options)
        {
            if (value is null)
            {
                writer.WriteNil();
                return;
            }

            BinaryEventCodec.Write(ref writer, value);
        }

        public Event? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
            reader.TryReadNil() ? null : BinaryEventCodec.Read(ref reader);
    }

    /// <summary>Retention as [max age in ticks or nil, max bytes or nil]: the storage record carries no MessagePack attributes.</summary>
    private sealed class RetentionFormatter : IMessagePackFormatter<RetentionOptions?>
    {
        public static readonly RetentionFormatter Instance = new();

        public void Serialize(ref MessagePackWriter writer, RetentionOptions? value, MessagePackSerializerOptions options)
        {
            if (value is null)
            {
                writer.WriteNil();
                return;
            }

            writer.WriteArrayHeader(2);
            if (value.MaxAge is { } age)
            {
                writer.Write(age.Ticks);
            }
            else
            {
                writer.WriteNil();
            }

            if (value.MaxBytes is { } bytes)
            {
                writer.Write(bytes);
            }
            else
            {
                writer.WriteNil();
            }
        }

        public RetentionOptions? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
        {
            if (reader.TryReadNil())
            {
                return null;
            }

            var count = reader.ReadArrayHeader();
            if (count != 2)
            {
                throw new MessagePackSerializationException($"retention has {count} fields, expected 2");
            }

            TimeSpan? age = reader.TryReadNil() ? null : TimeSpan.FromTicks(reader.ReadInt64());
            long? bytes = reader.TryReadNil() ? null : reader.ReadInt64();
            return age is null && bytes is null ? RetentionOptions.Forever : new RetentionOptions { MaxAge = age, MaxBytes = bytes };
        }
    }
}
