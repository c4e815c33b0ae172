using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;
using Vanus.Storage;
using Vanus.Storage.Files;
using Vanus.Storage.Replication;

namespace Vanus.Cluster.Replication;

/// <summary>Who a replica is in its group, and how the group runs.</summary>
internal sealed record ReplicaSettings(string Self, IReadOnlyList<string> Voters)
{
    /// <summary>Replicas that receive the log but neither vote nor stand (catching up to be swapped in).</summary>
    public IReadOnlyList<string> Learners { get; init; } = [];

    /// <summary>Heartbeat, election and step-down timings.</summary>
    public ElectionTimings Timings { get; init; } = new();

    /// <summary>Batch and in-flight bounds of catch-up.</summary>
    public ReplicationLimits Limits { get; init; } = new();

    /// <summary>
    /// The replica's log may lack records it acknowledged (its folder was lost or replaced while the group kept it): it
    /// neither votes nor stands until it holds what the leader held when it first heard from it (KIP-966's lesson).
    /// </summary>
    public bool Rejoining { get; init; }

    /// <summary>A batch not answered for this long is taken as lost and sent again.</summary>
    public TimeSpan ResendAfter { get; init; } = TimeSpan.FromMilliseconds(500);
}

/// <summary>An append reached a replica that does not lead its eventlog (now); <see cref="Leader"/> is the one it knows of, if any.</summary>
internal sealed class NotLeaderException(string self, string? leader, string why)
    : Exception($"replica {self} does not lead the eventlog: {why}{(leader is null ? "" : $"; the leader is {leader}")}")
{
    /// <summary>The leader as far as the refusing replica knows.</summary>
    public string? Leader { get; } = leader;
}

/// <summary>
/// A proposal the leader took: its first offset and count, the local write (the host calls
/// <see cref="Replica.OnWrittenAsync"/> once it completes), and the commit the producer is answered at.
/// </summary>
internal sealed record Proposal(long First, int Count, Task Written, Task<long> Committed);

/// <summary>
/// One replica of a replicated eventlog: the election core, the log, its epoch table and <c>raft.state</c> tied together
/// (DESIGN §5, ADR 0007). Not thread-safe: its host (an actor, or the simulation) calls one method at a time and sends the
/// messages it hands to <c>send</c>. A follower carries out a leader's append through <see cref="AppendPlan"/>,
/// adopting and saving a newer epoch before it answers; a leader writes its epoch marker, ships stored frames to each
/// follower by its <see cref="FollowerProgress"/>, and commits by <see cref="LogRules.Commit"/>, answering each proposal
/// once its last offset is committed.
/// </summary>
internal sealed class Replica : IAsyncDisposable
{
    /// <summary>The file whose presence says the replica is rejoining (a learner until it catches up).</summary>
    private const string RejoiningMark = "rejoining";

    private readonly ReplicaSettings _settings;
    private readonly IEventLog _log;
    private readonly EpochTable _epochs;
    private readonly ReplicaStateFile _state;
    private readonly ElectionCore _core;
    private readonly Action<ReplicaMessage> _send;
    private readonly HashSet<string> _voters;
    private readonly Dictionary<string, FollowerProgress> _progress = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _sentAt = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _durableEnds = new(StringComparer.Ordinal);
    private readonly HashSet<string> _markerHolders = new(StringComparer.Ordinal);
    private long _epochStart = long.MaxValue;
    private readonly Queue<(long First, long End, Task<long> Task)> _writes = new();
    private readonly Queue<(long First, long End, TaskCompletionSource<long> Answer)> _waiting = new();
    private long _placedEnd;
    private long _localDurable;
    private long? _rejoinTarget;
    private readonly IFileSystem _fs;
    private readonly string _mark;

    private Replica(ReplicaSettings settings, IEventLog log, EpochTable epochs, ReplicaStateFile state, Action<ReplicaMessage> send, Random random, long now, bool rejoining, IFileSystem fs, string mark)
    {
        _fs = fs;
        _mark = mark;
        _settings = settings;
        _log = log;
        _epochs = epochs;
        _state = state;
        _send = send;
        _voters = new HashSet<string>(settings.Voters, StringComparer.Ordinal);

        // Elections compare the table's last epoch, markers included: a marker-only epoch still counts (ADR 0007).
        _core = new ElectionCore(settings.Self, settings.Voters, state.Current, () => (_epochs.LastEpoch, _log.WrittenOffset), settings.Timings, random, now, learner: rejoining);
        Rejoining = rejoining && settings.Voters.Contains(settings.Self, StringComparer.Ordinal);
    }

