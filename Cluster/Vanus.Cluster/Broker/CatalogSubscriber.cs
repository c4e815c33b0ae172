using Akka.Actor;
using Akka.Event;
using Akka.Cluster.Tools.PublishSubscribe;
using Vanus.Cluster.Controller;

namespace Vanus.Cluster.Broker;

/// <summary>
/// Keeps this node's copy of the catalog current: listens to the controller's pub-sub topic, and asks the controller
/// every few seconds as well. A change published before this node's subscription reached the controller's node would
/// otherwise be missed until the next one.
/// </summary>
internal sealed class CatalogSubscriber : ReceiveActor, IWithTimers
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(3);

    public CatalogSubscriber(CatalogCache catalog, IActorRef controller)
    {
        DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(ControllerActor.Topic, Self));
        Receive<CatalogView>(catalog.Apply);
        Receive<SubscribeAck>(_ => { });
        Receive<Refresh>(_ => controller.Ask<CatalogView>(GetCatalog.Instance, RefreshInterval).PipeTo(Self, failure: _ => Refresh.Failed));
        Receive<RefreshFailed>(_ => { });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(CatalogCache catalog, IActorRef controller) => Akka.Actor.Props.Create(() => new CatalogSubscriber(catalog, controller));

    protected override void PreStart() => Timers.StartPeriodicTimer("refresh", Refresh.Instance, RefreshInterval);

    private sealed record Refresh : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly Refresh Instance = new();

        // The controller may be moving or starting: the next refresh asks again.
        public static readonly RefreshFailed Failed = new();
    }

    private sealed record RefreshFailed : INoSerializationVerificationNeeded, IDeadLetterSuppression;
}
