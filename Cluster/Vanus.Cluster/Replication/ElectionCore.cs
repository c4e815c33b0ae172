using Vanus.Storage.Replication;

namespace Vanus.Cluster.Replication;

/// <summary>What a replica is in its group now.</summary>
internal enum ReplicaRole
{
    /// <summary>Follows a leader (or waits for one); starts a pre-vote when none is heard within its election timeout.</summary>
    Follower,

    /// <summary>Asks the voters whether they would vote for it, changing nothing yet.</summary>
    PreCandidate,

    /// <summary>Has raised the epoch, voted for itself and asks for votes.</summary>
    Candidate,

    /// <summary>Leads the epoch: it alone appends, and it steps down without a majority.</summary>
    Leader,

    /// <summary>Catches up without a vote or a candidacy (a replica with an empty or uncleanly recovered log), until promoted.</summary>
    Learner,
}

/// <summary>The timings of elections and leadership, in ticks of the injected clock.</summary>
internal sealed record ElectionTimings
{
    /// <summary>How often a leader tells its followers it is alive.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The shortest wait without a leader before a follower asks for votes (each wait is random in the range).</summary>
    public TimeSpan ElectionTimeoutMin { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait without a leader before a follower asks for votes.</summary>
    public TimeSpan ElectionTimeoutMax { get; init; } = TimeSpan.FromSeconds(1.5);

    /// <summary>A leader that has heard from no majority for this long stops leading.</summary>
    public TimeSpan StepDownAfter { get; init; } = TimeSpan.FromSeconds(1.5);
}

/// <summary>What the host of a replica must do after a step of its <see cref="ElectionCore"/>, in order.</summary>
internal abstract record ElectionEffect
{
    /// <summary>Save the vote state and sync it (<see cref="ReplicaStateFile"/>) before carrying out any later effect.</summary>
    public sealed record SaveVote(ReplicaVote Vote) : ElectionEffect;

    /// <summary>Send a message to another replica.</summary>
    public sealed record Send(ReplicaMessage Message) : ElectionEffect;

    /// <summary>This replica now leads the epoch: it writes the epoch's marker before it takes appends.</summary>
    public sealed record BecameLeader(long Epoch) : ElectionEffect;

    /// <summary>This replica stopped leading (a newer epoch, or no majority heard): appends in flight are refused.</summary>
    public sealed record SteppedDown(long Epoch, string Reason) : ElectionEffect;
}

/// <summary>
/// The election half of one replica's Raft dialect as a pure state machine: no I/O, no actors, time given by the caller.
/// Pre-vote then vote; a vote goes only to a candidate whose log is at least as up to date as the voter's by (last
/// epoch, end offset), once per epoch; any newer epoch makes a replica a follower; a leader that hears from no majority
/// steps down. The host persists <see cref="ElectionEffect.SaveVote"/> before anything after it, so a vote is never
/// given twice in an epoch whatever crash comes.
/// </summary>
internal sealed class ElectionCore
{
    private readonly string _self;
    private readonly List<string> _voters;
    private readonly ElectionTimings _timings;
    private readonly Random _random;
    private readonly Func<(long LastEpoch, long End)> _log;
    private readonly HashSet<string> _granted = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _heardAt = new(StringComparer.Ordinal);
    private readonly List<ElectionEffect> _effects = [];
    private long _electionDue;
    private long _nextHeartbeat;
    private long? _leaderHeardAt;

    /// <summary>
    /// Creates the core of <paramref name="self"/> among <paramref name="voters"/> from its saved vote: a learner when it is
    /// not among them, or when <paramref name="learner"/> says its log may lack what it acknowledged (until <see cref="Promote"/>).
    /// </summary>
    public ElectionCore(string self, IReadOnlyList<string> voters, ReplicaVote saved, Func<(long LastEpoch, long End)> log, ElectionTimings timings, Random random, long now, bool learner = false)
    {
        _self = self;
        _voters = [.. voters];
        _log = log;
        _timings = timings;
        _random = random;
        Epoch = saved.Epoch;
        VotedFor = saved.VotedFor;
        Role = !learner && voters.Contains(self, StringComparer.Ordinal) ? ReplicaRole.Follower : ReplicaRole.Learner;
        ResetElectionTimer(now);
    }

