using Akka.Event;
using Akka.Persistence;

namespace Vanus.Cluster.Messaging;

/// <summary>
/// A persistent actor of the node: what every one of them does with the journal's and snapshot store's replies, written
/// once. A saved snapshot trims the journal below it (and, where asked, older snapshots); failures are logged and left to
/// the next snapshot.
/// </summary>
internal abstract class JournaledActor : ReceivePersistentActor
{
    /// <summary>Handles the persistence replies; <paramref name="who"/> names the actor in the logs.</summary>
    protected void HandlePersistenceReplies(Func<string> who, bool deleteOlderSnapshots)
    {
        Command<SaveSnapshotSuccess>(s =>
        {
            DeleteMessages(s.Metadata.SequenceNr);
            if (deleteOlderSnapshots)
            {
                DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1));
            }
        });
        Command<SaveSnapshotFailure>(f => Log.Warning(f.Cause, "{0}: saving a snapshot failed", who()));
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(f => Log.Warning(f.Cause, "{0}: trimming its journal failed", who()));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => Log.Warning(f.Cause, "{0}: deleting its snapshots failed", who()));
    }
}
