using Akka.Actor;
using Akka.Event;
using Vanus.Cluster.Messaging;
using Vanus.Runtime.Broker;

namespace Vanus.Cluster.Controller;

/// <summary>
/// Where the controller runs on a cluster that keeps its catalog on <c>__meta</c> (ADR 0010): every node has a host, and
/// the one whose replica leads <c>__meta</c> (and knows its commit point) runs the controller, so the controller fails
/// over with the eventlog it writes, in an election's time rather than after the old node is downed. A command reaching a
/// host that runs no controller waits a moment for it to start, then is refused as unavailable (retry).
/// </summary>
internal sealed class ControllerHost : ReceiveActor, IWithTimers
{
    /// <summary>The actor's name under <c>/user</c> on every node.</summary>
    public const string ActorName = "controller";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(3);

    private readonly Props _controller;
    private readonly TimeProvider _time;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<(object Message, IActorRef Sender, DateTimeOffset At)> _waiting = [];
    private IActorRef? _child;
    private long _epoch;

    public ControllerHost(Props controller, TimeProvider time)
    {
        _controller = controller;
        _time = time;
        Receive<MetaLeadership>(Lead);
        Receive<Expire>(_ => ExpireWaiting());
        ReceiveAny(message =>
        {
            if (_child is { } child)
            {
                child.Forward(message);
                return;
            }

            _waiting.Add((message, Sender, _time.GetUtcNow()));
            Timers.StartPeriodicTimer("expire", Expire.Instance, TimeSpan.FromMilliseconds(500));
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(Props controller, TimeProvider time) => Akka.Actor.Props.Create(() => new ControllerHost(controller, time));

    private void Lead(MetaLeadership leadership)
    {
        if (leadership.Epoch == _epoch && (_child is null) == (leadership.Epoch is null))
        {
            return;
        }

        if (_child is { } old)
        {
            _log.Info("Controller: stops on this node (it no longer leads __meta; epoch {0})", _epoch);
            Context.Stop(old);
            _child = null;
        }

        if (leadership.Epoch is not { } epoch)
        {
            _epoch = 0;
            return;
        }

        // A new name per epoch: the child of the previous one may still be stopping.
        _epoch = epoch;
        _child = Context.ActorOf(_controller, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"catalog-{epoch}"));
        _log.Info("Controller: starts on this node, which leads __meta in epoch {0}", epoch);
        foreach (var (message, sender, _) in _waiting)
        {
            _child.Tell(message, sender);
        }

        _waiting.Clear();
        Timers.Cancel("expire");
    }

    private void ExpireWaiting()
    {
        var now = _time.GetUtcNow();
        _waiting.RemoveAll(w =>
        {
            if (now - w.At < Patience)
            {
                return false;
            }

            w.Sender.Tell(new Refusal(BrokerErrorKind.Unavailable, "the controller is moving to the node that leads __meta; retry shortly", null));
            return true;
        });
        if (_waiting.Count == 0)
        {
            Timers.Cancel("expire");
        }
    }

    private sealed record Expire : INoSerializationVerificationNeeded
    {
        public static readonly Expire Instance = new();
    }
}

/// <summary>This node's replica of <c>__meta</c> serves as its leader in <see cref="Epoch"/>, or (null) no longer does.</summary>
internal sealed record MetaLeadership(long? Epoch) : INoSerializationVerificationNeeded;