    /// <summary>The role now.</summary>
    public ReplicaRole Role { get; private set; }

    /// <summary>The highest epoch this replica has seen.</summary>
    public long Epoch { get; private set; }

    /// <summary>Whom this replica voted for in <see cref="Epoch"/>, if anyone.</summary>
    public string? VotedFor { get; private set; }

    /// <summary>The leader of <see cref="Epoch"/> as far as this replica knows.</summary>
    public string? Leader { get; private set; }

    private int Majority => (_voters.Count / 2) + 1;

    /// <summary>Lets a learner vote and stand (it has caught up to the commit point, and the group took it in as a voter).</summary>
    public void Promote()
    {
        if (Role != ReplicaRole.Learner)
        {
            return;
        }

        if (!_voters.Contains(_self, StringComparer.Ordinal))
        {
            _voters.Add(_self);
        }

        Role = ReplicaRole.Follower;
    }

    /// <summary>A leader gives up leading (its log refused a write): it becomes a follower of no one until an election.</summary>
    public IReadOnlyList<ElectionEffect> Resign(long now, string reason)
    {
        _effects.Clear();
        if (Role == ReplicaRole.Leader)
        {
            StepDown(now, reason);
        }

        return [.. _effects];
    }

    /// <summary>Time passes: a follower without a leader starts a pre-vote, a leader sends heartbeats or steps down.</summary>
    public IReadOnlyList<ElectionEffect> Tick(long now)
    {
        _effects.Clear();
        switch (Role)
        {
            case ReplicaRole.Leader:
                if (MajorityHeardAt() is not { } heard || now - heard >= _timings.StepDownAfter.Ticks)
                {
                    StepDown(now, $"no majority heard for {_timings.StepDownAfter.TotalSeconds:0.#} s");
                }
                else if (now >= _nextHeartbeat)
                {
                    SendHeartbeats(now);
                }

                break;
            case ReplicaRole.Follower or ReplicaRole.PreCandidate or ReplicaRole.Candidate when now >= _electionDue:
                StartPreVote(now);
                break;
        }

        return [.. _effects];
    }

    /// <summary>A message arrives from another replica of the group.</summary>
    public IReadOnlyList<ElectionEffect> Receive(ReplicaMessage message, long now)
    {
        ArgumentNullException.ThrowIfNull(message);
        _effects.Clear();

        // Pre-votes carry a proposed epoch, not one the sender holds: they never move anyone's epoch. A refusal, though,
        // carries the voter's own epoch, which a pre-candidate that fell behind takes on.
        if ((message is not (PreVoteRequest or PreVoteReply) || message is PreVoteReply { Granted: false }) && message.Epoch > Epoch)
        {
            AdoptEpoch(message.Epoch, now, $"epoch {message.Epoch} seen from {message.From}");
        }

        switch (message)
        {
            case PreVoteRequest request:
                Send(new PreVoteReply(_self, request.From, Epoch, request.Epoch, GrantsPreVote(request, now)));
                break;
            case PreVoteReply reply when Role == ReplicaRole.PreCandidate && reply.ForEpoch == Epoch + 1:
                if (reply.Granted && _granted.Add(reply.From) && _granted.Count >= Majority)
                {
                    StartElection(now);
                }

                break;
            case VoteRequest request:
                Send(new VoteReply(_self, request.From, Epoch, GrantsVote(request, now)));
                break;
            case VoteReply reply when Role == ReplicaRole.Candidate && reply.Epoch == Epoch:
                if (reply.Granted && _granted.Add(reply.From) && _granted.Count >= Majority)
                {
                    BecomeLeader(now);
                }

                break;
            case Heartbeat heartbeat:
                if (heartbeat.Epoch < Epoch)
                {
                    Send(new HeartbeatReply(_self, heartbeat.From, Epoch, Accepted: false));
                    break;
                }

                FollowLeader(heartbeat.From, now);
                Send(new HeartbeatReply(_self, heartbeat.From, Epoch, Accepted: true));
                break;
            case HeartbeatReply reply when Role == ReplicaRole.Leader && reply.Epoch == Epoch && reply.Accepted:
                _heardAt[reply.From] = now;
                break;
        }

        return [.. _effects];
    }

