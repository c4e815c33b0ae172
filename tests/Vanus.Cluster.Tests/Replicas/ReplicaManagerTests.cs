using Akka.Actor;
using Vanus.Cluster.Broker;
using Vanus.Cluster.Eventlogs;
using Vanus.Cluster.Replicas;
using Vanus.Cluster.Replication;

namespace Vanus.Cluster.Tests.Replicas;

/// <summary>The replica manager sends its replicas' heartbeats and answers for one node as one message.</summary>
public sealed class ReplicaManagerTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "vanus-manager-" + Guid.NewGuid().ToString("N"));
    private readonly ActorSystem _system = ActorSystem.Create("managers");

    [Fact]
    public async Task Heartbeats_and_answers_queued_together_for_a_node_leave_as_one_batch_in_their_order()
    {
        // The node "elsewhere" is this system, where a recorder stands at the manager's path; the manager under test
        // runs under another name.
        var received = new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously);
        _system.ActorOf(Props.Create(() => new Recorder(received)), ReplicaManager.ActorName);
        var here = ((ExtendedActorSystem)_system).Provider.DefaultAddress;
        var host = new ReplicaHost("n1", new EventlogSettings(_root, null, 1 << 20, TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(1), TimeProvider.System), _ => null, _ => { });
        var manager = _system.ActorOf(ReplicaManager.Props(host, new CatalogCache()), "manager-under-test");
        ReplicaEnvelope[] envelopes =
        [
            new("a:0", new AppendRequest("n1", "n2", 3, 10, 3, 0, ReadOnlyMemory<byte>.Empty, [], 10, 10)),
            new("b:0", new AppendResponse("n1", "n2", 2, 5, true, 7, 2, null)),
            new("c:1", new AppendRequest("n1", "n2", 4, 0, 0, 0, ReadOnlyMemory<byte>.Empty, [], 0, 0)),
        ];

        foreach (var envelope in envelopes)
        {
            manager.Tell(new Outgoing(here, envelope));
        }

        var batch = Assert.IsType<ReplicaBatch>(await received.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(envelopes, batch.Envelopes);
    }

    [Fact]
    public async Task A_lone_heartbeat_leaves_as_itself()
    {
        var received = new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously);
        _system.ActorOf(Props.Create(() => new Recorder(received)), ReplicaManager.ActorName);
        var host = new ReplicaHost("n1", new EventlogSettings(_root, null, 1 << 20, TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(1), TimeProvider.System), _ => null, _ => { });
        var manager = _system.ActorOf(ReplicaManager.Props(host, new CatalogCache()), "manager-under-test");
        var envelope = new ReplicaEnvelope("a:0", new AppendRequest("n1", "n2", 3, 10, 3, 0, ReadOnlyMemory<byte>.Empty, [], 10, 10));

        manager.Tell(new Outgoing(((ExtendedActorSystem)_system).Provider.DefaultAddress, envelope));

        Assert.Equal(envelope, await received.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    public void Dispose()
    {
        _system.Terminate().Wait(TimeSpan.FromSeconds(10));
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private sealed class Recorder : ReceiveActor
    {
        public Recorder(TaskCompletionSource<object> received) => ReceiveAny(m => received.TrySetResult(m));
    }
}
