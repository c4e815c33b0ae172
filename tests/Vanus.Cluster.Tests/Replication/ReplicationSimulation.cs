using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Vanus.Cluster.Replication;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;
using Vanus.Storage;
using Vanus.Storage.Files;

namespace Vanus.Cluster.Tests.Replication;

/// <summary>What one simulated run of a replica group may do to it.</summary>
internal sealed record SimulationOptions(int Seed)
{
    public int Replicas { get; init; } = 3;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(12);

    /// <summary>After the faults: how long the healed group gets to converge.</summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(8);

    public bool Crashes { get; init; } = true;

    public bool Partitions { get; init; } = true;

    /// <summary>Keeps every line of the trace (a replay), not only the last ones.</summary>
    public bool FullTrace { get; init; }
}

/// <summary>
/// A deterministic simulation of one replica group (issue 14, part 3): real <see cref="Replica"/>s over real logs on
/// simulated file systems, a seeded network that drops, duplicates, delays and reorders messages, partitions, and crashes
/// with power loss, all in simulated time stepped by one loop (every call is awaited before the next, so a seed replays
/// the same run). After every step it checks: at most one leader per epoch; a committed entry is never lost or changed;
/// replicas agree below their commit points; every acknowledged append is committed where it was acknowledged. At the
/// end the group is healed and must converge: one leader, identical logs, everything acknowledged readable.
/// </summary>
internal sealed class ReplicationSimulation
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(10);
    private static readonly DateTimeOffset Epoch0 = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly SimulationOptions _options;
    private readonly Random _random;
    private readonly FakeTimeProvider _time = new(Epoch0);
    private readonly List<Node> _nodes;
    private readonly PriorityQueue<ReplicaMessage, (long At, long Seq)> _network = new();
    private readonly HashSet<(string From, string To)> _cut = [];
    private readonly List<string> _committed = [];
    private readonly Dictionary<long, string> _leaders = [];
    private readonly Dictionary<long, string> _acknowledged = [];
    private readonly List<(string[] Ids, Proposal Proposal)> _pending = [];
    private readonly Queue<string> _trace = new();
    private readonly double _loss;
    private readonly double _duplication;
    private readonly ReplicationLimits _limits;
    private readonly SyncPolicy _sync;
    private long _seq;
    private long _now;
    private int _nextId;
    private bool _faulty = true;

    public ReplicationSimulation(SimulationOptions options)
    {
        _options = options;
        _random = new Random(options.Seed);
        _loss = _random.NextDouble() * 0.1;
        _duplication = _random.NextDouble() * 0.05;

        // Small batches, so that catch-up takes many of them and a batch often ends before a new leader's marker.
        var batch = 150 + _random.Next(4000);
        _sync = _random.Next(2) == 0 ? SyncPolicy.Always : SyncPolicy.Interval;
        _limits = new ReplicationLimits { BatchBytes = batch, InFlightBytes = batch * (1 + _random.Next(4)) };
        var names = Enumerable.Range(1, options.Replicas).Select(i => $"n{i}").ToList();
        _nodes = names.Select(n => new Node(n, FileSystems.Simulated())).ToList();
    }

    /// <summary>Entries committed, appends acknowledged, elections seen and crashes, for the run's summary.</summary>
    public (int Committed, int Acknowledged, int Leaders, int Crashes) Stats => (_committed.Count, _acknowledged.Count, _leaders.Count, _nodes.Sum(n => n.Crashes));

    /// <summary>Runs the simulation; throws <see cref="SimulationFailedException"/> with the seed and the trace when an invariant breaks.</summary>
    public async Task RunAsync()
    {
        try
        {
            Trace($"seed {_options.Seed}: {_options.Replicas} replicas, loss {_loss:P1}, duplication {_duplication:P1}, batches of {_limits.BatchBytes} bytes, {_limits.InFlightBytes} in flight, sync {_sync}");
            foreach (var node in _nodes)
            {
                await StartAsync(node);
            }

            var end = _options.Duration.Ticks;
            for (_now = 0; _now < end; _now += Step.Ticks)
            {
                await StepAsync();
            }

            // Heal: every partition and every crashed node back, no more loss; the group must converge.
            _faulty = false;
            _cut.Clear();
            Trace("healed: partitions gone, crashed replicas restart, no more loss");
            foreach (var node in _nodes.Where(n => n.Replica is null))
            {
                await StartAsync(node);
            }

            var settleEnd = end + _options.Settle.Ticks;
            var finalProposed = false;
            for (; _now < settleEnd; _now += Step.Ticks)
            {
                await StepAsync();
                if (!finalProposed && _now > end + (_options.Settle.Ticks / 2) && Leader() is { } leader)
                {
                    // One append in the settled epoch commits everything before it (the marker rule) and must be acknowledged.
                    finalProposed = await ProposeAsync(leader);
                }
            }

            await CheckConvergedAsync();
        }
        catch (SimulationFailedException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw Fail($"unexpected {e.GetType().Name}: {e}");
        }
        finally
        {
            foreach (var node in _nodes)
            {
                node.Replica = null;
            }
        }
    }

    private async Task StepAsync()
    {
        _time.SetUtcNow(Epoch0 + TimeSpan.FromTicks(_now));
        if (_faulty)
        {
            await MaybeFaultAsync();
        }

        foreach (var node in _nodes.Where(n => n.Replica is null && n.RestartAt <= _now))
        {
            await StartAsync(node);
        }

        while (_network.TryPeek(out _, out var when) && when.At <= _now)
        {
            var message = _network.Dequeue();
            var to = _nodes.Single(n => n.Name == message.To);
            if (to.Replica is { } replica && !_cut.Contains((message.From, message.To)))
            {
                await replica.ReceiveAsync(message, _now);
            }
        }

        foreach (var node in _nodes)
        {
            if (node.Replica is { } replica)
            {
                await replica.TickAsync(_now);
                if (_sync == SyncPolicy.Interval && _random.NextDouble() < 0.1)
                {
                    await replica.Log.FlushAsync();
                }
            }
        }

        if (_faulty && _random.NextDouble() < 0.3 && _nodes.Where(n => n.Replica?.Role == ReplicaRole.Leader).ToList() is { Count: > 0 } leaders)
        {
            // Sometimes a stale leader that has not heard it lost: its proposal must never be acknowledged wrongly.
            await ProposeAsync(leaders[_random.Next(leaders.Count)].Replica!);
        }

        await CheckAsync();
    }

    private async Task<bool> ProposeAsync(Replica leader)
    {
        var count = 1 + _random.Next(3);
        var ids = Enumerable.Range(0, count).Select(_ => $"e{_nextId++}").ToArray();
        var events = ids.Select(id => new Event(id, "/sim", "sim.append").WithTextData(id)).ToList();
        Proposal proposal;
        try
        {
            proposal = leader.Propose(events);
        }
        catch (NotLeaderException)
        {
            return false;
        }

        Trace($"{leader.Name} proposes {string.Join(',', ids)} at {proposal.First} (epoch {leader.Epoch})");
        _pending.Add((ids, proposal));
        try
        {
            await proposal.Written;
        }
        catch (Exception e) when (e is not SimulationFailedException)
        {
            Trace($"{leader.Name}: write of {ids[0]} failed: {e.Message}");
        }

        await leader.OnWrittenAsync(_now);
        return true;
    }

    private async Task MaybeFaultAsync()
    {
        var roll = _random.NextDouble();
        var live = _nodes.Where(n => n.Replica is not null).ToList();

        // A replica that may have lost what it acknowledged (a power loss without sync, a lost disk) is one failure until
        // it has caught up: a second one at the same time may lose acknowledged data, which no policy but `always` promises.
        var impaired = _nodes.Any(n => n.Replica is null || n.Replica.Rejoining);
        if (_options.Crashes && roll < 0.004 && live.Count > 0 && (_sync == SyncPolicy.Always || !impaired))
        {
            var node = live[_random.Next(live.Count)];
            node.Crashes++;
            node.Replica = null;
            node.Fs.PowerLoss(_random);
            node.RestartAt = _now + TimeSpan.FromMilliseconds(200 + _random.Next(3000)).Ticks;
            Trace($"{node.Name} crashes (power loss); restarts at {Ms(node.RestartAt)}");
        }
        else if (_options.Crashes && roll < 0.0045 && live.Count > 0 && !impaired)
        {
            var node = live[_random.Next(live.Count)];
            node.Crashes++;
            node.Replica = null;
            node.Fs = FileSystems.Simulated();
            node.Wiped = true;
            node.RestartAt = _now + TimeSpan.FromMilliseconds(200 + _random.Next(3000)).Ticks;
            Trace($"{node.Name} loses its disk; restarts empty at {Ms(node.RestartAt)}");
        }
        else if (_options.Partitions && roll < 0.008)
        {
            var node = _nodes[_random.Next(_nodes.Count)];
            foreach (var other in _nodes.Where(o => o != node))
            {
                _cut.Add((node.Name, other.Name));
                _cut.Add((other.Name, node.Name));
            }

            Trace($"{node.Name} is cut off");
        }
        else if (_options.Partitions && roll < 0.010)
        {
            var from = _nodes[_random.Next(_nodes.Count)];
            var to = _nodes[_random.Next(_nodes.Count)];
            if (from != to)
            {
                _cut.Add((from.Name, to.Name));
                Trace($"{from.Name} -> {to.Name} is cut (one way)");
            }
        }
        else if (roll < 0.016 && _cut.Count > 0)
        {
            _cut.Clear();
            Trace("partitions heal");
        }

        await Task.CompletedTask;
    }

    private async Task StartAsync(Node node)
    {
        var options = new EventLogOptions("/data/log")
        {
            FileSystem = node.Fs,
            Sync = _sync,

            // Interval syncs come from the loop below (FlushAsync at random steps), not from a timer: a seed replays exactly.
            SyncInterval = TimeSpan.FromHours(1),
            SegmentSize = 16 << 10,
            IndexIntervalBytes = 512,
            Time = _time,
        };
        var settings = new ReplicaSettings(node.Name, _nodes.Select(n => n.Name).ToList()) { Limits = _limits, Rejoining = node.Wiped };
        node.Wiped = false;
        node.Replica = await Replica.OpenAsync(settings, options, m => Send(node, m), new Random(_random.Next()), _now);
        node.Checked = 0;
        Trace($"{node.Name} starts{(node.Replica.Rejoining ? " as a learner" : "")}: epoch {node.Replica.Epoch}, log end {node.Replica.Log.WrittenOffset}, epochs [{string.Join(' ', node.Replica.Epochs.Select(e => $"{e.Epoch}@{e.StartOffset}"))}]");
    }

    private void Send(Node from, ReplicaMessage message)
    {
        if (from.Replica is null)
        {
            return;
        }

        if (_options.FullTrace)
        {
            Trace($"{message.From} -> {message.To}: {Describe(message)}");
        }

        if (_faulty && _random.NextDouble() < _loss)
        {
            return;
        }

        var copies = _faulty && _random.NextDouble() < _duplication ? 2 : 1;
        for (var i = 0; i < copies; i++)
        {
            var delay = TimeSpan.FromMilliseconds(1 + _random.Next(_faulty ? 30 : 5)).Ticks;
            _network.Enqueue(message, (_now + delay, _seq++));
        }
    }

    private async Task CheckAsync()
    {
        foreach (var node in _nodes)
        {
            if (node.Replica is not { } replica)
            {
                continue;
            }

            if (node.Learner != replica.Rejoining)
            {
                node.Learner = replica.Rejoining;
                Trace($"{replica.Name} {(node.Learner ? "rejoins as a learner" : "caught up and votes again")} (log end {replica.Log.WrittenOffset})");
            }

            if (replica.Role == ReplicaRole.Leader)
            {
                if (_leaders.TryGetValue(replica.Epoch, out var other) && other != replica.Name)
                {
                    throw Fail($"two leaders of epoch {replica.Epoch}: {other} and {replica.Name}");
                }

                if (_leaders.TryAdd(replica.Epoch, replica.Name))
                {
                    Trace($"{replica.Name} leads epoch {replica.Epoch} (log end {replica.Log.WrittenOffset}, committed {replica.Committed})");
                }
            }

            // Every replica's committed prefix is the one committed log: never lost, never changed, agreed by all.
            while (node.Checked < replica.Committed)
            {
                var events = await replica.Log.ReadAsync(node.Checked, 64 << 10);
                foreach (var stored in events)
                {
                    if (stored.Offset >= replica.Committed)
                    {
                        break;
                    }

                    var id = stored.Event.Id;
                    if (stored.Offset < _committed.Count)
                    {
                        if (_committed[(int)stored.Offset] != id)
                        {
                            throw Fail($"{node.Name} committed {id} at offset {stored.Offset}, where {_committed[(int)stored.Offset]} was committed");
                        }
                    }
                    else if (stored.Offset == _committed.Count)
                    {
                        _committed.Add(id);
                    }

                    node.Checked = stored.Offset + 1;
                }
            }
        }

        foreach (var (ids, proposal) in _pending)
        {
            if (proposal.Committed.IsCompletedSuccessfully)
            {
                var first = proposal.Committed.Result;
                for (var i = 0; i < ids.Length; i++)
                {
                    _acknowledged[first + i] = ids[i];
                }
            }
        }

        _pending.RemoveAll(p => p.Proposal.Committed.IsCompleted);
        foreach (var (offset, id) in _acknowledged)
        {
            if (offset >= _committed.Count)
            {
                throw Fail($"{id} was acknowledged at offset {offset}, which no replica has committed (committed end {_committed.Count})");
            }

            if (_committed[(int)offset] != id)
            {
                throw Fail($"{id} was acknowledged at offset {offset}, which holds {_committed[(int)offset]}");
            }
        }
    }

    private async Task CheckConvergedAsync()
    {
        var leaders = _nodes.Where(n => n.Replica?.Role == ReplicaRole.Leader).Select(n => n.Replica!).ToList();
        var newest = leaders.OrderByDescending(l => l.Epoch).FirstOrDefault() ?? throw Fail("no leader after the group healed");
        if (_acknowledged.Count == 0 && _committed.Count == 0)
        {
            throw Fail("nothing was committed in the whole run");
        }

        var expected = await ReadAllAsync(newest);
        foreach (var node in _nodes)
        {
            var replica = node.Replica!;
            if (replica.Committed != newest.Committed || replica.Log.WrittenOffset != newest.Log.WrittenOffset)
            {
                throw Fail($"{node.Name} did not converge: committed {replica.Committed}, written {replica.Log.WrittenOffset}; the leader {newest.Name} has {newest.Committed}, {newest.Log.WrittenOffset}");
            }

            var ids = await ReadAllAsync(replica);
            if (!ids.SequenceEqual(expected))
            {
                throw Fail($"{node.Name}'s log differs from the leader's ({newest.Name})");
            }
        }

        if (!_committed.SequenceEqual(expected))
        {
            throw Fail($"the converged log ({expected.Count} entries) is not the committed one ({_committed.Count})");
        }
    }

    private static async Task<List<string>> ReadAllAsync(Replica replica)
    {
        var ids = new List<string>();
        while (ids.Count < replica.Committed)
        {
            foreach (var stored in await replica.Log.ReadAsync(ids.Count, 64 << 10))
            {
                ids.Add(stored.Event.Id);
            }
        }

        return ids;
    }

    private Replica? Leader() => _nodes.Where(n => n.Replica?.Role == ReplicaRole.Leader).Select(n => n.Replica).MaxBy(r => r!.Epoch);

    private static string Describe(ReplicaMessage message) => message switch
    {
        AppendRequest r => $"append e{r.Epoch} from {r.Start} (prev e{r.PrevEpoch}) {r.Count} frames, commit {r.Commit}",
        AppendResponse r when r.Accepted => $"ack e{r.Epoch} of {r.Start}: holds to {r.End}, last epoch {r.LastEpoch}",
        AppendResponse r => r.Epochs is null ? $"stale: epoch {r.Epoch}" : $"mismatch at {r.Start}: end {r.End}, epochs [{string.Join(' ', r.Epochs.Select(e => $"{e.Epoch}@{e.StartOffset}"))}]",
        _ => message.ToString(),
    };

    private void Trace(string line)
    {
        _trace.Enqueue($"{Ms(_now)} {line}");
        if (!_options.FullTrace && _trace.Count > 300)
        {
            _trace.Dequeue();
        }
    }

    private static string Ms(long ticks) => (ticks / TimeSpan.TicksPerMillisecond).ToString(CultureInfo.InvariantCulture) + "ms";

    private SimulationFailedException Fail(string what) =>
        new($"seed {_options.Seed} ({_options.Replicas} replicas) failed at {Ms(_now)}: {what}\n" +
            $"replay: VANUS_SIM_SEED={_options.Seed} VANUS_SIM_REPLICAS={_options.Replicas} dotnet test --filter ReplicationSimulationTests.Replay\n" +
            $"trace{(_options.FullTrace ? "" : " (last 300 lines)")}:\n{string.Join('\n', _trace)}");

    private sealed class Node(string name, ISimulatedFileSystem fs)
    {
        public string Name { get; } = name;

        public ISimulatedFileSystem Fs { get; set; } = fs;

        public bool Wiped { get; set; }

        public bool Learner { get; set; }

        public Replica? Replica { get; set; }

        public long RestartAt { get; set; }

        public long Checked { get; set; }

        public int Crashes { get; set; }
    }
}

/// <summary>A simulated run broke an invariant; the message holds the seed, how to replay it and the trace.</summary>
internal sealed class SimulationFailedException(string message) : Exception(message);
