using MessagePack;
using MessagePack.Formatters;
using Vanus.Cluster.Replication;
using Vanus.Storage.Replication;

namespace Vanus.Cluster.Serialization;

/// <summary>
/// The replication core's messages on the wire, as <c>[kind, from, to, epoch, fields…]</c>: the core's records stay plain
/// (no serializer attributes), and an append's frames travel as one binary field, exactly as stored.
/// </summary>
internal sealed class ReplicaMessageFormatter : IMessagePackFormatter<ReplicaMessage?>
{
    public static readonly ReplicaMessageFormatter Instance = new();

    private enum Kind : byte
    {
        PreVoteRequest = 1,
        PreVoteReply = 2,
        VoteRequest = 3,
        VoteReply = 4,
        Heartbeat = 5,
        HeartbeatReply = 6,
        AppendRequest = 7,
        AppendResponse = 8,
    }

    public void Serialize(ref MessagePackWriter writer, ReplicaMessage? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        var kind = value switch
        {
            PreVoteRequest => Kind.PreVoteRequest,
            PreVoteReply => Kind.PreVoteReply,
            VoteRequest => Kind.VoteRequest,
            VoteReply => Kind.VoteReply,
            Heartbeat => Kind.Heartbeat,
            HeartbeatReply => Kind.HeartbeatReply,
            AppendRequest => Kind.AppendRequest,
            AppendResponse => Kind.AppendResponse,
            _ => throw new MessagePackSerializationException($"{value.GetType().Name} has no wire form"),
        };
        writer.WriteArrayHeader(FieldCount(kind));
        writer.Write((byte)kind);
        writer.Write(value.From);
        writer.Write(value.To);
        writer.Write(value.Epoch);
        switch (value)
        {
            case PreVoteRequest m:
                writer.Write(m.LastEpoch);
                writer.Write(m.End);
                break;
            case PreVoteReply m:
                writer.Write(m.ForEpoch);
                writer.Write(m.Granted);
                break;
            case VoteRequest m:
                writer.Write(m.LastEpoch);
                writer.Write(m.End);
                break;
            case VoteReply m:
                writer.Write(m.Granted);
                break;
            case Heartbeat m:
                writer.Write(m.Commit);
                break;
            case HeartbeatReply m:
                writer.Write(m.Accepted);
                break;
            case AppendRequest m:
                writer.Write(m.Start);
                writer.Write(m.PrevEpoch);
                writer.Write(m.Count);
                writer.Write(m.Frames.Span);
                WriteEpochs(ref writer, m.Epochs);
                writer.Write(m.Commit);
                writer.Write(m.LeaderEnd);
                break;
            case AppendResponse m:
                writer.Write(m.Start);
                writer.Write(m.Accepted);
                writer.Write(m.End);
                writer.Write(m.LastEpoch);
                WriteEpochs(ref writer, m.Epochs);
                break;
        }
    }

    public ReplicaMessage? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        var count = reader.ReadArrayHeader();
        var kind = (Kind)reader.ReadByte();
        var from = reader.ReadString() ?? throw new MessagePackSerializationException("a replica message names its sender");
        var to = reader.ReadString() ?? throw new MessagePackSerializationException("a replica message names its receiver");
        var epoch = reader.ReadInt64();
        ReplicaMessage message = kind switch
        {
            Kind.PreVoteRequest => new PreVoteRequest(from, to, epoch, reader.ReadInt64(), reader.ReadInt64()),
            Kind.PreVoteReply => new PreVoteReply(from, to, epoch, reader.ReadInt64(), reader.ReadBoolean()),
            Kind.VoteRequest => new VoteRequest(from, to, epoch, reader.ReadInt64(), reader.ReadInt64()),
            Kind.VoteReply => new VoteReply(from, to, epoch, reader.ReadBoolean()),
            Kind.Heartbeat => new Heartbeat(from, to, epoch, reader.ReadInt64()),
            Kind.HeartbeatReply => new HeartbeatReply(from, to, epoch, reader.ReadBoolean()),
            Kind.AppendRequest => new AppendRequest(
                from, to, epoch, Start: reader.ReadInt64(), PrevEpoch: reader.ReadInt64(), Count: reader.ReadInt32(),
                Frames: reader.ReadBytes() is { } bytes ? System.Buffers.BuffersExtensions.ToArray(bytes) : ReadOnlyMemory<byte>.Empty,
                Epochs: ReadEpochs(ref reader) ?? [], Commit: reader.ReadInt64(), LeaderEnd: reader.ReadInt64()),
            Kind.AppendResponse => new AppendResponse(
                from, to, epoch, Start: reader.ReadInt64(), Accepted: reader.ReadBoolean(), End: reader.ReadInt64(), LastEpoch: reader.ReadInt64(),
                Epochs: ReadEpochs(ref reader)),
            _ => throw new MessagePackSerializationException($"unknown replica message kind {(byte)kind}"),
        };

        // Fields a newer build added are skipped: an older node still reads what it knows.
        for (var i = FieldCount(kind); i < count; i++)
        {
            reader.Skip();
        }

        return message;
    }

    /// <summary>How many fields a message of <paramref name="kind"/> has on the wire, the four common ones included.</summary>
    private static int FieldCount(Kind kind) => 4 + kind switch
    {
        Kind.AppendRequest => 7,
        Kind.AppendResponse => 5,
        Kind.VoteReply or Kind.Heartbeat or Kind.HeartbeatReply => 1,
        _ => 2,
    };

    private static void WriteEpochs(ref MessagePackWriter writer, IReadOnlyList<EpochEntry>? epochs)
    {
        if (epochs is null)
        {
            writer.WriteNil();
            return;
        }

        writer.WriteArrayHeader(epochs.Count * 2);
        foreach (var entry in epochs)
        {
            writer.Write(entry.Epoch);
            writer.Write(entry.StartOffset);
        }
    }

    private static EpochEntry[]? ReadEpochs(ref MessagePackReader reader)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        var length = reader.ReadArrayHeader();
        var entries = new EpochEntry[length / 2];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = new EpochEntry(reader.ReadInt64(), reader.ReadInt64());
        }

        return entries;
    }
}
