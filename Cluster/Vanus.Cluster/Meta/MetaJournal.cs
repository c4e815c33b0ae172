using System.Collections.Immutable;
using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Akka.Persistence.Snapshot;

namespace Vanus.Cluster.Meta;

/// <summary>
/// An Akka.Persistence journal on the replicated <c>__meta</c> eventlog (the controller's): a write is acknowledged once
/// a majority of the seed nodes hold it, and a replay reads it back on whichever node the controller runs.
/// </summary>
internal sealed class MetaJournal : AsyncWriteJournal
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    protected override async Task<IImmutableList<Exception?>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        var system = Context.System;
        var records = new List<MetaRecord>();
        foreach (var write in messages)
        {
            foreach (var persistent in (IImmutableList<IPersistentRepresentation>)write.Payload)
            {
                var (serializer, manifest, bytes) = Serialize(system, persistent.Payload);
                records.Add(new MetaRecord(MetaKind.Event, persistent.PersistenceId, persistent.SequenceNr, serializer, manifest, bytes, persistent.Timestamp, persistent.WriterGuid, 0, 0, 0));
            }
        }

        // One append: the writes are stored together or not at all, and a failure fails the persist (the actor stops).
        await MetaLog.AppendAsync(system, records, Timeout).ConfigureAwait(false);
        return null!;
    }

    protected override async Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken) =>
        await MetaLog.AppendAsync(Context.System, [new MetaRecord(MetaKind.DeleteEvents, persistenceId, 0, 0, "", [], 0, null, toSequenceNr, 0, 0)], Timeout).ConfigureAwait(false);

    public override async Task ReplayMessagesAsync(IActorContext context, string persistenceId, long fromSequenceNr, long toSequenceNr, long max, Action<IPersistentRepresentation> recoveryCallback)
    {
        var system = context.System;
        var records = (await MetaLog.ReadAllAsync(system, Timeout).ConfigureAwait(false)).Where(r => r.PersistenceId == persistenceId).ToList();
        var deletedTo = records.Where(r => r.Kind == MetaKind.DeleteEvents).Select(r => r.MaxSequenceNr).DefaultIfEmpty(0).Max();
        var replayed = 0L;
        foreach (var record in records.Where(r => r.Kind == MetaKind.Event && r.SequenceNr > deletedTo && r.SequenceNr >= fromSequenceNr && r.SequenceNr <= toSequenceNr))
        {
            if (replayed++ >= max)
            {
                break;
            }

            var payload = system.Serialization.Deserialize(record.Payload, record.SerializerId, record.Manifest);
            recoveryCallback(new Persistent(payload, record.SequenceNr, record.PersistenceId, record.Manifest, false, ActorRefs.NoSender, record.WriterGuid, record.Timestamp));
        }
    }

    public override async Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken)
    {
        var records = await MetaLog.ReadAllAsync(Context.System, Timeout).ConfigureAwait(false);
        return records
            .Where(r => r.PersistenceId == persistenceId)
            .Select(r => r.Kind switch { MetaKind.Event => r.SequenceNr, MetaKind.DeleteEvents => r.MaxSequenceNr, _ => 0 })
            .DefaultIfEmpty(0)
            .Max();
    }

    /// <summary>A payload as the actor system's own serializer for it writes it.</summary>
    internal static (int Serializer, string Manifest, byte[] Bytes) Serialize(ActorSystem system, object payload)
    {
        var serializer = system.Serialization.FindSerializerFor(payload);
        return (serializer.Identifier, Akka.Serialization.Serialization.ManifestFor(serializer, payload), serializer.ToBinary(payload));
    }
}

/// <summary>The snapshot store beside <see cref="MetaJournal"/>: snapshots and their deletions are records of <c>__meta</c> too.</summary>
internal sealed class MetaSnapshotStore : SnapshotStore
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    protected override async Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken)
    {
        var system = Context.System;
        var records = (await MetaLog.ReadAllAsync(system, Timeout).ConfigureAwait(false)).Where(r => r.PersistenceId == persistenceId).ToList();
        var deletions = records.Where(r => r.Kind == MetaKind.DeleteSnapshots).ToList();
        var latest = records
            .Where(r => r.Kind == MetaKind.Snapshot
                && r.SequenceNr <= criteria.MaxSequenceNr && r.SequenceNr >= criteria.MinSequenceNr
                && r.Timestamp <= criteria.MaxTimeStamp.Ticks
                && !deletions.Any(d => r.SequenceNr >= d.MinSequenceNr && r.SequenceNr <= d.MaxSequenceNr && r.Timestamp <= d.MaxTimestamp))
            .MaxBy(r => r.SequenceNr);
        return latest is null
            ? null
            : new SelectedSnapshot(
                new SnapshotMetadata(persistenceId, latest.SequenceNr, new DateTime(latest.Timestamp, DateTimeKind.Utc)),
                system.Serialization.Deserialize(latest.Payload, latest.SerializerId, latest.Manifest));
    }

    protected override async Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken)
    {
        var (serializer, manifest, bytes) = MetaJournal.Serialize(Context.System, snapshot);
        await MetaLog.AppendAsync(Context.System, [new MetaRecord(MetaKind.Snapshot, metadata.PersistenceId, metadata.SequenceNr, serializer, manifest, bytes, metadata.Timestamp.Ticks, null, 0, 0, 0)], Timeout).ConfigureAwait(false);
    }

    protected override async Task DeleteAsync(SnapshotMetadata metadata, CancellationToken cancellationToken) =>
        await MetaLog.AppendAsync(Context.System, [new MetaRecord(MetaKind.DeleteSnapshots, metadata.PersistenceId, 0, 0, "", [], 0, null, metadata.SequenceNr, long.MaxValue, metadata.SequenceNr)], Timeout).ConfigureAwait(false);

    protected override async Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken) =>
        await MetaLog.AppendAsync(Context.System, [new MetaRecord(MetaKind.DeleteSnapshots, persistenceId, 0, 0, "", [], 0, null, criteria.MaxSequenceNr, criteria.MaxTimeStamp.Ticks, criteria.MinSequenceNr)], Timeout).ConfigureAwait(false);
}
