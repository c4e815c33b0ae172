using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Vanus.Cluster.Controller;

namespace Vanus.Cluster.Broker;

/// <summary>Keeps this node's broker on the latest catalog: listens to the controller's pub-sub topic.</summary>
internal sealed class CatalogSubscriber : ReceiveActor
{
    public CatalogSubscriber(EventbusBroker broker)
    {
        DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(ControllerActor.Topic, Self));
        Receive<CatalogView>(broker.Apply);
        Receive<SubscribeAck>(_ => { });
    }

    public static Props Props(EventbusBroker broker) => Akka.Actor.Props.Create(() => new CatalogSubscriber(broker));
}