    /// <summary>True while a voter that rejoined catches up as a learner (see <see cref="ReplicaSettings.Rejoining"/>).</summary>
    public bool Rejoining { get; private set; }

    /// <summary>This replica's name (its node's).</summary>
    public string Name => _settings.Self;

    /// <summary>Its role now.</summary>
    public ReplicaRole Role => _core.Role;

    /// <summary>The newest epoch it knows.</summary>
    public long Epoch => _core.Epoch;

    /// <summary>The leader it follows (itself when leading), if it knows one.</summary>
    public string? Leader => _core.Leader;

    /// <summary>The committed end: readers see the log below it.</summary>
    public long Committed => _log.NextOffset;

    /// <summary>
    /// True for a leader whose commit point has reached the start of its epoch. Until then it may hold records an earlier
    /// leader committed without knowing they are, so a read there could miss what a client was told is stored.
    /// </summary>
    public bool ServesReads => Role == ReplicaRole.Leader && _log.NextOffset >= _epochStart;

    /// <summary>The last time this replica cut records off its log's end to follow a leader, or null.</summary>
    public Truncation? LastTruncation { get; private set; }

    /// <summary>The replica's log (reads see committed records only).</summary>
    public IEventLog Log => _log;

    /// <summary>The replica's epoch entries.</summary>
    public IReadOnlyList<EpochEntry> Epochs => _epochs.Entries;