    /// <summary>
    /// The replica heard from <paramref name="leader"/> claiming <paramref name="epoch"/> (an append request, which doubles
    /// as the heartbeat): a newer epoch is adopted (and saved) first, and a leader of the current epoch is followed.
    /// Returns false for a claim of an older epoch, which the host refuses with this replica's epoch.
    /// </summary>
    public (bool Current, IReadOnlyList<ElectionEffect> Effects) LeaderContact(string leader, long epoch, long now)
    {
        _effects.Clear();
        if (epoch > Epoch)
        {
            AdoptEpoch(epoch, now, $"epoch {epoch} seen from {leader}");
        }

        if (epoch < Epoch)
        {
            return (false, [.. _effects]);
        }

        if (Role == ReplicaRole.Leader)
        {
            // Two leaders of one epoch would break every guarantee: it can only come from a bug (or a vote given twice).
            throw new InvalidOperationException($"{_self} leads epoch {epoch} and heard {leader} claim it too");
        }

        FollowLeader(leader, now);
        return (true, [.. _effects]);
    }

    /// <summary>
    /// The replica (a leader) heard an answer from <paramref name="follower"/> whose epoch is <paramref name="epoch"/>: a
    /// newer epoch makes it step down; an answer of its own epoch counts towards the majority it must hear from.
    /// </summary>
    public IReadOnlyList<ElectionEffect> FollowerContact(string follower, long epoch, long now)
    {
        _effects.Clear();
        if (epoch > Epoch)
        {
            AdoptEpoch(epoch, now, $"epoch {epoch} seen from {follower}");
        }
        else if (Role == ReplicaRole.Leader && epoch == Epoch)
        {
            _heardAt[follower] = now;
        }

        return [.. _effects];
    }

    /// <summary>Pre-vote: granted to a replica whose log is at least as up to date, unless a live leader was heard within the minimum election timeout.</summary>
    private bool GrantsPreVote(PreVoteRequest request, long now)
    {
        if (Role == ReplicaRole.Learner || request.Epoch <= Epoch)
        {
            return false;
        }

        var leaderAlive = Role == ReplicaRole.Leader || (_leaderHeardAt is { } heard && now - heard < _timings.ElectionTimeoutMin.Ticks);
        return !leaderAlive && AtLeastAsUpToDate(request.LastEpoch, request.End);
    }

    /// <summary>Vote: once per epoch, to a candidate of this epoch whose log is at least as up to date.</summary>
    private bool GrantsVote(VoteRequest request, long now)
    {
        if (Role == ReplicaRole.Learner || request.Epoch < Epoch || !AtLeastAsUpToDate(request.LastEpoch, request.End))
        {
            return false;
        }

        if (VotedFor is not null)
        {
            return VotedFor == request.From;
        }

        VotedFor = request.From;
        _effects.Add(new ElectionEffect.SaveVote(new ReplicaVote(Epoch, VotedFor)));

        // A vote given is a leader expected: no candidacy of our own while it may be winning.
        ResetElectionTimer(now);
        return true;
    }

    /// <summary>By (last epoch, end offset), epoch first: a longer log of an older epoch may lack what a majority acknowledged.</summary>
    private bool AtLeastAsUpToDate(long lastEpoch, long end)
    {
        var (ownEpoch, ownEnd) = _log();
        return lastEpoch > ownEpoch || (lastEpoch == ownEpoch && end >= ownEnd);
    }

