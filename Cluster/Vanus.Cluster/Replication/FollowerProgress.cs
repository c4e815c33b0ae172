namespace Vanus.Cluster.Replication;

/// <summary>How much a leader sends a follower at once (REPLICATION.md, catch-up).</summary>
internal sealed record ReplicationLimits
{
    /// <summary>The most bytes of frames in one append request.</summary>
    public int BatchBytes { get; init; } = 1 << 20;

    /// <summary>The most bytes of frames sent to one follower and not yet acknowledged.</summary>
    public long InFlightBytes { get; init; } = 4L << 20;
}

/// <summary>
/// A leader's view of one follower, as a pure state machine: where the next batch starts, what is in flight, what the
/// follower holds durably. A follower whose log is not known to match (at first, and after it refused a batch) is
/// probed with one batch at a time from the point where the logs agree; once it accepts, batches stream up to the
/// in-flight bound. Acknowledgements and refusals of batches from before a refusal are told apart by where they start.
/// </summary>
internal sealed class FollowerProgress
{
    private readonly ReplicationLimits _limits;
    private readonly Queue<(long From, long To, long Bytes)> _inFlight = new();
    private long _inFlightBytes;

    /// <summary>Starts tracking a follower assumed to hold what the leader holds (Raft's optimistic start); the first batch finds out.</summary>
    public FollowerProgress(long leaderEnd, ReplicationLimits limits)
    {
        _limits = limits;
        Next = leaderEnd;
        Probing = true;
    }

    /// <summary>The offset the next batch starts at.</summary>
    public long Next { get; private set; }

    /// <summary>The end of what the follower holds durably, as far as acknowledged (0 until it says).</summary>
    public long Match { get; private set; }

    /// <summary>True while the follower's log is not known to match at <see cref="Next"/>: one batch at a time.</summary>
    public bool Probing { get; private set; }

    /// <summary>True while some batch (an empty probe included) is sent and not answered.</summary>
    public bool Waiting => _inFlight.Count > 0;

    /// <summary>Bytes sent and not acknowledged.</summary>
    public long InFlightBytes => _inFlightBytes;

    /// <summary>
    /// What to send now, from <see cref="Next"/> up to how many bytes: null when the follower has everything or the
    /// window is full (or, while probing, a batch is out). An empty batch at the leader's end is still a probe.
    /// </summary>
    public (long From, int MaxBytes)? NextBatch(long leaderEnd)
    {
        if (Probing ? _inFlight.Count > 0 : Next >= leaderEnd || _inFlightBytes >= _limits.InFlightBytes)
        {
            return null;
        }

        var room = Probing ? _limits.BatchBytes : (int)Math.Min(_limits.BatchBytes, _limits.InFlightBytes - _inFlightBytes);
        return (Next, Math.Max(room, 1));
    }

    /// <summary>A batch of offsets [<paramref name="from"/>, <paramref name="to"/>) of <paramref name="bytes"/> was sent.</summary>
    public void Sent(long from, long to, long bytes)
    {
        if (from != Next)
        {
            throw new InvalidOperationException($"a batch must start at {Next}, not {from}");
        }

        _inFlight.Enqueue((from, to, bytes));
        _inFlightBytes += bytes;
        Next = to;
    }

    /// <summary>
    /// The follower holds everything below <paramref name="durableEnd"/> durably, in answer to the batch that started at
    /// <paramref name="from"/>. An answer to a batch no longer in flight (sent before a refusal) only moves <see cref="Match"/>.
    /// </summary>
    public void Acknowledged(long from, long durableEnd)
    {
        Match = Math.Max(Match, durableEnd);
        if (!_inFlight.Any(b => b.From == from))
        {
            return;
        }

        // Batches are answered in order: this one and every earlier one are done.
        while (_inFlight.TryDequeue(out var batch))
        {
            _inFlightBytes -= batch.Bytes;
            if (batch.From == from)
            {
                break;
            }
        }

        Probing = false;
        if (Next < durableEnd)
        {
            Next = durableEnd;
        }
    }

    /// <summary>
    /// The follower refused the batch that started at <paramref name="from"/>: its log does not match there. Everything
    /// in flight is dropped and the next batch starts where the logs agree (<see cref="LogRules.DivergenceOffset"/>, which
    /// the follower truncates to), one at a time until one is accepted. A refusal of a batch no longer in flight is stale.
    /// </summary>
    public void Refused(long from, long agreeUpTo)
    {
        // A follower refuses a batch only where the logs part before it: a point at or past it would send the same batch again forever.
        if (agreeUpTo >= from && from > 0)
        {
            throw new ArgumentOutOfRangeException(nameof(agreeUpTo), agreeUpTo, $"a follower that refused the batch from {from} cannot agree up to {agreeUpTo}");
        }

        if (!_inFlight.Any(b => b.From == from))
        {
            return;
        }

        _inFlight.Clear();
        _inFlightBytes = 0;
        Next = agreeUpTo;
        Match = Math.Min(Match, agreeUpTo);
        Probing = true;
    }

    /// <summary>A batch was lost (no answer in time): everything from it on is sent again, probing.</summary>
    public void TimedOut()
    {
        if (_inFlight.Count == 0)
        {
            return;
        }

        Next = _inFlight.Peek().From;
        _inFlight.Clear();
        _inFlightBytes = 0;
        Probing = true;
    }
}
