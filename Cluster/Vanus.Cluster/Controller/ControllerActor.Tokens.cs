using Akka.Actor;
using Vanus.Cluster.Messaging;
using Vanus.Runtime.Broker;

namespace Vanus.Cluster.Controller;

internal sealed partial class ControllerActor
{
    private void CreateToken(CreateToken command)
    {
        if (_state.Token(command.Entry.Name) is not null)
        {
            Sender.Tell(new Refusal(BrokerErrorKind.AlreadyExists, $"token '{command.Entry.Name}' already exists", "name"));
            return;
        }

        var replyTo = Sender;
        var entry = command.Entry with { CreatedAt = _time.GetUtcNow() };
        Record(new TokenAdded(entry), _ => replyTo.Tell(new TokenChanged(Publish(), entry)));
    }

    private void DeleteToken(DeleteToken command)
    {
        if (_state.Token(command.Name) is null)
        {
            Sender.Tell(new CatalogDeleted(View, false));
            return;
        }

        // Published at once: every node's copy of the catalog drops the token as soon as the topic reaches it.
        var replyTo = Sender;
        Record(new TokenRemoved(command.Name), _ => replyTo.Tell(new CatalogDeleted(Publish(), true)));
    }
}