    /// <summary>
    /// Opens the replica kept in <paramref name="options"/>' directory: its log (replicated: nothing visible until the
    /// leader says what is committed), epoch table (entries past the log's end dropped, from a crash between a cut and the
    /// table's rewrite) and <c>raft.state</c>. It rejoins as a learner when the host says so, or when its log recovered
    /// from a crash under a sync policy other than <see cref="SyncPolicy.Always"/>: it may have lost what it acknowledged.
    /// </summary>
    public static async Task<Replica> OpenAsync(ReplicaSettings settings, EventLogOptions options, Action<ReplicaMessage> send, Random random, long now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(send);
        var mark = Path.Combine(options.Directory, RejoiningMark);
        var log = await EventLog.OpenAsync(options with { Replicated = true }, cancellationToken).ConfigureAwait(false);
        string? repair = null;
        if (log.Recovery.ReadOnly)
        {
            // Corrupt records (issue 9 opens such a log read-only for an operator): a replica repairs itself, as the other
            // replicas hold them. It becomes a learner first, so that a crash in between never leaves a voter without what
            // it acknowledged; then the log is cut at the damage and the leader sends the rest again.
            var damage = log.Recovery;
            await log.DisposeAsync().ConfigureAwait(false);
            Mark(options, mark);
            EventLog.AllowCutAtDamage(options);
            log = await EventLog.OpenAsync(options with { Replicated = true }, cancellationToken).ConfigureAwait(false);
            repair = $"its log was corrupt in {damage.CorruptFile} at byte {damage.CorruptAt} ({damage.Reason}); it was cut there, at offset {log.WrittenOffset}, and the leader sends the rest again";
        }

        EpochTable? epochs = null;
        try
        {
            epochs = EpochTable.Open(options.FileSystem, options.Directory);
            epochs.DropPast(log.WrittenOffset);
            var state = ReplicaStateFile.Open(options.FileSystem, options.Directory);

            // A learner that stops before it caught up is still one when it starts again: the mark stays until it is promoted.
            var rejoining = settings.Rejoining || options.FileSystem.Exists(mark) || (!log.Recovery.WasClean && options.Sync != SyncPolicy.Always);
            if (rejoining)
            {
                Mark(options, mark);
            }

            return new Replica(settings, log, epochs, state, send, random, now, rejoining, options.FileSystem, mark) { Repair = repair };
        }
        catch
        {
            epochs?.Dispose();
            await log.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>What the replica repaired when it opened (a corrupt log cut at the damage), or null.</summary>
    public string? Repair { get; private init; }

    private static void Mark(EventLogOptions options, string mark)
    {
        if (!options.FileSystem.Exists(mark))
        {
            options.FileSystem.Open(mark, create: true).Dispose();
            options.FileSystem.SyncDirectory(options.Directory);
        }
    }

    /// <summary>Time passes: elections, heartbeats (append requests, empty or not) and resends of lost batches.</summary>
    public async Task TickAsync(long now)
    {
        await ApplyAsync(_core.Tick(now), now).ConfigureAwait(false);
        if (Role != ReplicaRole.Leader)
        {
            return;
        }

        foreach (var (peer, progress) in _progress)
        {
            if (progress.Waiting && now - _sentAt.GetValueOrDefault(peer) >= _settings.ResendAfter.Ticks)
            {
                progress.TimedOut();
                await PumpAsync(peer, now, heartbeat: false).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A message from another replica of the group arrives.</summary>
    public Task ReceiveAsync(ReplicaMessage message, long now)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message switch
        {
            AppendRequest request => OnAppendRequestAsync(request, now),
            AppendResponse reply => OnAppendReplyAsync(reply, now),
            _ => ApplyAsync(_core.Receive(message, now), now),
        };
    }

    /// <summary>
    /// The leader takes <paramref name="events"/>: placed in its log now (written in the background; the host calls
    /// <see cref="OnWrittenAsync"/> when <see cref="Proposal.Written"/> completes), answered once committed. Throws
    /// <see cref="NotLeaderException"/> on any other replica, and the log's own errors for events it refuses.
    /// </summary>
    public Proposal Propose(IReadOnlyList<Event> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (Role != ReplicaRole.Leader)
        {
            throw new NotLeaderException(Name, Leader, $"it is a {Role.ToString().ToLowerInvariant()} in epoch {Epoch}");
        }

        var first = _placedEnd;
        var written = _log.AppendBatchAsync(events).AsTask();
        _placedEnd += events.Count;
        _writes.Enqueue((first, _placedEnd, written));
        var answer = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting.Enqueue((first, _placedEnd, answer));
        return new Proposal(first, events.Count, written, answer.Task);
    }

    /// <summary>
    /// Local writes completed: the leader counts them durable, commits what a majority holds and ships them on. A write
    /// the log refused (a full or broken disk) fails its proposal and every later one, and the leader resigns: its
    /// log's placement is no longer the one it counted on.
    /// </summary>
    public async Task OnWrittenAsync(long now)
    {
        Exception? failure = null;
        while (_writes.TryPeek(out var write) && write.Task.IsCompleted)
        {
            _writes.Dequeue();
            if (write.Task.IsCompletedSuccessfully && write.Task.Result == write.First && failure is null)
            {
                _localDurable = Math.Max(_localDurable, write.End);
            }
            else
            {
                failure ??= write.Task.Exception?.GetBaseException()
                    ?? new InvalidOperationException($"the log placed offsets {write.First}..{write.End - 1} at {write.Task.Result}");
            }
        }

        if (failure is not null)
        {
            await DrainWritesAsync().ConfigureAwait(false);
            FailWaiting(failure);
            await ApplyAsync(_core.Resign(now, $"its log refused a write: {failure.Message}"), now).ConfigureAwait(false);
            return;
        }

        if (Role == ReplicaRole.Leader)
        {
            await AdvanceCommitAsync().ConfigureAwait(false);
            foreach (var peer in _progress.Keys.ToList())
            {
                await PumpAsync(peer, now, heartbeat: false).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Closes the log and the state files; proposals still waiting fail.</summary>
    public async ValueTask DisposeAsync()
    {
        FailWaiting(new ObjectDisposedException(nameof(Replica), $"replica {Name} closed"));
        await DrainWritesAsync().ConfigureAwait(false);
        await _log.DisposeAsync().ConfigureAwait(false);
        _epochs.Dispose();
        _state.Dispose();
    }

    private async Task ApplyAsync(IReadOnlyList<ElectionEffect> effects, long now)
    {
        foreach (var effect in effects)
        {
            switch (effect)
            {
                case ElectionEffect.SaveVote save:
                    // Synced before any later effect: a reply sent on a vote that a crash could forget would allow two leaders.
                    _state.Save(save.Vote);
                    break;
                case ElectionEffect.BecameLeader became:
                    await BecomeLeaderAsync(became.Epoch, now).ConfigureAwait(false);
                    break;
                case ElectionEffect.SteppedDown down:
                    StepDown(down.Reason);
                    break;
                case ElectionEffect.Send { Message: Heartbeat heartbeat }:
                    // The core says when the leader must be heard; what it says is an append request, empty or not.
                    if (_progress.ContainsKey(heartbeat.To))
                    {
                        await PumpAsync(heartbeat.To, now, heartbeat: true).ConfigureAwait(false);
                    }

                    break;
                case ElectionEffect.Send send:
                    _send(send.Message);
                    break;
            }
        }
    }

    private async Task BecomeLeaderAsync(long epoch, long now)
    {
        await DrainWritesAsync().ConfigureAwait(false);

        // The epoch's marker: no offset spent, synced in the table before anything of this epoch is sent.
        var start = _log.WrittenOffset;
        _epochStart = start;
        _epochs.Append(epoch, start);
        _placedEnd = _localDurable = start;
        _progress.Clear();
        _sentAt.Clear();
        _durableEnds.Clear();
        _markerHolders.Clear();
        _markerHolders.Add(Name);
        foreach (var peer in _settings.Voters.Concat(_settings.Learners).Where(p => p != Name).Distinct())
        {
            _progress[peer] = new FollowerProgress(start, _settings.Limits);
        }

        // Learners get the log too, though the core's heartbeats go to voters only.
        foreach (var learner in _settings.Learners.Where(l => l != Name))
        {
            await PumpAsync(learner, now, heartbeat: true).ConfigureAwait(false);
        }
    }

    private void StepDown(string reason)
    {
        _progress.Clear();
        _sentAt.Clear();
        FailWaiting(new NotLeaderException(Name, Leader, $"it stepped down: {reason}"));
    }

    private void FailWaiting(Exception error)
    {
        while (_waiting.TryDequeue(out var waiting))
        {
            waiting.Answer.TrySetException(error);
        }
    }

    /// <summary>Waits for every local write still in progress (a replica that led) before its log is read for a vote or changed.</summary>
    private async Task DrainWritesAsync()
    {
        while (_writes.TryDequeue(out var write))
        {
            try
            {
                await write.Task.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Refused writes placed nothing; their proposals were failed or will be by the caller.
            }
        }
    }

    private async Task OnAppendRequestAsync(AppendRequest request, long now)
    {
        var (current, effects) = _core.LeaderContact(request.From, request.Epoch, now);
        await ApplyAsync(effects, now).ConfigureAwait(false);
        if (!current)
        {
            _send(new AppendResponse(Name, request.From, Epoch, request.Start, Accepted: false, _log.WrittenOffset, _epochs.LastEpoch, Epochs: null));
            return;
        }

        await DrainWritesAsync().ConfigureAwait(false);
        var decision = AppendPlan.Decide(request.Shape, Epoch, _epochs.Entries, _log.WrittenOffset, _log.NextOffset);
        if (decision is AppendDecision.Mismatch mismatch)
        {
            _send(new AppendResponse(Name, request.From, Epoch, request.Start, Accepted: false, mismatch.End, _epochs.LastEpoch, [.. mismatch.Epochs]));
            return;
        }

        var accept = (AppendDecision.Accept)decision;
        if (accept.TruncateTo is { } cut)
        {
            // The log first, the table after: an open after a crash between the two drops the table's extra entries.
            if (cut < _log.WrittenOffset)
            {
                LastTruncation = new Truncation(_log.WrittenOffset, cut, Epoch);
                await _log.TruncateAsync(cut).ConfigureAwait(false);
            }

            _epochs.TruncateTo(cut);
        }

        foreach (var entry in accept.NewEpochs)
        {
            _epochs.Append(entry.Epoch, entry.StartOffset);
        }

        if (accept.Skip < request.Count)
        {
            var from = StoredFrames.PositionOf(request.Frames.Span, (int)accept.Skip);
            await _log.AppendFramesAsync(request.Frames[from..]).ConfigureAwait(false);
        }

        if (accept.Commit > _log.NextOffset)
        {
            await _log.CommitAsync(accept.Commit).ConfigureAwait(false);
        }

        // Only what this request vouched for is reported held: anything past it is not yet checked against the leader.
        var held = Math.Min(_log.WrittenOffset, request.Start + request.Count);
        if (Rejoining && held >= (_rejoinTarget ??= request.LeaderEnd))
        {
            // It holds all the leader held when it came back, every committed record among them: it may vote again.
            _core.Promote();
            _fs.Delete(_mark);
            _fs.SyncDirectory(Path.GetDirectoryName(_mark)!);
            Rejoining = false;
        }

        _send(new AppendResponse(Name, request.From, Epoch, request.Start, Accepted: true, held, _epochs.LastEpoch, Epochs: null));
    }

    private async Task OnAppendReplyAsync(AppendResponse reply, long now)
    {
        await ApplyAsync(_core.FollowerContact(reply.From, reply.Epoch, now), now).ConfigureAwait(false);
        if (Role != ReplicaRole.Leader || reply.Epoch != Epoch || !_progress.TryGetValue(reply.From, out var progress))
        {
            return;
        }

        if (reply.Accepted)
        {
            progress.Acknowledged(reply.Start, reply.End);
            _durableEnds[reply.From] = progress.Match;
            if (reply.LastEpoch == Epoch)
            {
                _markerHolders.Add(reply.From);
            }

            await AdvanceCommitAsync().ConfigureAwait(false);
        }
        else if (reply.Epochs is { } theirs)
        {
            progress.Refused(reply.Start, LogRules.DivergenceOffset(_epochs.Entries, _log.WrittenOffset, theirs, reply.End));
            _durableEnds[reply.From] = progress.Match;
        }

        await PumpAsync(reply.From, now, heartbeat: false).ConfigureAwait(false);
    }

    /// <summary>Sends <paramref name="peer"/> what its progress allows; on a heartbeat with nothing to send and nothing out, an empty request.</summary>
    private async Task PumpAsync(string peer, long now, bool heartbeat)
    {
        if (!_progress.TryGetValue(peer, out var progress))
        {
            return;
        }

        var end = _log.WrittenOffset;
        var sent = false;
        while (progress.NextBatch(end) is var (from, maxBytes))
        {
            var frames = from < end ? await _log.ReadFramesAsync(from, maxBytes).ConfigureAwait(false) : ReadOnlyMemory<byte>.Empty;
            var count = StoredFrames.Count(frames.Span);
            progress.Sent(from, from + count, frames.Length);
            Send(peer, from, count, frames);
            sent = true;
            if (count == 0 || progress.Probing)
            {
                break;
            }
        }

        if (!sent && heartbeat && !progress.Waiting)
        {
            progress.Sent(progress.Next, progress.Next, 0);
            Send(peer, progress.Next, 0, ReadOnlyMemory<byte>.Empty);
            sent = true;
        }

        if (sent)
        {
            _sentAt[peer] = now;
        }
    }

    private void Send(string peer, long from, int count, ReadOnlyMemory<byte> frames)
    {
        var prevEpoch = from == 0 ? 0 : _epochs.EpochAt(from - 1);
        _send(new AppendRequest(Name, peer, Epoch, from, prevEpoch, count, frames, EpochsFrom(from), _log.NextOffset, _log.WrittenOffset));
    }

    /// <summary>The leader's epoch entries from the one holding the offset before <paramref name="from"/> on (all of them from 0).</summary>
    private EpochEntry[] EpochsFrom(long from)
    {
        var entries = _epochs.Entries;
        var i = entries.Count - 1;
        while (i > 0 && entries[i].StartOffset > from - 1)
        {
            i--;
        }

        return entries.Count == 0 ? [] : [.. entries.Skip(Math.Max(i, 0))];
    }

    private async Task AdvanceCommitAsync()
    {
        _durableEnds[Name] = _localDurable;
        if (LogRules.Commit(_durableEnds, _markerHolders, _voters, _log.NextOffset) is not { } commit || commit <= _log.NextOffset)
        {
            return;
        }

        await _log.CommitAsync(commit).ConfigureAwait(false);
        while (_waiting.TryPeek(out var waiting) && waiting.End <= commit)
        {
            _waiting.Dequeue();
            waiting.Answer.TrySetResult(waiting.First);
        }
    }
}

/// <summary>A follower cut its log from <see cref="From"/> back to <see cref="To"/>: records the leader of <see cref="Epoch"/> does not hold.</summary>
internal sealed record Truncation(long From, long To, long Epoch);