    private void StartPreVote(long now)
    {
        Role = ReplicaRole.PreCandidate;
        Leader = null;
        _granted.Clear();
        _granted.Add(_self);
        ResetElectionTimer(now);
        if (_granted.Count >= Majority)
        {
            StartElection(now);
            return;
        }

        var (lastEpoch, end) = _log();
        foreach (var voter in Others())
        {
            Send(new PreVoteRequest(_self, voter, Epoch + 1, lastEpoch, end));
        }
    }

    private void StartElection(long now)
    {
        Role = ReplicaRole.Candidate;
        Epoch++;
        VotedFor = _self;
        _effects.Add(new ElectionEffect.SaveVote(new ReplicaVote(Epoch, _self)));
        _granted.Clear();
        _granted.Add(_self);
        ResetElectionTimer(now);
        if (_granted.Count >= Majority)
        {
            BecomeLeader(now);
            return;
        }

        var (lastEpoch, end) = _log();
        foreach (var voter in Others())
        {
            Send(new VoteRequest(_self, voter, Epoch, lastEpoch, end));
        }
    }

    private void BecomeLeader(long now)
    {
        Role = ReplicaRole.Leader;
        Leader = _self;
        _heardAt.Clear();
        foreach (var voter in Others())
        {
            // A fresh leader counts every voter as just heard: the votes that elected it are a majority's answers.
            _heardAt[voter] = now;
        }

        _effects.Add(new ElectionEffect.BecameLeader(Epoch));
        SendHeartbeats(now);
    }

    private void SendHeartbeats(long now)
    {
        _nextHeartbeat = now + _timings.HeartbeatInterval.Ticks;
        foreach (var voter in Others())
        {
            Send(new Heartbeat(_self, voter, Epoch, Commit: 0));
        }
    }

    /// <summary>When a majority (the leader itself included) was last all heard from; null when no majority ever was.</summary>
    private long? MajorityHeardAt()
    {
        // The leader is one of the majority: it needs Majority - 1 others, and a group of one needs none.
        var needed = Majority - 1;
        if (needed == 0)
        {
            return long.MaxValue;
        }

        var times = Others().Where(_heardAt.ContainsKey).Select(v => _heardAt[v]).OrderDescending().ToList();
        return times.Count >= needed ? times[needed - 1] : null;
    }

    private void FollowLeader(string leader, long now)
    {
        if (Role is ReplicaRole.PreCandidate or ReplicaRole.Candidate)
        {
            Role = ReplicaRole.Follower;
        }

        Leader = leader;
        _leaderHeardAt = now;
        ResetElectionTimer(now);
    }

    private void AdoptEpoch(long epoch, long now, string why)
    {
        var wasLeader = Role == ReplicaRole.Leader;
        Epoch = epoch;
        VotedFor = null;
        Leader = null;
        if (Role != ReplicaRole.Learner)
        {
            Role = ReplicaRole.Follower;
        }

        _effects.Add(new ElectionEffect.SaveVote(new ReplicaVote(epoch, null)));
        if (wasLeader)
        {
            _effects.Add(new ElectionEffect.SteppedDown(epoch, why));
        }

        ResetElectionTimer(now);
    }

    private void StepDown(long now, string why)
    {
        Role = ReplicaRole.Follower;
        Leader = null;
        _effects.Add(new ElectionEffect.SteppedDown(Epoch, why));
        ResetElectionTimer(now);
    }

    private void ResetElectionTimer(long now)
    {
        var min = _timings.ElectionTimeoutMin.Ticks;
        var max = _timings.ElectionTimeoutMax.Ticks;
        _electionDue = now + min + (long)(_random.NextDouble() * (max - min));
    }

    private IEnumerable<string> Others() => _voters.Where(v => !string.Equals(v, _self, StringComparison.Ordinal));

    private void Send(ReplicaMessage message) => _effects.Add(new ElectionEffect.Send(message));
}
