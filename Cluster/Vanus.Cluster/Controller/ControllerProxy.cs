using Akka.Actor;
using Akka.Cluster;
using Vanus.Cluster.Eventlogs;
using Vanus.Cluster.Messaging;
using Vanus.Cluster.Replicas;
using Vanus.Runtime.Broker;

namespace Vanus.Cluster.Controller;

/// <summary>Where the controller runs now, as this node's <see cref="ControllerProxy"/> last learned it (null: not known).</summary>
internal sealed class ControllerLocation
{
    private volatile Address? _address;

    /// <summary>The address of the node running the controller, if known.</summary>
    public Address? Address
    {
        get => _address;
        set => _address = value;
    }
}

/// <summary>
/// Every node's way to the controller when it runs where <c>__meta</c> is led (<see cref="ControllerHost"/>): it follows
/// the leader from the routers' announcements, asks for it when it does not know one, and holds commands (a bounded
/// number) while the leader is unknown or unreachable, as Akka's singleton proxy does for a singleton.
/// </summary>
internal sealed class ControllerProxy : ReceiveActor, IWithTimers
{
    private const int MaxWaiting = 1000;

    private readonly IActorRef _router;
    private readonly Func<string, Address?> _addressOf;
    private readonly ControllerLocation _location;
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly Queue<(object Message, IActorRef Sender)> _waiting = new();
    private readonly Dictionary<long, (IActorRef Sender, long Epoch)> _inFlight = [];
    private readonly TimeSpan _timeout;
    private Address? _leader;
    private long _epoch;
    private long _sequence;
    private bool _suspect;

    public ControllerProxy(IActorRef router, Func<string, Address?> addressOf, ControllerLocation location, TimeSpan timeout)
    {
        _timeout = timeout;
        _router = router;
        _addressOf = addressOf;
        _location = location;
        Receive<LeaderElected>(elected => Learn(elected.Leader, elected.Epoch));
        Receive<EventlogInfoReply>(info =>
        {
            if (info.Leader is { } leader)
            {
                Learn(leader, info.Epoch);
            }
        });
        Receive<Refusal>(_ => { });
        Receive<NotLeader>(_ => { });
        Receive<Resolve>(_ =>
        {
            if (Usable() is null || _suspect)
            {
                _router.Tell(new GetEventlogInfo(Meta.MetaLog.EntityId), Self);
            }

            Flush();
        });
        Receive<ClusterEvent.IMemberEvent>(_ => Flush());
        Receive<ClusterEvent.ReachabilityEvent>(_ => Flush());
        Receive<Answered>(answered =>
        {
            if (_inFlight.Remove(answered.Id, out var call))
            {
                // Unavailable: the node followed may have lost the lead without this one hearing of the next leader (an
                // announcement goes to reachable members only); ask again who leads.
                if (answered.Reply is Refusal { Kind: BrokerErrorKind.Unavailable })
                {
                    _suspect = true;
                }

                call.Sender.Tell(answered.Reply);
            }
        });
        ReceiveAny(message =>
        {
            if (Usable() is { } controller && _waiting.Count == 0)
            {
                Send(controller, message, Sender);
                return;
            }

            if (_waiting.Count == MaxWaiting)
            {
                var (_, dropped) = _waiting.Dequeue();
                dropped.Tell(new Refusal(BrokerErrorKind.Unavailable, "the controller cannot be reached; retry shortly", null));
            }

            _waiting.Enqueue((message, Sender));
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef router, Func<string, Address?> addressOf, ControllerLocation location, TimeSpan timeout) =>
        Akka.Actor.Props.Create(() => new ControllerProxy(router, addressOf, location, timeout));

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(LeaderElected));
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.ReachabilityEvent));
        Timers.StartPeriodicTimer("resolve", Resolve.Instance, TimeSpan.Zero, TimeSpan.FromMilliseconds(500));
    }

    protected override void PostStop()
    {
        Context.System.EventStream.Unsubscribe(Self);
        _cluster.Unsubscribe(Self);
    }

    private void Learn(string leader, long epoch)
    {
        if (epoch < _epoch || _addressOf(leader) is not { } address)
        {
            return;
        }

        if (epoch > _epoch)
        {
            foreach (var (id, call) in _inFlight.Where(c => c.Value.Epoch < epoch).ToList())
            {
                _inFlight.Remove(id);
                call.Sender.Tell(new Refusal(BrokerErrorKind.Unavailable, "the controller moved to another node while the call was under way; it may or may not have been applied; retry", null));
            }
        }

        _suspect = false;
        _epoch = epoch;
        _leader = address;
        _location.Address = address;
        Flush();
    }

    /// <summary>The controller's host on the leader's node, when that node is an up, reachable member.</summary>
    private ActorSelection? Usable()
    {
        if (_leader is not { } leader)
        {
            return null;
        }

        var state = _cluster.State;
        var member = state.Members.FirstOrDefault(m => m.Address == leader);
        return member is { Status: MemberStatus.Up or MemberStatus.WeaklyUp } && !state.Unreachable.Contains(member)
            ? Context.ActorSelection(new RootActorPath(leader) / "user" / ControllerHost.ActorName)
            : null;
    }

    private void Flush()
    {
        if (_waiting.Count == 0 || Usable() is not { } controller)
        {
            return;
        }

        while (_waiting.TryDequeue(out var waiting))
        {
            Send(controller, waiting.Message, waiting.Sender);
        }
    }

    /// <summary>
    /// Sends a command and relays its answer, so that a command still under way when the controller moves is answered at
    /// once (unavailable: retry) instead of after the caller's timeout; it may or may not have been applied, as with any
    /// call that times out.
    /// </summary>
    private void Send(ActorSelection controller, object message, IActorRef sender)
    {
        if (sender.IsNobody())
        {
            controller.Tell(message, ActorRefs.NoSender);
            return;
        }

        var id = ++_sequence;
        _inFlight[id] = (sender, _epoch);
        controller.Ask<object>(message, _timeout).PipeTo(Self, success: reply => new Answered(id, reply), failure: e => new Answered(id, new Status.Failure(e)));
    }

    private sealed record Answered(long Id, object Reply) : INoSerializationVerificationNeeded;

    private sealed record Resolve : INoSerializationVerificationNeeded
    {
        public static readonly Resolve Instance = new();
    }
}
