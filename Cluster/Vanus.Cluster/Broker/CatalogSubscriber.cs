using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Vanus.Cluster.Controller;

namespace Vanus.Cluster.Broker;

/// <summary>Keeps this node's copy of the catalog current: listens to the controller's pub-sub topic.</summary>
internal sealed class CatalogSubscriber : ReceiveActor
{
    public CatalogSubscriber(CatalogCache catalog)
    {
        DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(ControllerActor.Topic, Self));
        Receive<CatalogView>(catalog.Apply);
        Receive<SubscribeAck>(_ => { });
    }

    public static Props Props(CatalogCache catalog) => Akka.Actor.Props.Create(() => new CatalogSubscriber(catalog));
}
